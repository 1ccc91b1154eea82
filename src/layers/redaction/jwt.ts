/**
 * True when the first segment of `token` decodes (base64url) to a JSON object with `alg` or `typ`:
 * what separates a JWT from any other dotted base64 string.
 */
export function hasJwtHeader(token: string): boolean {
  const head = token.slice(0, token.indexOf("."));
  if (head.length > 2048) return false;
  try {
    const json: unknown = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
    return typeof json === "object" && json !== null && ("alg" in json || "typ" in json);
  } catch {
    return false;
  }
}
