import { MemoryState, MemoryStore } from "../../src/store/memory-store.js";
import { storeContract } from "./store-contract.js";

// Two handles on one MemoryState stand for two gateways sharing a backend.
const shared = new MemoryState();
storeContract("MemoryStore", async () => new MemoryStore(shared), async () => new MemoryStore(shared));
