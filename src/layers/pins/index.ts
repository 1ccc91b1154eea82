export { canonicalJson, prettyCanonical } from "./canonical-json.js";
export { decideDrift, driftChangesLock, PIN_MODES, pinStatus, type DriftReport, type PinMode, type ToolPinStatus } from "./decide-drift.js";
export { definitionHash, hashesOf, pinnedDefinition, shapeHash } from "./pin-hash.js";
export { createPinsLayer, pinModeOf, type PinsLayerOptions } from "./pins-layer.js";
export { emptyLock, parseLock, PinsLockError, PinsLockFile, readLock, serverPins, writeLock, type PendingPin, type PendingReason, type PinsLock, type ServerPins, type ToolPin } from "./pins-lock.js";
export { diffDefinitions, type DiffLine } from "./definition-diff.js";
