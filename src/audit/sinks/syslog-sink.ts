import dgram from "node:dgram";
import net from "node:net";
import os from "node:os";
import type { Severity } from "../../pipeline/decision.js";
import type { AuditSink, SinkRecord } from "../audit-sink.js";
import { BatchSender } from "../batch-sender.js";
import { atLeast } from "../severity-rank.js";
import { withDefaults } from "../with-defaults.js";

export interface SyslogSinkOptions {
  host: string;
  port?: number;
  protocol?: "udp" | "tcp";
  /** Syslog facility number (default 16, local0). */
  facility?: number;
  appName?: string;
  minSeverity?: Severity;
  maxQueue?: number;
}

/** Portcullis severity to syslog severity: critical=2 crit, high=3 err, medium=4 warning, low=5 notice, info=6 info. */
const SYSLOG_SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/**
 * RFC 5424 syslog over UDP (one line per datagram) or TCP (octet-counted framing, RFC 6587), the
 * message being the chained audit line. TCP reconnects on the next batch after a failure.
 */
export class SyslogSink implements AuditSink {
  readonly name: string;
  private readonly sender: BatchSender<string>;
  private readonly o: Required<Omit<SyslogSinkOptions, "maxQueue">>;
  private udp: dgram.Socket | undefined;
  private tcp: net.Socket | undefined;

  constructor(o: SyslogSinkOptions) {
    this.o = withDefaults({ port: 514, protocol: "udp" as const, facility: 16, appName: "portcullis", minSeverity: "info" as Severity }, o) as Required<Omit<SyslogSinkOptions, "maxQueue">>;
    this.name = `syslog ${this.o.protocol}://${this.o.host}:${this.o.port}`;
    this.sender = new BatchSender<string>({ flushMs: 100, maxBatch: 100, maxQueue: o.maxQueue ?? 10_000, retries: 5, send: (b) => this.send(b) });
  }

  get dropped(): number {
    return this.sender.dropped;
  }

  write(line: string, r: SinkRecord): void {
    if (!atLeast(r.severity, this.o.minSeverity)) return;
    const pri = this.o.facility * 8 + (SYSLOG_SEVERITY[r.severity] ?? 6);
    const ts = /"ts":"([^"]+)"/.exec(line)?.[1] ?? new Date().toISOString();
    this.sender.push(`<${pri}>1 ${ts} ${os.hostname()} ${this.o.appName} ${process.pid} ${r.event.replace(/[^\x21-\x7e]/g, "_").slice(0, 32) || "-"} - ${line}`);
  }

  async close(): Promise<void> {
    await this.sender.close();
    this.udp?.close();
    this.tcp?.end();
    this.udp = undefined;
    this.tcp = undefined;
  }

  private async send(batch: string[]): Promise<void> {
    if (this.o.protocol === "udp") {
      this.udp ??= dgram.createSocket(this.o.host.includes(":") ? "udp6" : "udp4").unref();
      for (const m of batch) await new Promise<void>((res, rej) => this.udp!.send(m, this.o.port, this.o.host, (e) => (e ? rej(e) : res())));
      return;
    }
    const sock = await this.connect();
    const data = batch.map((m) => `${Buffer.byteLength(m)} ${m}`).join("");
    await new Promise<void>((res, rej) => sock.write(data, (e) => (e ? rej(e) : res())));
  }

  private connect(): Promise<net.Socket> {
    if (this.tcp && !this.tcp.destroyed) return Promise.resolve(this.tcp);
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ host: this.o.host, port: this.o.port });
      s.setTimeout(5000, () => s.destroy(new Error("syslog connect timed out")));
      s.once("connect", () => {
        s.setTimeout(0);
        s.unref();
        this.tcp = s;
        resolve(s);
      });
      s.on("error", (e) => {
        this.tcp = undefined;
        reject(e);
      });
      s.on("close", () => {
        if (this.tcp === s) this.tcp = undefined;
      });
    });
  }
}
