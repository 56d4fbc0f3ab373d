import { readFileSync } from 'node:fs';

// The whole machine's CPU time from /proc/stat (Linux; undefined elsewhere), in clock ticks:
// what every process used (PostgreSQL, Redis and the rest too), what was idle, and what the
// hypervisor took for other guests (steal: time this VM wanted a core and did not get one).
export interface MachineCpu {
  busy: number;
  idle: number;
  steal: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
  } catch {
    return undefined;
  }
}

// Shares of all cores' time between two readings, in %.
export function machineShares(from: MachineCpu, to: MachineCpu): { busy: number; steal: number } {
  const busy = to.busy - from.busy;
  const steal = to.steal - from.steal;
  const total = busy + steal + to.idle - from.idle;
  return { busy: (busy / total) * 100, steal: (steal / total) * 100 };
}
