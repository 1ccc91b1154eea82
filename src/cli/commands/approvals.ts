import os from "node:os";
import { parseArgs } from "node:util";
import { auditDecision } from "../../approvals/approval-broker.js";
import { APPROVAL_ID, isExpired, type ApprovalRecord } from "../../approvals/approval-record.js";
import { ApprovalStore } from "../../approvals/approval-store.js";
import { approvalsOf, sessionGrantLimitOf } from "../../approvals/approvals-config.js";
import { UsageError } from "../../errors/portcullis-error.js";
import { openAuditLog } from "../audit-writer.js";
import type { Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";
import { withConfiguredStore } from "../with-store.js";

const USAGE = `usage: portcullis approvals list [--all] [--json]
       portcullis approvals approve ID [--for-session] [--reason R]
       portcullis approvals deny ID [--reason R]
options: -c FILE (config), --state-dir DIR (default .portcullis/ beside the config; or PORTCULLIS_STATE_DIR)
An approval covers exactly one call (same session, server, tool and arguments), once, until it expires.
--for-session also allows the next N calls of that tool in that session (N = the tool's approval_for_session).`;

/** `portcullis approvals list | approve ID | deny ID`: answer calls held for approval (docs/approvals.md). */
export const approvalsCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      config: { type: "string", short: "c" }, "state-dir": { type: "string" },
      reason: { type: "string" }, "for-session": { type: "boolean" }, all: { type: "boolean" }, json: { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (sub !== "list" && sub !== "approve" && sub !== "deny") {
    throw new UsageError(sub && sub !== "--help" && sub !== "-h" ? `unknown approvals subcommand "${sub}".\n${USAGE}` : USAGE);
  }
  const only = (allowed: string[]) => {
    const extra = Object.keys(values).filter((k) => !["config", "state-dir", ...allowed].includes(k));
    if (extra.length) throw new UsageError(`approvals ${sub} does not take --${extra.join(", --")}.\n${USAGE}`);
  };
  if (sub === "list") {
    only(["all", "json"]);
    if (positionals.length) throw new UsageError(`approvals list takes no arguments.\n${USAGE}`);
  } else {
    only(sub === "approve" ? ["reason", "for-session"] : ["reason"]);
    if (positionals.length !== 1) throw new UsageError(`approvals ${sub} takes one approval id (ap_..., see \`portcullis approvals list\`).\n${USAGE}`);
    if (!APPROVAL_ID.test(positionals[0]!)) throw new UsageError(`"${positionals[0]}" is not an approval id; ids look like ap_ followed by 20 hex digits (see \`portcullis approvals list\`).`);
  }
  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  return withConfiguredStore("approvals", cfg, io, async (store) => {
    const approvals = new ApprovalStore(store);
    if (sub === "list") {
      const list = await approvals.list(values.all === true);
      if (values.json) io.stdout.write(JSON.stringify(list, null, 2) + "\n");
      else if (list.length === 0) io.stdout.write(`no ${values.all ? "" : "pending "}approvals in ${store.location}\n`);
      else io.stdout.write(list.map((r) => describe(r)).join("\n") + "\n");
      return 0;
    }
    const id = positionals[0]!;
    let forSession: number | undefined;
    if (values["for-session"]) {
      const rec = await approvals.get(id);
      const policy = rec ? cfg.servers.get(rec.server) : undefined;
      forSession = rec && policy ? sessionGrantLimitOf(policy, rec.tool, approvalsOf(cfg).sessionGrantMax) : 0;
      if (!forSession) throw new UsageError(`--for-session needs \`approval_for_session: N\` on the tool's policy (servers.${rec?.server ?? "NAME"}.tools.policies.${rec?.tool ?? "TOOL"}); approve without it to allow this one call.`);
    }
    const by = `cli:${os.userInfo().username}`;
    const d = await approvals.decide(id, { approve: sub === "approve", by, reason: values.reason, forSession });
    if (!d.ok) {
      const why = d.why === "unknown" ? "is unknown (mistyped, or expired and removed)" : d.why === "expired" ? `expired at ${d.record!.expiresAt}; retry the call to ask again` : `was already ${d.record!.status} by ${d.record!.decidedBy ?? "someone"}`;
      io.stderr.write(`portcullis approvals: ${id} ${why}.\n`);
      return 1;
    }
    const audit = openAuditLog(cfg, io, { stdoutIsProtocol: false });
    auditDecision(audit, d.record);
    await audit.close();
    io.stdout.write(sub === "approve"
      ? `approved ${id}: \`${d.record.tool}\` on "${d.record.server}"${forSession ? ` (and the next ${forSession} calls of it in that session)` : ""}. A waiting call proceeds now; otherwise retry it with the same arguments before ${d.record.expiresAt}.\n`
      : `denied ${id}: \`${d.record.tool}\` on "${d.record.server}".\n`);
    return 0;
  });
};

function describe(r: ApprovalRecord): string {
  const state = r.status === "expired" ? `expired ${r.expiresAt}` : r.status === "pending" ? (isExpired(r, Date.now()) ? "expired" : `pending, expires ${r.expiresAt}`) : `${r.status} by ${r.decidedBy ?? "?"}${r.decisionReason ? ` (${r.decisionReason})` : ""}`;
  const args = r.argsPreview.split("\n").map((l) => `    ${l}`).join("\n");
  return `${r.id}  ${r.server}/${r.tool}  session ${r.session}  [${state}]\n  why: ${r.reason}\n  arguments:\n${args}`;
}
