import fs from "node:fs";
import type { AuditRecord } from "./audit-record.js";
import { chainHasher, GENESIS_HASH } from "./chain-hash.js";
import { discoverChains, type ChainFiles } from "./chain-files.js";
import { FileLock } from "./file-lock.js";
import { readAuditRecords } from "./read-audit.js";
import { maxAgeFor, type RetentionRules } from "./retention.js";
import { verifyChain } from "./verify-chain.js";

export interface PruneOptions {
  rules: RetentionRules;
  now?: Date;
  key?: string | Buffer;
  dryRun?: boolean;
}

export interface PruneResult {
  chain: string;
  kept: number;
  removed: Record<string, number>;
  /** Files replaced by the pruned chain (empty on a dry run or when nothing was removed). */
  rewritten: string[];
}

/**
 * Drops records older than their class allows. A chain cannot lose lines and still verify, so the
 * kept lines are re-chained into a fresh file whose first line, `audit_pruned`, records what was
 * removed and the head hash of the chain it replaces (keep that hash if you anchor the log
 * elsewhere). The old chain is verified first and pruning refuses a broken one: pruning must not
 * launder tampering. Needs the chain's lock, so no gateway may be writing it.
 */
export function pruneAudit(configured: string, o: PruneOptions): PruneResult[] {
  const now = (o.now ?? new Date()).getTime();
  const results: PruneResult[] = [];
  for (const chain of discoverChains(configured)) {
    const active = activeFile(chain);
    const lock = o.dryRun ? undefined : FileLock.tryAcquire(active);
    if (!o.dryRun && !lock) throw new Error(`${active} is being written by a running Portcullis (lock ${active}.lock); stop it, then prune again`);
    try {
      results.push(pruneChain(chain, active, now, o));
    } finally {
      lock?.release();
    }
  }
  return results;
}

function activeFile(chain: ChainFiles): string {
  const last = chain.files[chain.files.length - 1]!;
  // If only rotated segments exist, the active name is the segment name minus its seq.
  return last.replace(/\.\d{12}(\.[^./]*)?$/, "$1");
}

function pruneChain(chain: ChainFiles, active: string, now: number, o: PruneOptions): PruneResult {
  const v = verifyChain(chain.files, { key: o.key });
  if (v.needsKey) throw new Error(`${v.needsKey.file} is HMAC-signed; give the key (--key-env NAME) to prune it`);
  if (!v.ok) throw new Error(`refusing to prune a chain that does not verify: ${v.finding!.message}`);
  const { records } = readAuditRecords(chain.files);
  const removed: Record<string, number> = {};
  const kept: AuditRecord[] = [];
  for (const r of records) {
    const maxAge = maxAgeFor(o.rules, r.event, r.severity);
    const t = Date.parse(r.ts);
    if (maxAge !== undefined && Number.isFinite(t) && now - t > maxAge) removed[r.event] = (removed[r.event] ?? 0) + 1;
    else kept.push(r);
  }
  const result: PruneResult = { chain: active, kept: kept.length, removed, rewritten: [] };
  if (Object.keys(removed).length === 0 || o.dryRun) return result;

  const hash = chainHasher(o.key);
  let prev = GENESIS_HASH;
  let seq = 0;
  const out: string[] = [];
  const emit = (fields: Record<string, unknown>) => {
    const body = JSON.stringify({ seq: ++seq, ...fields, prev });
    prev = hash(body);
    out.push(`${body.slice(0, -1)},"hash":"${prev}"}\n`);
  };
  emit({ ts: new Date(now).toISOString(), event: "audit_pruned", severity: "info", reason: "records older than their retention were removed; seq restarts at 1", details: { removed, kept: kept.length, previous_head: v.head, previous_last_seq: v.lastSeq, rules: o.rules } });
  for (const r of kept) {
    const { seq: origSeq, ts, prev: _p, hash: _h, ...rest } = r;
    emit({ ts, ...rest, orig_seq: origSeq });
  }
  const tmp = `${active}.prune-${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, out.join(""));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, active);
  for (const f of chain.files) if (f !== active) fs.rmSync(f, { force: true });
  result.rewritten = [...chain.files];
  return result;
}
