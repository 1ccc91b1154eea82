import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApprovalBroker } from "../../src/approvals/approval-broker.js";
import { createApprovalPage } from "../../src/approvals/approval-page.js";
import { approvalSecret } from "../../src/approvals/approval-secret.js";
import { ApprovalStore } from "../../src/approvals/approval-store.js";
import { attachApprovals } from "../../src/approvals/broker-registry.js";
import { createApiKey } from "../../src/auth/api-keys.js";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";

const CHROMIUM = "/usr/bin/chromium";
const SERVER = [process.execPath, path.join(ROOT, "test/fixtures/servers/modern-server.mjs")];

// No silent skip: without the browser this suite must fail and say how to install it (.ci/run does).
if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the approval page is tested in a real browser)`);

describe("approval page in headless Chromium (serve)", () => {
  let store: SqliteStore;
  let gw: Gateway;
  let browser: Browser;
  let adminKey: string;
  let plainKey: string;
  const audit = new MemoryAudit();

  beforeAll(async () => {
    store = new SqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pcl-approvals-")), "state.db"));
    const server = resolveServerPolicy("modern", { command: SERVER, trust: "high" }, undefined, process.cwd());
    const pipeline = new Pipeline(defaultLayers(server, { stateDir: tmpStateDir(), store }));
    const secret = await approvalSecret(store);
    const broker = new ApprovalBroker({ store: new ApprovalStore(store), audit, secret, webPage: true, settings: { channels: ["web"], timeoutMs: 30_000 } });
    attachApprovals(pipeline, broker);
    gw = await startGateway({
      routes: new Map([["modern", { server, pipeline }]]), audit, host: "127.0.0.1", port: 0, log: () => {},
      handlers: [createApprovalPage({ approvals: broker.store, keys: store, audit, secret, servers: new Map([["modern", server]]) })],
    });
    adminKey = (await createApiKey(store, { name: "admin", scopes: ["*"] })).key;
    plainKey = (await createApiKey(store, { name: "agent", scopes: ["server:modern"] })).key;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await store?.close();
  });

  it("open the page, see the pending call, click approve: the blocked call then succeeds", async () => {
    const client = new Client({ name: "agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/modern`)));
    try {
      const call = client.callTool({ name: "delete_all", arguments: { confirm: "yes", token: "sk-live-abcdefghijklmnopqrstuvwx" } });
      let settled = false;
      void call.finally(() => (settled = true));

      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }); // a phone
      await page.goto(`${gw.url}/approvals`);
      await page.getByLabel("Admin API key").fill(adminKey);
      await page.getByRole("button", { name: "Log in" }).click();
      const item = page.locator("li.call").filter({ hasText: "delete_all" });
      await item.waitFor({ timeout: 10_000 }); // live update picks the call up if it arrived after the load
      await expect.poll(() => item.locator("pre").textContent()).toContain("confirm");
      expect(await item.locator("pre").textContent()).not.toContain("sk-live-abcdefghijklmnopqrstuvwx"); // redacted
      expect(await item.textContent()).toMatch(/Why:.*delete/);
      expect(settled).toBe(false); // still waiting for a person
      await item.getByRole("button", { name: /^Approve/ }).click();
      const r = await call;
      expect(r.isError).toBeFalsy();
      await page.waitForURL(/done=approved/);
      await page.close();
      expect(audit.entries.find((e) => e.event === "approval_granted")).toMatchObject({ tool: "delete_all", details: { decidedBy: expect.stringMatching(/^web:/) } });
    } finally {
      await client.close();
    }
  }, 60_000);

  it("refuses unauthenticated access, non-admin keys and posts without the CSRF token", async () => {
    const approvals = new ApprovalStore(store);
    const rec = await approvals.create({ session: "s", server: "modern", tool: "delete_all", argsHash: "x", argsPreview: "{}", reason: "r", rule: "r", layer: "l" }, 60_000);
    // unauthenticated: the page shows only the login form, the API and actions answer 401
    const html = await (await fetch(`${gw.url}/approvals`)).text();
    expect(html).toContain("Admin API key");
    expect(html).not.toContain(rec.id);
    expect((await fetch(`${gw.url}/approvals/api/pending`)).status).toBe(401);
    expect((await fetch(`${gw.url}/approvals/${rec.id}/approve`, { method: "POST" })).status).toBe(401);
    // a key without an admin scope
    expect((await fetch(`${gw.url}/approvals/api/pending`, { headers: { authorization: `Bearer ${plainKey}` } })).status).toBe(401);
    const login = await fetch(`${gw.url}/approvals/login`, { method: "POST", body: new URLSearchParams({ key: plainKey }), redirect: "manual" });
    expect(login.status).toBe(403);
    // a logged-in browser session without (or with a wrong) CSRF token
    const ok = await fetch(`${gw.url}/approvals/login`, { method: "POST", body: new URLSearchParams({ key: adminKey }), redirect: "manual" });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get("set-cookie")!.split(";")[0]!;
    expect(ok.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    for (const body of [new URLSearchParams(), new URLSearchParams({ csrf: "forged" })]) {
      const r = await fetch(`${gw.url}/approvals/${rec.id}/approve`, { method: "POST", headers: { cookie }, body, redirect: "manual" });
      expect(r.status).toBe(403);
    }
    // a cross-site form post is refused before it reaches the page (Origin check)
    const cross = await fetch(`${gw.url}/approvals/${rec.id}/approve`, { method: "POST", headers: { cookie, origin: "https://evil.example" }, body: new URLSearchParams({ csrf: "x" }) });
    expect(cross.status).toBe(403);
    expect((await approvals.get(rec.id))?.status).toBe("pending");
    // with the page's token it works
    const page = await (await fetch(`${gw.url}/approvals`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const r = await fetch(`${gw.url}/approvals/${rec.id}/deny`, { method: "POST", headers: { cookie }, body: new URLSearchParams({ csrf, reason: "no" }), redirect: "manual" });
    expect(r.status).toBe(303);
    expect(await approvals.get(rec.id)).toMatchObject({ status: "denied", decisionReason: "no" });
  });
});
