import type { ServerPolicy } from "../../config/server-policy.js";
import type { MessageRelay } from "../../proxy/message-relay.js";
import { openUpstream, type Upstream } from "../open-upstream.js";
import { StderrTail, startRun, type UpstreamSupervisor } from "../upstream-supervisor.js";

/**
 * The upstream of one session (a `/mcp/<server>` session or a server inside a `/mcp` session), wired
 * to its relay and to the server's supervisor: the first message reports it up, an unexpected exit
 * reports a crash with the stderr tail (stderr also goes to the log as `[<server>] <line>`), a stop we
 * asked for reports an expected stop. Then the relay answers what is pending and `gone` ends the session.
 * `relay` is a getter because the relay is built after the upstream it writes to.
 */
export function openSessionUpstream(o: {
  server: ServerPolicy; command?: readonly string[]; supervisor?: UpstreamSupervisor; caller?: string;
  log: (l: string) => void; label: string; relay: () => MessageRelay; gone: (why: string, expected: boolean) => void;
}): Upstream {
  const stdio = (o.command?.length ?? 0) > 0 || (o.server.command?.length ?? 0) > 0;
  const stderr = stdio ? new StderrTail(o.server.name, o.log) : undefined;
  const run = startRun(o.supervisor, o.caller);
  let spoke = false;
  const end = (why: string, expected: boolean) => {
    stderr?.end();
    if (expected) run.stopped();
    else run.crashed(why, stderr?.tail() ?? []);
    o.relay().upstreamClosed(expected ? "was shut down" : why, expected);
    o.gone(why, expected);
  };
  return openUpstream(o.server, { command: o.command, stderr: stderr ? (c) => stderr.push(c) : undefined }, {
    line: (text, bytes) => {
      if (!spoke) {
        spoke = true;
        run.up();
      }
      o.relay().fromUpstream(text, bytes);
    },
    oversize: (id, bytes) => o.relay().rejectUpstreamFrame(id, bytes),
    invalidUtf8: (id, bytes) => o.relay().rejectUpstreamFrame(id, bytes, "invalid-utf8"),
    failed: (e) => {
      o.log(`${o.label}: cannot start upstream: ${e.message}`);
      end(`could not be started (${e.message})`, false);
    },
    closed: (how, _code, expected) => {
      if (!expected) o.log(`${o.label}: upstream ${how}`);
      end(how, expected);
    },
  });
}
