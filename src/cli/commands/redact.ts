import { parseArgs } from "node:util";
import { createTextRedactor } from "../../layers/redaction/redact-text.js";
import { redactJson } from "../../layers/redaction/redact-json.js";
import type { RedactionOptions } from "../../layers/redaction/redaction-options.js";
import { readAll, type Command } from "../cli-io.js";

const USAGE = `usage: portcullis redact [--json] [--pii] [--keys K1,K2,...] [--keep K1,...] < INPUT
  Prints stdin with each secret replaced by [REDACTED:<type>].
  --json   stdin is a JSON document (or JSON lines): redact by key and by value, keep the structure
  --pii    also redact email addresses and phone numbers
  --keys   secret key names for --json and key=value text (default: the built-in list)
  --keep   key names never redacted`;

const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The indentation the input used (so the output looks like it), or none when it was compact. */
const indentOf = (s: string) => /\n([ \t]+)["\]}]/.exec(s)?.[1];

/** `portcullis redact [--json]`: stdin in, redacted stdout out. Exit 0, or 2 on usage/input errors. */
export const redactCommand: Command = async (args, io) => {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { json: { type: "boolean" }, pii: { type: "boolean" }, keys: { type: "string" }, keep: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr.write(`portcullis redact: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options: RedactionOptions = { pii: values.pii ?? false, keys: list(values.keys), keep: list(values.keep) };
  const redactor = createTextRedactor(options);
  const input = await readAll(io.stdin);

  if (!values.json) {
    io.stdout.write(redactor.redact(input).text);
    return 0;
  }
  if (input.trim() === "") {
    io.stderr.write("portcullis redact: --json needs a JSON document on stdin, got nothing.\n");
    return 2;
  }
  const eol = input.endsWith("\n") ? "\n" : "";
  try {
    const doc: unknown = JSON.parse(input);
    io.stdout.write(JSON.stringify(redactJson(doc, redactor).value, null, indentOf(input)) + eol);
    return 0;
  } catch (e) {
    // JSON lines: redact each line on its own, keep blank lines.
    const lines = input.split("\n");
    const parsed: unknown[] = [];
    for (const l of lines) {
      if (l.trim() === "") parsed.push(undefined);
      else {
        try {
          parsed.push(JSON.parse(l));
        } catch {
          io.stderr.write(`portcullis redact: stdin is not valid JSON (${(e as Error).message}); drop --json to redact it as text.\n`);
          return 2;
        }
      }
    }
    io.stdout.write(parsed.map((p, i) => (p === undefined ? lines[i] : JSON.stringify(redactJson(p, redactor).value))).join("\n"));
    return 0;
  }
};
