import type { AuditLog } from "../audit/audit-record.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import type { Store } from "../store/store.js";
import { approvalSecret } from "./approval-secret.js";
import { createApprovalPage, type ApprovalPageOptions, type PageHandler } from "./approval-page.js";
import { attachApprovals } from "./broker-registry.js";
import { createApprovalBroker } from "./setup.js";

/**
 * Approvals for `portcullis serve`: one broker for every route (held calls wait on the store, so
 * any instance sharing it can resolve them) and the /approvals page handler for the gateway.
 */
export async function serveApprovals(
  cfg: { baseDir: string; stateDir: string; file?: string; loaded: { raw: unknown }; servers: ReadonlyMap<string, ServerPolicy> },
  store: Store,
  audit: AuditLog,
  routes: ReadonlyMap<string, { pipeline: Pipeline }>,
  log?: (l: string) => void,
  page: Pick<ApprovalPageOptions, "verifyBearer"> = {},
): Promise<{ handler: PageHandler; close(): void }> {
  const broker = await createApprovalBroker(cfg, store, audit, { webPage: true, log });
  for (const r of routes.values()) attachApprovals(r.pipeline, broker);
  const handler = createApprovalPage({ approvals: broker.store, keys: store, audit, secret: await approvalSecret(store), servers: cfg.servers, sessionGrantMax: broker.settings.sessionGrantMax, ...page });
  // Requests whose holder is gone (a wrap that exited, an instance that crashed) still get their expiry audited.
  const sweep = () => void broker.sweepExpired().catch((e: unknown) => log?.(`approval expiry sweep failed: ${(e as Error).message}`));
  sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  timer.unref();
  return { handler, close: () => clearInterval(timer) };
}

const SWEEP_MS = 60_000;
