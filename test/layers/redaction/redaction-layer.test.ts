import { describe, expect, it } from "vitest";
import type { ServerPolicy } from "../../../src/config/server-policy.js";
import type { Decision, ModifyDecision } from "../../../src/pipeline/decision.js";
import { SessionState } from "../../../src/pipeline/session-state.js";
import type { JsonRpcRequest, JsonRpcResponse } from "../../../src/protocol/json-rpc.js";
import { createRedactionLayer } from "../../../src/layers/redaction/redaction-layer.js";
import { FAKE } from "../../fixtures/redaction/fake-secrets.js";
import { policyOf } from "../../helpers/policy.js";

const ctxOf = (redaction: Record<string, unknown> = {}) => {
  const server = policyOf();
  return { server: { ...server, redaction: { ...server.redaction, ...redaction } } as ServerPolicy, session: new SessionState() };
};
const req = (method: string, params: Record<string, unknown> = {}): JsonRpcRequest => ({ jsonrpc: "2.0", id: 1, method, params });
const res = (result: Record<string, unknown>): JsonRpcResponse => ({ jsonrpc: "2.0", id: 1, result });
const asModify = (d: Decision) => {
  expect(d.kind).toBe("modify");
  return d as ModifyDecision;
};

describe("createRedactionLayer", () => {
  const layer = createRedactionLayer();

  it("declares its name and methods", () => {
    expect(layer.name).toBe("redaction");
    expect(layer.responseMethods).toEqual(["tools/call", "resources/read", "prompts/get"]);
    expect(layer.requestMethods).toEqual(["tools/call"]);
    expect(() => createRedactionLayer({ outbound: "sometimes" as never })).toThrow(/outbound/);
  });

  it("redacts tool results: text content, JSON in text, embedded resources, structuredContent", async () => {
    const result = {
      content: [
        { type: "text", text: `found ${FAKE.awsAccessKey}` },
        { type: "text", text: JSON.stringify({ user: "bob", password: "hunter2" }) },
        { type: "resource", resource: { uri: "file:///x", mimeType: "text/plain", text: `token=${FAKE.githubPat}` } },
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
      ],
      structuredContent: { rows: [{ card: FAKE.visa, api_key: "k-1" }], count: 1 },
      _meta: { progressToken: "tok-1" },
    };
    const d = asModify(await layer.onResponse!(res(result), req("tools/call", { name: "search" }), ctxOf()));
    expect(d.event).toBe("response_sanitized");
    expect(d.details).toEqual({ types: { aws_access_key: 1, password: 1, github_token: 1, credit_card: 1, api_key: 1 }, count: 5 });
    const out = (d.message as unknown as JsonRpcResponse).result!;
    expect(out._meta).toEqual({ progressToken: "tok-1" });
    expect((out.content as unknown[])[3]).toBe(result.content[3]);
    expect(out.structuredContent).toEqual({ rows: [{ card: "[REDACTED:credit_card]", api_key: "[REDACTED:api_key]" }], count: 1 });
    const wire = JSON.stringify(d);
    for (const v of [FAKE.awsAccessKey, "hunter2", FAKE.githubPat, FAKE.visa]) expect(wire).not.toContain(v);
  });

  it("redacts resources/read contents and prompts/get messages", async () => {
    const r1 = asModify(await layer.onResponse!(res({ contents: [{ uri: "file:///env", text: `STRIPE=${FAKE.stripe}` }] }), req("resources/read", { uri: "file:///env" }), ctxOf()));
    expect(JSON.stringify(r1.message)).toContain("STRIPE=[REDACTED:stripe_key]");
    const r2 = asModify(
      await layer.onResponse!(res({ messages: [{ role: "user", content: { type: "text", text: `ssn ${FAKE.ssn}` } }] }), req("prompts/get", { name: "p" }), ctxOf()),
    );
    expect(JSON.stringify(r2.message)).toContain("ssn [REDACTED:ssn]");
  });

  it("allows clean results and errors untouched", async () => {
    expect(await layer.onResponse!(res({ content: [{ type: "text", text: "all fine, 42 rows, commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" }] }), req("tools/call", { name: "t" }), ctxOf())).toEqual({ kind: "allow" });
    expect(await layer.onResponse!({ jsonrpc: "2.0", id: 1, error: { code: -1, message: "x" } }, req("tools/call"), ctxOf())).toEqual({ kind: "allow" });
  });

  it("reads the server policy: text off, pii on, extra keys, per-tool overrides", async () => {
    const text = `mail a@example.com, key ${FAKE.awsAccessKey}`;
    const r = (ctx: ReturnType<typeof ctxOf>, tool = "t") => layer.onResponse!(res({ content: [{ type: "text", text }], structuredContent: { pin: "1234" } }), req("tools/call", { name: tool }), ctx);
    expect(await r(ctxOf({ text: false, keys: [] }))).toEqual({ kind: "allow" });
    const pii = asModify(await r(ctxOf({ pii: true, keys: ["pin"] })));
    expect(pii.details!.types).toEqual({ email: 1, aws_access_key: 1, pin: 1 });
    const ctx = ctxOf({ tools: { "internal_*": { text: false, keys: [] } } });
    expect(await r(ctx, "internal_dump")).toEqual({ kind: "allow" });
    expect((await r(ctx, "other")).kind).toBe("modify");
  });

  it("keyed tags when a hash key is configured", async () => {
    const d = asModify(await layer.onResponse!(res({ content: [{ type: "text", text: FAKE.awsAccessKey }] }), req("tools/call", { name: "t" }), ctxOf({ hashKey: "k" })));
    expect(JSON.stringify(d.message)).toMatch(/\[REDACTED:aws_access_key:[0-9a-f]{6}\]/);
  });
});

describe("outbound check on tools/call arguments", () => {
  const call = req("tools/call", { name: "send_email", arguments: { to: "x@example.com", body: `the key is ${FAKE.awsAccessKey}`, password: "login-pw" } });

  it("is off by default", async () => {
    expect(await createRedactionLayer().onRequest!(call, ctxOf())).toEqual({ kind: "allow" });
  });

  it("block denies without echoing the secret", async () => {
    const d = await createRedactionLayer({ outbound: "block" }).onRequest!(call, ctxOf());
    expect(d.kind).toBe("deny");
    expect(JSON.stringify(d)).not.toContain(FAKE.awsAccessKey);
    expect(JSON.stringify(d)).toContain("aws_access_key");
  });

  it("redact rewrites the arguments by value only (a password argument is the point of a login tool)", async () => {
    const d = asModify(await createRedactionLayer().onRequest!(call, ctxOf({ outbound: "redact" })));
    expect(d.event).toBe("arguments_sanitized");
    const args = ((d.message as unknown as JsonRpcRequest).params!.arguments ?? {}) as Record<string, unknown>;
    expect(args).toEqual({ to: "x@example.com", body: "the key is [REDACTED:aws_access_key]", password: "login-pw" });
  });

  it("warn forwards unchanged and reports", async () => {
    const d = asModify(await createRedactionLayer({ outbound: "warn" }).onRequest!(call, ctxOf()));
    expect(d.event).toBe("secret_outbound_warning");
    expect((d.message as unknown as JsonRpcRequest).params).toEqual(call.params);
  });

  it("per-tool outbound override", async () => {
    const ctx = ctxOf({ tools: { send_email: { outbound: "block" } } });
    expect((await createRedactionLayer().onRequest!(call, ctx)).kind).toBe("deny");
    expect(await createRedactionLayer().onRequest!({ ...call, params: { ...call.params, name: "other" } }, ctx)).toEqual({ kind: "allow" });
  });
});
