import { withDefaults } from "./with-defaults.js";

export interface BatchSenderOptions<T> {
  /** Delivers one batch; rejects to have it retried. */
  send: (batch: T[]) => Promise<void>;
  /** Most items per batch (default 100). */
  maxBatch?: number;
  /** Wait this long for more items before sending a partial batch (default 1000 ms). */
  flushMs?: number;
  /** Queue bound; beyond it the oldest items are dropped and counted (default 10 000). */
  maxQueue?: number;
  /** Attempts after the first failure before a batch is given up (default 5). */
  retries?: number;
  /** First retry delay; doubles per attempt with jitter, capped by maxBackoffMs (default 500 / 30 000). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The delivery engine behind every remote sink: a bounded queue, batches, retries with exponential
 * backoff. `push` only enqueues (O(1), never throws, never waits), so a slow or dead receiver costs
 * the data path nothing; one batch is in flight at a time so order is kept. Timers are unref'd:
 * a pending retry never keeps the process alive.
 */
export class BatchSender<T> {
  dropped = 0;
  delivered = 0;
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private attempt = 0;
  private closed = false;
  private readonly o: Required<BatchSenderOptions<T>>;

  constructor(opts: BatchSenderOptions<T>) {
    this.o = withDefaults({ maxBatch: 100, flushMs: 1000, maxQueue: 10_000, retries: 5, backoffMs: 500, maxBackoffMs: 30_000 }, opts) as Required<BatchSenderOptions<T>>;
  }

  get queued(): number {
    return this.queue.length;
  }

  push(item: T): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    if (this.queue.length >= this.o.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(item);
    if (this.attempt === 0) this.schedule(this.queue.length >= this.o.maxBatch ? 0 : this.o.flushMs);
  }

  /** Sends what is queued, retrying until `deadlineMs` has passed; what is left then is dropped. */
  async close(deadlineMs = 2000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const end = Date.now() + deadlineMs;
    let attempts = 0;
    while (Date.now() < end && attempts < 1000) {
      attempts++;
      await this.inFlight;
      if (this.queue.length === 0) return;
      const ok = await this.sendOne();
      if (!ok) await sleep(Math.min(this.delay(), Math.max(0, end - Date.now())));
    }
    this.dropped += this.queue.length;
    this.queue = [];
  }

  private schedule(ms: number): void {
    if (this.timer || this.inFlight || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, ms);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    const ok = await this.sendOne();
    if (this.closed) return;
    if (!ok) {
      if (this.attempt > this.o.retries) {
        // Given up: the batch was dropped in sendOne; start afresh for what came after it.
        this.attempt = 0;
      } else {
        this.schedule(this.delay());
        return;
      }
    }
    if (this.queue.length > 0) this.schedule(this.queue.length >= this.o.maxBatch ? 0 : this.o.flushMs);
  }

  /** One attempt at the head batch; true on success. */
  private async sendOne(): Promise<boolean> {
    if (this.queue.length === 0) return true;
    const batch = this.queue.slice(0, this.o.maxBatch);
    let ok = false;
    this.inFlight = this.o.send(batch).then(
      () => void (ok = true),
      () => undefined,
    );
    await this.inFlight;
    this.inFlight = undefined;
    if (ok) {
      // Items pushed while sending sit behind the batch; drop exactly the batch we sent.
      this.queue.splice(0, batch.length);
      this.delivered += batch.length;
      this.attempt = 0;
      return true;
    }
    this.attempt++;
    if (this.attempt > this.o.retries && !this.closed) {
      this.queue.splice(0, batch.length);
      this.dropped += batch.length;
    }
    return false;
  }

  private delay(): number {
    const base = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** Math.max(0, this.attempt - 1));
    return Math.round(base * (0.5 + Math.random() / 2));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
