interface Entry<V> {
  userId: string;
  // The refresh family of an access token, the key id of an API key.
  groupId: string;
  value: V;
  until: number; // ms epoch
}

// This process's memory of credential checks it made, so a caller's next request within ttlMs
// needs no round trip. Every change that could make a cached answer wrong drops it at once here
// (and, sent over pub/sub, on the other instances); ttlMs only bounds how long an instance that
// missed such a message keeps a stale answer. A check that was in flight while anything was
// dropped is not cached: it may have read the state from before the change.
export class CredentialCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // Call before reading the state; pass the result to set().
  begin(): number {
    return this.epoch;
  }

  set(epoch: number, key: string, entry: Omit<Entry<V>, 'until'>, notAfter = Infinity): void {
    if (this.ttlMs <= 0 || epoch !== this.epoch) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Oldest first (Map keeps insertion order).
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { ...entry, until: Math.min(this.now() + this.ttlMs, notAfter) });
  }

  dropKey(key: string): void {
    this.epoch += 1;
    this.entries.delete(key);
  }

  dropGroup(groupId: string): void {
    this.dropWhere((e) => e.groupId === groupId);
  }

  dropUser(userId: string): void {
    this.dropWhere((e) => e.userId === userId);
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  // Invalidations are rare (logout, revocation, role change): a scan is fine.
  private dropWhere(match: (entry: Entry<V>) => boolean): void {
    this.epoch += 1;
    for (const [key, entry] of this.entries) if (match(entry)) this.entries.delete(key);
  }
}
