export interface SetOptions {
  ttlMs?: number;
  // Write only when the key is absent (read-through cache fills must not overwrite fresher writes).
  onlyIfAbsent?: boolean;
}

export interface Counter {
  count: number;
  // Time until the counter's window ends (0 when the counter does not exist).
  ttlMs: number;
}

// Small shared state with expiry: token denylists, rate-limit counters, short caches.
// Redis when REDIS_URL is set (shared by all instances), in memory otherwise.
export abstract class KeyValueStore {
  abstract get(key: string): Promise<string | null>;
  abstract getMany(keys: string[]): Promise<(string | null)[]>;
  abstract set(key: string, value: string, options?: SetOptions): Promise<void>;
  abstract delete(...keys: string[]): Promise<void>;
  // Adds `by` (default one) to a counter whose window starts at its first increment and lasts windowMs.
  abstract increment(key: string, windowMs: number, by?: number): Promise<Counter>;
  abstract getCounter(key: string): Promise<Counter>;
}
