// `npm run bench`: request throughput and latency of the auth path against a bare endpoint
// measured in the same run. Needs DATABASE_URL (PostgreSQL); REDIS_URL is used when set.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTestStorage, TEST_ENV } from '../support/test-app.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Scenario {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
}

if (!process.env.DATABASE_URL) {
  process.stderr.write('npm run bench needs DATABASE_URL (a PostgreSQL with pgvector); REDIS_URL is optional.\n');
  process.exit(2);
}

const storage = await createTestStorage();
const env = {
  ...process.env,
  ...TEST_ENV,
  ...storage.env,
  LOG_LEVEL: 'warn',
  // The general limit would otherwise throttle the load generator, which is one caller.
  RATE_LIMIT_MAX: '100000000',
};
const server = fork(fileURLToPath(new URL('./server.js', import.meta.url)), { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { appUrl, bareUrl } = await new Promise<{ appUrl: string; bareUrl: string }>((resolve, reject) => {
  server.once('message', (m) => resolve(m as { appUrl: string; bareUrl: string }));
  server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
});

try {
  const user = await post(`${appUrl}/api/v1/auth/register`, { email: 'bench@example.com', password: 'bench password 123' });
  const key = await post(`${appUrl}/api/v1/api-keys`, { name: 'bench' }, { authorization: `Bearer ${user.accessToken}` });
  const scenarios: Scenario[] = [
    { name: 'bare Fastify + pg: one primary-key SELECT (baseline)', url: `${bareUrl}/users/${user.user.id}` },
    { name: 'app: GET /health/live (no auth, no database)', url: `${appUrl}/health/live` },
    { name: 'app: GET /api/v1/auth/me with a JWT', url: `${appUrl}/api/v1/auth/me`, headers: { authorization: `Bearer ${user.accessToken}` } },
    { name: 'app: GET /api/v1/auth/me with an API key', url: `${appUrl}/api/v1/auth/me`, headers: { 'x-api-key': key.key } },
  ];
  const results: Figures[] = [];
  for (const scenario of scenarios) {
    await load(scenario, 2); // warm-up
    results.push(await load(scenario, DURATION_S));
  }
  report(results, Boolean(process.env.REDIS_URL));
} finally {
  server.send('stop');
  await new Promise((resolve) => server.once('exit', resolve));
  await storage.drop();
}

async function load(scenario: Scenario, duration: number): Promise<Figures> {
  const result = await autocannon({ url: scenario.url, headers: scenario.headers, connections: CONNECTIONS, duration });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${scenario.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return { name: scenario.name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { accessToken: string; user: { id: string }; key: string };
}

function report(results: Figures[], redis: boolean): void {
  const baseline = results[0].rps;
  const lines = [
    `${CONNECTIONS} connections, ${DURATION_S} s per scenario, PostgreSQL${redis ? ' + Redis' : ' + in-memory state'}, one process each for load and servers`,
    '',
    '| scenario | req/s | × baseline | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${(r.rps / baseline).toFixed(2)} | ${r.p50} | ${r.p99} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
