export interface Flushable {
  flush(): void;
}

// Flushes, once at the end of the current event-loop turn (setImmediate: after the I/O callbacks
// of this turn), everything added during it. Many streams' work of one turn then costs one
// scheduled callback, and a stream that got several vendor chunks in one turn flushes them once.
export class TurnBatch<T extends Flushable> {
  private items = new Set<T>();

  constructor(private readonly onError: (err: unknown) => void) {}

  add(item: T): void {
    if (this.items.size === 0) setImmediate(() => this.run());
    this.items.add(item);
  }

  private run(): void {
    const items = this.items;
    this.items = new Set();
    for (const item of items) {
      try {
        item.flush();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
