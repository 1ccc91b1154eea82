/**
 * Portcullis: a security gateway and toolkit for the Model Context Protocol.
 *
 * Everything public is exported from here (`import { ... } from "portcullis"`); deep imports are
 * not part of the API and may change in any release. Reference: docs/api.md.
 *
 * @packageDocumentation
 */

/** The package version (semantic versioning: the exports of this module are the public API). */
export const VERSION = "0.1.0";

// ---- in-process guard ---------------------------------------------------------------------------
export { createGuard, guardTransport, type Guard, type GuardOptions, type WrapOptions } from "./library/create-guard.js";
export { GuardedTransport, type GuardedTransportOptions } from "./library/guarded-transport.js";
export { ApprovingPipeline, type ApprovalRequest, type Approver } from "./library/approving-pipeline.js";
export { resolveGuardConfig, selectServer, type GuardConfigInput, type PortcullisConfig, type ResolveGuardConfigOptions } from "./library/guard-config.js";
export { MemoryAuditLog } from "./library/memory-audit-log.js";
export type { JsonRpcMessageLike, McpTransport } from "./library/mcp-transport.js";

// ---- configuration (SecureMCPConfig / SecurityPolicy) --------------------------------------------
export { loadConfigFile, parseConfigText, type LoadedConfig } from "./config/load-config.js";
export { resolveConfig, type ResolvedConfig } from "./config/resolve-config.js";
export { resolveServerPolicy } from "./config/resolve-server-policy.js";
export { configSchema, APPROVAL_MODES, OPERATIONS, OUTBOUND_MODES, TRUST_LEVELS, type ArgumentRule, type Operation, type RawConfig, type RawServer, type ToolPolicy, type TrustLevel } from "./config/schema.js";
export type { InjectionClassifierPolicy, ServerPolicy } from "./config/server-policy.js";
export { BUILTIN_DEFAULTS, CLASSIFIER_DEFAULTS } from "./config/builtin-defaults.js";

// ---- the layer contract and enforcement (MCPSecurityManager) -------------------------------------
export { ALLOW, deny, hold, modify, type AllowDecision, type Decision, type DenyDecision, type HoldDecision, type ModifyDecision, type Severity } from "./pipeline/decision.js";
export type { Layer, LayerContext, MaybePromise } from "./pipeline/layer.js";
export { Pipeline, type PipelineOptions } from "./pipeline/pipeline.js";
export { REQUEST_ORDER, RESPONSE_ORDER } from "./pipeline/layer-order.js";
export type { LayerChange, Outcome } from "./pipeline/run-chain.js";
export { SessionState, type Principal, type ProtocolEra } from "./pipeline/session-state.js";
export { ToolCatalog, type KnownTool } from "./pipeline/tool-catalog.js";
export { MessageRelay, type RelayEndpoints, type RelayOptions } from "./proxy/message-relay.js";
export type { JsonRpcErrorObject, JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "./protocol/json-rpc.js";
export { defaultLayers, type LayerDeps } from "./layers/default-layers.js";

// ---- layers, each usable on its own ------------------------------------------------------------
// Tool filtering (ToolFilterManager / MCPToolGatekeeper)
export { createToolPolicyLayer } from "./layers/tool-policy/tool-policy-layer.js";
export { decideToolAccess } from "./layers/tool-policy/decide-tool-access.js";
// Server trust (ServerTrustManager) and the approval decision (ConfirmationGate)
export { createServerTrustLayer } from "./layers/server-trust/server-trust-layer.js";
export { decideTrust, type TrustFacts } from "./layers/server-trust/decide-trust.js";
export { classifyTool, inferOperation, type ToolClass } from "./layers/server-trust/classify-tool.js";
export { TRUST_TABLE, type TrustRow } from "./layers/server-trust/trust-table.js";
// Arguments, call caps, method policy
export { createArgumentsLayer } from "./layers/arguments/arguments-layer.js";
export { createCallCapsLayer } from "./layers/call-caps/call-caps-layer.js";
export { createMethodPolicyLayer } from "./layers/method-policy/method-policy-layer.js";
// Secret redaction (OutputFilter)
export * from "./layers/redaction/index.js";
// Prompt injection (PromptInjectionDetector / ToolOutputSanitizer)
export * from "./layers/injection/index.js";
// Optional ONNX classifier (e.g. Prompt Guard 2) beside the detector; needs onnxruntime-node and @huggingface/tokenizers
export { loadOnnxClassifier, OnnxInjectionClassifier, type InjectionClassifier, type OnnxClassifierOptions } from "./layers/injection/onnx-classifier.js";
export { preloadInjectionClassifiers, releaseSharedClassifiers } from "./layers/injection/onnx-classifier-cache.js";
// Tool-definition pins (rug pulls) and description review
export * from "./layers/pins/index.js";
export * from "./layers/description-review/index.js";

// ---- audit (MCPAuditLogger / SecureToolLogger) -----------------------------------------------------
export type { AuditEntry, AuditLog, AuditRecord } from "./audit/audit-record.js";
export { JsonlAuditLog, GENESIS_HASH, type JsonlAuditLogOptions, type RotationOptions } from "./audit/jsonl-audit-log.js";
export { maskArguments } from "./audit/mask-arguments.js";

export { verifyChain, type ChainFinding, type VerifyOptions, type VerifyResult as ChainVerifyResult } from "./audit/verify-chain.js";
export { auditArguments, DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS, type PayloadAuditOptions, type Sensitivity } from "./audit/sensitivity.js";
export { summariseResult, type ResultAuditOptions, type ResultSummary } from "./audit/result-summary.js";
export { buildReport, type AuditReport } from "./audit/audit-report.js";
export type { AuditSink } from "./audit/audit-sink.js";

// ---- shared state, API keys, rate limits, approvals, OAuth (MCPAuthMiddleware) --------------------
export type { RateLimitResult, RateLimitRule } from "./store/rate-limit-rule.js";
export type { SetOptions, Store, StoreEntry } from "./store/store.js";
export { openStore, type OpenStoreOptions } from "./store/open-store.js";
export { MemoryState, MemoryStore } from "./store/memory-store.js";
export { StoreUnavailableError } from "./store/store-error.js";
export { createRateLimitLayer, type RateLimitLayerOptions } from "./layers/rate-limit/rate-limit-layer.js";
export { createScopeLayer } from "./layers/identity/identity-layer.js";
export { createApiKey, listApiKeys, revokeApiKey, type CreateApiKeyOptions } from "./auth/api-keys.js";
export { verifyApiKey, type VerifyFailure } from "./auth/verify-api-key.js";
export { normalizeScopes, parseScope, scopeAllows, type ScopeGrant, type ScopeTarget } from "./auth/scopes.js";
export { createBearerAuthenticator } from "./auth/bearer-authenticator.js";
export { composeAuthenticators, createOAuthAuthenticator, oauthConfigSchema, parseOAuthConfig, TokenVerifier, OAuthUnavailableError, type OAuthConfig } from "./auth/oauth/index.js";
export { ApprovalBroker, type ApprovalBrokerOptions, type HeldCall } from "./approvals/approval-broker.js";
export { ApprovalStore } from "./approvals/approval-store.js";

// ---- errors --------------------------------------------------------------------------------------
export { ERROR_CODES, rpcCodeOf, type ErrorCode } from "./errors/error-codes.js";
export { ConfigError, PortcullisError, UsageError } from "./errors/portcullis-error.js";

// ---- hosted-MCP export ---------------------------------------------------------------------------
export { buildOpenAIExport, openAITool, type OpenAIExport, type OpenAIMcpTool } from "./export/openai.js";
export { ANTHROPIC_MCP_BETA, buildAnthropicExport, type AnthropicExport, type AnthropicMcpServer, type AnthropicMcpToolset } from "./export/anthropic.js";
export { placeholderFor, planHostedServers, type HostedApproval, type HostedPlan, type HostedServerPlan, type PlanOptions } from "./export/plan-hosted.js";
export { loadExportConfig } from "./export/load-export-config.js";

// ---- guarded agent runner (SecureAgentRunner) ----------------------------------------------------
export * from "./agent/index.js";
