import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A TCP port free on 127.0.0.1 right now (for a process that must be told its port up front).
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The child processes of a process, e.g. a cluster primary's workers (Linux: the kernel lists a
// task's children).
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}
