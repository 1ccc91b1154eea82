import type { ServerPolicy } from "../../config/server-policy.js";
import { ALLOW, deny, hold, modify } from "../../pipeline/decision.js";
import type { Layer, LayerContext } from "../../pipeline/layer.js";
import type { JsonRpcResponse } from "../../protocol/json-rpc.js";
import { toolNameOf } from "../../protocol/tool-list.js";
import { decideDrift, driftChangesLock, PIN_MODES, pinStatus, type DriftReport, type PinMode } from "./decide-drift.js";
import { hashesOf, pinnedDefinition } from "./pin-hash.js";
import { PinsLockFile, serverPins } from "./pins-lock.js";

export interface PinsLayerOptions {
  /** Absolute path of `pins.lock.json` (the state dir's, by default). */
  lockFile: string;
  /** What happens to tools never pinned: allow (trust on first use, the default), block, review. A server's `pins.mode` overrides it. */
  mode?: PinMode;
  /** Clock, for tests. */
  now?: () => Date;
  /** How long a read of the lockfile is trusted before it is stat'ed again (default 100 ms). */
  lockRecheckMs?: number;
}

/** The server's pin mode: `servers.<name>.pins.mode` (or `defaults.pins.mode`) when set, else the layer's. */
export function pinModeOf(server: ServerPolicy, fallback: PinMode): PinMode {
  const m = server.pins?.mode;
  return m !== undefined && (PIN_MODES as readonly string[]).includes(m) ? m : fallback;
}

/**
 * Tool pinning (trust on first use). Every tool definition a server lists is hashed (canonical
 * JSON) and compared with `pins.lock.json`: a changed definition, or a pinned definition under a
 * new name, is hidden from `tools/list` and its calls refused until `portcullis pins approve`.
 * New tools follow the mode. Changes are audited as `pin_changed` and recorded in the lockfile as
 * pending, so `portcullis pins diff` can show them.
 *
 * @example createPinsLayer({ lockFile: path.join(stateDir, "pins.lock.json") })
 */
export function createPinsLayer(options: PinsLayerOptions): Layer {
  if (typeof options?.lockFile !== "string" || options.lockFile === "") throw new TypeError("createPinsLayer: `lockFile` (a path) is required");
  const fallback = options.mode ?? "allow";
  if (!PIN_MODES.includes(fallback)) throw new TypeError(`createPinsLayer: mode must be one of ${PIN_MODES.join(", ")}, got "${String(fallback)}"`);
  const store = new PinsLockFile(options.lockFile, options.lockRecheckMs);
  const now = () => (options.now ?? (() => new Date()))().toISOString();

  const apply = (server: string, r: DriftReport) => {
    store.update((lock) => {
      const sp = serverPins(lock, server);
      let changed = false;
      for (const [name, pin] of Object.entries(r.addPins)) {
        if (sp.tools[name]) continue; // another process pinned it meanwhile: theirs stands
        sp.tools[name] = pin;
        delete sp.pending[name];
        changed = true;
      }
      for (const [name, p] of Object.entries(r.setPending)) {
        sp.pending[name] = p;
        changed = true;
      }
      for (const name of r.clearPending) {
        if (sp.pending[name]) {
          delete sp.pending[name];
          changed = true;
        }
      }
      return changed;
    });
  };

  return {
    name: "pins",
    requestMethods: ["tools/call"],
    responseMethods: ["tools/list"],

    onResponse(res: JsonRpcResponse, req, ctx) {
      const listed = res.result?.tools;
      if (!Array.isArray(listed)) return ALLOW;
      const server = ctx.server.name;
      const mode = pinModeOf(ctx.server, fallback);
      // Judge what the upstream sent (the catalog), not a copy an earlier layer rewrote.
      const defs: Record<string, unknown>[] = [];
      for (const t of listed as Record<string, unknown>[]) {
        if (typeof t?.name !== "string") continue;
        defs.push(ctx.session.tools.get(t.name)?.definition ?? t);
      }
      const complete = res.result?.nextCursor === undefined;
      // The catalog holds the full, unfiltered listing (tools another layer hid are not "removed").
      const allNames = complete ? new Set(ctx.session.tools.size > 0 ? [...ctx.session.tools].map((t) => t.name) : defs.map((d) => d.name as string)) : undefined;
      const r = decideDrift(defs, store.read().servers[server], mode, now(), allNames);
      if (driftChangesLock(r)) apply(server, r);

      const details: Record<string, unknown> = {};
      const changed = r.blocked.filter((b) => b.reason === "changed").map((b) => b.name);
      const renamed = r.blocked.filter((b) => b.reason === "renamed").map((b) => ({ name: b.name, from: b.renamedFrom }));
      const blockedNew = r.blocked.filter((b) => b.reason === "new").map((b) => b.name);
      if (changed.length) details.changed = changed;
      if (renamed.length) details.renamed = renamed;
      if (blockedNew.length) details.new_blocked = blockedNew;
      if (r.review.length) details.new_review = r.review;
      if (r.firstUse.length) details.pinned_first_use = r.firstUse;
      if (r.removed.length) details.removed = r.removed;
      if (Object.keys(details).length === 0) return ALLOW;

      const self = res as unknown as Record<string, unknown>;
      if (r.blocked.length > 0) {
        const hide = new Set(r.blocked.map((b) => b.name));
        const message = { ...self, result: { ...res.result, tools: (listed as Record<string, unknown>[]).filter((t) => !hide.has(t?.name as string)) } };
        const parts = [
          changed.length ? `${changed.length} changed since pinned (${changed.join(", ")})` : "",
          renamed.length ? `${renamed.length} pinned definition(s) under a new name (${renamed.map((x) => `${x.from} -> ${x.name}`).join(", ")})` : "",
          blockedNew.length ? `${blockedNew.length} new and pin mode is block (${blockedNew.join(", ")})` : "",
        ].filter(Boolean);
        return modify(message, "pin-changed", `hid ${r.blocked.length} tool(s) of server "${server}" until approved: ${parts.join("; ")}; review with \`portcullis pins diff ${server}\``, "pin_changed", { severity: "high", details });
      }
      // Nothing hidden: still record what the pins learned (first use, tools under review, removals).
      if (r.review.length) return modify(self, "pin-review", `${r.review.length} new tool(s) of server "${server}" listed for review; calls need approval until \`portcullis pins approve\``, "pin_review", { severity: "medium", details });
      if (r.removed.length) return modify(self, "pin-removed", `${r.removed.length} pinned tool(s) of server "${server}" are no longer listed (${r.removed.join(", ")})`, "pin_removed", { severity: "low", details });
      return modify(self, "pin-first-use", `pinned ${r.firstUse.length} new tool definition(s) of server "${server}" on first use`, "pins_recorded", { severity: "info", details });
    },

    onRequest(req, ctx) {
      const name = toolNameOf(req.params);
      if (name === undefined) return ALLOW; // tool-policy answers malformed calls
      const def = ctx.session.tools.get(name)?.definition;
      if (!def) return ALLOW; // unknown tools are tool-policy's to refuse
      const server = ctx.server.name;
      const s = pinStatus(name, def, store.read().servers[server], pinModeOf(ctx.server, fallback));
      switch (s.status) {
        case "pinned":
        case "first-use":
          return ALLOW;
        case "review":
          return hold("pin-review", `\`${name}\` is new on server "${server}" and pin mode is review; approve it with \`portcullis pins approve ${server}/${name}\``);
        case "blocked": {
          const why = s.reason === "changed"
            ? `its definition changed since it was pinned`
            : s.reason === "renamed" ? `it carries the pinned definition of \`${s.renamedFrom}\` under a new name` : `it is new and pin mode is block`;
          return deny("PIN_CHANGED", `pin-${s.reason}`, `Portcullis blocked \`${name}\`: ${why} (server "${server}"). An operator must review and approve it: \`portcullis pins diff ${server}\`, then \`portcullis pins approve ${server}/${name}\`.`, { event: "pin_changed", severity: "high", details: { tool: name, reason: s.reason, hash: hashesOf(def).hash } });
        }
      }
    },

    onForwarded(req, ctx) {
      // A tool called before any listing went through the pipeline (the relay fetched the catalog itself): pin it now.
      const name = toolNameOf(req.params);
      const def = name === undefined ? undefined : ctx.session.tools.get(name)?.definition;
      if (!name || !def) return;
      pinOnFirstUse(ctx, name, def);
    },
  };

  function pinOnFirstUse(ctx: LayerContext, name: string, def: Record<string, unknown>): void {
    const server = ctx.server.name;
    const pins = store.read().servers[server];
    if (pins?.tools[name]) return;
    if (pinStatus(name, def, pins, pinModeOf(ctx.server, fallback)).status !== "first-use") return;
    const { hash, shape } = hashesOf(def);
    apply(server, { blocked: [], firstUse: [name], review: [], removed: [], addPins: { [name]: { hash, ...(shape ? { shape } : {}), definition: pinnedDefinition(def), pinned_at: now(), via: "first-use" } }, setPending: {}, clearPending: [] });
  }
}
