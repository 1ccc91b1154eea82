import { spawn, type ChildProcess } from "node:child_process";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { ROOT } from "./wrap-harness.js";

const EVERYTHING_JS = path.join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** server-everything's own Streamable HTTP endpoint, reached over loopback. */
export async function startEverythingHttp(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [EVERYTHING_JS, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let err = "";
    const t = setTimeout(() => reject(new Error(`server-everything did not start: ${err}`)), 15_000);
    proc.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening on port")) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.on("exit", (c) => reject(new Error(`server-everything exited (${c}): ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, proc };
}

