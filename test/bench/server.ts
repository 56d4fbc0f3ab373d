// The servers under test, in a process of their own so the load generator does not share
// their event loop: the full app; a bare Fastify endpoint and a bare NestJS-on-Fastify endpoint,
// each doing one primary-key SELECT through pg (the baselines every app figure is divided by).
// The parent asks over IPC for this process's CPU time and memory (after a full GC: the
// process must run with --expose-gc).
import 'reflect-metadata';
import { monitorEventLoopDelay, PerformanceObserver, constants as perf } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Controller, Get, Inject, Injectable, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import pg from 'pg';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import type { ServerReply, ServerRequest } from './ipc.js';

const config = new AppConfig(process.env);
const app = await createApp(config);
await app.listen({ port: 0, host: '127.0.0.1', backlog: config.listenBacklog });

const pool = new pg.Pool({ connectionString: config.database.url, max: config.database.poolMax });
const SELECT_USER = 'SELECT id, email, role, active FROM users WHERE id = $1';

const bare = Fastify();
bare.get<{ Params: { id: string } }>('/users/:id', async (request) => {
  const { rows } = await pool.query(SELECT_USER, [request.params.id]);
  return rows[0] as unknown;
});
await bare.listen({ port: 0, host: '127.0.0.1' });

// A minimal Nest app on the Fastify adapter: one controller, one provider, one query.
const POOL = Symbol('pool');
@Injectable()
class BareUsers {
  constructor(@Inject(POOL) private readonly db: pg.Pool) {}
  async find(id: string): Promise<unknown> {
    const { rows } = await this.db.query(SELECT_USER, [id]);
    return rows[0];
  }
}
@Controller('users')
class BareUsersController {
  constructor(@Inject(BareUsers) private readonly users: BareUsers) {}
  @Get(':id')
  get(@Param('id') id: string): Promise<unknown> {
    return this.users.find(id);
  }
}
@Module({ controllers: [BareUsersController], providers: [BareUsers, { provide: POOL, useValue: pool }] })
class BareModule {}
const bareNest = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
await bareNest.listen(0, '127.0.0.1');

const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
process.send?.({
  appUrl: `http://127.0.0.1:${port(app.getHttpServer())}`,
  bareUrl: `http://127.0.0.1:${port(bare.server)}`,
  bareNestUrl: `http://127.0.0.1:${port(bareNest.getHttpServer())}`,
});

const gc = (globalThis as { gc?: () => void }).gc;
// How late the event loop ran timers: what every stream's next token waits for at most.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
// Garbage-collection pauses by kind (scavenges of the young generation, full mark-compacts).
const gcPauses = { minor: { count: 0, totalMs: 0, maxMs: 0 }, major: { count: 0, totalMs: 0, maxMs: 0 } };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = ((entry as { detail?: { kind?: number } }).detail?.kind) === perf.NODE_PERFORMANCE_GC_MAJOR ? gcPauses.major : gcPauses.minor;
    kind.count++;
    kind.totalMs += entry.duration;
    kind.maxMs = Math.max(kind.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
process.on('message', (message: ServerRequest | 'stop') => {
  if (message === 'stop' || (typeof message === 'object' && message.type === 'stop')) {
    void Promise.all([app.close(), bare.close(), bareNest.close()])
      .then(() => pool.end())
      .finally(() => process.exit(0));
    return;
  }
  if (message.type === 'usage') {
    if (message.gc) {
      if (!gc) throw new Error('the bench server needs --expose-gc');
      gc();
      gc();
    }
    const newSpaceBytes = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
    const loop = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6, gc: structuredClone(gcPauses) };
    if (message.resetLoop) {
      loopDelay.reset();
      for (const kind of Object.values(gcPauses)) Object.assign(kind, { count: 0, totalMs: 0, maxMs: 0 });
    }
    const reply: ServerReply = { id: message.id, at: performance.timeOrigin + performance.now(), cpu: process.cpuUsage(), memory: process.memoryUsage(), newSpaceBytes, loop };
    process.send?.(reply);
  }
});
