export interface CachedListPage {
  // The user's list version the page was read at.
  version: string;
  // The page as sent: serialized once, sent as is while the version holds.
  body: string;
}

// Per-entry bookkeeping besides the strings themselves (Map slot, object, headers of the strings).
const ENTRY_OVERHEAD_BYTES = 128;

// List pages by key (user and query), least recently used evicted first once the entries' size
// passes `maxBytes`. Entries are never trusted blindly: the caller compares their version with
// the user's current one before sending (see SessionListService).
export class SessionListCache {
  private readonly entries = new Map<string, CachedListPage>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get(key: string): CachedListPage | undefined {
    const page = this.entries.get(key);
    if (page) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, page);
    }
    return page;
  }

  set(key: string, page: CachedListPage): void {
    this.delete(key);
    const size = sizeOf(key, page);
    if (size > this.maxBytes) return;
    this.entries.set(key, page);
    this.bytes += size;
    for (const [oldest, evicted] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(oldest, evicted);
    }
  }

  delete(key: string): void {
    const page = this.entries.get(key);
    if (!page) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(key, page);
  }
}

// UTF-16 code units are two bytes each in V8's two-byte strings (one-byte strings take less).
function sizeOf(key: string, page: CachedListPage): number {
  return 2 * (key.length + page.version.length + page.body.length) + ENTRY_OVERHEAD_BYTES;
}
