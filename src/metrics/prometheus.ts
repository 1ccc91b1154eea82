/**
 * A minimal Prometheus registry: labelled counters, gauges and histograms rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). No
 * dependency. Series live in a trie of Maps (one level per label), so the hot path is a few Map
 * lookups and no string building. Each metric holds at most `maxSeries` label sets (the rest are
 * counted in `dropped`), so unexpected label values cannot grow memory without bound.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** HELP text: backslash and line feed are escaped (quotes are not). */
export function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** A sample value as Prometheus parses it (Go ParseFloat syntax plus +Inf/-Inf/NaN). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelString(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

interface Series<T> {
  labels: readonly string[];
  data: T;
}

type Trie<T> = Map<string, Trie<T> | Series<T>>;

abstract class Metric<T> {
  /** Label values -> series, one Map level per label: lookups hash short, usually interned strings. */
  private readonly trie: Trie<T> = new Map();
  private readonly all: Series<T>[] = [];
  private single?: Series<T>;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly registry: Registry,
  ) {}

  /** The series for these label values (one per label name), created on first use; undefined when over the limit. */
  protected series(values: readonly string[]): Series<T> | undefined {
    const last = this.labelNames.length - 1;
    if (last < 0) return (this.single ??= this.create([]));
    let m = this.trie;
    for (let i = 0; i < last; i++) {
      const k = values[i] ?? "";
      let n = m.get(k) as Trie<T> | undefined;
      if (n === undefined) {
        if (this.full()) return undefined; // no empty branches for label sets that will be refused
        m.set(k, (n = new Map()));
      }
      m = n;
    }
    const k = values[last] ?? "";
    let s = m.get(k) as Series<T> | undefined;
    if (s === undefined) {
      s = this.create(this.labelNames.map((_, i) => values[i] ?? ""));
      if (s) m.set(k, s);
    }
    return s;
  }

  protected peek(values: readonly string[]): Series<T> | undefined {
    if (this.labelNames.length === 0) return this.single;
    let m: Trie<T> | Series<T> | undefined = this.trie;
    for (let i = 0; i < this.labelNames.length && m instanceof Map; i++) m = m.get(values[i] ?? "");
    return m instanceof Map ? undefined : m;
  }

  private full(): boolean {
    if (this.all.length < this.registry.maxSeries) return false;
    this.registry.dropped++;
    return true;
  }

  private create(labels: readonly string[]): Series<T> | undefined {
    if (this.full()) return undefined;
    const s = { labels, data: this.init() };
    this.all.push(s);
    return s;
  }

  protected abstract init(): T;
  abstract readonly type: "counter" | "gauge" | "histogram";
  protected abstract sampleLines(out: string[]): void;

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    this.sampleLines(out);
  }

  protected sorted(): Series<T>[] {
    const key = (s: Series<T>) => s.labels.join("\u0000");
    return [...this.all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
}

/** A monotonically increasing labelled count. */
export class Counter extends Metric<{ value: number }> {
  readonly type = "counter";
  protected init() {
    return { value: 0 };
  }
  inc(values: readonly string[], by = 1): void {
    const s = this.series(values);
    if (s) s.data.value += by;
  }
  value(values: readonly string[]): number | undefined {
    return this.peek(values)?.data.value;
  }
  protected sampleLines(out: string[]): void {
    for (const s of this.sorted()) out.push(`${this.name}${labelString(this.labelNames, s.labels)} ${formatValue(s.data.value)}`);
  }
}

/** A labelled value that can go up and down; `collect` (optional) refreshes it at scrape time. */
export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge";
  collect?: (g: Gauge) => void;
  protected init() {
    return { value: 0 };
  }
  set(values: readonly string[], v: number): void {
    const s = this.series(values);
    if (s) s.data.value = v;
  }
  protected sampleLines(out: string[]): void {
    this.collect?.(this);
    for (const s of this.sorted()) out.push(`${this.name}${labelString(this.labelNames, s.labels)} ${formatValue(s.data.value)}`);
  }
}

interface HistogramData {
  /** Per-bucket (not cumulative) counts; the cumulative `_bucket` lines are built when rendering. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A labelled histogram with fixed upper bounds (seconds by convention); `+Inf` is implicit. */
export class Histogram extends Metric<HistogramData> {
  readonly type = "histogram";
  readonly bounds: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry, bounds: readonly number[]) {
    super(name, help, labelNames, registry);
    if (labelNames.includes("le")) throw new Error(`${name}: "le" is reserved for histogram buckets`);
    this.bounds = [...bounds].sort((a, b) => a - b);
  }
  protected init(): HistogramData {
    return { counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }
  observe(values: readonly string[], v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.series(values);
    if (!s) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    if (i < b.length) s.data.counts[i]!++;
    s.data.sum += v;
    s.data.count++;
  }
  snapshot(values: readonly string[]): { count: number; sum: number } | undefined {
    const d = this.peek(values)?.data;
    return d && { count: d.count, sum: d.sum };
  }
  protected sampleLines(out: string[]): void {
    for (const s of this.sorted()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.data.counts[i]!;
        out.push(`${this.name}_bucket${labelString(this.labelNames, s.labels, `le="${formatValue(this.bounds[i]!)}"`)} ${formatValue(cumulative)}`);
      }
      out.push(`${this.name}_bucket${labelString(this.labelNames, s.labels, 'le="+Inf"')} ${formatValue(s.data.count)}`);
      out.push(`${this.name}_sum${labelString(this.labelNames, s.labels)} ${formatValue(s.data.sum)}`);
      out.push(`${this.name}_count${labelString(this.labelNames, s.labels)} ${formatValue(s.data.count)}`);
    }
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Registry {
  private readonly metrics: Metric<unknown>[] = [];
  /** Label sets refused because a metric already held `maxSeries`. */
  dropped = 0;
  constructor(readonly maxSeries = 2000) {}

  private add<M extends Metric<unknown>>(m: M): M {
    if (!NAME.test(m.name)) throw new Error(`invalid metric name ${m.name}`);
    for (const l of m.labelNames) if (!LABEL.test(l) || l.startsWith("__")) throw new Error(`${m.name}: invalid label name ${l}`);
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`duplicate metric ${m.name}`);
    this.metrics.push(m);
    return m;
  }
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames, this));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames, this));
  }
  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, this, bounds));
  }

  /** The whole registry in the text exposition format (ends with a line feed). */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics) m.render(out);
    return `${out.join("\n")}\n`;
  }
}
