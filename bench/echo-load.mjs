// The load both echo benchmarks drive: `calls` echo calls over `concurrency` workers on one connected
// SDK client, after a warm-up; returns throughput and latency percentiles (ms).
export async function echoLoad(client, { calls, concurrency, warmup, label }) {
  const call = () => client.callTool({ name: "echo", arguments: { message: "hello portcullis" } });
  for (let i = 0; i < warmup; i++) await call(); // warm up JITs on every side
  const lat = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < calls) {
      const s = performance.now();
      const r = await call();
      lat.push(performance.now() - s);
      if (r.isError) throw new Error(`${label}: echo failed: ${JSON.stringify(r)}`);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { calls_per_s: calls / secs, p50_ms: q(0.5), p99_ms: q(0.99) };
}

/** The middle value (upper median for even counts): how rounds are combined. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
