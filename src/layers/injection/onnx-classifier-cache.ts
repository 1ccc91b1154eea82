import type { InjectionClassifierPolicy, ServerPolicy } from "../../config/server-policy.js";
import { ConfigError } from "../../errors/portcullis-error.js";
import { buildOnnxClassifier, type OnnxInjectionClassifier } from "./onnx-classifier.js";
import { OnnxModel } from "./onnx-model.js";

/**
 * The process's loaded classifiers, shared by every server, session and message: one ONNX session
 * per model file (a model is loaded once even when servers use it with different labels, window
 * sizes or timeouts), one classifier per distinct setting. `wrap` and `serve` preload them at
 * startup; anything else (the library's createGuard) loads on first use.
 */
const models = new Map<string, Promise<OnnxModel>>();
const classifiers = new Map<string, Promise<OnnxInjectionClassifier>>();
// Policies are resolved once per server, so the lookup per message is one WeakMap read.
let byPolicy = new WeakMap<InjectionClassifierPolicy, Promise<OnnxInjectionClassifier>>();

/** The shared classifier for a server's `injection.classifier`, loading it on first use. A failed load is retried on the next call. */
export function sharedClassifier(policy: InjectionClassifierPolicy): Promise<OnnxInjectionClassifier> {
  const hit = byPolicy.get(policy);
  if (hit) return hit;
  const key = JSON.stringify([policy.model, policy.tokenizer, policy.maxLength, policy.timeoutMs, policy.injectionLabels ?? null]);
  let p = classifiers.get(key);
  if (!p) {
    p = modelFor(policy).then((model) => buildOnnxClassifier({ model: policy.model, tokenizer: policy.tokenizer, injectionLabels: policy.injectionLabels, maxLength: policy.maxLength, timeoutMs: policy.timeoutMs }, { model }));
    classifiers.set(key, p);
    p.catch(() => {
      classifiers.delete(key);
      byPolicy.delete(policy);
    });
  }
  byPolicy.set(policy, p);
  return p;
}

function modelFor(policy: InjectionClassifierPolicy): Promise<OnnxModel> {
  const key = JSON.stringify([policy.model, policy.tokenizer]);
  let p = models.get(key);
  if (!p) {
    p = OnnxModel.load(policy.model, policy.tokenizer);
    models.set(key, p);
    p.catch(() => models.delete(key));
  }
  return p;
}

/**
 * Loads the classifier of every server that configures one, before the first message: a missing
 * package, file or broken model stops `wrap` / `serve` at startup with a config error instead of
 * denying messages later. Servers without a classifier cost nothing (the packages are not imported).
 */
export async function preloadInjectionClassifiers(servers: Iterable<ServerPolicy>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const s of servers) {
    const c = s.injection.classifier;
    if (!c) continue;
    pending.push(
      sharedClassifier(c).catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        throw new ConfigError(`server "${s.name}": ${msg}`, { cause: e });
      }),
    );
  }
  await Promise.all(pending);
}

/** Releases every shared session (tests, embedding); later calls load them again. */
export async function releaseSharedClassifiers(): Promise<void> {
  const all = [...models.values()];
  models.clear();
  classifiers.clear();
  byPolicy = new WeakMap();
  await Promise.all(all.map((p) => p.then((m) => m.release()).catch(() => undefined)));
}
