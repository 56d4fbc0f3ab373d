// The app as it runs with CLUSTER_WORKERS > 1: `node dist/src/main.js`, a cluster primary and
// its workers. Their CPU time comes from /proc (Linux), summed over the primary and every worker,
// since the processes are not ours to ask over IPC.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APP_NODE_FLAGS, now, type Usage } from './ipc.js';
import { childPids, freePort } from '../support/processes.js';

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux this runs on).
const TICK_MICROS = 1_000_000 / 100;

export interface ClusterApp {
  url: string;
  workers: number;
  usage(): Usage;
  stop(): Promise<void>;
}

export async function startClusterApp(env: Record<string, string>, workers: number): Promise<ClusterApp> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...APP_NODE_FLAGS, main], {
    env: { ...env, CLUSTER_WORKERS: String(workers), PORT: String(port), HOST: '127.0.0.1' },
    // Its logs go to the bench's stderr; stdout is the report.
    stdio: ['ignore', 2, 2],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (childPids(child.pid!).length < workers || !(await fetch(`${url}/health/ready`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`the cluster app exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the cluster app did not start in time');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Every worker must be listening, not only the one that answered.
  await new Promise((r) => setTimeout(r, 1000));
  return {
    url,
    workers,
    usage: () => {
      let micros = 0;
      for (const pid of [child.pid!, ...childPids(child.pid!)]) micros += cpuMicros(pid);
      return { at: now(), cpu: { user: micros, system: 0 }, memory: process.memoryUsage() };
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function cpuMicros(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
  } catch {
    return 0;
  }
}
