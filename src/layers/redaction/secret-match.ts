/** Where a secret sits in a text, and what kind it is. Never carries the secret itself. */
export interface SecretMatch {
  type: string;
  start: number;
  end: number;
}

/** A detector appends the secrets it finds in `text` to `out`; validation happens inside. */
export interface SecretDetector {
  readonly type: string;
  /** Personal data (emails, phone numbers): only run in PII mode. */
  readonly pii?: boolean;
  find(text: string, out: SecretMatch[]): void;
}

/**
 * A detector from one global regex. When the regex has a capture group 1, that group is the secret
 * and must end the match (trailing context goes in lookaheads), so its offset is computed without
 * the `d` flag, which is markedly slower in V8.
 */
export function regexDetector(
  type: string,
  pattern: RegExp,
  validate?: (secret: string, text: string, start: number) => boolean,
  opts: { pii?: boolean; hint?: string | readonly string[] } = {},
): SecretDetector {
  if (!pattern.global) throw new Error(`detector ${type}: pattern must be global`);
  const hints = opts.hint === undefined ? undefined : typeof opts.hint === "string" ? [opts.hint] : opts.hint;
  return {
    type,
    pii: opts.pii ?? false,
    find(text, out) {
      // Literals of which every match contains one: `includes` is far cheaper than a failing regex scan.
      if (hints !== undefined && !hints.some((h) => text.includes(h))) return;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        const secret = m[1] ?? m[0];
        const end = m.index + m[0].length;
        const start = end - secret.length;
        if (!validate || validate(secret, text, start)) out.push({ type, start, end });
      }
    },
  };
}
