/**
 * Reads the HMAC key from the environment variable the config names (`audit.hmac_key_env`). The key
 * never lives in the config file: whoever can read the config must not be able to forge the log.
 * Returns undefined when no variable is configured; throws a message the operator can act on when a
 * variable is configured but empty or unset, because silently falling back to an unkeyed chain
 * would weaken the log without anyone noticing.
 */
export function readAuditKey(envName: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (envName === undefined || envName === "") return undefined;
  const v = env[envName];
  if (v === undefined || v === "") {
    throw new Error(`the audit HMAC key variable ${envName} is not set (audit.hmac_key_env); export it (at least 32 random characters) or remove audit.hmac_key_env`);
  }
  if (v.length < 16) throw new Error(`the audit HMAC key in ${envName} is only ${v.length} characters; use at least 32 random characters`);
  return v;
}
