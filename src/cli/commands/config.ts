import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { configSchema } from "../../config/schema.js";
import { UsageError } from "../../errors/portcullis-error.js";
import type { Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";
import { STARTER_CONFIG } from "./starter-config.js";

const USAGE = "usage: portcullis config init [--force] [FILE] | check [FILE] | schema";

/** `portcullis config init | check | schema`. */
export const configCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: { force: { type: "boolean" } }, allowPositionals: true });
  switch (sub) {
    case "init": {
      const file = path.resolve(io.cwd, positionals[0] ?? "portcullis.yaml");
      if (fs.existsSync(file) && !values.force) {
        io.stderr.write(`portcullis: ${file} already exists; pass --force to overwrite it.\n`);
        return 2;
      }
      fs.writeFileSync(file, STARTER_CONFIG);
      io.stdout.write(`wrote ${file}\nnext: edit it, then \`portcullis config check ${path.relative(io.cwd, file) || file}\`\n`);
      return 0;
    }
    case "check": {
      const cfg = loadCliConfig({ config: positionals[0] ?? "portcullis.yaml" }, io.env, io.cwd);
      io.stdout.write(`${cfg.file}: OK (${cfg.servers.size} server${cfg.servers.size === 1 ? "" : "s"})\n`);
      for (const s of cfg.servers.values()) {
        const t = s.tools;
        const rules = [t.allow ? `allow ${t.allow.join(",")}` : "allow *", t.deny.length ? `deny ${t.deny.join(",")}` : "", t.requirePrefix ? `prefix ${t.requirePrefix}` : "", t.maxTools ? `max ${t.maxTools}` : ""].filter(Boolean).join("; ");
        io.stdout.write(`  ${s.name}: trust ${s.trust}; ${s.command ? `command ${s.command.join(" ")}` : s.url ? `url ${s.url}` : "no upstream"}; tools: ${rules}; ${Object.keys(t.policies).length} tool polic${Object.keys(t.policies).length === 1 ? "y" : "ies"}\n`);
      }
      io.stdout.write(`  audit: ${cfg.auditPath}\n`);
      return 0;
    }
    case "schema":
      io.stdout.write(JSON.stringify(z.toJSONSchema(configSchema, { io: "input" }), null, 2) + "\n");
      return 0;
    default:
      throw new UsageError(sub ? `unknown config subcommand "${sub}".\n${USAGE}` : USAGE);
  }
};
