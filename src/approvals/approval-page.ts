import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../audit/audit-record.js";
import { parseRecord, recordKey, statusOf } from "../auth/api-key-record.js";
import { verifyApiKey } from "../auth/verify-api-key.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Store } from "../store/store.js";
import { auditDecision } from "./approval-broker.js";
import { APPROVAL_ID, type ApprovalRecord } from "./approval-record.js";
import type { ApprovalStore } from "./approval-store.js";
import { sessionGrantLimitOf } from "./approvals-config.js";

/** Structurally the gateway's GatewayHandler (transport/http/gateway.ts). */
export type PageHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface ApprovalPageOptions {
  approvals: ApprovalStore;
  /** Where API keys live (the admin's credential). */
  keys: Store;
  audit: AuditLog;
  /** HMAC secret for the session cookie and CSRF tokens (approvalSecret(store)). */
  secret: Buffer;
  /** Server policies, for "approve for this session" limits. */
  servers?: ReadonlyMap<string, ServerPolicy>;
  sessionGrantMax?: number;
  /**
   * Verifies an OAuth access token presented as `Authorization: Bearer` (when `auth.oauth` is on):
   * the caller's id and mapped scopes, or undefined. Admin rights come from the same scopes as for
   * keys (`*`, `admin`, `approvals`; an IdP grants them as `portcullis:approvals`).
   */
  verifyBearer?: (token: string) => Promise<{ id: string; scopes: readonly string[] } | undefined>;
  /** Lifetime of a page login. Default 8 h. */
  loginTtlMs?: number;
  now?: () => number;
}

const COOKIE = "portcullis_admin";
/** Scopes that may decide approvals. `*` is every grant; `admin` / `approvals` are admin-only grants. */
const ADMIN_SCOPES = ["*", "admin", "approvals"];

/**
 * The approval page of `portcullis serve` at /approvals: pending calls with their (redacted)
 * arguments and the reason, approve / deny with an optional reason, updated live. Behind admin
 * auth: an API key with scope `*` (or `admin` / `approvals`), presented once on the login form
 * (then an HttpOnly, SameSite=Strict cookie) or as `Authorization: Bearer` on the JSON API, where an
 * OAuth access token with those scopes also works when the gateway has OAuth on.
 * Every state-changing form carries a CSRF token bound to the login; bearer calls need none.
 */
export function createApprovalPage(opts: ApprovalPageOptions): PageHandler {
  const now = opts.now ?? Date.now;
  const loginTtl = opts.loginTtlMs ?? 8 * 3600_000;
  const mac = (s: string) => createHmac("sha256", opts.secret).update(s).digest("base64url");
  const csrfOf = (cookie: string) => mac(`csrf\u0000${cookie}`);

  async function who(req: IncomingMessage): Promise<{ by: string; cookie?: string } | undefined> {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
      const presented = m?.[1];
      if (presented !== undefined && opts.verifyBearer && !presented.startsWith("pcl_")) {
        const p = await opts.verifyBearer(presented).catch(() => undefined); // an IdP outage refuses, never allows
        return p && isAdmin(p.scopes) ? { by: `oauth:${p.id}` } : undefined;
      }
      const v = await verifyApiKey(opts.keys, presented);
      return v.ok && isAdmin(v.principal.scopes) ? { by: `api_key:${v.principal.id}` } : undefined;
    }
    const token = cookieOf(req, COOKIE);
    if (!token) return undefined;
    const dot = token.lastIndexOf(".");
    if (dot <= 0 || !safeEqual(token.slice(dot + 1), mac(`login\u0000${token.slice(0, dot)}`))) return undefined;
    let body: { k?: string; e?: number };
    try {
      body = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8")) as { k?: string; e?: number };
    } catch {
      return undefined;
    }
    if (typeof body.k !== "string" || typeof body.e !== "number" || body.e <= now()) return undefined;
    // Revocation and expiry of the key apply to its logins at once.
    const rec = parseRecord(await opts.keys.get(recordKey(body.k)));
    if (!rec || statusOf(rec, now()) !== "active" || !isAdmin(rec.scopes)) return undefined;
    return { by: `web:${body.k}`, cookie: token };
  }

  return async (req, res, url) => {
    if (url.pathname !== "/approvals" && !url.pathname.startsWith("/approvals/")) return false;
    const sec = { "cache-control": "no-store", "x-frame-options": "DENY", "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", "referrer-policy": "same-origin", "x-content-type-options": "nosniff" };
    const path = url.pathname.replace(/\/+$/, "") || "/approvals";

    if (path === "/approvals/page.js" && req.method === "GET") {
      res.writeHead(200, { ...sec, "content-type": "text/javascript; charset=utf-8" }).end(PAGE_JS);
      return true;
    }
    if (path === "/approvals/login" && req.method === "POST") {
      const form = await readForm(req);
      const v = await verifyApiKey(opts.keys, form.get("key") ?? undefined);
      if (!v.ok || !isAdmin(v.principal.scopes)) {
        opts.audit.record({ event: "auth_failure", severity: "medium", decision: "deny", layer: "approval-page", code: v.ok ? "FORBIDDEN" : "UNAUTHORIZED", reason: v.ok ? `key ${v.principal.id} has no admin scope` : `approval page login: key ${v.reason}` });
        res.writeHead(v.ok ? 403 : 401, { ...sec, "content-type": "text/html; charset=utf-8" }).end(loginHtml(v.ok ? "That key may not decide approvals (it needs scope * or admin)." : "That key is not valid."));
        return true;
      }
      const body = Buffer.from(JSON.stringify({ k: v.principal.id, e: now() + loginTtl, n: randomBytes(9).toString("base64url") })).toString("base64url");
      const token = `${body}.${mac(`login\u0000${body}`)}`;
      res.writeHead(303, { ...sec, location: "/approvals", "set-cookie": `${COOKIE}=${token}; Path=/approvals; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(loginTtl / 1000)}${isHttps(req) ? "; Secure" : ""}` }).end();
      return true;
    }

    const actor = await who(req);
    if (!actor) {
      if (req.method === "GET" && path === "/approvals") {
        res.writeHead(200, { ...sec, "content-type": "text/html; charset=utf-8" }).end(loginHtml());
      } else {
        res.writeHead(401, { ...sec, "content-type": "application/json", "www-authenticate": 'Bearer realm="portcullis-approvals"' }).end(JSON.stringify({ error: "log in at /approvals, or send Authorization: Bearer <admin key>" }));
      }
      return true;
    }
    const csrf = actor.cookie ? csrfOf(actor.cookie) : undefined;

    if (req.method === "GET" && path === "/approvals") {
      res.writeHead(200, { ...sec, "content-type": "text/html; charset=utf-8" }).end(pageHtml(await opts.approvals.list(), csrf!, opts));
      return true;
    }
    if (req.method === "GET" && path === "/approvals/api/pending") {
      res.writeHead(200, { ...sec, "content-type": "application/json" }).end(JSON.stringify({ pending: (await opts.approvals.list()).map((r) => ({ ...r, sessionLimit: limitOf(r, opts) })) }));
      return true;
    }
    if (req.method === "POST" && path === "/approvals/logout") {
      const form = await readForm(req);
      if (!csrfOk(form.get("csrf") ?? req.headers["x-csrf-token"], csrf)) return forbidden(res, sec);
      res.writeHead(303, { ...sec, location: "/approvals", "set-cookie": `${COOKIE}=; Path=/approvals; HttpOnly; SameSite=Strict; Max-Age=0` }).end();
      return true;
    }
    const m = /^\/approvals\/(ap_[0-9a-f]{20})\/(approve|deny)$/.exec(path);
    if (req.method === "POST" && m && APPROVAL_ID.test(m[1]!)) {
      const form = await readForm(req);
      // A browser session must prove the form came from our page; a bearer key cannot be sent by a third-party page.
      if (actor.cookie && !csrfOk(form.get("csrf") ?? req.headers["x-csrf-token"], csrf)) return forbidden(res, sec);
      const approve = m[2] === "approve";
      const rec = await opts.approvals.get(m[1]!);
      const limit = rec ? limitOf(rec, opts) : 0;
      const forSession = approve && limit > 0 && form.get("for_session") === "on" ? limit : undefined;
      const reason = (form.get("reason") ?? "").trim().slice(0, 500) || undefined;
      const d = await opts.approvals.decide(m[1]!, { approve, by: actor.by, reason, forSession });
      if (d.ok) auditDecision(opts.audit, d.record);
      const json = (req.headers.accept ?? "").includes("application/json") || !actor.cookie;
      if (json) {
        res.writeHead(d.ok ? 200 : 409, { ...sec, "content-type": "application/json" }).end(JSON.stringify(d.ok ? { ok: true, status: d.record.status, id: d.record.id } : { ok: false, why: d.why }));
      } else res.writeHead(303, { ...sec, location: `/approvals?done=${d.ok ? d.record.status : d.why}` }).end();
      return true;
    }
    res.writeHead(404, { ...sec, "content-type": "application/json" }).end(JSON.stringify({ error: "no such approval endpoint" }));
    return true;
  };
}

function limitOf(r: ApprovalRecord, opts: ApprovalPageOptions): number {
  const p = opts.servers?.get(r.server);
  return p ? sessionGrantLimitOf(p, r.tool, opts.sessionGrantMax ?? 10) : 0;
}

function isAdmin(scopes: readonly string[]): boolean {
  return scopes.some((s) => ADMIN_SCOPES.includes(s.trim()));
}

function forbidden(res: ServerResponse, sec: Record<string, string>): true {
  res.writeHead(403, { ...sec, "content-type": "application/json" }).end(JSON.stringify({ error: "missing or wrong CSRF token; reload the page and try again" }));
  return true;
}

function csrfOk(given: unknown, want: string | undefined): boolean {
  return typeof given === "string" && want !== undefined && safeEqual(given, want);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > 16_384) break;
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(o).map(([k, v]) => [k, v === true ? "on" : String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;max-width:48rem;margin-inline:auto;color:#111;background:#fff}
h1{font-size:1.4rem}ul{list-style:none;padding:0}li.call{border:1px solid #888;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-word}
button{font-size:1rem;min-height:44px;min-width:44px;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0;border-radius:.4rem;border:2px solid #333;cursor:pointer}
.approve{background:#0a6b2d;color:#fff;border-color:#0a6b2d}.deny{background:#a1121a;color:#fff;border-color:#a1121a}
input[type=text],input[type=password]{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;min-height:44px}
label{display:block;margin:.5rem 0 .25rem}:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}pre{background:#222}li.call{border-color:#555}}`;

function shell(title: string, body: string, script = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style>${script ? '<script src="/approvals/page.js" defer></script>' : ""}</head><body>${body}</body></html>`;
}

function loginHtml(error?: string): string {
  return shell("Portcullis approvals: log in", `<main><h1>Portcullis approvals</h1>${error ? `<p role="alert">${esc(error)}</p>` : ""}
<form method="post" action="/approvals/login"><label for="key">Admin API key</label><input id="key" name="key" type="password" autocomplete="off" required placeholder="pcl_..."><button type="submit">Log in</button></form>
<p>Use a key with scope <code>*</code> or <code>admin</code> (<code>portcullis keys create --name me --scopes '*'</code>).</p></main>`);
}

/** One pending call; the same markup is produced by page.js for live updates. */
function itemHtml(r: ApprovalRecord & { sessionLimit?: number }, csrf: string): string {
  const id = esc(r.id);
  const sessionBox = r.sessionLimit ? `<label><input type="checkbox" name="for_session"> also allow the next ${r.sessionLimit} calls of this tool in this session</label>` : "";
  return `<li class="call" id="${id}" data-id="${id}"><h2>${esc(r.tool)} <small>on ${esc(r.server)}</small></h2>
<p><strong>Why:</strong> ${esc(r.reason)}</p><p><small>${id} · session ${esc(r.session)} · expires <time datetime="${esc(r.expiresAt)}">${esc(r.expiresAt)}</time></small></p>
<details open><summary>Arguments</summary><pre>${esc(r.argsPreview)}</pre></details>
<form method="post" action="/approvals/${id}/approve"><input type="hidden" name="csrf" value="${esc(csrf)}">${sessionBox}<button class="approve" type="submit" aria-label="Approve ${esc(r.tool)} (${id})">Approve</button></form>
<form method="post" action="/approvals/${id}/deny"><input type="hidden" name="csrf" value="${esc(csrf)}"><label for="reason-${id}">Reason (optional)</label><input type="text" id="reason-${id}" name="reason" maxlength="500"><button class="deny" type="submit" aria-label="Deny ${esc(r.tool)} (${id})">Deny</button></form></li>`;
}

function pageHtml(list: ApprovalRecord[], csrf: string, opts: ApprovalPageOptions): string {
  const items = list.map((r) => itemHtml({ ...r, sessionLimit: limitOf(r, opts) }, csrf)).join("");
  return shell("Portcullis approvals", `<main><h1>Calls waiting for approval</h1>
<p id="status" role="status" aria-live="polite">${list.length === 0 ? "Nothing is waiting." : `${list.length} waiting.`}</p>
<ul id="pending" data-csrf="${esc(csrf)}">${items}</ul>
<form method="post" action="/approvals/logout"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit">Log out</button></form></main>`, true);
}

/** Live update: re-reads the pending list every 2 s and redraws it (keeps a reason being typed). */
const PAGE_JS = `(() => {
  const ul = document.getElementById("pending"), status = document.getElementById("status");
  const csrf = ul.dataset.csrf;
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  function render(r) {
    const id = esc(r.id);
    const box = r.sessionLimit ? '<label><input type="checkbox" name="for_session"> also allow the next ' + r.sessionLimit + ' calls of this tool in this session</label>' : '';
    return '<li class="call" id="' + id + '" data-id="' + id + '"><h2>' + esc(r.tool) + ' <small>on ' + esc(r.server) + '</small></h2>' +
      '<p><strong>Why:</strong> ' + esc(r.reason) + '</p><p><small>' + id + ' · session ' + esc(r.session) + ' · expires <time datetime="' + esc(r.expiresAt) + '">' + esc(r.expiresAt) + '</time></small></p>' +
      '<details open><summary>Arguments</summary><pre>' + esc(r.argsPreview) + '</pre></details>' +
      '<form method="post" action="/approvals/' + id + '/approve"><input type="hidden" name="csrf" value="' + esc(csrf) + '">' + box + '<button class="approve" type="submit" aria-label="Approve ' + esc(r.tool) + ' (' + id + ')">Approve</button></form>' +
      '<form method="post" action="/approvals/' + id + '/deny"><input type="hidden" name="csrf" value="' + esc(csrf) + '"><label for="reason-' + id + '">Reason (optional)</label><input type="text" id="reason-' + id + '" name="reason" maxlength="500"><button class="deny" type="submit" aria-label="Deny ' + esc(r.tool) + ' (' + id + ')">Deny</button></form></li>';
  }
  async function tick() {
    try {
      const res = await fetch("/approvals/api/pending", { credentials: "same-origin", headers: { accept: "application/json" } });
      if (!res.ok) return;
      const { pending } = await res.json();
      const have = new Set([...ul.children].map((li) => li.dataset.id));
      const want = new Set(pending.map((r) => r.id));
      for (const li of [...ul.children]) if (!want.has(li.dataset.id)) li.remove();
      for (const r of pending) if (!have.has(r.id)) ul.insertAdjacentHTML("beforeend", render(r));
      status.textContent = pending.length === 0 ? "Nothing is waiting." : pending.length + " waiting.";
    } catch {}
  }
  setInterval(tick, 2000);
})();`;
