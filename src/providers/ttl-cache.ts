// A small cache of pending or settled lookups by key, each kept `ttlMs`, at most `maxEntries`
// (the oldest go first). A failed lookup is not kept. Deleting a key while its lookup is in
// flight keeps that result from being cached, so an invalidation is never overwritten by a read
// that started before it.
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > at) return hit.value;
    if (hit) this.entries.delete(key);
    const entry = { value: load(), expiresAt: at + this.ttlMs };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
