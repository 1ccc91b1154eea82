import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { auditLogOptions } from "../../src/audit/audit-log-options.js";

const streams = { stdout: new PassThrough(), stderr: new PassThrough() };

describe("auditLogOptions", () => {
  it("maps config to writer options", async () => {
    const o = auditLogOptions(
      { hmac_key_env: "K", rotate: { max_mb: 1, daily: true }, sinks: [{ type: "stderr" }, { type: "http", url: "http://127.0.0.1:9/x", format: "otlp" }, { type: "syslog", host: "127.0.0.1", port: 9 }] },
      [{ url: "http://127.0.0.1:9/hook", min_severity: "critical" }],
      { K: "k".repeat(32) },
      streams,
    );
    expect(o.hmacKey).toBe("k".repeat(32));
    expect(o.rotate).toEqual({ maxBytes: 1048576, daily: true });
    expect(o.sinks!.map((s) => s.name)).toEqual(["stderr", "http 127.0.0.1:9", "syslog udp://127.0.0.1:9", "webhook 127.0.0.1:9"]);
    await Promise.all(o.sinks!.map((s) => s.close()));
  });

  it("refuses a missing key variable and stdout in wrap", () => {
    expect(() => auditLogOptions({ hmac_key_env: "K" }, undefined, {}, streams)).toThrow(/K is not set/);
    expect(() => auditLogOptions({ sinks: [{ type: "stdout" }] }, undefined, {}, { ...streams, stdoutIsProtocol: true })).toThrow(/use `stderr`/);
    expect(auditLogOptions(undefined, undefined, {}, streams)).toEqual({ hmacKey: undefined, rotate: undefined, sinks: [] });
  });
});
