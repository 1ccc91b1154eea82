import { createHmac, timingSafeEqual } from "node:crypto";

/** What a 2026-07-28 `requestState` carries between the input_required result and the retry. */
export interface ApprovalState {
  /** Approval id. */
  a: string;
  /** Session, tool and argument hash the approval is bound to. */
  s: string;
  t: string;
  h: string;
  /** Expiry, epoch ms. */
  e: number;
}

/** `requestState` = base64url(JSON) "." base64url(HMAC-SHA256): opaque to the client, unforgeable. */
export function signState(state: ApprovalState, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(state)).toString("base64url");
  return `${body}.${mac(body, secret)}`;
}

/** The state if the signature is ours and it has not expired; otherwise undefined. */
export function verifyState(token: unknown, secret: Buffer, now: number = Date.now()): ApprovalState | undefined {
  if (typeof token !== "string" || token.length > 4096) return undefined;
  const dot = token.indexOf(".");
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  // Compare the MAC as the text we issued: decoding first would accept other spellings of the same
  // bytes (the last base64 character carries unused bits), so a token would not be exactly ours.
  const given = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(mac(body, secret));
  if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
  try {
    const s = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as ApprovalState;
    if (typeof s.a !== "string" || typeof s.s !== "string" || typeof s.t !== "string" || typeof s.h !== "string" || typeof s.e !== "number") return undefined;
    return s.e > now ? s : undefined;
  } catch {
    return undefined;
  }
}

function mac(body: string, secret: Buffer): string {
  return createHmac("sha256", secret).update(`portcullis-approval-state\u0000${body}`).digest("base64url");
}
