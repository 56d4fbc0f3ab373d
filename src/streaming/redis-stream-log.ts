import type { Redis } from 'ioredis';
import type { StreamEvent } from './stream-event.js';
import { StreamLog } from './stream-log.js';

// A Redis Stream per message; the entry id is `${seq}-0`, so a resume is one XRANGE from seq.
// Unfinished streams expire too, in case the generating instance died before retaining them.
const OPEN_STREAM_TTL_SECONDS = 24 * 3600;

export class RedisStreamLog extends StreamLog {
  constructor(private readonly redis: Redis) {
    super();
  }

  async append(streamId: string, events: StreamEvent[]): Promise<void> {
    const key = streamKey(streamId);
    const pipeline = this.redis.pipeline();
    for (const e of events) pipeline.xadd(key, `${e.seq}-0`, 'e', JSON.stringify([e.event, e.data]));
    if (events[0]?.seq === 1) pipeline.expire(key, OPEN_STREAM_TTL_SECONDS);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0]!;
  }

  async range(streamId: string, afterSeq: number): Promise<StreamEvent[]> {
    const entries = await this.redis.xrange(streamKey(streamId), `${afterSeq + 1}-0`, '+');
    return entries.map(([id, fields]) => {
      const [event, data] = JSON.parse(fields[1]) as [StreamEvent['event'], StreamEvent['data']];
      return { seq: Number(id.slice(0, id.indexOf('-'))), event, data };
    });
  }

  async retain(streamId: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(streamKey(streamId), ttlMs);
  }
}

function streamKey(streamId: string): string {
  return `stream:${streamId}`;
}
