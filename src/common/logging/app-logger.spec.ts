import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { expect } from 'expect';
import pino from 'pino';
import { AppLogger } from './app-logger.js';
import { enableRequestContext } from './request-context.js';

function capture(level = 'info'): { logger: AppLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new AppLogger(pino({ level }, sink)), lines };
}

describe('AppLogger', () => {
  it("takes Nest's and pino's call shapes", () => {
    const { logger, lines } = capture();
    logger.log('started', 'Boot');
    logger.warn({ err: new Error('lost'), jobId: 'j1' }, 'Could not run', 'Jobs');
    logger.error('Failed', 'Error: Failed\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    logger.debug('hidden', 'Boot');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'started', 'Boot'],
      [40, 'Could not run', 'Jobs'],
      [50, 'Failed', 'ExceptionsHandler'],
    ]);
    expect(lines[1]).toMatchObject({ jobId: 'j1', err: { message: 'lost' } });
    expect(lines[2]).toMatchObject({ err: { message: 'Failed', stack: expect.stringContaining('at somewhere') } });
  });

  it('adds the request id inside a request when request context is on', async () => {
    const { logger, lines } = capture();
    const storage = enableRequestContext();
    await storage.run({ requestId: 'req-1' }, async () => {
      await Promise.resolve();
      logger.warn('inside', 'Test');
    });
    logger.warn('outside', 'Test');
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['inside', 'req-1'],
      ['outside', undefined],
    ]);
  });
});
