import type { OnModuleDestroy } from '@nestjs/common';
import { type Counter, KeyValueStore, type SetOptions } from './key-value.store.js';

interface Entry {
  value: string;
  expiresAt: number; // ms epoch; Infinity when it never expires
}

const SWEEP_INTERVAL_MS = 30_000;

export class MemoryKeyValueStore extends KeyValueStore implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  getMany(keys: string[]): Promise<(string | null)[]> {
    return Promise.resolve(keys.map((k) => this.live(k)?.value ?? null));
  }

  set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    if (!options.onlyIfAbsent || !this.live(key)) {
      this.entries.set(key, { value, expiresAt: options.ttlMs ? Date.now() + options.ttlMs : Infinity });
    }
    return Promise.resolve();
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  increment(key: string, windowMs: number, by = 1): Promise<Counter> {
    const now = Date.now();
    const entry = this.live(key) ?? { value: '0', expiresAt: now + windowMs };
    entry.value = String(Number(entry.value) + by);
    this.entries.set(key, entry);
    return Promise.resolve({ count: Number(entry.value), ttlMs: entry.expiresAt - now });
  }

  getCounter(key: string): Promise<Counter> {
    const entry = this.live(key);
    if (!entry) return Promise.resolve({ count: 0, ttlMs: 0 });
    return Promise.resolve({ count: Number(entry.value), ttlMs: entry.expiresAt - Date.now() });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
