import { describe, expect, it } from "vitest";
import { redactCommand } from "../../src/cli/commands/redact.js";
import { FAKE } from "../fixtures/redaction/fake-secrets.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], input: string) => runCli(redactCommand, args, { stdin: input, cwd: "/tmp" });

describe("portcullis redact", () => {
  it("replaces each secret in text with [REDACTED:<type>] and leaves the rest byte for byte", async () => {
    const input = `deploy log\nkey=${FAKE.awsAccessKey}\ncard ${FAKE.visa}\ncommit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n`;
    const r = await run([], input);
    expect(r.code).toBe(0);
    expect(r.out).toBe("deploy log\nkey=[REDACTED:aws_access_key]\ncard [REDACTED:credit_card]\ncommit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n");
  });

  it("--json redacts by key and by value, preserving structure and indentation", async () => {
    const doc = { user: "bob", password: "hunter2", n: 3, ok: true, nested: [{ apiKey: "k1", note: `uses ${FAKE.githubPat}` }] };
    const r = await run(["--json"], JSON.stringify(doc, null, 2) + "\n");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      JSON.stringify({ user: "bob", password: "[REDACTED:password]", n: 3, ok: true, nested: [{ apiKey: "[REDACTED:api_key]", note: "uses [REDACTED:github_token]" }] }, null, 2) + "\n",
    );
    const compact = await run(["--json"], JSON.stringify(doc));
    expect(compact.out).not.toContain("\n");
  });

  it("--json accepts JSON lines", async () => {
    const r = await run(["--json"], '{"token":"t1"}\n{"a":1}\n');
    expect(r.out).toBe('{"token":"[REDACTED:token]"}\n{"a":1}\n');
  });

  it("--pii adds emails and phone numbers; --keys and --keep adjust key names", async () => {
    expect((await run(["--pii"], "jane@example.com")).out).toBe("[REDACTED:email]");
    expect((await run(["--json", "--keys", "pin", "--keep", "password"], '{"pin":"1","password":"p"}')).out).toBe('{"pin":"[REDACTED:pin]","password":"p"}');
  });

  it("exits 2 with advice on invalid JSON or unknown flags", async () => {
    const bad = await run(["--json"], "{not json");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not valid JSON.*drop --json/);
    expect((await run(["--frobnicate"], "")).code).toBe(2);
  });
});
