// `BENCH_ONLY=read`: the CPU this process spends per streamed token reading an OpenAI chat stream
// from the fake vendor (its own process), three ways, interleaved: the SDK's own decoder over
// Node's global fetch (the baseline), the service's path (http-fetch.ts + chatCompletionChunks:
// what the OpenAI adapter runs), and a bare node:http client that only splits events and parses
// their JSON (a floor: no SSE parser, no async iteration).
import http from 'node:http';
import OpenAI from 'openai';
import { chatCompletionChunks } from '../../src/providers/adapters/openai-chunks.js';
import { createHttpFetch } from '../../src/providers/http-fetch.js';

type Mode = 'sdk' | 'service' | 'bare';

const LABELS: Record<Mode, string> = {
  sdk: 'openai SDK stream over global fetch (baseline)',
  service: 'this service: node:http fetch + asResponse + eventsource-parser',
  bare: 'bare node:http: split on blank lines + JSON.parse (floor)',
};

export async function runVendorReadBench(
  openaiBaseUrl: string,
  script: (model: string, tokens: number, delayMs: number) => Promise<void>,
  out: (text?: string) => void,
  sizes: { streams: number; tokens: number; rounds: number },
): Promise<void> {
  const model = 'bench-read';
  await script(model, sizes.tokens, 1);
  const body = { model, messages: [{ role: 'user' as const, content: 'go' }], stream: true as const };
  const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL: openaiBaseUrl, maxRetries: 0 });
  const service = new OpenAI({ apiKey: 'sk-bench', baseURL: openaiBaseUrl, maxRetries: 0, fetch: createHttpFetch() });
  const agent = new http.Agent({ keepAlive: true });

  const readers: Record<Mode, () => Promise<number>> = {
    sdk: async () => {
      let n = 0;
      for await (const chunk of await sdk.chat.completions.create(body)) if (chunk.choices[0]?.delta?.content) n++;
      return n;
    },
    service: async () => {
      let n = 0;
      for await (const chunk of chatCompletionChunks(await service.chat.completions.create(body).asResponse())) if (chunk.choices[0]?.delta?.content) n++;
      return n;
    },
    bare: () =>
      new Promise<number>((resolve, reject) => {
        let n = 0;
        let rest = '';
        const req = http.request(`${openaiBaseUrl}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            const parts = (rest + text).split('\n\n');
            rest = parts.pop() ?? '';
            for (const part of parts) {
              if (!part.startsWith('data: {')) continue;
              const chunk = JSON.parse(part.slice(6)) as { choices?: { delta?: { content?: string } }[] };
              if (chunk.choices?.[0]?.delta?.content) n++;
            }
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      }),
  };

  const perToken: Record<Mode, number[]> = { sdk: [], service: [], bare: [] };
  const modes = Object.keys(readers) as Mode[];
  for (const mode of modes) await Promise.all(Array.from({ length: 20 }, readers[mode]));
  for (let round = 0; round < sizes.rounds; round++) {
    for (const mode of modes) {
      const before = process.cpuUsage();
      const counts = await Promise.all(Array.from({ length: sizes.streams }, readers[mode]));
      const cpu = process.cpuUsage(before);
      const tokens = counts.reduce((a, b) => a + b, 0);
      if (tokens !== sizes.streams * sizes.tokens) throw new Error(`${mode}: ${tokens} tokens read, ${sizes.streams * sizes.tokens} sent`);
      perToken[mode].push((cpu.user + cpu.system) / tokens);
    }
  }
  agent.destroy();

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = mean(perToken.sdk);
  out();
  out(
    `## Reading a vendor stream: ${sizes.streams} concurrent OpenAI chat streams of ${sizes.tokens} tokens (1 ms apart) from the fake vendor, ${sizes.rounds} interleaved rounds each`,
  );
  out();
  out('CPU of this process (user + system) per token received; every token of every stream is counted.');
  out();
  out('| reader | µs of CPU per token (mean) | per round | × baseline |');
  out('|---|---:|---:|---:|');
  for (const mode of modes) {
    out(`| ${LABELS[mode]} | ${mean(perToken[mode]).toFixed(1)} | ${perToken[mode].map((x) => x.toFixed(1)).join(' / ')} | ${(mean(perToken[mode]) / baseline).toFixed(2)} |`);
  }
}
