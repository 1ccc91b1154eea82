import type { SecretDetector } from "./secret-match.js";

// Header as in gitleaks' `private-key` rule (MIT): any `-----BEGIN … PRIVATE KEY( BLOCK)?-----`.
const BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END[ A-Z0-9_-]{0,100}-----/y;
const BODY = /[A-Za-z0-9+/=\s:,\-\\]*/y;

/**
 * PEM private keys, BEGIN line through END line. Done by hand rather than with gitleaks' lazy
 * `[\s\S]{64,}?` so that many BEGIN lines without an END stay linear: the next END is looked up
 * once and reused. A truncated key (no END) is redacted through the end of its base64 body.
 */
export const pemPrivateKeyDetector: SecretDetector = {
  type: "private_key",
  find(text, out) {
    if (!text.includes("-----BEGIN")) return;
    BEGIN.lastIndex = 0;
    let nextEnd = -2;
    for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
      const bodyStart = m.index + m[0].length;
      if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf("-----END", bodyStart);
      let end: number;
      if (nextEnd !== -1) {
        END.lastIndex = nextEnd;
        end = END.test(text) ? END.lastIndex : nextEnd + 8;
      } else {
        BODY.lastIndex = bodyStart;
        BODY.test(text);
        end = BODY.lastIndex;
      }
      out.push({ type: "private_key", start: m.index, end });
      BEGIN.lastIndex = end;
    }
  },
};
