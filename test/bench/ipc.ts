// IPC between the bench driver and its child processes (the servers, the fake vendor).
import { type ChildProcess, fork } from 'node:child_process';

export interface ServerRequest {
  type: 'usage' | 'stop';
  id?: number;
  // Run a full GC first (the child needs --expose-gc).
  gc?: boolean;
  // Start a new event-loop delay histogram after this reply.
  resetLoop?: boolean;
}

// Event-loop delay since the last reset, ms.
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  gc: Record<'minor' | 'major', { count: number; totalMs: number; maxMs: number }>;
}

export interface ServerReply {
  id?: number;
  at: number; // ms, performance.timeOrigin + performance.now()
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  // Bytes committed to V8's young generation (it grows under allocation and stays committed).
  newSpaceBytes?: number;
  loop?: LoopDelay;
}

export interface Usage {
  at: number;
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  newSpaceBytes?: number;
  loop?: LoopDelay;
}

// The Node flags the app runs with (`npm start`, the Dockerfile): the bench measures the same.
export const APP_NODE_FLAGS = ['--max-semi-space-size=64'];

// A child process answering usage requests; `ready` is its first message.
export class BenchChild<Ready> {
  readonly ready: Promise<Ready>;
  private next = 1;
  private readonly waiting = new Map<number, (reply: ServerReply) => void>();
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    this.ready = new Promise<Ready>((resolve, reject) => {
      process.once('message', (m) => resolve(m as Ready));
      void this.exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    });
    process.on('message', (m) => {
      const reply = m as ServerReply;
      if (typeof reply.id === 'number') {
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
      }
    });
  }

  static fork<R>(name: string, modulePath: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): BenchChild<R> {
    return new BenchChild<R>(name, fork(modulePath, { env, execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  send(message: unknown): void {
    this.process.send(message as object);
  }

  usage(gc = false, resetLoop = false): Promise<Usage> {
    return this.call({ type: 'usage', gc, resetLoop });
  }

  // Sends a request stamped with an id; resolves with the child's reply to it.
  call(message: Record<string, unknown>): Promise<Usage> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ ...message, id });
    });
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    this.send('stop');
    await this.exited;
  }
}

// CPU time between two samples, in µs and as % of one core.
export function cpuMicros(from: Usage, to: Usage): number {
  return to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system;
}

export function cpuPercent(from: Usage, to: Usage): number {
  return (cpuMicros(from, to) / 1000 / (to.at - from.at)) * 100;
}

export const now = (): number => performance.timeOrigin + performance.now();
