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
  /**
   * Set on prefix-token detectors (one global regex, no capture group, a literal first character):
   * the text redactor runs all of these as one alternation scan (see `mergedDetector`).
   */
  readonly mergeable?: { readonly pattern: RegExp; readonly validate?: ((secret: string, text: string, start: number) => boolean) | undefined };
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
  opts: { pii?: boolean; hint?: string | readonly string[]; mergeable?: boolean } = {},
): SecretDetector {
  if (!pattern.global) throw new Error(`detector ${type}: pattern must be global`);
  if (opts.mergeable === true && (pattern.flags !== "g" || captureGroups(pattern) !== 0)) throw new Error(`detector ${type}: a mergeable pattern has flag g only and no capture group`);
  const hints = opts.hint === undefined ? undefined : typeof opts.hint === "string" ? [opts.hint] : opts.hint;
  return {
    type,
    pii: opts.pii ?? false,
    ...(opts.mergeable === true ? { mergeable: { pattern, validate } } : {}),
    find(text, out) {
      // Literals of which every match contains one: `includes` is far cheaper than a failing regex scan.
      if (hints !== undefined && !includesAny(text, hints)) return;
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

/** `hints.some((h) => text.includes(h))` without a closure per call. */
function includesAny(text: string, hints: readonly string[]): boolean {
  for (let i = 0; i < hints.length; i++) if (text.includes(hints[i]!)) return true;
  return false;
}

function captureGroups(re: RegExp): number {
  return new RegExp(`${re.source}|`).exec("")!.length - 1;
}

/** A finding tagged with the priority (index) of the detector that made it. */
export type RankedMatch = SecretMatch & { rank: number };

/**
 * Several mergeable detectors as one scan: the alternation `(p0)|(p1)|…` stops only where one of
 * their first characters occurs, instead of one full pass per detector. Exactly equivalent to
 * running them one by one, because no two members can match at the same position (distinct
 * prefixes: `AKIA`/`AIza`, `gh`/`gl`, `sk-ant-`/`sk-`/`sk_`, …; tested): after every match the
 * scan resumes one character later, and each member drops its own matches that start before the
 * end of its previous one, which is what its own scan (resuming at the match end) would do.
 */
export function mergedDetector(members: readonly { detector: SecretDetector; rank: number }[]): { find(text: string, out: RankedMatch[]): void } {
  const parts = members.map((m) => {
    if (!m.detector.mergeable) throw new Error(`detector ${m.detector.type} is not mergeable`);
    return `(${m.detector.mergeable.pattern.source})`;
  });
  const re = new RegExp(parts.join("|"), "g");
  const n = members.length;
  const types = members.map((m) => m.detector.type);
  const ranks = members.map((m) => m.rank);
  const validators = members.map((m) => m.detector.mergeable?.validate);
  const lastEnd = new Int32Array(n);
  return {
    find(text, out) {
      lastEnd.fill(0);
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        let k = 0;
        while (k < n && m[k + 1] === undefined) k++;
        const start = m.index;
        const end = start + m[0].length;
        re.lastIndex = start + 1;
        if (start < lastEnd[k]!) continue;
        lastEnd[k] = end;
        const validate = validators[k];
        if (!validate || validate(m[0], text, start)) out.push({ type: types[k]!, start, end, rank: ranks[k]! });
      }
    },
  };
}
