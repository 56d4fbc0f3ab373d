import type { Counter } from '../../state/key-value.store.js';

export interface CounterStore {
  increment(key: string, windowMs: number, by?: number): Promise<Counter>;
}

interface Entry {
  // The shared count as of this instance's last sync (it includes the hits sent then).
  known: number;
  // Hits counted here and not yet added to the shared count.
  pending: number;
  windowEnd: number; // ms epoch
}

// Fixed-window counters kept in this process and added to the shared store (Redis) in batches,
// every syncMs while a caller is active, instead of one round trip per request. The local
// estimate (shared count at the last sync + local hits since) is exact for one instance; with
// several, a caller can pass the limit by what it sends to the other instances before their next
// sync reaches this one (about two sync intervals' worth). A failed sync keeps the hits pending
// and is retried, so counting degrades to per-instance during a store outage.
export class BatchedRateCounter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly windowMs: number,
    private readonly syncMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  // Counts one hit and returns the caller's estimated count in the current window.
  hit(key: string): Counter {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { known: 0, pending: 0, windowEnd: now + this.windowMs };
      this.entries.set(key, entry);
    } else if (entry.windowEnd <= now) {
      // Hits not yet sent belong to the window that ended: they no longer count.
      entry.known = 0;
      entry.pending = 0;
      entry.windowEnd = now + this.windowMs;
    }
    entry.pending += 1;
    this.schedule();
    return { count: entry.known + entry.pending, ttlMs: entry.windowEnd - now };
  }

  // Adds every pending hit to the shared store and learns the shared counts back.
  sync(): Promise<void> {
    this.syncing ??= this.syncAll().finally(() => {
      this.syncing = undefined;
      if ([...this.entries.values()].some((e) => e.pending > 0)) this.schedule();
    });
    return this.syncing;
  }

  close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.sync();
  }

  get size(): number {
    return this.entries.size;
  }

  private schedule(): void {
    if (this.timer || this.syncing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, this.syncMs);
    this.timer.unref();
  }

  private async syncAll(): Promise<void> {
    const now = this.now();
    const work: Promise<void>[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.pending === 0) {
        if (entry.windowEnd <= now) this.entries.delete(key);
        continue;
      }
      const by = entry.pending;
      entry.pending = 0;
      work.push(
        this.store.increment(key, this.windowMs, by).then(
          (shared) => {
            entry.known = shared.count;
            entry.windowEnd = this.now() + shared.ttlMs;
          },
          () => {
            entry.pending += by;
          },
        ),
      );
    }
    await Promise.all(work);
  }
}
