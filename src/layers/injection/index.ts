export { normaliseText, type NormalisedText, type ObfuscationSignal } from "./normalise-text.js";
export { RULES, findRuleHits, compileRules, type InjectionRule, type RuleFamily, type RuleHit } from "./injection-rules.js";
export { defaultModel, decodeModel, scoreWithModel, type EncodedModel, type NgramModel } from "./hashed-ngram-model.js";
export { detectInjection, resolveThreshold, THRESHOLDS, type DetectOptions, type InjectionKind, type InjectionReason, type InjectionVerdict, type ThresholdName } from "./detect-injection.js";
export { sanitizeToolResult, sanitizeOtherResult, neutraliseRoleMarkers, wrapText, withheldNotice, type InjectionAction, type SanitizeContext } from "./sanitize-output.js";
export { INJECTION_RESISTANT_SYSTEM_PROMPT } from "./system-prompt.js";
export { createInjectionLayer, type InjectionLayerOptions } from "./injection-layer.js";
