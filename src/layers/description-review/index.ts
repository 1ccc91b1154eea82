export { actionFor, actionPolicyOf, createDescriptionReviewLayer, DEFAULT_ACTIONS, DESCRIPTION_ACTIONS, stripDefinition, type ActionPolicy, type DescriptionAction, type DescriptionReviewOptions } from "./description-review-layer.js";
export { excerpt, fieldsOf, reviewDefinition, type ReviewOptions } from "./review-definition.js";
export { maxSeverity, SEVERITY_RANK, type Finding, type ReviewedField, type ReviewedKind } from "./review-types.js";
