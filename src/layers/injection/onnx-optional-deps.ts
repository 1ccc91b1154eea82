import type * as Ort from "onnxruntime-node";
import type * as Tokenizers from "@huggingface/tokenizers";
import { ConfigError } from "../../errors/portcullis-error.js";
import type { ModuleImporter } from "./onnx-model.js";

// Type-only imports: erased from the emitted JavaScript, so neither package is loaded until
// importClassifierDeps() runs. Only onnx-model.ts imports this module, and privately, so the
// published .d.ts files reachable from the package's index never name the optional packages.
/** onnxruntime-node's module. */
export type OrtModule = typeof Ort;
/** @huggingface/tokenizers' module. */
export type TokenizersModule = typeof Tokenizers;

export const INSTALL_HINT = "npm i onnxruntime-node @huggingface/tokenizers";

// A variable specifier keeps bundlers and TypeScript from resolving the optional packages eagerly.
const importModule: ModuleImporter = (specifier) => import(specifier);

/**
 * The two optional peer packages of the ONNX classifier, imported on first use only (a config
 * without `injection.classifier` never loads them). Neither downloads anything at run time:
 * onnxruntime-node ships its CPU runtime in the npm package, and the tokenizer is built from the
 * tokenizer.json it is given.
 */
export async function importClassifierDeps(importer: ModuleImporter = importModule): Promise<{ ort: OrtModule; tokenizers: TokenizersModule }> {
  const [ort, tokenizers] = await Promise.all([load<OrtModule>("onnxruntime-node", importer, "InferenceSession"), load<TokenizersModule>("@huggingface/tokenizers", importer, "Tokenizer")]);
  return { ort, tokenizers };
}

async function load<T>(name: string, importer: ModuleImporter, member: string): Promise<T> {
  let mod: unknown;
  try {
    mod = await importer(name);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    const why = missing ? `the optional package ${name} is not installed` : `the optional package ${name} failed to load (${(e as Error).message})`;
    throw new ConfigError(`injection.classifier needs onnxruntime-node and @huggingface/tokenizers, but ${why}. Install them beside portcullis: \`${INSTALL_HINT}\`.`, { cause: e });
  }
  // CommonJS packages (onnxruntime-node) arrive as a namespace whose `default` is module.exports.
  const m = mod as Record<string, unknown>;
  const ns = m[member] !== undefined ? m : (m.default as Record<string, unknown> | undefined);
  if (!ns || ns[member] === undefined) throw new ConfigError(`injection.classifier: ${name} does not export ${member}; install a supported version (\`${INSTALL_HINT}\`).`);
  return ns as T;
}
