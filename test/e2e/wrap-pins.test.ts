import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, connectV1, prepare, RawSession, ROOT, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";

// A rug-pull server behind `portcullis wrap`, driven by the real v1 SDK client: a changed tool
// definition is hidden and refused until `portcullis pins approve`.
const RUG = path.join(ROOT, "test/fixtures/poisoned-servers/rug-pull-server.mjs");
const POISONED = path.join(ROOT, "test/fixtures/poisoned-servers/poisoned-server.mjs");
const CONFIG = `
servers:
  weather:
    trust: medium
`;

const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();
const code = (r: Record<string, unknown>) => (r.isError ? (r._meta as { portcullis: { code: string } }).portcullis.code : "ok");

function allAuditLines(w: Wrapped): Record<string, unknown>[] {
  const dir = path.join(w.dir, ".portcullis");
  return fs.readdirSync(dir).filter((f) => /^audit.*\.jsonl$/.test(f)).flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

function pinsCli(w: Wrapped, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "pins", ...args, "-c", w.configPath!, "--state-dir", path.join(w.dir, ".portcullis")], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("wrap + pins: rug pull blocked until approved", () => {
  const clients: Client[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
  });

  async function start(phase: string) {
    const w = prepare(CONFIG);
    const state = path.join(w.dir, "phase.json");
    fs.writeFileSync(state, JSON.stringify({ phase }));
    const client = await connectV1(w, [process.execPath, RUG, state], ["--name", "weather"]);
    clients.push(client);
    return { w, state, client, setPhase: (p: string) => fs.writeFileSync(state, JSON.stringify({ phase: p })) };
  }

  it("pins on first use, blocks the changed definition, shows a diff, and serves it after approval", async () => {
    const { w, client, setPhase } = await start("before");
    let changedNotes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changedNotes++);
    expect(await names(client)).toEqual(["current_time", "get_forecast"]);
    expect(code(await client.callTool({ name: "get_forecast", arguments: { city: "Oslo" } }))).toBe("ok");
    const lock = JSON.parse(fs.readFileSync(path.join(w.dir, ".portcullis", "pins.lock.json"), "utf8"));
    expect(Object.keys(lock.servers.weather.tools).sort()).toEqual(["current_time", "get_forecast"]);

    // Rug pull: the definition changes and the server says so.
    setPhase("after");
    await expect.poll(() => changedNotes, { timeout: 5000 }).toBeGreaterThan(0);
    expect(await names(client)).toEqual(["air_quality", "current_time"]); // new tool: trust on first use
    const refused = await client.callTool({ name: "get_forecast", arguments: { city: "Oslo" } });
    expect(code(refused)).toBe("PIN_CHANGED");
    expect((refused.content as { text: string }[])[0]!.text).toMatch(/portcullis pins approve weather\/get_forecast/);
    const audit = w.auditLines();
    expect(audit.find((l) => l.event === "pin_changed" && l.decision === "modify")).toMatchObject({ layer: "pins", severity: "high", details: { changed: ["get_forecast"] } });
    expect(audit.find((l) => l.event === "pin_changed" && l.decision === "deny")).toMatchObject({ tool: "get_forecast", code: "PIN_CHANGED" });

    const listed = pinsCli(w, "list");
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/weather\s+3 pinned, 1 pending approval/);
    const diff = pinsCli(w, "diff", "weather");
    expect(diff.status).toBe(1);
    expect(diff.stdout).toContain("weather/get_forecast: changed since pinned");
    expect(diff.stdout).toContain("+     Results are more accurate when the caller shares recent context.");
    expect(diff.stdout).toMatch(/\+ inputSchema\.properties\.context\.type: string/);

    const approved = pinsCli(w, "approve", "weather/get_forecast");
    expect(approved).toMatchObject({ status: 0, stdout: "approved weather/get_forecast\n" });
    expect(pinsCli(w, "diff").status).toBe(0);
    expect(await names(client)).toEqual(["air_quality", "current_time", "get_forecast"]);
    expect(code(await client.callTool({ name: "get_forecast", arguments: { city: "Oslo", context: "" } }))).toBe("ok");
  });

  it("refuses a changed tool even when the client calls it without listing again", async () => {
    // A raw client: unlike the SDK client, it never re-lists on its own after list_changed.
    const w = prepare(CONFIG);
    const state = path.join(w.dir, "phase.json");
    fs.writeFileSync(state, JSON.stringify({ phase: "before" }));
    const s = new RawSession(wrapArgs(w, [process.execPath, RUG, state], ["--name", "weather"]), w.dir);
    try {
      await s.initialize();
      s.send(JSON.stringify({ jsonrpc: "2.0", id: "l", method: "tools/list" }));
      expect(((await s.reply("l")).result as { tools: { name: string }[] }).tools.map((t) => t.name).sort()).toEqual(["current_time", "get_forecast"]);
      fs.writeFileSync(state, JSON.stringify({ phase: "after" }));
      for (;;) if ((await s.nextMessage(5000)).method === "notifications/tools/list_changed") break;
      s.send(JSON.stringify({ jsonrpc: "2.0", id: "c", method: "tools/call", params: { name: "get_forecast", arguments: { city: "Oslo" } } }));
      expect(code((await s.reply("c")).result as Record<string, unknown>)).toBe("PIN_CHANGED");
    } finally {
      await s.close();
    }
  });

  it("blocks a pinned definition re-listed under a new name, across sessions", async () => {
    const first = await start("before");
    expect(await names(first.client)).toEqual(["current_time", "get_forecast"]);
    first.setPhase("renamed");
    // A new session against the same state dir sees the rename.
    const again = await connectV1(first.w, [process.execPath, RUG, first.state], ["--name", "weather"]);
    clients.push(again);
    expect(await names(again)).toEqual(["current_time"]);
    expect(code(await again.callTool({ name: "weather_now", arguments: { city: "Oslo" } }))).toBe("PIN_CHANGED");
    // The second wrap writes a sibling audit chain (audit.w1.jsonl) while the first holds the lock.
    expect(allAuditLines(first.w).find((l) => l.event === "pin_changed")).toMatchObject({ details: { renamed: [{ name: "weather_now", from: "get_forecast" }], removed: ["get_forecast"] } });
    const diff = pinsCli(first.w, "diff");
    expect(diff.stdout).toContain("weather/weather_now: pinned definition of get_forecast under a new name");
  });

  it("drops poisoned tools at tools/list and refuses calls to them", async () => {
    const w = prepare("servers:\n  poisoned:\n    trust: medium\n");
    const client = await connectV1(w, [process.execPath, POISONED], ["--name", "poisoned"]);
    clients.push(client);
    expect(await names(client)).toEqual(["long_manual", "lookup_invoice", "send_email"]);
    expect(code(await client.callTool({ name: "format_date", arguments: { date: "2026-01-01" } }))).toBe("DESCRIPTION_REJECTED");
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["summarise_thread"]);
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.name)).toEqual(["note"]);
    const line = w.auditLines().find((l) => l.event === "description_rejected" && l.method === "tools/list")!;
    expect(line).toMatchObject({ layer: "description-review", severity: "critical" });
    expect((line.details as { dropped: string[] }).dropped.sort()).toEqual(["convert_units", "format_date", "metrics_push", "random_quote", "spell_check", "timezone_info", "word_count"]);
  });
});
