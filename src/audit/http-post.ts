/** POSTs a body and resolves on 2xx; rejects otherwise so the BatchSender retries. Bounded by a timeout. */
export async function httpPost(url: string, body: string, contentType: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<void> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": contentType, ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  // Drain the body so the connection can be reused.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}
