import { parseArgs } from "node:util";
import { createApiKey, listApiKeys, revokeApiKey } from "../../auth/api-keys.js";
import type { ApiKeyInfo } from "../../auth/api-key-record.js";
import { UsageError } from "../../errors/portcullis-error.js";
import type { Store } from "../../store/store.js";
import type { CliIO, Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";
import { withConfiguredStore } from "../with-store.js";

const USAGE = `usage: portcullis keys create --name NAME [--scopes S,...] [--rate 60/min] [--expires 30d|YYYY-MM-DD]
       portcullis keys list [--json]
       portcullis keys revoke ID
options: -c FILE (config), --state-dir DIR (default .portcullis/ beside the config; or PORTCULLIS_STATE_DIR)
scopes:  * | server:NAME | server:NAME/tool:GLOB | op:read|search|query|write|delete|execute, joined by / (docs/api-keys.md)`;

/** `portcullis keys create | list | revoke`: API keys for the HTTP gateway, kept as hashes in the store. */
export const keysCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      config: { type: "string", short: "c" },
      "state-dir": { type: "string" },
      name: { type: "string" },
      scopes: { type: "string" },
      rate: { type: "string" },
      expires: { type: "string" },
      json: { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (sub !== "create" && sub !== "list" && sub !== "revoke") {
    throw new UsageError(sub && sub !== "--help" ? `unknown keys subcommand "${sub}".\n${USAGE}` : USAGE);
  }
  const only = (allowed: string[]) => {
    const extra = Object.keys(values).filter((k) => !["config", "state-dir", ...allowed].includes(k));
    if (extra.length) throw new UsageError(`keys ${sub} does not take --${extra.join(", --")}.\n${USAGE}`);
  };
  // Validate everything before touching the store.
  let run: (store: Store) => Promise<number>;
  if (sub === "create") {
    only(["name", "scopes", "rate", "expires"]);
    if (positionals.length) throw new UsageError(`keys create takes no positional arguments (got "${positionals[0]}"); give the name with --name.`);
    if (values.name === undefined) throw new UsageError(`keys create needs --name.\n${USAGE}`);
    const scopes = (values.scopes ?? "*").split(",").map((s) => s.trim()).filter(Boolean);
    const ratePerMinute = values.rate === undefined ? undefined : parseRate(values.rate);
    const expiresAt = values.expires === undefined ? undefined : parseExpiry(values.expires, Date.now());
    const name = values.name;
    run = async (store) => {
      const { key, info } = await createApiKey(store, { name, scopes, ratePerMinute, expiresAt }).catch(usageOnRange);
      io.stdout.write(`${key}\n`);
      io.stderr.write(
        `Created API key ${info.id} "${info.name}" in ${store.location}\n` +
          `  scopes:  ${info.scopes.join(", ")}${info.scopes.includes("*") ? " (every server and tool)" : ""}\n` +
          `  rate:    ${info.ratePerMinute !== undefined ? `${info.ratePerMinute}/min` : "no per-key limit (server and tool limits apply)"}\n` +
          `  expires: ${info.expiresAt ?? "never"}\n` +
          `WARNING: this is the only time the key is shown. Portcullis stores only its hash; copy it now.\n`,
      );
      return 0;
    };
  } else if (sub === "list") {
    only(["json"]);
    if (positionals.length) throw new UsageError(`keys list takes no arguments.\n${USAGE}`);
    run = async (store) => {
      const keys = await listApiKeys(store);
      if (values.json) io.stdout.write(JSON.stringify(keys, null, 2) + "\n");
      else if (keys.length === 0) io.stdout.write(`no API keys in ${store.location}; create one with \`portcullis keys create --name NAME\`\n`);
      else io.stdout.write(table(keys));
      return 0;
    };
  } else {
    only([]);
    const id = positionals[0];
    if (id === undefined || positionals.length > 1) throw new UsageError(`keys revoke takes one key id (see \`portcullis keys list\`).\n${USAGE}`);
    if (id.startsWith("pcl_")) throw new UsageError("give the key id (the 12 characters after pcl_, as `keys list` shows), not the key itself.");
    run = async (store) => {
      const info = await revokeApiKey(store, id);
      if (!info) throw new UsageError(`no API key with id "${id}" in ${store.location}; \`portcullis keys list\` shows the ids.`);
      io.stdout.write(`revoked ${info.id} "${info.name}" (at ${info.revokedAt}); it is refused from the next request on.\n`);
      return 0;
    };
  }
  return withStore(values.config, values["state-dir"], io, run);
};

function withStore(config: string | undefined, stateDir: string | undefined, io: CliIO, run: (s: Store) => Promise<number>): Promise<number> {
  return withConfiguredStore("keys", loadCliConfig({ config, stateDir }, io.env, io.cwd), io, run);
}

function usageOnRange(e: unknown): never {
  if (e instanceof RangeError) throw new UsageError(e.message);
  throw e;
}

/** "60", "60/min", "60/m", "2/s" (= 120/min), "600/h" (= 10/min; must divide by 60). */
export function parseRate(s: string): number {
  const m = /^\s*(\d+)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hr|hour))?\s*$/i.exec(s);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--rate "${s}": expected calls per minute like 60/min (or N/s, N/h)`);
  const unit = (m[2] ?? "min").toLowerCase()[0];
  if (unit === "s") return n * 60;
  if (unit === "h") {
    if (n % 60 !== 0) throw new UsageError(`--rate "${s}": limits are per minute, so a rate per hour must be a multiple of 60 (${n}/h is ${(n / 60).toFixed(2)}/min)`);
    return n / 60;
  }
  return n;
}

/** "30d", "12h", "90m", "2w", "45s", or a date / ISO timestamp ("2026-12-31", "2026-12-31T12:00:00Z"). */
export function parseExpiry(s: string, now: number): Date {
  const m = /^\s*(\d+)\s*(s|m|h|d|w)\s*$/i.exec(s);
  if (m) {
    const n = Number(m[1]);
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2]!.toLowerCase() as "s" | "m" | "h" | "d" | "w"];
    if (n < 1) throw new UsageError(`--expires "${s}": must be in the future`);
    return new Date(now + n * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s.trim())) {
    const t = Date.parse(s.trim());
    if (!Number.isNaN(t)) {
      if (t <= now) throw new UsageError(`--expires "${s}" is in the past`);
      return new Date(t);
    }
  }
  throw new UsageError(`--expires "${s}": expected a duration like 30d, 12h, 2w, or a date like 2026-12-31`);
}

function table(keys: ApiKeyInfo[]): string {
  const rows = [["ID", "NAME", "STATUS", "SCOPES", "RATE", "CREATED", "EXPIRES"]];
  for (const k of keys) {
    rows.push([k.id, k.name, k.status, k.scopes.join(","), k.ratePerMinute !== undefined ? `${k.ratePerMinute}/min` : "-", k.createdAt.slice(0, 19).replace("T", " "), k.expiresAt ? k.expiresAt.slice(0, 19).replace("T", " ") : "never"]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}
