import { parseArgs } from "node:util";
import { readAll, type Command } from "../cli-io.js";
import { detectInjection, resolveThreshold, type InjectionKind, type InjectionVerdict } from "../../layers/injection/detect-injection.js";

const KINDS = new Set<InjectionKind>(["output", "description", "prompt"]);
const USAGE = "usage: portcullis detect [--kind output|description|prompt] [--threshold low|default|high|0..1] [--jsonl] [--fail-on]\n";

function publicVerdict(v: InjectionVerdict): Record<string, unknown> {
  return { verdict: v.verdict, score: v.score, reasons: v.reasons };
}

/**
 * `portcullis detect`: scores stdin for prompt injection. With --jsonl each line
 * {"id", "text", "kind"?} gives one line {"id", "verdict", "score", "reasons"} in input order;
 * otherwise all of stdin is one text and one JSON object is printed.
 * Exit 0 ok, 1 with --fail-on when anything is an injection, 2 usage error.
 */
export const detectCommand: Command = async (args, io) => {
  let values: { kind?: string; threshold?: string; jsonl?: boolean; "fail-on"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { kind: { type: "string" }, threshold: { type: "string" }, jsonl: { type: "boolean" }, "fail-on": { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: false, strict: true }));
  } catch (e) {
    io.stderr.write(`portcullis detect: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const kind = (values.kind ?? "output") as InjectionKind;
  if (!KINDS.has(kind)) {
    io.stderr.write(`portcullis detect: --kind must be output, description or prompt, got "${values.kind}"\n${USAGE}`);
    return 2;
  }
  let threshold: number;
  try {
    const t = values.threshold;
    threshold = resolveThreshold(t === undefined ? undefined : t === "low" || t === "default" || t === "high" ? t : Number(t));
  } catch (e) {
    io.stderr.write(`portcullis detect: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const input = await readAll(io.stdin);
  let flagged = false;
  if (!values.jsonl) {
    const v = detectInjection(input, { kind, threshold });
    flagged = v.verdict === "injection";
    io.stdout.write(JSON.stringify(publicVerdict(v)) + "\n");
    return values["fail-on"] && flagged ? 1 : 0;
  }
  const lines = input.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let item: { id?: unknown; text?: unknown; kind?: unknown };
    try {
      item = JSON.parse(line);
    } catch {
      io.stderr.write(`portcullis detect: line ${i + 1} is not valid JSON\n`);
      return 2;
    }
    if (typeof item !== "object" || item === null || typeof item.text !== "string") {
      io.stderr.write(`portcullis detect: line ${i + 1} needs a string "text"\n`);
      return 2;
    }
    const k = item.kind === undefined ? kind : (item.kind as InjectionKind);
    if (!KINDS.has(k)) {
      io.stderr.write(`portcullis detect: line ${i + 1}: "kind" must be output, description or prompt\n`);
      return 2;
    }
    const v = detectInjection(item.text, { kind: k, threshold });
    if (v.verdict === "injection") flagged = true;
    out.push(JSON.stringify({ id: item.id ?? null, ...publicVerdict(v) }));
    if (out.length >= 256) io.stdout.write(out.splice(0).join("\n") + "\n");
  }
  if (out.length) io.stdout.write(out.join("\n") + "\n");
  return values["fail-on"] && flagged ? 1 : 0;
};
