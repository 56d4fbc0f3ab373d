import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../../config/app-config.js';
import type { Chunk, ChunkingOptions } from '../chunking/chunker.js';
import { DocumentParseError, type ParseLimits } from '../parsing/parsed-document.js';

export interface ParseTask {
  bytes: Uint8Array;
  contentType: string;
  filename: string;
  limits: ParseLimits;
  chunking: ChunkingOptions;
}

export type ParseOutcome = { ok: true; characters: number; chunks: Chunk[] } | { ok: false; parseError: boolean; message: string };

// An idle thread is ended after this long, so its memory goes back.
const IDLE_MS = 30_000;

// Parsing and chunking run on worker threads (at most JOBS_CONCURRENCY), never on the event loop
// that streams replies. A thread that overruns KB_PARSE_TIMEOUT_MS is terminated, one that
// exhausts its KB_PARSE_MAX_HEAP_MB heap dies alone; either way the document fails with the
// reason and the next one gets a fresh thread. Threads are reused, so the parsers and the
// tokenizer load once rather than per document.
@Injectable()
export class ParserPool implements OnModuleDestroy {
  private readonly idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private size = 0;
  private closed = false;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  async parse(task: ParseTask): Promise<{ characters: number; chunks: Chunk[] }> {
    const worker = await this.acquire();
    const { timeoutMs, maxHeapMb } = this.config.knowledge.parser;
    return new Promise((resolve, reject) => {
      const done = (reuse: boolean, settle: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (reuse) this.release(worker);
        else this.discard(worker);
        settle();
      };
      const onMessage = (outcome: ParseOutcome) =>
        done(true, () => {
          if (outcome.ok) resolve({ characters: outcome.characters, chunks: outcome.chunks });
          else reject(outcome.parseError ? new DocumentParseError(outcome.message) : new Error(outcome.message));
        });
      const onError = (err: NodeJS.ErrnoException) =>
        done(false, () =>
          reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new DocumentParseError(`Parsing needed more than ${maxHeapMb} MB of memory (KB_PARSE_MAX_HEAP_MB)`) : err),
        );
      const onExit = (code: number) => done(false, () => reject(new Error(`The parser thread stopped unexpectedly (exit code ${code})`)));
      const timer = setTimeout(() => done(false, () => reject(new DocumentParseError(`Parsing took longer than ${timeoutMs} ms (KB_PARSE_TIMEOUT_MS)`))), timeoutMs);
      worker.on('message', onMessage).once('error', onError).once('exit', onExit);
      worker.postMessage(task);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.idle.splice(0).map(({ worker, timer }) => (clearTimeout(timer), worker.terminate())));
  }

  private acquire(): Promise<Worker> {
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      return Promise.resolve(idle.worker);
    }
    if (this.size < this.config.jobs.concurrency) {
      this.size++;
      return this.spawn();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) return next(worker);
    if (this.closed) return this.discard(worker);
    const timer = setTimeout(() => {
      const index = this.idle.findIndex((entry) => entry.worker === worker);
      if (index >= 0) this.idle.splice(index, 1);
      this.discard(worker);
    }, IDLE_MS);
    timer.unref();
    this.idle.push({ worker, timer });
  }

  // A dead or overrunning thread is replaced for whoever waits.
  private discard(worker: Worker): void {
    void worker.terminate();
    const next = this.waiting.shift();
    if (!next || this.closed) {
      this.size--;
      return;
    }
    this.spawn().then(next, () => {
      this.size--;
      this.waiting.unshift(next);
    });
  }

  // Resolves once the thread has loaded its modules (its first message).
  private spawn(): Promise<Worker> {
    const worker = new Worker(new URL('./parse-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.config.knowledge.parser.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    return new Promise((resolve, reject) => {
      worker.once('message', () => {
        worker.off('error', reject);
        resolve(worker);
      });
      worker.once('error', reject);
    });
  }
}
