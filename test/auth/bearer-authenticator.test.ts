import { describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/auth/api-keys.js";
import { createBearerAuthenticator } from "../../src/auth/bearer-authenticator.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

describe("bearer authenticator (the serve hook)", () => {
  it("401 with WWW-Authenticate for missing or bad keys, 403 for a server outside the scopes, else the principal", async () => {
    const store = new SqliteStore(":memory:");
    const auth = createBearerAuthenticator(store);
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["server:files"] });
    const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } });

    expect(await auth(req(), "files")).toEqual({ ok: false, status: 401, message: expect.stringMatching(/needs an API key/), challenge: 'Bearer realm="portcullis"' });
    expect(await auth(req("Basic abc"), "files")).toMatchObject({ status: 401, challenge: expect.stringContaining('error="invalid_token"') });
    expect(await auth(req("Bearer pcl_nope"), "files")).toMatchObject({ status: 401, message: expect.stringMatching(/not a Portcullis API key/) });
    expect(await auth(req(`Bearer ${key}`), "files")).toMatchObject({ ok: true, principal: { id: info.id, kind: "api_key" } });
    expect(await auth(req(`bearer  ${key}`), "files")).toMatchObject({ ok: true });
    expect(await auth(req(`Bearer ${key}`), "mail")).toMatchObject({ ok: false, status: 403 });
    await revokeApiKey(store, info.id);
    expect(await auth(req(`Bearer ${key}`), "files")).toMatchObject({ status: 401, message: "The API key has been revoked." });
    await store.close();
  });
});
