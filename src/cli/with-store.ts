import { openConfiguredStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-error.js";
import type { CliIO } from "./cli-io.js";

/**
 * Runs a command against the configured state store (SQLite or `store.url`) and closes it after.
 * An unreachable store is exit code 2 with one line naming the command, not a stack trace.
 */
export async function withConfiguredStore(command: string, cfg: Parameters<typeof openConfiguredStore>[0], io: CliIO, run: (store: Store) => Promise<number>): Promise<number> {
  let store: Store | undefined;
  try {
    store = await openConfiguredStore(cfg);
    return await run(store);
  } catch (e) {
    if (e instanceof StoreUnavailableError) {
      io.stderr.write(`portcullis ${command}: the state store is unavailable: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await store?.close();
  }
}
