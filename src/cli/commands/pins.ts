import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../../errors/portcullis-error.js";
import { diffDefinitions } from "../../layers/pins/definition-diff.js";
import { PinsLockFile, type PinsLock } from "../../layers/pins/pins-lock.js";
import { paint, useColour, type Paint } from "../../scan/colour.js";
import type { CliIO, Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";

export const PINS_USAGE = `usage: portcullis pins list | diff [SERVER] | approve SERVER[/TOOL] | forget SERVER[/TOOL]  [-c FILE] [--state-dir DIR]

  list                    pinned tools per server, and what waits for approval
  diff [SERVER]           what changed in each pending tool definition (exit 1 when something is pending)
  approve SERVER[/TOOL]   trust the pending definition(s): the tool is listed and callable again
  forget SERVER[/TOOL]    drop pins; the next listing pins again on first use`;

/** `portcullis pins`: review and approve tool-definition pins (pins.lock.json in the state dir). */
export const pinsCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: "string", short: "c" }, "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${PINS_USAGE}\n`);
    return 0;
  }
  const [sub, target, ...extra] = positionals;
  if (!sub) throw new UsageError(PINS_USAGE);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}".\n${PINS_USAGE}`);
  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  const store = new PinsLockFile(path.join(cfg.stateDir, "pins.lock.json"));
  const p = paint(useColour(io.stdout, io.env));
  switch (sub) {
    case "list":
      if (target !== undefined) throw new UsageError(`pins list takes no argument.\n${PINS_USAGE}`);
      return list(store, io, p);
    case "diff":
      return diff(store, target, io, p);
    case "approve":
    case "forget": {
      if (!target) throw new UsageError(`pins ${sub} needs SERVER or SERVER/TOOL.\n${PINS_USAGE}`);
      const slash = target.indexOf("/");
      const server = slash === -1 ? target : target.slice(0, slash);
      const tool = slash === -1 ? undefined : target.slice(slash + 1);
      return sub === "approve" ? approve(store, server, tool, io) : forget(store, server, tool, io);
    }
    default:
      throw new UsageError(`unknown pins subcommand "${sub}".\n${PINS_USAGE}`);
  }
};

function list(store: PinsLockFile, io: CliIO, p: Paint): number {
  const lock = store.read();
  io.stdout.write(`${p.dim(store.file)}\n`);
  const servers = Object.keys(lock.servers).sort();
  if (servers.length === 0) io.stdout.write("no pins yet: tools are pinned the first time `portcullis wrap` lists them\n");
  for (const name of servers) {
    const s = lock.servers[name]!;
    const tools = Object.keys(s.tools).sort();
    const pending = Object.keys(s.pending).sort();
    io.stdout.write(`${p.bold(name)}  ${tools.length} pinned${pending.length ? `, ${p.yellow(`${pending.length} pending approval`)}` : ""}\n`);
    const width = Math.max(0, ...tools.map((t) => t.length), ...pending.map((t) => t.length));
    for (const t of tools) {
      const pin = s.tools[t]!;
      io.stdout.write(`  ${t.padEnd(width)}  ${p.dim(pin.hash.slice(0, 19))}  ${pin.via} ${p.dim(pin.pinned_at)}\n`);
    }
    for (const t of pending) {
      const pe = s.pending[t]!;
      const why = pe.reason === "renamed" ? `renamed from ${pe.renamed_from}` : pe.reason;
      io.stdout.write(`${p.yellow("!")} ${t.padEnd(width)}  ${p.dim(pe.hash.slice(0, 19))}  ${p.yellow(why)} ${p.dim(`seen ${pe.seen_at}`)}\n`);
    }
  }
  return 0;
}

function diff(store: PinsLockFile, server: string | undefined, io: CliIO, p: Paint): number {
  const lock = store.read();
  if (server !== undefined && !lock.servers[server]) throw new UsageError(`no pins for server "${server}" in ${store.file}${known(lock)}`);
  let shown = 0;
  for (const name of (server ? [server] : Object.keys(lock.servers)).sort()) {
    const s = lock.servers[name]!;
    for (const tool of Object.keys(s.pending).sort()) {
      const pe = s.pending[tool]!;
      const before = pe.reason === "changed" ? s.tools[tool]?.definition : pe.reason === "renamed" && pe.renamed_from ? s.tools[pe.renamed_from]?.definition : undefined;
      const title = pe.reason === "changed" ? "changed since pinned" : pe.reason === "renamed" ? `pinned definition of ${pe.renamed_from} under a new name` : "new tool, not pinned yet";
      io.stdout.write(`${p.bold(`${name}/${tool}`)}: ${p.yellow(title)}\n`);
      io.stdout.write(p.dim(`--- ${before ? `pinned ${pe.reason === "renamed" ? pe.renamed_from : tool}` : "(nothing pinned)"}\n+++ listed ${pe.seen_at}\n`));
      const lines = diffDefinitions(before, pe.definition);
      // Unchanged lines far from any change are elided, like a unified diff's context.
      const near = lines.map((_, i) => lines.slice(Math.max(0, i - 2), i + 3).some((l) => l.op !== " "));
      let gap = false;
      lines.forEach((l, i) => {
        if (l.op === " " && !near[i]) {
          if (!gap) io.stdout.write(p.dim("  ...\n"));
          gap = true;
          return;
        }
        gap = false;
        const text = `${l.op} ${l.text}`;
        io.stdout.write(`${l.op === "-" ? p.red(text) : l.op === "+" ? p.green(text) : text}\n`);
      });
      io.stdout.write(p.dim(`approve with: portcullis pins approve ${name}/${tool}\n\n`));
      shown++;
    }
  }
  if (shown === 0) {
    io.stdout.write(`nothing pending approval${server ? ` for ${server}` : ""}\n`);
    return 0;
  }
  return 1;
}

function approve(store: PinsLockFile, server: string, tool: string | undefined, io: CliIO): number {
  const approved: string[] = [];
  let missing: string | undefined;
  store.update((lock) => {
    const s = lock.servers[server];
    if (!s) {
      missing = `no pins for server "${server}"${known(lock)}`;
      return false;
    }
    const names = tool === undefined ? Object.keys(s.pending) : [tool];
    if (tool !== undefined && !s.pending[tool]) {
      missing = s.tools[tool] ? `${server}/${tool} is pinned and nothing about it waits for approval` : `no pending change for ${server}/${tool}${Object.keys(s.pending).length ? `; pending: ${Object.keys(s.pending).sort().join(", ")}` : ""}`;
      return false;
    }
    const now = new Date().toISOString();
    for (const n of names) {
      const pe = s.pending[n]!;
      s.tools[n] = { hash: pe.hash, ...(pe.shape ? { shape: pe.shape } : {}), definition: pe.definition, pinned_at: now, via: "approved" };
      delete s.pending[n];
      approved.push(n);
    }
    return approved.length > 0;
  });
  if (missing) throw new UsageError(missing);
  io.stdout.write(approved.length ? `approved ${approved.sort().map((n) => `${server}/${n}`).join(", ")}\n` : `nothing pending approval for ${server}\n`);
  return 0;
}

function forget(store: PinsLockFile, server: string, tool: string | undefined, io: CliIO): number {
  let missing: string | undefined;
  store.update((lock) => {
    const s = lock.servers[server];
    if (!s) {
      missing = `no pins for server "${server}"${known(lock)}`;
      return false;
    }
    if (tool === undefined) {
      delete lock.servers[server];
      return true;
    }
    if (!s.tools[tool] && !s.pending[tool]) {
      missing = `no pin for ${server}/${tool}`;
      return false;
    }
    delete s.tools[tool];
    delete s.pending[tool];
    return true;
  });
  if (missing) throw new UsageError(missing);
  io.stdout.write(`forgot ${tool === undefined ? `every pin of ${server}` : `${server}/${tool}`}; the next listing pins on first use\n`);
  return 0;
}

function known(lock: PinsLock): string {
  const names = Object.keys(lock.servers).sort();
  return names.length ? `; known: ${names.join(", ")}` : " (the lockfile has none)";
}
