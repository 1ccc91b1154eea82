/** Label names that mean "injection" in common classifiers (Prompt Guard 2: MALICIOUS; Prompt Guard 1: INJECTION, JAILBREAK). */
const INJECTION_NAMES = /^(?:malicious|injection|jailbreak|prompt[_ -]?injection|unsafe)$/i;

/**
 * Which output labels mean injection. Explicit `requested` labels win: indices, or names looked up
 * (case-insensitively) in config.json's `id2label`. Without them: labels named like MALICIOUS,
 * INJECTION or JAILBREAK, else label 1 of a two-label model. Throws a message naming what to set.
 */
export function resolveInjectionLabels(requested: readonly (number | string)[] | undefined, numLabels: number, id2label: ReadonlyMap<number, string> | undefined, where: string): number[] {
  const names = id2label ? [...id2label].map(([i, n]) => `${i}=${n}`).join(", ") : undefined;
  if (requested !== undefined && requested.length > 0) {
    const out = new Set<number>();
    for (const r of requested) {
      if (typeof r === "number") {
        if (!Number.isInteger(r) || r < 0 || r >= numLabels) throw new Error(`${where}: injection label ${r} is out of range: the model has ${numLabels} labels (0..${numLabels - 1})`);
        out.add(r);
        continue;
      }
      if (!id2label) throw new Error(`${where}: injection label "${r}" is a name, but there is no config.json with id2label beside the model or the tokenizer; use label indices instead`);
      const hit = [...id2label].find(([, n]) => n.toLowerCase() === r.toLowerCase());
      if (!hit) throw new Error(`${where}: no label named "${r}" in config.json's id2label (${names})`);
      if (hit[0] >= numLabels) throw new Error(`${where}: label "${r}" is index ${hit[0]}, but the model has ${numLabels} labels`);
      out.add(hit[0]);
    }
    if (out.size >= numLabels) throw new Error(`${where}: every label is an injection label, so every text would score 1`);
    return [...out].sort((a, b) => a - b);
  }
  if (id2label) {
    const byName = [...id2label].filter(([i, n]) => i < numLabels && INJECTION_NAMES.test(n)).map(([i]) => i);
    if (byName.length > 0 && byName.length < numLabels) return byName.sort((a, b) => a - b);
  }
  if (numLabels === 2) return [1];
  throw new Error(`${where}: cannot tell which of the model's ${numLabels} labels mean injection${names ? ` (${names})` : ""}; set injection_labels`);
}

/** Softmax of one row of logits, summed over the injection labels (numerically stable). */
export function injectionProbability(logits: ArrayLike<number>, offset: number, numLabels: number, labels: readonly number[]): number {
  let max = -Infinity;
  for (let j = 0; j < numLabels; j++) max = Math.max(max, logits[offset + j]!);
  let total = 0;
  let hit = 0;
  for (let j = 0; j < numLabels; j++) {
    const e = Math.exp(logits[offset + j]! - max);
    total += e;
    if (labels.includes(j)) hit += e;
  }
  const p = hit / total;
  if (!Number.isFinite(p)) throw new Error("the classifier returned logits that are not finite numbers");
  return p;
}

/** `id2label` from a Hugging Face config.json object ({"0": "BENIGN", "1": "MALICIOUS"}), if it has one. */
export function id2labelOf(config: unknown): Map<number, string> | undefined {
  const raw = (config as { id2label?: unknown } | null)?.id2label;
  if (!raw || typeof raw !== "object") return undefined;
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const i = Number(k);
    if (Number.isInteger(i) && i >= 0 && typeof v === "string") out.set(i, v);
  }
  return out.size > 0 ? out : undefined;
}
