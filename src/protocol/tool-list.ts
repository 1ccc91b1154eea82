import type { JsonRpcResponse } from "./json-rpc.js";

/**
 * Returns a copy of a `tools/list` reply keeping only the tools `keep` accepts, plus the names
 * removed; undefined when nothing was removed (so the original bytes can be relayed).
 */
export function filterToolList(res: JsonRpcResponse, keep: (tool: Record<string, unknown>) => boolean): { message: Record<string, unknown>; removed: string[] } | undefined {
  const tools = res.result?.tools;
  if (!Array.isArray(tools)) return undefined;
  const kept: unknown[] = [];
  const removed: string[] = [];
  for (const t of tools) {
    const tool = t as Record<string, unknown>;
    if (typeof tool?.name === "string" && keep(tool)) kept.push(t);
    else removed.push(typeof tool?.name === "string" ? tool.name : "(unnamed)");
  }
  if (removed.length === 0) return undefined;
  return { message: { ...res, result: { ...res.result, tools: kept } }, removed };
}

/** The tool name of a `tools/call` request, or undefined when it is missing or not a string. */
export function toolNameOf(params: Record<string, unknown> | undefined): string | undefined {
  const n = params?.name;
  return typeof n === "string" ? n : undefined;
}
