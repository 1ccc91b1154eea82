import { randomBytes } from "node:crypto";
import type { Store } from "../store/store.js";

const KEY = "approvals:secret";

/**
 * The HMAC secret for `requestState` and the approval page's cookies, shared through the store so
 * every gateway instance using the same store accepts what another one signed. Created on first use.
 */
export async function approvalSecret(store: Store): Promise<Buffer> {
  await store.set(KEY, randomBytes(32).toString("base64"), { ifAbsent: true });
  const v = await store.get(KEY);
  if (!v) throw new Error("could not read the approval secret from the store");
  return Buffer.from(v, "base64");
}
