/**
 * A strict reader of the Prometheus text exposition format 0.0.4, enough to check what /metrics
 * writes: HELP/TYPE before samples, valid names, quoted and escaped label values, parseable values,
 * and for histograms cumulative buckets ending in +Inf == _count.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string>; help: Map<string, string> } {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a line feed");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      if (help.has(m[1]!)) throw new Error(`duplicate HELP ${m[1]}`);
      help.set(m[1]!, m[2]!);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (types.has(m[1]!)) throw new Error(`duplicate TYPE ${m[1]}`);
      types.set(m[1]!, m[2]!);
      continue;
    }
    if (line.startsWith("#")) throw new Error(`bad comment line: ${line}`);
    m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      if (l[1]! in labels) throw new Error(`duplicate label ${l[1]} in ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const raw = m[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : raw === "NaN" ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`bad value in ${line}`);
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    const type = types.get(m[1]!) ?? types.get(family);
    if (!type) throw new Error(`sample before its TYPE: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  // Histograms: per label set, buckets non-decreasing in le, +Inf present and equal to _count.
  for (const [name, type] of types) {
    if (type !== "histogram") continue;
    const sets = new Map<string, { le: number; v: number }[]>();
    for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${name}_bucket without le`);
      const key = JSON.stringify(rest);
      sets.set(key, [...(sets.get(key) ?? []), { le: le === "+Inf" ? Infinity : Number(le), v: s.value }]);
    }
    for (const [key, buckets] of sets) {
      for (let i = 1; i < buckets.length; i++) if (buckets[i]!.le <= buckets[i - 1]!.le || buckets[i]!.v < buckets[i - 1]!.v) throw new Error(`${name}${key}: buckets not cumulative`);
      const inf = buckets.at(-1)!;
      const count = samples.find((x) => x.name === `${name}_count` && JSON.stringify(x.labels) === key);
      if (inf.le !== Infinity || !count || count.value !== inf.v) throw new Error(`${name}${key}: +Inf bucket must equal _count`);
      if (!samples.some((x) => x.name === `${name}_sum` && JSON.stringify(x.labels) === key)) throw new Error(`${name}${key}: no _sum`);
    }
  }
  return { samples, types, help };
}

export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
