import fs from "node:fs";
import type { AuditRecord } from "./audit-record.js";

/**
 * The records of some audit files, oldest first, for reports and exports (not verification: use
 * verifyChain for that). Torn or foreign lines are skipped; `since` filters by `ts`.
 */
export function readAuditRecords(files: readonly string[], opts: { since?: Date; until?: Date } = {}): { records: AuditRecord[]; lines: string[]; skipped: number } {
  const records: AuditRecord[] = [];
  const lines: string[] = [];
  let skipped = 0;
  const from = opts.since?.getTime() ?? -Infinity;
  const to = opts.until?.getTime() ?? Infinity;
  for (const file of files) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      let r: AuditRecord;
      try {
        r = JSON.parse(line) as AuditRecord;
      } catch {
        skipped++;
        continue;
      }
      if (typeof r !== "object" || r === null || typeof r.event !== "string") {
        skipped++;
        continue;
      }
      const t = Date.parse(r.ts);
      if (Number.isFinite(t) && (t < from || t > to)) continue;
      records.push(r);
      lines.push(line);
    }
  }
  return { records, lines, skipped };
}
