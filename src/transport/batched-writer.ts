/**
 * Joins the messages produced in one event-loop iteration into a single write: one syscall (and one
 * audit flush) per burst instead of one per message, which is most of the gap to a bare byte pipe.
 * Draining happens in `setImmediate`, right after the I/O phase, so every chunk read in that phase,
 * and every decision that resolved meanwhile, shares the write. `flush()` drains at once (shutdown).
 */
export class BatchedWriter {
  private buf: string[] = [];
  /** Positions in `buf` whose message must be swapped if `beforeWrite` reports failure. */
  private guarded: { at: number; fallback: () => string }[] = [];
  private corked = 0;
  private scheduled = false;

  /** `beforeWrite` runs once per write (e.g. flush the audit log) and says whether guarded messages may go out. */
  constructor(private readonly sink: (data: string) => void, private readonly beforeWrite?: () => boolean) {}

  write(line: string, fallback?: () => string): void {
    if (fallback) this.guarded.push({ at: this.buf.length, fallback });
    this.buf.push(line, "\n");
    this.schedule();
  }

  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (--this.corked === 0) this.schedule();
  }

  /** Writes whatever is buffered now (before exit, so nothing is lost). */
  flush(): void {
    this.drain();
  }

  private schedule(): void {
    if (this.corked > 0 || this.scheduled || this.buf.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.corked === 0) this.drain();
    });
  }

  private drain(): void {
    if (this.buf.length === 0) return;
    const ok = this.beforeWrite ? this.beforeWrite() : true;
    if (!ok) for (const g of this.guarded) this.buf[g.at] = g.fallback();
    const data = this.buf.join("");
    this.buf = [];
    this.guarded = [];
    this.sink(data);
  }
}
