// `BENCH_ONLY=wake`: how much slower the same small piece of request work runs right after the
// process has been idle for a moment than when it runs back to back. The work is the validation
// of a message body with content parts through the app's validation pipe (class-transformer and
// class-validator, what a request does before its controller); it runs in this process, timed
// alone, after each kind of gap. (No app server and no I/O here: this is the machine's and
// runtime's own behaviour, which sets how much sequential, idle-separated requests such as the
// time-to-first-token scenario pay for every microsecond of work.)
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { createValidationPipe } from '../../src/common/http/validation.pipe.js';
import { SendMessageDto } from '../../src/messages/dto/message.dto.js';
import { percentile, sortedOf } from './stats.js';

const RUNS = 400;

export async function runWakeCostBench(out: (text?: string) => void): Promise<void> {
  const pipe = createValidationPipe();
  const meta = { type: 'body' as const, metatype: SendMessageDto };
  const body = () => ({ contentParts: [{ type: 'text', text: 'What is in this picture?' }], parentId: null });
  const validate = async () => {
    const started = performance.now();
    await pipe.transform(body(), meta);
    return (performance.now() - started) * 1000;
  };
  for (let i = 0; i < 5_000; i++) await validate(); // JIT warm-up
  const gaps: [string, () => Promise<unknown>][] = [
    ['back to back', () => Promise.resolve()],
    ['after a 0.2 ms pause', () => sleep(0)],
    ['after a 3 ms pause', () => sleep(3)],
    ['after a 10 ms pause', () => sleep(10)],
  ];
  const results = new Map<string, number[]>(gaps.map(([name]) => [name, []]));
  // Interleaved rounds, so a drift of the machine's speed is spread over every kind of gap.
  for (let round = 0; round < 4; round++) {
    for (const [name, gap] of gaps) {
      for (let i = 0; i < RUNS / 4; i++) {
        await gap();
        results.get(name)!.push(await validate());
      }
    }
  }
  const median = (values: number[]) => percentile(sortedOf(values), 50);
  const base = median(results.get('back to back')!);
  out();
  out(`## Work after idle: one message-body validation (class-transformer + class-validator), ${RUNS} timed runs per gap, interleaved`);
  out();
  out('| when it runs | median µs | × back to back |');
  out('|---|---:|---:|');
  for (const [name, values] of results) out(`| ${name} | ${median(values).toFixed(1)} | ${(median(values) / base).toFixed(1)} |`);
}
