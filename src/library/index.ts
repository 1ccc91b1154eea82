export { createGuard, guardTransport, type Guard, type GuardOptions, type WrapOptions } from "./create-guard.js";
export { GuardedTransport, type GuardedTransportOptions } from "./guarded-transport.js";
export { ApprovingPipeline, type ApprovalRequest, type Approver } from "./approving-pipeline.js";
export { resolveGuardConfig, selectServer, type GuardConfigInput, type PortcullisConfig, type ResolveGuardConfigOptions } from "./guard-config.js";
export { MemoryAuditLog } from "./memory-audit-log.js";
export type { JsonRpcMessageLike, McpTransport } from "./mcp-transport.js";
