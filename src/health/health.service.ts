import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RedisConnection } from '../state/redis-connection.js';
import { StorageDriver } from '../uploads/storage/storage-driver.js';

export type CheckStatus = 'up' | 'down';

export interface Readiness {
  status: CheckStatus;
  checks: Record<string, { status: CheckStatus; latencyMs: number; error?: string }>;
}

const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null,
    @Inject(StorageDriver) private readonly storage: StorageDriver,
  ) {}

  async readiness(): Promise<Readiness> {
    const checks: Readiness['checks'] = {
      database: await probe(async () => {
        await this.dataSource.query('SELECT 1');
      }),
    };
    if (this.redis) {
      const redis = this.redis;
      checks.redis = await probe(async () => {
        if (!(await redis.ping())) throw new Error('unexpected PING reply');
      });
    }
    checks.storage = await probe(() => this.storage.check());
    const status = Object.values(checks).every((c) => c.status === 'up') ? 'up' : 'down';
    return { status, checks };
  }
}

async function probe(check: () => Promise<void>): Promise<Readiness['checks'][string]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // The reason is a dependency's name-level failure, never credentials or SQL.
    const error = (err as Error).message.includes('timed out') ? 'timed out' : 'unreachable';
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}
