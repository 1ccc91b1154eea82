import type { AuditLog } from "../../../audit/audit-record.js";
import { approvalsFor } from "../../../approvals/broker-registry.js";
import type { ServerPolicy } from "../../../config/server-policy.js";
import type { Pipeline } from "../../../pipeline/pipeline.js";
import { SessionState, type Principal } from "../../../pipeline/session-state.js";
import { auditedLine } from "../../../proxy/audited-line.js";
import { MessageRelay } from "../../../proxy/message-relay.js";
import type { Upstream } from "../../open-upstream.js";
import { openSessionUpstream } from "../session-upstream.js";
import type { UpstreamSupervisor } from "../../upstream-supervisor.js";

type Obj = Record<string, unknown>;

/**
 * One server behind an aggregated 2025-11-25 session: its own upstream and its own MessageRelay, so
 * its pipeline, pins, approvals and audit apply exactly as on `/mcp/<server>`. The session talks to
 * it in messages: `ask` sends a request with an id of the link's own and resolves with the relay's
 * answer (the relay answers every request exactly once: reply, refusal, timeout or upstream exit);
 * everything else the relay sends (server requests and notifications) goes to `onMessage`.
 * A stdio upstream reports to the server's supervisor (crash backoff shared with every endpoint) and
 * its stderr goes to the gateway log as `[<server>] <line>`.
 */
export class ServerLink {
  readonly name: string;
  readonly state: SessionState;
  /** What the server declared in its `initialize` result. */
  capabilities?: Obj;
  closed = false;
  private readonly relay: MessageRelay;
  private readonly upstream: Upstream;
  private readonly asked = new Map<string, (reply: Obj) => void>();
  private seq = 0;

  constructor(opts: {
    server: ServerPolicy; pipeline: Pipeline; audit: AuditLog; sessionId: string; principal?: Principal; caller?: string;
    log: (l: string) => void; onMessage: (link: ServerLink, msg: Obj) => void; onClosed: (link: ServerLink, why: string) => void;
    supervisor?: UpstreamSupervisor;
  }) {
    this.name = opts.server.name;
    this.state = new SessionState(opts.sessionId);
    this.state.principal = opts.principal;
    this.state.caller = opts.caller;
    this.upstream = openSessionUpstream({
      server: opts.server, supervisor: opts.supervisor, caller: opts.caller, log: opts.log,
      label: `/mcp session ${opts.sessionId}: server "${this.name}"`, relay: () => this.relay,
      gone: (why) => {
        if (this.closed) return;
        this.closed = true;
        opts.onClosed(this, why);
      },
    });
    this.relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, session: this.state, caller: opts.caller, log: opts.log, approvals: approvalsFor(opts.pipeline),
      endpoints: {
        toClient: (l, unaudited) => this.fromRelay(auditedLine(opts.audit, l, unaudited), opts.onMessage),
        toUpstream: (l) => this.upstream.write(l),
      },
    });
  }

  /** A request of the aggregated session's own, as the relay's client. */
  ask(method: string, params: Obj): { id: string; reply: Promise<Obj> } {
    const id = `agg-${++this.seq}`;
    const reply = new Promise<Obj>((resolve) => this.asked.set(id, resolve));
    this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return { id, reply };
  }

  /** A notification, or the client's answer to one of this server's requests. */
  send(msg: Obj): void {
    this.relay.fromClient(JSON.stringify(msg));
  }

  close(): void {
    this.upstream.stop(true);
  }

  private fromRelay(line: string, onMessage: (link: ServerLink, msg: Obj) => void): void {
    const msg = JSON.parse(line) as Obj;
    if (!("method" in msg) && typeof msg.id === "string") {
      const done = this.asked.get(msg.id);
      if (done) {
        this.asked.delete(msg.id);
        done(msg);
        return;
      }
    }
    if ("method" in msg) onMessage(this, msg);
  }
}
