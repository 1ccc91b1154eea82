import type { Finding } from "../layers/description-review/review-types.js";

/** One server to scan: a name and the command that starts it over stdio. */
export interface ScanTarget {
  name: string;
  command?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** A remote Streamable HTTP server. */
  url?: string;
  /** Upstream credentials for `url`, from the config. */
  headers?: Record<string, string>;
  /** Refuse plain http:// to a non-loopback host (default true). */
  requireHttps?: boolean;
  /** Where the server was declared, for reports (config file, line). */
  origin?: { file: string; line?: number };
}

/** What drifted against `pins.lock.json`. */
export interface PinDrift {
  changed: string[];
  renamed: { name: string; from: string }[];
  added: string[];
  removed: string[];
}

export interface ServerReport {
  name: string;
  command?: string[];
  origin?: ScanTarget["origin"];
  status: "ok" | "failed" | "skipped";
  /** Why it failed or was skipped. */
  error?: string;
  serverInfo?: { name?: string; version?: string };
  tools: string[];
  prompts: string[];
  resourceTemplates: string[];
  findings: Finding[];
  /** Against the lockfile, when it pins this server. */
  drift?: PinDrift;
  durationMs: number;
}

export interface ScanReport {
  version: 1;
  servers: ServerReport[];
  summary: { servers: number; failed: number; skipped: number; findings: Record<"critical" | "high" | "medium" | "low", number> };
}
