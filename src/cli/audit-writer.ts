import { auditLogOptions } from "../audit/audit-log-options.js";
import { JsonlAuditLog } from "../audit/jsonl-audit-log.js";
import type { ResolvedConfig } from "../config/resolve-config.js";
import { ConfigError } from "../errors/portcullis-error.js";
import type { CliIO } from "./cli-io.js";

/**
 * The audit writer a command uses, configured from `audit:` and `alerts:` (HMAC key, rotation,
 * sinks, alert webhooks). Option problems (e.g. an unset key variable) are config errors (exit 2).
 */
export function openAuditLog(cfg: ResolvedConfig, io: CliIO, opts: { stdoutIsProtocol: boolean }): JsonlAuditLog {
  const raw = cfg.loaded.raw;
  let options;
  try {
    options = auditLogOptions(raw.audit, raw.alerts, io.env, { stdout: io.stdout, stderr: io.stderr, stdoutIsProtocol: opts.stdoutIsProtocol });
  } catch (e) {
    throw new ConfigError(`${cfg.file ?? "config"}: ${(e as Error).message}`);
  }
  return new JsonlAuditLog(cfg.auditPath, options);
}
