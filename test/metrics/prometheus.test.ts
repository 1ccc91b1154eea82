import { describe, expect, it } from "vitest";
import { escapeHelp, escapeLabelValue, formatValue, Registry } from "../../src/metrics/prometheus.js";
import { parseExposition, sample } from "./exposition.js";

describe("Prometheus text exposition", () => {
  it("escapes label values and HELP text as the format requires", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('say "hi"\\\nbye')).toBe('say "hi"\\\\\\nbye');
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.005), formatValue(3)]).toEqual(["+Inf", "-Inf", "NaN", "0.005", "3"]);
  });

  it("renders counters, gauges and histograms with HELP/TYPE, sorted series and a final line feed", () => {
    const r = new Registry();
    const c = r.counter("x_total", "Things.\nMore.", ["kind"]);
    c.inc(["b"]);
    c.inc(["a"], 2);
    c.inc(['we"ird\\\n']);
    const g = r.gauge("x_up", "Up.");
    g.set([], 1);
    const h = r.histogram("x_seconds", "Latency.", ["server"], [0.1, 0.01, 1]);
    for (const v of [0.005, 0.01, 0.05, 2, Infinity]) h.observe(["s"], v);
    const text = r.render();
    expect(text).toBe([
      "# HELP x_total Things.\\nMore.", "# TYPE x_total counter",
      'x_total{kind="a"} 2', 'x_total{kind="b"} 1', 'x_total{kind="we\\"ird\\\\\\n"} 1',
      "# HELP x_up Up.", "# TYPE x_up gauge", "x_up 1",
      "# HELP x_seconds Latency.", "# TYPE x_seconds histogram",
      'x_seconds_bucket{server="s",le="0.01"} 2', 'x_seconds_bucket{server="s",le="0.1"} 3', 'x_seconds_bucket{server="s",le="1"} 3', 'x_seconds_bucket{server="s",le="+Inf"} 4',
      'x_seconds_sum{server="s"} 2.065', 'x_seconds_count{server="s"} 4', "",
    ].join("\n"));
    const parsed = parseExposition(text);
    expect(sample(parsed.samples, "x_total", { kind: 'we"ird\\\n' })).toBe(1);
  });

  it("caps label sets per metric and counts what it dropped", () => {
    const r = new Registry(3);
    const c = r.counter("y_total", "Y.", ["k"]);
    for (let i = 0; i < 10; i++) c.inc([`v${i}`]);
    c.inc(["v0"]);
    expect(c.value(["v0"])).toBe(2);
    expect(c.value(["v5"])).toBeUndefined();
    expect(r.dropped).toBe(7);
  });

  it("rejects invalid names, reserved labels and duplicates", () => {
    const r = new Registry();
    expect(() => r.counter("bad-name", "x")).toThrow(/invalid metric name/);
    expect(() => r.counter("ok_total", "x", ["__reserved"])).toThrow(/invalid label/);
    expect(() => r.histogram("h", "x", ["le"], [1])).toThrow(/reserved/);
    r.counter("dup_total", "x");
    expect(() => r.gauge("dup_total", "x")).toThrow(/duplicate/);
  });
});
