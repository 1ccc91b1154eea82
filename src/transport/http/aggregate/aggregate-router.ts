import type { AuditLog } from "../../../audit/audit-record.js";
import type { ErrorCode } from "../../../errors/error-codes.js";
import type { JsonRpcId } from "../../../protocol/json-rpc.js";
import { denialResponse } from "../../../proxy/denial.js";
import { namespaceName, splitNamespaced } from "./namespaced-names.js";
import { ResourceRoutes } from "./resource-routes.js";

type Obj = Record<string, unknown>;

/** How the router reaches the servers behind `/mcp` in one era (sessions for 2025-11-25, channels for 2026-07-28). */
export interface AggregateBackend {
  /** The servers this request may reach, in config order. */
  readonly servers: readonly string[];
  /** What the server declared (initialize / discover); undefined when not known. */
  capabilities(server: string): Obj | undefined | Promise<Obj | undefined>;
  /**
   * One request to the server through its own relay (its pipeline and audit apply); resolves with
   * the JSON-RPC reply, or undefined when none came.
   */
  ask(server: string, method: string, params: Obj): Promise<Obj | undefined>;
}

/** A request `/mcp` routes to one server: where, with which params (original names), or what to answer instead. */
export type Target = { kind: "forward"; server: string; params: Obj } | { kind: "reply"; reply: Obj; status?: number };

export const LIST_METHODS = {
  "tools/list": { key: "tools", capability: "tools", named: true },
  "prompts/list": { key: "prompts", capability: "prompts", named: true },
  "resources/list": { key: "resources", capability: "resources", named: false },
  "resources/templates/list": { key: "resourceTemplates", capability: "resources", named: false },
} as const;
export type ListMethod = keyof typeof LIST_METHODS;
export const isListMethod = (m: string): m is ListMethod => Object.hasOwn(LIST_METHODS, m);

const MAX_PAGES = 100;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/**
 * The era-independent half of `/mcp`: fans list requests out to every reachable server and merges
 * their (already filtered) answers under namespaced names, decides which server a call goes to with
 * which original name, and refuses (audited) what cannot be routed. It never judges a tool: each
 * server's own relay and pipeline do, exactly as on `/mcp/<server>`.
 */
export class AggregateRouter {
  readonly resources = new ResourceRoutes();

  constructor(private readonly opts: { audit: AuditLog; log: (l: string) => void; session?: string; caller?: string }) {}

  /** One merged, unpaginated answer to a list method (the client's cursor is ignored: there is one page). */
  async list(method: ListMethod, params: Obj, backend: AggregateBackend): Promise<Obj> {
    const spec = LIST_METHODS[method];
    const { cursor: _cursor, ...base } = params;
    const parts = await Promise.all(backend.servers.map(async (server) => {
      try {
        const caps = await backend.capabilities(server);
        if (caps && !obj(caps[spec.capability])) return [];
        return this.shape(server, method, await this.listServer(server, method, base, backend));
      } catch (e) {
        this.omitted(server, method, (e as Error).message);
        return [];
      }
    }));
    return { [spec.key]: parts.flat() };
  }

  /**
   * Where a routed request goes, or the refusal. `modern` shapes refusals for 2026-07-28; `refresh: false`
   * routes a URI by what is known already (no fresh listing when it is unknown).
   */
  async target(id: JsonRpcId | null, method: string, params: Obj, backend: AggregateBackend, modern: boolean, refresh = true): Promise<Target> {
    const refuse = (code: ErrorCode, rule: string, reason: string): Target => ({ kind: "reply", reply: this.deny(id, method, params, code, rule, reason, modern) });
    switch (method) {
      case "tools/call":
      case "prompts/get": {
        const what = method === "tools/call" ? "tool" : "prompt";
        const name = params.name;
        if (typeof name !== "string") return refuse("INVALID_REQUEST", "missing-name", `Portcullis refused ${method}: params.name must be a string.`);
        const split = splitNamespaced(name);
        if (!split || !backend.servers.includes(split.server)) {
          const why = split || name.includes("__")
            ? `no server reachable here is called "${name.slice(0, name.indexOf("__"))}"`
            : `the aggregated /mcp endpoint names ${what}s <server>__<${what}>`;
          return refuse(what === "tool" ? "UNKNOWN_TOOL" : "INVALID_REQUEST", "unknown-namespace", `Portcullis blocked \`${name.slice(0, 200)}\`: ${why}. List ${what}s again (${method === "tools/call" ? "tools" : "prompts"}/list), or use /mcp/<server>.`);
        }
        return { kind: "forward", server: split.server, params: { ...params, name: split.name } };
      }
      case "resources/read":
      case "resources/subscribe":
      case "resources/unsubscribe":
      case "completion/complete": {
        const ref = method === "completion/complete" ? obj(params.ref) : undefined;
        if (method === "completion/complete" && ref?.type === "ref/prompt") {
          const split = typeof ref.name === "string" ? splitNamespaced(ref.name) : undefined;
          if (!split || !backend.servers.includes(split.server)) return refuse("INVALID_REQUEST", "unknown-namespace", `Portcullis refused completion/complete: prompt ${JSON.stringify(String(ref.name).slice(0, 200))} is not <server>__<prompt> for a server reachable here.`);
          return { kind: "forward", server: split.server, params: { ...params, ref: { ...ref, name: split.name } } };
        }
        const uri = ref ? ref.uri : params.uri;
        if (typeof uri !== "string") return refuse("INVALID_REQUEST", "missing-uri", `Portcullis refused ${method}: no resource URI to route by.`);
        const owner = await this.ownerOf(uri, backend, refresh);
        if (owner.kind === "one") return { kind: "forward", server: owner.server, params };
        const why = owner.kind === "ambiguous"
          ? `servers ${owner.servers.map((s) => `"${s}"`).join(" and ")} all offer it; use /mcp/<server>`
          : "no server reachable here lists it (resources/list) or has a template it matches (resources/templates/list)";
        return refuse("INVALID_REQUEST", owner.kind === "ambiguous" ? "ambiguous-resource" : "unknown-resource", `Portcullis refused ${method} of \`${uri.slice(0, 200)}\` on /mcp: ${why}.`);
      }
      default:
        return { kind: "reply", status: 404, reply: { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: the aggregated /mcp endpoint does not route ${method}; use /mcp/<server>.` } } };
    }
  }

  /** A refusal by `/mcp` itself, audited like the relay's (isError result for tools/call). */
  deny(id: JsonRpcId | null, method: string, params: Obj, code: ErrorCode, rule: string, reason: string, modern: boolean, server?: string): Obj {
    const tool = method === "tools/call" && typeof params.name === "string" ? params.name : undefined;
    const auditId = this.opts.audit.record({ event: "access_denied", severity: "medium", session: this.opts.session, caller: this.opts.caller, server, method, tool, decision: "deny", layer: "aggregate", rule, code, reason });
    return denialResponse(id, method, reason, { layer: "aggregate", rule, code, auditId }, modern);
  }

  private async ownerOf(uri: string, backend: AggregateBackend, refresh = true) {
    const first = this.resources.owner(uri, backend.servers);
    if (first.kind !== "unknown" || !refresh) return first;
    // Not listed yet in this session (or listings changed): learn them, then decide.
    await Promise.all([this.list("resources/list", {}, backend), this.list("resources/templates/list", {}, backend)]);
    return this.resources.owner(uri, backend.servers);
  }

  private async listServer(server: string, method: ListMethod, base: Obj, backend: AggregateBackend): Promise<unknown[]> {
    const key = LIST_METHODS[method].key;
    const items: unknown[] = [];
    let cursor: unknown;
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await backend.ask(server, method, cursor === undefined ? base : { ...base, cursor });
      if (!reply) throw new Error("no reply");
      const error = obj(reply.error);
      if (error) throw new Error(String(error.message ?? "error"));
      const result = obj(reply.result);
      const list = result?.[key];
      if (!Array.isArray(list)) throw new Error(`the reply has no ${key} array`);
      items.push(...(list as unknown[]));
      cursor = result!.nextCursor;
      if (typeof cursor !== "string") break;
    }
    if (method === "resources/list") this.resources.learnResources(server, items);
    if (method === "resources/templates/list") this.resources.learnTemplates(server, items);
    return items;
  }

  /** Tools and prompts get namespaced names; ones that cannot be are left out (audited). */
  private shape(server: string, method: ListMethod, items: unknown[]): unknown[] {
    if (!LIST_METHODS[method].named) return items;
    const out: unknown[] = [];
    for (const item of items) {
      const o = obj(item);
      const name = typeof o?.name === "string" ? o.name : "";
      const n = namespaceName(server, name);
      if (n.ok) out.push({ ...o, name: n.name });
      else {
        this.opts.log(`/mcp: left ${JSON.stringify(name.slice(0, 80))} of server "${server}" out of ${method}: ${n.reason}`);
        this.opts.audit.record({ event: "aggregate_name_refused", severity: "low", session: this.opts.session, caller: this.opts.caller, server, method, tool: method === "tools/list" ? name.slice(0, 200) : undefined, decision: "deny", layer: "aggregate", rule: "namespaced-name", reason: `not offered on /mcp: ${n.reason}; it stays available on /mcp/${server}` });
      }
    }
    return out;
  }

  /** A server left out of an aggregated answer, logged and audited (`rule: server-omitted`). */
  omitted(server: string, method: string, why: string): void {
    this.opts.log(`/mcp: server "${server}" left out of ${method}: ${why}`);
    this.opts.audit.record({ event: "upstream_error", severity: "medium", session: this.opts.session, caller: this.opts.caller, server, method, decision: "deny", layer: "aggregate", rule: "server-omitted", code: "UPSTREAM_UNAVAILABLE", reason: `server "${server}" was left out of the aggregated ${method}: ${why}` });
  }
}
