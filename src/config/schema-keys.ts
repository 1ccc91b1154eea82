import type { z } from "zod";
import { configSchema } from "./schema.js";

type AnySchema = z.core.$ZodType;

/** The keys the schema allows at a config path, for "unknown key" messages. */
export function keysAt(path: readonly (string | number)[]): string[] {
  let s: AnySchema | undefined = configSchema;
  for (const seg of path) {
    s = s && child(unwrap(s), seg);
  }
  const obj = s && unwrap(s);
  const def = obj?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: AnySchema; options?: AnySchema[] };
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType) cur = def.innerType;
    else if (def.type === "union" && def.options) {
      // `classifier: {...} | false`: the keys are the object member's.
      const obj = def.options.find((o) => (o._zod.def as { type: string }).type === "object");
      if (!obj) return cur;
      cur = obj;
    } else return cur;
  }
}

function child(s: AnySchema, seg: string | number): AnySchema | undefined {
  const def = s._zod.def as { type: string; shape?: Record<string, AnySchema>; valueType?: AnySchema; element?: AnySchema };
  if (def.type === "object") return def.shape?.[String(seg)];
  if (def.type === "record") return def.valueType;
  if (def.type === "array") return def.element;
  return undefined;
}
