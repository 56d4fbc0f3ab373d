import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface ClusterOptions {
  workers: number;
  // How long workers get to finish their replies after SIGTERM before they are killed.
  shutdownGraceMs: number;
}

// A worker that dies within this long of starting counts as crashing at boot: it is restarted
// after a growing delay instead of at once, so a broken deployment does not fork in a loop.
const HEALTHY_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;
export const CONFIG_ERROR_EXIT = 78;

// Several app processes on one machine sharing the listening socket (node:cluster): JavaScript
// runs on one core per process, and streaming is CPU-bound. Each worker is a full instance; the
// Redis bus and the shared database already let any instance follow, stop or sweep any reply,
// as across machines. The first worker starts alone so the migrations run once.
export function runClusterPrimary(options: ClusterOptions, logger: Logger): void {
  let stopping = false;
  let crashes = 0;
  const startedAt = new Map<Worker, number>();

  const fork = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      worker.once('listening', () => resolve());
      worker.once('exit', (code, signal) => {
        const lived = Date.now() - (startedAt.get(worker) ?? 0);
        startedAt.delete(worker);
        resolve();
        if (stopping) {
          if (startedAt.size === 0) process.exit(process.exitCode ?? 0);
          return;
        }
        // A configuration error repeats in every worker: stop with its exit code.
        if (code === CONFIG_ERROR_EXIT) {
          logger.fatal({ pid: worker.process.pid }, 'A worker refused the configuration');
          stopAll(CONFIG_ERROR_EXIT);
          return;
        }
        crashes = lived < HEALTHY_AFTER_MS ? crashes + 1 : 0;
        const delay = Math.min(MAX_RESTART_DELAY_MS, crashes === 0 ? 0 : 500 * 2 ** (crashes - 1));
        logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'A worker exited; starting another');
        setTimeout(() => void fork(), delay);
      });
    });

  // Asks every worker to stop (they finish or interrupt their replies), then exits with `exitCode`
  // once all have, or with 1 when the grace runs out.
  const stopAll = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = exitCode;
    if (startedAt.size === 0) process.exit(exitCode);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, options.shutdownGraceMs).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) logger.info({ signal, workers: startedAt.size }, 'Stopping the workers');
    stopAll(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  void (async () => {
    await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, fork));
    logger.info({ workers: options.workers }, 'All workers started');
  })();
}
