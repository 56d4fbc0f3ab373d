// `BENCH_ONLY=accept`: how many connections a busy Node process takes in per event-loop
// iteration. A bare net.Server in a child process whose loop does 20 ms of work per iteration;
// 300 connections are opened at once from this process, and the child counts what it accepted
// and in how many iterations. (No app here: this is the runtime's own behaviour.)
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const WORK_MS = 20;
const CONNECTIONS = 300;
const RUN_MS = 6_000;

interface Counts {
  accepted: number;
  iterations: number;
}

if (process.argv[2] === 'child') {
  let accepted = 0;
  let iterations = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', 4096, () => {
    const started = performance.now();
    const spin = () => {
      const end = performance.now() + WORK_MS;
      while (performance.now() < end);
      iterations++;
      if (performance.now() - started < RUN_MS) setImmediate(spin);
      else process.send?.({ accepted, iterations } satisfies Counts, () => process.exit(0));
    };
    process.send?.({ port: (server.address() as net.AddressInfo).port });
    setImmediate(spin);
  });
}

export async function runAcceptRateBench(out: (text?: string) => void): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sockets: net.Socket[] = [];
  const counts = await new Promise<Counts>((resolve, reject) => {
    child.on('error', reject);
    child.on('message', (message: { port?: number } & Partial<Counts>) => {
      if (message.port) {
        for (let i = 0; i < CONNECTIONS; i++) sockets.push(net.connect(message.port, '127.0.0.1').on('error', () => undefined));
      } else resolve(message as Counts);
    });
  });
  for (const socket of sockets) socket.destroy();
  out();
  out(`## Connections taken in by a busy Node process (${process.version})`);
  out();
  out(
    `A bare net.Server whose event loop does ${WORK_MS} ms of work per iteration, ${CONNECTIONS} connections opened at once, ` +
      `${RUN_MS / 1000} s: ${counts.accepted} accepted in ${counts.iterations} iterations ` +
      `(${(counts.accepted / counts.iterations).toFixed(2)} per iteration, ${((counts.accepted / RUN_MS) * 1000).toFixed(0)} a second).`,
  );
}
