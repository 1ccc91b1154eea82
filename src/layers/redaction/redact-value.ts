import type { RedactionOptions } from "./redaction-options.js";
import { redactJson } from "./redact-json.js";
import { createTextRedactor, type TextRedactor } from "./redact-text.js";

const compiled = new WeakMap<RedactionOptions, TextRedactor>();
let shared: TextRedactor | undefined;

/**
 * Redacts any JSON-able value (an audit record, tool arguments, an error message) by key and by
 * value and returns the redacted copy; the input is never mutated and comes back as-is when clean.
 * Redactors are compiled once per options object, so pass the same object on every call.
 *
 * @example auditLine.args = redactValue(args, policy.redaction)
 */
export function redactValue<T>(value: T, options?: RedactionOptions): T {
  let r: TextRedactor;
  if (options === undefined) r = shared ??= createTextRedactor();
  else {
    let c = compiled.get(options);
    if (c === undefined) compiled.set(options, (c = createTextRedactor(options)));
    r = c;
  }
  return redactJson(value, r).value;
}
