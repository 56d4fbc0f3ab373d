import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

// uuid's v7 asks crypto.getRandomValues for 16 bytes per id, which on Node 20 goes through the
// Web Crypto layer (tens of µs within a request, where two ids are made before the vendor call).
// The random bytes come from a pool instead, filled 256 ids at a time.
const POOL_IDS = 256;
const pool = Buffer.allocUnsafe(16 * POOL_IDS);
let offset = pool.length;
// Monotonic within a millisecond, as uuid keeps it for its own calls: the counter seeds from
// random bits each new millisecond and counts up within one.
let lastMs = -Infinity;
let seq = 0;

// UUIDv7: time-ordered, so new rows append to indexes and ids sort by creation.
export function newId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, (offset += 16));
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  return uuidv7({ random, msecs: lastMs, seq });
}
