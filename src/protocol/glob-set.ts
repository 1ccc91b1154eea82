import picomatch from "picomatch";

const cache = new WeakMap<readonly string[], (s: string) => boolean>();

/**
 * True when `name` matches any glob in `patterns`. Tool and method names are not paths, so `*`
 * spans `/` and `.` too (picomatch's bash mode). Matchers are compiled once per pattern list.
 */
export function matchesAny(patterns: readonly string[], name: string): boolean {
  if (patterns.length === 0) return false;
  let m = cache.get(patterns);
  if (!m) {
    m = picomatch(patterns as string[], { bash: true, dot: true });
    cache.set(patterns, m);
  }
  return m(name);
}
