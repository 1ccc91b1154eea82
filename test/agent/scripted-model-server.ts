import http from "node:http";
import type { AddressInfo } from "node:net";

/** A recorded request the SDK sent to the scripted model. */
export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/**
 * A model API on loopback that replays recorded JSON replies in order, one per POST, and records
 * what the real SDK client sent. Not a mock of the SDK: the SDK does real HTTP against it.
 */
export async function startScriptedModel(replies: readonly unknown[]): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        // recorded as empty
      }
      requests.push({ path: req.url ?? "", body, headers: req.headers });
      const reply = replies[next++];
      if (req.method !== "POST" || reply === undefined) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "script_exhausted", message: `no recorded reply #${next} for ${req.method} ${req.url}` } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "request-id": `req_${next}`, "x-request-id": `req_${next}` });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
