import { ALLOW, deny } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { toolNameOf } from "../../protocol/tool-list.js";
import { checkArguments } from "./check-arguments.js";

/** Argument rules (`policies.<tool>.arguments`): pattern, enum, max_length, min/max, required. */
export function createArgumentsLayer(): Layer {
  return {
    name: "arguments",
    requestMethods: ["tools/call"],
    onRequest(req, ctx) {
      const name = toolNameOf(req.params);
      const rules = name !== undefined ? ctx.server.tools.policies[name]?.arguments : undefined;
      if (!rules) return ALLOW;
      const bad = checkArguments(req.params?.arguments, rules);
      if (!bad) return ALLOW;
      return deny("ARGUMENT_REJECTED", `argument-${bad.rule}`, `Portcullis blocked \`${name}\`: ${bad.reason}.`, { details: { argument: bad.argument } });
    },
  };
}
