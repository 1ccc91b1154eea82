import { ibanDetector } from "./iban-detector.js";
import { hasJwtHeader } from "./jwt.js";
import { isPlausibleCardNumber } from "./payment-card.js";
import { pemPrivateKeyDetector } from "./pem-private-key.js";
import { isPlaceholder } from "./placeholder.js";
import { regexDetector, type SecretDetector } from "./secret-match.js";
import { isValidSsn } from "./us-ssn.js";

/*
 * Token formats follow gitleaks' published rules (github.com/gitleaks/gitleaks, config/gitleaks.toml,
 * MIT licence; rule ids in the comments), loosened where gitleaks pins an exact length that vendors
 * document as subject to change, and given explicit left/right boundaries. Every quantifier is
 * bounded and every pattern forbids starting inside a run of its own characters, so matching stays
 * linear on adversarial input. The boundary lookbehind comes *after* the first literal character
 * (`A(?<![A-Za-z0-9]A)KIA…`): V8 then scans for that character instead of testing the assertion
 * at every position, which is several times faster.
 */

// `socks5://username:password@host`, `user:pass@example.com`: documentation, not credentials.
const DOC_PASSWORDS = new Set(["password", "passwd", "pass", "pwd", "pw", "secret"]);

const digitCount = (s: string) => s.replace(/\D/g, "").length;
// Prefix tokens: the text redactor scans for all of them in one pass (see `mergedDetector`).
const M = { mergeable: true } as const;

/** Value detectors in priority order: on overlapping matches of equal extent, the earlier wins. */
export const SECRET_DETECTORS: readonly SecretDetector[] = [
  pemPrivateKeyDetector,
  // gitleaks aws-access-token. AWS's documented example key (…EXAMPLE) is deliberately *not*
  // allow-listed as gitleaks does: a redactor may over-redact, and tests rely on it.
  regexDetector("aws_access_key", /A(?<![A-Za-z0-9]A)(?:3T[A-Z0-9]|KIA|SIA|BIA|CCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g, undefined, M),
  // A 40-character secret access key is indistinguishable from other base64 on its own, so it is
  // only taken after a key name that says what it is (aws_secret_access_key, SecretAccessKey, …).
  regexDetector(
    "aws_secret_key",
    /(?:aws[_-]?secret(?:[_-]?access)?[_-]?key|secret[_-]?access[_-]?key)(?:\\?["'])?[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}(?:\\?["'])?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  ),
  // gitleaks github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat.
  regexDetector("github_token", /g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{36,251}|ithub_pat_[A-Za-z0-9_]{60,251})(?![A-Za-z0-9_])/g, undefined, M),
  // gitleaks gitlab-pat, gitlab-pat-routable and siblings (deploy, trigger, runner, feed, SCIM, …).
  regexDetector(
    "gitlab_token",
    /(?:g(?<![A-Za-z0-9_-]g)l(?:pat|dt|ptt|rt|ft|soat|cbt|imt|oas|agent|ffct|wt)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?|G(?<![A-Za-z0-9_-]G)R1348941[A-Za-z0-9_-]{20,300})(?![A-Za-z0-9_-])/g,
    undefined,
    M,
  ),
  // gitleaks anthropic-api-key / anthropic-admin-api-key, without pinning the 93-char body + "AA".
  regexDetector("anthropic_api_key", /s(?<![A-Za-z0-9_-]s)k-ant-(?:api|admin|oat|ort|sid)\d{2}-[A-Za-z0-9_-]{20,300}(?![A-Za-z0-9_-])/g, undefined, M),
  // gitleaks openai-api-key (T3BlbkFJ = base64 "OpenAI"), plus project/service keys without the
  // marker and the legacy 48-character form.
  regexDetector(
    "openai_api_key",
    /s(?<![A-Za-z0-9_-]s)k-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,300}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])/g,
    undefined,
    M,
  ),
  // gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-config-*; slack-app-token.
  regexDetector("slack_token", /x(?<![A-Za-z0-9-]x)(?:ox[abposer](?:\.xox[a-z])?-[0-9A-Za-z-]{10,250}|app-\d-[A-Z0-9]{1,30}-\d{1,20}-[a-z0-9]{10,100})(?![0-9A-Za-z-])/g, (s) => digitCount(s) >= 4, {
    hint: ["xox", "xapp-"],
    mergeable: true,
  }),
  // gitleaks slack-webhook-url: only the path after the kind is secret.
  regexDetector("slack_webhook", /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9+/_-]{20,200})/g, undefined, { hint: "hooks.slack.com" }),
  // gitleaks stripe-access-token (secret and restricted keys; publishable pk_ keys are public).
  regexDetector("stripe_key", /(?:[sr](?<![A-Za-z0-9_][sr])k_(?:test|live|prod)_[A-Za-z0-9]{10,247}|w(?<![A-Za-z0-9_]w)hsec_[A-Za-z0-9]{24,100})(?![A-Za-z0-9_])/g, undefined, M),
  // gitleaks gcp-api-key.
  regexDetector("google_api_key", /A(?<![A-Za-z0-9_-]A)Iza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g, undefined, { hint: "AIza", mergeable: true }),
  // gitleaks npm-access-token.
  regexDetector("npm_token", /n(?<![A-Za-z0-9_]n)pm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, undefined, M),
  // gitleaks jwt; validated by decoding the header, which must be JSON with `alg` or `typ`.
  regexDetector("jwt", /e(?<![A-Za-z0-9_-]e)yJ[A-Za-z0-9_-]{8,2000}\.ey[A-Za-z0-9_-]{4,8000}\.[A-Za-z0-9_-]{0,2000}(?![A-Za-z0-9_-])/g, (s) => hasJwtHeader(s), { hint: "eyJ" }),
  // scheme://user:password@host — only the password is replaced, so the URL stays readable. The
  // password may hold an unescaped `@`: the host is whatever follows the last one.
  regexDetector("password", /:\/\/[^\s:@/?#"'<>]{0,256}:([^\s/?#"'<>]{1,256})(?=@[A-Za-z0-9[][^\s@/?#"'<>]{0,256}(?![^\s@/?#"'<>]))/g, (s) => !isPlaceholder(s) && !DOC_PASSWORDS.has(s.toLowerCase()), { hint: "://" }),
  // 13-19 digits, optionally grouped; Luhn plus issuer prefix (see payment-card.ts).
  regexDetector("credit_card", /\d(?<![\w.,+-]\d)(?:[ -]?\d){12,18}(?![\w]|[.,-]\d)/g, (s) => isPlausibleCardNumber(s)),
  ibanDetector,
  // Dashed form only: bare nine-digit numbers are far too common to call SSNs.
  regexDetector("ssn", /\d(?<![\w-]\d)\d\d-\d{2}-\d{4}(?![\w-])/g, (s) => isValidSsn(s.slice(0, 3), s.slice(4, 6), s.slice(7))),
  // PII mode only.
  regexDetector("email", /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g, undefined, { pii: true, hint: "@" }),
  regexDetector(
    "phone",
    /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-]?)\d{2,4}(?:[ .-]?\d{2,4}){1,3}(?![\w]|[.-]\d)/g,
    (s) => {
      const n = digitCount(s);
      return n >= 10 && n <= 15 && (s.startsWith("+") || s.startsWith("(") || /\d[ .-]\d/.test(s)) && !/^\d{4}-\d{2}-\d{2}/.test(s);
    },
    { pii: true },
  ),
];
