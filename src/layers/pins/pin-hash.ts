import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

/**
 * What a pin covers: the tool's full definition as the server listed it (name, title, description,
 * inputSchema with every property description, outputSchema, annotations, icons, ...), minus
 * `_meta`, which carries transport metadata rather than anything the model reads.
 */
export function pinnedDefinition(def: Record<string, unknown>): Record<string, unknown> {
  const { _meta: _ignored, ...rest } = def;
  return rest;
}

const sha256 = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

/** Hash of the full definition (canonical JSON). Any change to what the model sees changes it. */
export function definitionHash(def: Record<string, unknown>): string {
  return sha256(canonicalJson(pinnedDefinition(def)));
}

/**
 * Hash of the definition without its name and title: the same tool re-listed under another name
 * has the same shape (rename evasion). Undefined for definitions too bare to identify a tool
 * (no description and no parameters), which many unrelated tools share.
 */
export function shapeHash(def: Record<string, unknown>): string | undefined {
  const { name: _n, title: _t, ...rest } = pinnedDefinition(def);
  const desc = typeof rest.description === "string" ? rest.description.trim() : "";
  const props = (rest.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const hasProps = props !== undefined && props !== null && typeof props === "object" && Object.keys(props).length > 0;
  if (desc.length < 12 && !hasProps) return undefined;
  return sha256(canonicalJson(rest));
}

const cache = new WeakMap<object, { hash: string; shape: string | undefined }>();

/** Both hashes, memoised per definition object (the relay keeps definitions until the next listing). */
export function hashesOf(def: Record<string, unknown>): { hash: string; shape: string | undefined } {
  let h = cache.get(def);
  if (!h) {
    h = { hash: definitionHash(def), shape: shapeHash(def) };
    cache.set(def, h);
  }
  return h;
}
