/** A tool definition as the upstream listed it (unfiltered), with its first-seen position. */
export interface KnownTool {
  name: string;
  definition: Record<string, unknown>;
  index: number;
}

/**
 * The upstream's tools as last seen in a `tools/list` reply. Positions are fixed when a tool is
 * first seen so that `max_tools` picks the same tools on every page and every call.
 */
export class ToolCatalog {
  private readonly byName = new Map<string, KnownTool>();
  private nextIndex = 0;
  /** True once a complete listing (all pages) has been seen. */
  complete = false;
  /** The upstream said its tools changed (`notifications/tools/list_changed`) since the last full listing. */
  stale = false;

  get(name: string): KnownTool | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Records tools from one `tools/list` page. `first` resets the catalog (a fresh listing). */
  observe(tools: readonly unknown[], first: boolean, last: boolean): void {
    if (first) {
      const old = this.byName;
      const fresh = new Map<string, KnownTool>();
      for (const t of tools) {
        const def = t as Record<string, unknown>;
        if (typeof def?.name !== "string") continue;
        const prev = old.get(def.name);
        fresh.set(def.name, { name: def.name, definition: def, index: prev?.index ?? this.nextIndex++ });
      }
      this.byName.clear();
      for (const [k, v] of fresh) this.byName.set(k, v);
    } else {
      for (const t of tools) {
        const def = t as Record<string, unknown>;
        if (typeof def?.name !== "string") continue;
        const prev = this.byName.get(def.name);
        this.byName.set(def.name, { name: def.name, definition: def, index: prev?.index ?? this.nextIndex++ });
      }
    }
    if (last) {
      this.complete = true;
      this.stale = false;
    }
  }

  /** Rank of a tool among `names` by first-seen position (0-based), for max_tools. */
  rankAmong(name: string, permitted: (t: KnownTool) => boolean): number {
    const self = this.byName.get(name);
    if (!self) return Infinity;
    let rank = 0;
    for (const t of this.byName.values()) if (t.index < self.index && permitted(t)) rank++;
    return rank;
  }

  *[Symbol.iterator](): IterableIterator<KnownTool> {
    yield* this.byName.values();
  }
}
