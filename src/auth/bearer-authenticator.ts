import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../pipeline/session-state.js";
import type { Store } from "../store/store.js";
import { scopeAllows } from "./scopes.js";
import { verifyApiKey, type VerifyFailure } from "./verify-api-key.js";

/** Structurally the gateway's AuthResult (src/transport/http/gateway.ts). */
export type BearerAuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string; challenge?: string };

const REALM = 'Bearer realm="portcullis"';

const MESSAGES: Record<VerifyFailure, string> = {
  missing: "This endpoint needs an API key: send `Authorization: Bearer pcl_...` (create one with `portcullis keys create`).",
  malformed: "The bearer token is not a Portcullis API key (pcl_<id>_<secret>).",
  unknown: "The API key is not valid.",
  revoked: "The API key has been revoked.",
  expired: "The API key has expired.",
};

/**
 * The `authenticate` hook for `serve`: `Authorization: Bearer <key>` -> principal. 401 with a
 * `WWW-Authenticate` challenge (RFC 6750) for a missing or bad key, 403 when the key is valid but
 * none of its scopes reaches `server`. Reads the store on every request, so revocation and expiry
 * apply at once. Rejects with StoreUnavailableError when the store is down: answer 503, never allow.
 */
export function createBearerAuthenticator(store: Store): (req: { headers: IncomingHttpHeaders }, server: string) => Promise<BearerAuthResult> {
  return async (req, server) => {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header !== undefined) {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      token = m ? m[1]! : "\0malformed";
    }
    const v = await verifyApiKey(store, token);
    if (!v.ok) {
      const challenge = v.reason === "missing" ? REALM : `${REALM}, error="invalid_token", error_description="${v.reason === "malformed" ? "malformed token" : `key ${v.reason}`}"`;
      return { ok: false, status: 401, message: MESSAGES[v.reason], challenge };
    }
    if (!scopeAllows(v.principal.scopes, { server })) {
      return { ok: false, status: 403, message: `The API key ${v.principal.id} has no scope for server "${server}".` };
    }
    return { ok: true, principal: v.principal };
  };
}
