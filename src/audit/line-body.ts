import type { AuditEntry } from "./audit-record.js";

/**
 * The JSON text of an audit line without its `hash`: exactly `JSON.stringify({ seq, ts, ...entry,
 * prev })`. Built from one stringify of the entry instead of a spread copy of it, which is a slow
 * property-by-property copy (a different shape for every kind of entry) on every audited call.
 * `prevJson` is `JSON.stringify(prev)`, kept by the caller (it changes once per line).
 */
export function lineBody(seq: number, ts: string, entry: AuditEntry, prev: string, prevJson: string): string {
  if (!spreadsLikeItself(entry)) return JSON.stringify({ seq, ts, ...entry, prev });
  const inner = JSON.stringify(entry);
  if (startsWithDigitKey(inner)) return JSON.stringify({ seq, ts, ...entry, prev });
  // `ts` is an ISO date (nothing to escape); an empty entry contributes no fields and no comma.
  const fields = inner.length > 2 ? `,${inner.slice(1, -1)}` : "";
  return `{"seq":${seq},"ts":"${ts}"${fields},"prev":${prevJson}}`;
}

/**
 * Whether the entry's own JSON, spliced between `ts` and `prev`, is what the spread would give:
 * not when it has its own `seq`, `ts` or `prev` (the spread keeps those in place) or a `toJSON`.
 * Integer-like keys (which an object lists first) are caught by the caller on the JSON text.
 */
function spreadsLikeItself(entry: AuditEntry): boolean {
  const e = entry as unknown as Record<string, unknown>;
  return typeof e === "object" && e !== null && !("seq" in e) && !("ts" in e) && !("prev" in e) && typeof e.toJSON !== "function";
}

/** `{"0":...`: the entry has an integer-like key, which a spread object would list before `seq`. */
const startsWithDigitKey = (json: string) => json.length > 2 && json[2]! >= "0" && json[2]! <= "9";

/**
 * `new Date().toISOString()`, formatted once per second: Date's ISO formatting goes through C++
 * printf, measurable at one call per audit line. Same text, same clock (`Date.now`).
 */
export class IsoClock {
  private second = NaN;
  private prefix = "";

  now(): string {
    const ms = Date.now();
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, -4); // "...T07:53:12."
    }
    const frac = ms - second * 1000;
    return `${this.prefix}${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z`;
  }
}
