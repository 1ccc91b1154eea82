import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import { GENESIS_HASH, HMAC_PREFIX, isChainHash, isKeyedHash } from "./chain-hash.js";

export type FindingKind = "edited" | "removed" | "inserted" | "reordered" | "truncated" | "unsigned" | "malformed";

/** The first place the chain is broken, named so a person can open the file at that line. */
export interface ChainFinding {
  kind: FindingKind;
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  seq?: number;
  message: string;
}

export interface VerifyOptions {
  /** HMAC key; required when the chain holds keyed lines. */
  key?: string | Buffer;
  /** A (seq, hash) recorded earlier (e.g. from a previous verify or a remote sink): detects tail truncation. */
  anchor?: { seq: number; hash?: string };
}

export interface VerifyResult {
  ok: boolean;
  files: string[];
  lines: number;
  lastSeq: number;
  /** Hash of the last line: keep it as an anchor to detect truncation later. */
  head: string;
  /** True when every line from the first keyed one on is HMAC-signed. */
  keyed: boolean;
  finding?: ChainFinding;
  /** Recovered crash artefacts (torn writes); not tampering. */
  notes: string[];
  /** Set when keyed lines were found but no key was given: nothing past `needsKey` was checked. */
  needsKey?: { file: string; line: number };
}

interface Rec {
  seq: number;
  prev: string;
  hash: string;
}

interface Pos {
  file: string;
  line: number;
  text: string;
}

/**
 * Checks one chain (its files in order, oldest first) and stops at the first break. Each line's
 * hash is recomputed from its own text minus the trailing `,"hash":"..."` (exactly what the writer
 * hashed), then its `prev` and `seq` are compared with the line before. A torn line is accepted
 * only where a crash explains it: at the very end, or mid-file when the next line links straight to
 * the line before it (the writer restarted and no chain line was lost).
 */
export function verifyChain(files: readonly string[], opts: VerifyOptions = {}): VerifyResult {
  const mac = opts.key !== undefined && opts.key.length > 0 ? opts.key : undefined;
  const res: VerifyResult = { ok: true, files: [...files], lines: 0, lastSeq: 0, head: GENESIS_HASH, keyed: false, notes: [] };
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let prevPos: Pos | undefined;
  let seenKeyed = false;
  let plainRun: Pos | undefined; // first plain line after which no keyed line has come yet
  let torn: Pos | undefined;
  const seenHashes = new Map<string, Pos>();
  const fail = (kind: FindingKind, at: Pos, message: string, seq?: number): VerifyResult => {
    res.ok = false;
    res.finding = { kind, file: at.file, line: at.line, seq, message: `${at.file}:${at.line}: ${message}` };
    return res;
  };

  for (let fi = 0; fi < files.length; fi++) {
    const file = files[fi]!;
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    const endsClean = text.endsWith("\n") || text === "";
    if (endsClean) lines.pop();
    for (let li = 0; li < lines.length; li++) {
      const raw = lines[li]!;
      const at: Pos = { file, line: li + 1, text: raw };
      if (raw.trim() === "") continue;
      const rec = parse(raw);
      if (!rec) {
        const lastOfAll = fi === files.length - 1 && li === lines.length - 1;
        if (!raw.startsWith('{"seq":')) return fail("inserted", at, "this line is not an audit record (not JSON from the writer); it was inserted or overwritten.");
        if (lastOfAll && !endsClean) {
          res.notes.push(`${file}:${at.line}: torn last line (a crash while writing); the chain is intact up to seq ${prevSeq}.`);
          continue;
        }
        if (torn) return fail("truncated", torn, "this line is cut short and the chain does not continue past it.");
        torn = at;
        continue;
      }
      // 1. The line's own hash.
      const body = bodyOf(raw, rec);
      if (isKeyedHash(rec.hash)) {
        if (!mac) {
          res.needsKey = { file, line: at.line };
          res.ok = false;
          res.lastSeq = prevSeq;
          res.head = prevHash;
          return res;
        }
        if (HMAC_PREFIX + createHmac("sha256", mac).update(body).digest("hex") !== rec.hash) {
          return fail("edited", at, `seq ${rec.seq} was edited or forged: its HMAC does not match its content (or the key is not the one it was written with).`, rec.seq);
        }
        seenKeyed = true;
        plainRun = undefined;
      } else {
        if (seenKeyed) return fail("unsigned", at, `seq ${rec.seq} is not HMAC-signed although the lines before it are: it was written by someone without the key.`, rec.seq);
        if (createHash("sha256").update(body).digest("hex") !== rec.hash) {
          return fail("edited", at, `seq ${rec.seq} was edited: its hash does not match its content.`, rec.seq);
        }
        if (mac && !plainRun) plainRun = at;
      }
      // 2. Its place in the chain.
      if (rec.prev !== prevHash || rec.seq !== prevSeq + 1) {
        if (torn) return fail("truncated", torn, `this line is cut short and the chain does not continue past it (the next line, seq ${rec.seq}, does not link to seq ${prevSeq}).`);
        const dup = seenHashes.get(rec.hash);
        if (dup) return fail("inserted", at, `seq ${rec.seq} is a copy of ${dup.file}:${dup.line}; it was inserted.`, rec.seq);
        if (rec.prev === prevHash) return fail("edited", at, `the seq field was changed (it says ${rec.seq}, the chain expects ${prevSeq + 1}).`, rec.seq);
        if (rec.seq === prevSeq + 1) {
          const where = prevPos ? `${prevPos.file}:${prevPos.line} (seq ${prevSeq})` : "the start of the chain";
          return fail("edited", prevPos ?? at, `the next line (seq ${rec.seq}) does not link to this one: ${where} was edited and its hash recomputed, or seq ${rec.seq} was replaced.`, prevSeq || rec.seq);
        }
        if (rec.seq > prevSeq + 1) {
          const later = findSeqAhead(files, fi, li + 1, lines, prevSeq + 1);
          if (later) return fail("reordered", at, `seq ${rec.seq} appears before seq ${prevSeq + 1} (${later.file}:${later.line}): lines were reordered.`, rec.seq);
          const missing = rec.seq - prevSeq - 1;
          const range = missing === 1 ? `seq ${prevSeq + 1} is` : `seq ${prevSeq + 1}..${rec.seq - 1} are`;
          if (li === 0 && fi > 0) return fail("truncated", at, `${range} missing between ${files[fi - 1]} and this file: the end of the previous file was truncated or a segment file was deleted.`, rec.seq);
          if (prevSeq === 0) return fail("removed", at, `the chain starts at seq ${rec.seq}: ${range} missing (lines removed from the start, or older segment files deleted).`, rec.seq);
          return fail("removed", at, `${range} missing before this line: ${missing === 1 ? "a line was" : `${missing} lines were`} removed.`, rec.seq);
        }
        return fail("inserted", at, `seq ${rec.seq} comes after seq ${prevSeq}: a line was inserted here (or at the line before).`, rec.seq);
      }
      if (torn) {
        res.notes.push(`${torn.file}:${torn.line}: torn write from a crash; the writer restarted and no chain line was lost.`);
        torn = undefined;
      }
      prevSeq = rec.seq;
      prevHash = rec.hash;
      prevPos = at;
      seenHashes.set(rec.hash, at);
      res.lines++;
      if (opts.anchor && rec.seq === opts.anchor.seq && opts.anchor.hash !== undefined && opts.anchor.hash !== rec.hash) {
        return fail("edited", at, `seq ${rec.seq} does not match the anchor (${opts.anchor.hash.slice(0, 16)}…): the chain was rewritten from here or earlier.`, rec.seq);
      }
    }
  }
  res.lastSeq = prevSeq;
  res.head = prevHash;
  res.keyed = seenKeyed;
  if (torn) res.notes.push(`${torn.file}:${torn.line}: torn write from a crash at the end of the chain; nothing after it.`);
  if (mac && plainRun) {
    return fail("unsigned", plainRun, "this line and every line after it are not HMAC-signed, so anyone could have written them (was the key configured for this writer?).");
  }
  if (opts.anchor && opts.anchor.seq > prevSeq) {
    const last = prevPos ?? { file: files[files.length - 1] ?? "(no file)", line: 0, text: "" };
    return fail("truncated", last, `the chain ends at seq ${prevSeq} but seq ${opts.anchor.seq} was recorded earlier (anchor): the lines after this one were removed.`, prevSeq);
  }
  return res;
}

function parse(raw: string): Rec | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.seq !== "number" || !isChainHash(r.prev) || !isChainHash(r.hash)) return undefined;
  return r as unknown as Rec;
}

/** The text the writer hashed: the line without its trailing `,"hash":"..."`. */
function bodyOf(raw: string, rec: Rec): string {
  const suffix = `,"hash":"${rec.hash}"}`;
  if (raw.endsWith(suffix)) return `${raw.slice(0, -suffix.length)}}`;
  // Re-serialised by some tool: JSON.parse + stringify reproduces the writer's text for its own output.
  const { hash: _hash, ...rest } = JSON.parse(raw) as Record<string, unknown>;
  return JSON.stringify(rest);
}

function findSeqAhead(files: readonly string[], fi: number, li: number, lines: string[], seq: number): Pos | undefined {
  const scan = (file: string, ls: string[], from: number): Pos | undefined => {
    for (let i = from; i < ls.length; i++) {
      const m = /^\{"seq":(\d+),/.exec(ls[i]!);
      if (m && Number(m[1]) === seq) return { file, line: i + 1, text: ls[i]! };
    }
    return undefined;
  };
  const here = scan(files[fi]!, lines, li);
  if (here) return here;
  for (let f = fi + 1; f < files.length; f++) {
    const hit = scan(files[f]!, fs.readFileSync(files[f]!, "utf8").split("\n"), 0);
    if (hit) return hit;
  }
  return undefined;
}
