import { Logger } from '@nestjs/common';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { type JobContext, PermanentJobError, QUEUES } from './job-queue.js';

// Failed attempts are logged as warnings; not in this output.
Logger.overrideLogger(false);
const Q = QUEUES.documentIngestion;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('in-process job queue', () => {
  it('runs jobs queued before the processor registers, and deduplicates by id while queued', async () => {
    const queue = new InProcessJobQueue(1, 1);
    const seen: string[] = [];
    await queue.enqueue(Q, 'a', { jobId: '1' });
    await queue.enqueue(Q, 'a again', { jobId: '1' });
    await queue.enqueue(Q, 'b', { jobId: '2' });
    queue.process<string>(Q, (data) => Promise.resolve(void seen.push(data)));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['a', 'b']);
    // Done: the same id may be queued again (a re-ingest).
    await queue.enqueue(Q, 'a later', { jobId: '1' });
    await until(() => seen.length === 3);
    await queue.onApplicationShutdown();
  });

  it('retries a failing job up to three attempts, telling the handler which attempt it is', async () => {
    const queue = new InProcessJobQueue(2, 1);
    const attempts: JobContext[] = [];
    queue.process(Q, (_data, context) => {
      attempts.push(context);
      return Promise.reject(new Error('flaky'));
    });
    await queue.enqueue(Q, {}, { jobId: 'x' });
    await until(() => attempts.length === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(attempts.map((c) => [c.attempt, c.maxAttempts])).toEqual([[1, 3], [2, 3], [3, 3]]);
    await queue.onApplicationShutdown();
  });

  it('does not retry a permanent failure, and aborts running jobs at shutdown', async () => {
    const queue = new InProcessJobQueue(2, 1);
    let permanent = 0;
    let aborted = false;
    queue.process<string>(Q, (data, context) => {
      if (data === 'bad') {
        permanent++;
        return Promise.reject(new PermanentJobError('never'));
      }
      return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(void (aborted = true))));
    });
    await queue.enqueue(Q, 'bad', { jobId: 'bad' });
    await queue.enqueue(Q, 'slow', { jobId: 'slow' });
    await new Promise((r) => setTimeout(r, 30));
    expect(permanent).toBe(1);
    await queue.onApplicationShutdown();
    expect(aborted).toBe(true);
  });
});
