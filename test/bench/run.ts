// `npm run bench`: the service's figures against baselines measured in the same run.
//  http   request throughput/latency: authenticated routes vs bare Fastify and bare NestJS-Fastify
//         endpoints doing one primary-key SELECT (target: session list >= 0.7x bare Nest)
//  ttft   time to first token the service adds over calling the fake vendor directly
//  stream per-token delay and server CPU with many concurrent streaming clients, WS and SSE, on
//         one app process and (with REDIS_URL) on BENCH_STREAM_WORKERS cluster workers (default:
//         one per core)
//  idle   server memory per idle authenticated WebSocket
//  read   CPU per token reading a vendor stream: the SDK's decoder vs the service's path (vendor-read.ts)
//  accept connections a busy Node process takes in per event-loop iteration (accept-rate.ts)
//  wake   the same small work back to back and after idle pauses (wake-cost.ts)
//  kb     knowledge base (knowledge.ts, its own app in this process): ingestion throughput with the
//         local embedder; at 100k chunks, search latency per mode through the API and HNSW
//         recall@10 vs exact (targets: hybrid p95 < 30 ms, recall@10 >= 0.95); BENCH_KB_* sizes
// Needs DATABASE_URL (PostgreSQL); REDIS_URL is used when set. Sizes come from BENCH_* variables
// (defaults: the targets' sizes); BENCH_ONLY=http,ttft,stream,idle,read,accept,wake,kb picks scenarios;
// BENCH_STREAM_TRANSPORTS=direct,ws,sse picks the streaming runs; BENCH_CPU_PROF=<dir> writes a
// .cpuprofile of the server process there; BENCH_SERVER_NODE_ARGS adds Node options to it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import WebSocket from 'ws';
import { AppConfig } from '../../src/config/app-config.js';
import { TokensService } from '../../src/auth/tokens.service.js';
import { createTestStorage, TEST_ENV } from '../support/test-app.js';
import { startClusterApp } from './cluster.js';
import { APP_NODE_FLAGS, BenchChild, cpuMicros, cpuPercent, type LoopDelay, now, type Usage } from './ipc.js';
import { type MachineCpu, machineCpu, machineShares } from './machine-cpu.js';
import type { VendorReady } from './vendor.js';
import { f1, percentile, sortedOf } from './stats.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZES = {
  durationS: num('BENCH_DURATION_S', 8),
  connections: num('BENCH_CONNECTIONS', 50),
  listSessions: num('BENCH_SESSIONS', 20),
  ttftRequests: num('BENCH_TTFT_REQUESTS', 200),
  streamClients: num('BENCH_STREAM_CLIENTS', 1000),
  streamTokens: num('BENCH_STREAM_TOKENS', 400),
  streamDelayMs: num('BENCH_STREAM_DELAY_MS', 20),
  streamRampMs: num('BENCH_STREAM_RAMP_MS', 4000),
  idleSockets: num('BENCH_IDLE_SOCKETS', 10_000),
  streamWorkers: num('BENCH_STREAM_WORKERS', availableParallelism()),
};
const listed = (name: string, fallback: string) => new Set((process.env[name] ?? fallback).split(',').map((s) => s.trim()));
const ONLY = listed('BENCH_ONLY', 'http,ttft,stream,idle,read,accept,wake,kb');
const STREAM_TRANSPORTS = listed('BENCH_STREAM_TRANSPORTS', 'direct,ws,sse');

if (!process.env.DATABASE_URL) {
  process.stderr.write('npm run bench needs DATABASE_URL (a PostgreSQL with pgvector); REDIS_URL is optional.\n');
  process.exit(2);
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const out = (text = '') => process.stdout.write(`${text}\n`);
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

const storage = await createTestStorage();
const vendor = BenchChild.fork<VendorReady>('fake vendor', here('./vendor.js'), { ...process.env });
const { openaiBaseUrl } = await vendor.ready;
const serverEnv: Record<string, string> = {
  ...(process.env as Record<string, string>),
  ...TEST_ENV,
  ...storage.env,
  LOG_LEVEL: 'warn',
  // One load generator is one caller (HTTP), and thousands of clients come from one address.
  RATE_LIMIT_MAX: '100000000',
  GENERATION_MAX_ACTIVE: String(Math.max(2000, SIZES.streamClients * 2)),
  OPENAI_API_KEY: 'sk-bench',
  OPENAI_BASE_URL: openaiBaseUrl,
  DEFAULT_MODEL: 'openai/fake-large',
};
const profileDir = process.env.BENCH_CPU_PROF;
const server = BenchChild.fork<{ appUrl: string; bareUrl: string; bareNestUrl: string }>(
  'bench server',
  here('./server.js'),
  serverEnv,
  [
    ...APP_NODE_FLAGS,
    ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ],
);
const { appUrl, bareUrl, bareNestUrl } = await server.ready;
const tokens = new TokensService(new AppConfig(serverEnv));
const db = new pg.Pool({ connectionString: serverEnv.DATABASE_URL, max: 4 });
const redis = Boolean(process.env.REDIS_URL);

out(`# Benchmarks (${new Date().toISOString().slice(0, 10)}, PostgreSQL${redis ? ' + Redis' : ' + in-memory state'})`);
out();
out(`Sizes: ${JSON.stringify(SIZES)}`);

// ---------------------------------------------------------------------------------------------
// Users and sessions

interface BenchUser {
  id: string;
  token: string;
}

// Users are inserted directly (registration hashes a password with argon2: thousands would take
// minutes) and get access tokens signed by the app's own TokensService, exactly as at login.
async function createUsers(count: number): Promise<BenchUser[]> {
  const batch = randomUUID().slice(0, 8);
  const users: BenchUser[] = [];
  for (let start = 0; start < count; start += 5000) {
    const n = Math.min(5000, count - start);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (email, role) SELECT 'bench-' || $1::text || '-' || g || '@example.com', 'user'
         FROM generate_series($2::int, $3::int) g RETURNING id`,
      [batch, start + 1, start + n],
    );
    for (const { id } of rows) users.push({ id, token: tokens.signAccessToken(id, randomUUID()).accessToken });
  }
  return users;
}

async function createSession(user: BenchUser, model: string): Promise<string> {
  const session = (await post(`${appUrl}/api/v1/sessions`, { title: 'bench', settings: { model } }, user.token)) as { id: string };
  return session.id;
}

async function post(url: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

const met = (ok: boolean) => (ok ? 'met' : '**not met**');

function table(header: string[], rows: (string | number)[][]): void {
  out(`| ${header.join(' | ')} |`);
  out(`|${header.map((_h, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) out(`| ${row.join(' | ')} |`);
}

// ---------------------------------------------------------------------------------------------
// (d) HTTP: authenticated routes against bare endpoints

async function httpScenarios(): Promise<void> {
  const user = (await post(`${appUrl}/api/v1/auth/register`, { email: 'bench@example.com', password: 'bench password 123' })) as {
    accessToken: string;
    user: { id: string };
  };
  const key = (await post(`${appUrl}/api/v1/api-keys`, { name: 'bench' }, user.accessToken)) as { key: string };
  const me: BenchUser = { id: user.user.id, token: user.accessToken };
  for (let i = 0; i < SIZES.listSessions; i++) await createSession(me, 'fake-large');
  const bearer = { authorization: `Bearer ${user.accessToken}` };
  const scenarios = [
    { name: 'bare NestJS-Fastify + pg: one primary-key SELECT (baseline)', url: `${bareNestUrl}/users/${user.user.id}` },
    { name: 'bare Fastify + pg: one primary-key SELECT', url: `${bareUrl}/users/${user.user.id}` },
    { name: 'app: GET /health/live (no auth, no database)', url: `${appUrl}/health/live` },
    { name: 'app: GET /api/v1/auth/me with a JWT', url: `${appUrl}/api/v1/auth/me`, headers: bearer },
    { name: 'app: GET /api/v1/auth/me with an API key', url: `${appUrl}/api/v1/auth/me`, headers: { 'x-api-key': key.key } },
    { name: `app: GET /api/v1/sessions with a JWT (${SIZES.listSessions} sessions, default page)`, url: `${appUrl}/api/v1/sessions`, headers: bearer, target: true },
    // The same page read afresh every time, as after each change to the list (no kept page).
    {
      name: `app: the same with Cache-Control: no-cache (page read and serialized every time)`,
      url: `${appUrl}/api/v1/sessions`,
      headers: { ...bearer, 'cache-control': 'no-cache' },
    },
  ];
  const results: { name: string; rps: number; p50: number; p99: number; cpu: number; target?: boolean }[] = [];
  const machineBefore = machineCpu();
  for (const s of scenarios) {
    log(`http: ${s.name}`);
    await autocannon({ url: s.url, headers: s.headers, connections: SIZES.connections, duration: 2 }); // warm-up
    const before = await server.usage();
    const r = await autocannon({ url: s.url, headers: s.headers, connections: SIZES.connections, duration: SIZES.durationS });
    const after = await server.usage();
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${s.name}: ${r.non2xx} non-2xx responses, ${r.errors} errors`);
    results.push({ name: s.name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpu: cpuPercent(before, after), target: s.target });
  }
  const base = results[0].rps;
  out();
  out(`## (d) Request throughput: ${SIZES.connections} connections, ${SIZES.durationS} s per scenario (autocannon in this process, servers in one child)`);
  out();
  out('Server CPU per request is the steadier figure when other processes compete for the cores.');
  out(machineNote(machineBefore, machineCpu()));
  out('The list keeps serialized pages: a repeated read checks the user\'s list version (one primary-key read) and sends the kept page; `no-cache` reads and serializes the page, as the first read after any change does.');
  out();
  table(
    ['scenario', 'req/s', '× bare Nest', 'server CPU % of a core', 'server CPU ms/request', 'p50 ms', 'p99 ms', 'target', 'status'],
    results.map((r) => [
      r.name,
      Math.round(r.rps),
      (r.rps / base).toFixed(2),
      Math.round(r.cpu),
      (r.cpu / 100 / r.rps * 1000).toFixed(3),
      r.p50,
      r.p99,
      r.target ? '≥ 0.70×' : '',
      r.target ? met(r.rps / base >= 0.7) : '',
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// (a) Time to first token added by the service

async function ttftScenario(): Promise<void> {
  const n = SIZES.ttftRequests;
  const model = 'bench-ttft';
  await vendor.call({ type: 'script', model, script: { tokens: ['Hello', ' there', ', friend.'] } });
  const [user] = await createUsers(1);
  const fresh = await mapLimit(Array.from({ length: n }), 10, () => createSession(user, model));
  // Sessions with one finished exchange: the send reads a branch and sends history.
  const continued = await mapLimit(Array.from({ length: n }), 10, () => createSession(user, model));
  for (const s of continued) await serviceFirstToken(s, user.token);
  // Warm both paths (connections, JIT) before measuring.
  for (let i = 0; i < 10; i++) await directFirstToken(model);
  const warm = await mapLimit(Array.from({ length: 10 }), 1, () => createSession(user, model));
  for (const s of warm) await serviceFirstToken(s, user.token);
  const kinds: [string, string[]][] = [
    ['a new session', fresh],
    ['a session with one earlier exchange (its branch is read and sent as context)', continued],
  ];
  for (const [kind, sessions] of kinds) {
    log(`ttft: ${n} sequential requests each way, interleaved, in ${kind}`);
    const direct: number[] = [];
    const service: number[] = [];
    const machineBefore = machineCpu();
    let serverCpuMs = 0;
    for (let i = 0; i < n; i++) {
      direct.push(await directFirstToken(model));
      const before = await server.usage();
      service.push(await serviceFirstToken(sessions[i], user.token));
      const after = await server.usage();
      serverCpuMs += cpuMicros(before, after) / 1000;
    }
    const d = sortedOf(direct);
    const s = sortedOf(service);
    const added = (p: number) => percentile(s, p) - percentile(d, p);
    out();
    out(`## (a) Time to first token in ${kind}: ${n} sequential requests, interleaved with as many direct vendor calls`);
    out();
    out('Service: POST /api/v1/sessions/:id/messages (Accept: text/event-stream) until the first `message.delta`.');
    out('Direct: the same script requested from the fake vendor (raw OpenAI-format streaming request) until the first content chunk.');
    out(machineNote(machineBefore, machineCpu()));
    out(`Server CPU per service request (from the POST to the reply's end, the IPC sampling included): ${(serverCpuMs / n).toFixed(2)} ms.`);
    out();
    table(
      ['figure', 'direct to vendor ms', 'through the service ms', 'added by the service ms', 'target', 'status'],
      [
        ['p50', f1(percentile(d, 50)), f1(percentile(s, 50)), f1(added(50)), '≤ 3', met(added(50) <= 3)],
        ['p99', f1(percentile(d, 99)), f1(percentile(s, 99)), f1(added(99)), '≤ 10', met(added(99) <= 10)],
        ['max', f1(percentile(d, 100)), f1(percentile(s, 100)), f1(added(100)), '', ''],
      ],
    );
  }
}

// How contended the machine was: a share of steal means other guests of the host had the cores.
function machineNote(from: MachineCpu | undefined, to: MachineCpu | undefined): string {
  if (!from || !to) return '';
  const { busy, steal } = machineShares(from, to);
  return `Whole machine meanwhile: ${Math.round(busy)}% of all ${availableParallelism()} cores busy, ${Math.round(steal)}% stolen by the hypervisor.`;
}

function directFirstToken(model: string): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let first: number | undefined;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (first !== undefined) return;
        text += chunk;
        if (/"content":"[^"]/.test(text)) first = now() - started;
      });
      res.on('end', () => (first === undefined ? reject(new Error('vendor sent no content')) : resolve(first)));
    });
    req.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'go' }] }));
  });
}

function serviceFirstToken(sessionId: string, token: string): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${appUrl}/api/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let first: number | undefined;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (first !== undefined) return;
        text += chunk;
        if (text.includes('event: message.delta')) first = now() - started;
      });
      res.on('end', () => (first === undefined ? reject(new Error(`no message.delta (status ${res.statusCode}): ${text.slice(0, 300)}`)) : resolve(first)));
    });
    req.end(JSON.stringify({ content: 'go' }));
  });
}

// ---------------------------------------------------------------------------------------------
// (b) Streaming: per-token delay and server CPU with many concurrent clients

interface StreamClient {
  firstAt?: number;
  doneAt?: number;
  error?: string;
}

const STAMP = /\|(\d+\.\d+)\|/g;

// The app under load: the bench server's single process, or a cluster of workers.
interface StreamTarget {
  url: string;
  label: string;
  usage(): Promise<Usage> | Usage;
  // Event-loop delay of the server process since the last call with reset (one process only).
  loopDelay?(reset: boolean): Promise<LoopDelay | undefined>;
}

async function streamScenario(transport: 'ws' | 'sse' | 'direct', target: StreamTarget): Promise<void> {
  const { streamClients: n, streamTokens, streamDelayMs, streamRampMs } = SIZES;
  const model = `bench-stream-${transport}`;
  await vendor.call({ type: 'script', model, script: { stampedTokens: streamTokens, delayMs: streamDelayMs } });
  log(`stream/${transport}: creating ${n} users and sessions`);
  const users = await createUsers(n);
  // Direct streams name the model where the others name their session.
  const sessions = transport === 'direct' ? users.map(() => model) : await mapLimit(users, 20, (u) => createSession(u, model));

  const stampAt: number[] = [];
  const delay: number[] = [];
  const record = (text: string) => {
    const arrived = now();
    for (const m of text.matchAll(STAMP)) {
      const sent = Number(m[1]);
      stampAt.push(sent);
      delay.push(arrived - sent);
    }
  };
  const clients: StreamClient[] = users.map(() => ({}));
  const samples: { server: Usage; vendor: Usage; parent: { at: number; cpu: NodeJS.CpuUsage }; machine?: MachineCpu }[] = [];
  const sample = async () => {
    const [s, v] = await Promise.all([target.usage(), vendor.usage()]);
    samples.push({ server: s, vendor: v, parent: { at: now(), cpu: process.cpuUsage() }, machine: machineCpu() });
  };
  await sample();
  await target.loopDelay?.(true);
  const sampler = setInterval(() => void sample(), 250);
  const nominalMs = streamTokens * streamDelayMs;
  log(`stream/${transport}: ${n} clients ramped over ${streamRampMs} ms, ${streamTokens} tokens every ${streamDelayMs} ms each`);
  const started = now();
  const runs = users.map(
    (user, i) =>
      new Promise<void>((resolve) => setTimeout(resolve, (i * streamRampMs) / n)).then(() =>
        STREAMS[transport](target.url, user, sessions[i], clients[i], record, nominalMs * 3 + 60_000).catch((err: unknown) => {
          clients[i].error = String(err);
        }),
      ),
  );
  await Promise.all(runs);
  clearInterval(sampler);
  const loop = await target.loopDelay?.(false);
  await sample();
  const elapsed = now() - started;

  const failed = clients.filter((c) => c.error || c.doneAt === undefined);
  // From each client's scheduled start (connect, authenticate, send) to its first token.
  const firstLatency = sortedOf(clients.map((c, i) => (c.firstAt ?? NaN) - (started + (i * streamRampMs) / n)).filter((x) => !Number.isNaN(x)));
  const durations = sortedOf(clients.filter((c) => c.doneAt && c.firstAt).map((c) => c.doneAt! - c.firstAt!));
  const firsts = clients.map((c) => c.firstAt).filter((t): t is number => t !== undefined);
  const dones = clients.map((c) => c.doneAt).filter((t): t is number => t !== undefined);
  // The steady window: every client streaming (after the last first token, before the first end).
  const windowStart = Math.max(...firsts);
  const windowEnd = Math.min(...dones);
  const steady = windowEnd - windowStart > 1000;
  const inWindow: number[] = [];
  if (steady) for (let i = 0; i < stampAt.length; i++) if (stampAt[i] >= windowStart && stampAt[i] <= windowEnd) inWindow.push(delay[i]);
  const all = sortedOf(delay);
  const win = sortedOf(inWindow);
  const windowSamples = steady ? samples.filter((s) => s.server.at >= windowStart && s.server.at <= windowEnd) : [];
  const [from, to] = windowSamples.length >= 2 ? [windowSamples[0], windowSamples.at(-1)!] : [samples[0], samples.at(-1)!];
  const cpuOf = (a: { at: number; cpu: NodeJS.CpuUsage }, b: { at: number; cpu: NodeJS.CpuUsage }) =>
    cpuPercent({ ...a, memory: process.memoryUsage() }, { ...b, memory: process.memoryUsage() });
  const expected = n * streamTokens;
  const machine = from.machine && to.machine ? machineShares(from.machine, to.machine) : undefined;

  out();
  out(
    `## (b) Streaming ${TRANSPORT_NAMES[transport]}, ${target.label}: ${n} clients (one user and session each), ` +
      `${streamTokens} tokens every ${streamDelayMs} ms per reply, ramped over ${(streamRampMs / 1000).toFixed(1)} s`,
  );
  out();
  out(
    `Per-token delay = arrival at the client − the time the vendor process wrote the token (stamped in the token text). ` +
      `${delay.length} of ${expected} tokens received, ${failed.length} clients failed${failed[0]?.error ? ` (first: ${failed[0].error})` : ''}; ` +
      `run took ${(elapsed / 1000).toFixed(1)} s; steady window (all ${n} streaming): ${steady ? `${((windowEnd - windowStart) / 1000).toFixed(1)} s, ${inWindow.length} tokens` : 'none (ramp longer than a reply)'}.`,
  );
  out();
  table(
    ['figure', 'p50', 'p99', 'max', 'target', 'status'],
    [
      ['per-token delay, steady window, ms', f1(percentile(win, 50)), f1(percentile(win, 99)), f1(percentile(win, 100)), '≤ 30 ms p99', steady ? met(percentile(win, 99) <= 30) : 'n/a'],
      ['per-token delay, whole run incl. ramp, ms', f1(percentile(all, 50)), f1(percentile(all, 99)), f1(percentile(all, 100)), '≤ 30 ms p99', met(percentile(all, 99) <= 30)],
      ['first token after the client starts (connect, auth, send), ms', f1(percentile(firstLatency, 50)), f1(percentile(firstLatency, 99)), f1(percentile(firstLatency, 100)), '', ''],
      [`reply duration (nominal ${(nominalMs / 1000).toFixed(1)} s), ms`, f1(percentile(durations, 50)), f1(percentile(durations, 99)), f1(percentile(durations, 100)), '', ''],
    ],
  );
  out();
  table(
    [`CPU, % of one core (${windowSamples.length >= 2 ? 'steady window' : 'whole run'})`, 'value'],
    [
      [
        transport === 'direct' ? 'fake vendor (no app: the "server" here)' : `server (${target.label}: auth, engine, bus, partial flushes, transport)`,
        Math.round(cpuPercent(from.server, to.server)),
      ],
      ['fake vendor process', Math.round(cpuPercent(from.vendor, to.vendor))],
      ['load generator (this process)', Math.round(cpuOf(from.parent, to.parent))],
      [
        `${transport === 'direct' ? 'fake vendor' : 'server'} CPU per token delivered, whole run, µs`,
        f1(cpuMicros(samples[0].server, samples.at(-1)!.server) / Math.max(1, delay.length)),
      ],
      ...(machine
        ? [
            [`whole machine, busy (every process), % of all ${availableParallelism()} cores`, Math.round(machine.busy)],
            ['whole machine, stolen by the hypervisor, % of all cores', Math.round(machine.steal)],
          ]
        : []),
    ],
  );
  if (loop) {
    out();
    const { minor, major } = loop.gc;
    out(
      `Server event-loop delay over the run (timers 5 ms apart): p50 ${f1(loop.p50)} ms, p99 ${f1(loop.p99)} ms, max ${f1(loop.max)} ms. ` +
        `GC pauses: ${minor.count} scavenges (${f1(minor.totalMs)} ms in all, longest ${f1(minor.maxMs)} ms), ` +
        `${major.count} mark-compacts (${f1(major.totalMs)} ms, longest ${f1(major.maxMs)} ms).`,
    );
  }
}

// The baseline: the same streams requested from the fake vendor directly (what the harness
// itself adds: the vendor's timers, the kernel, this process's parsing).
function directStream(vendorUrl: string, _user: BenchUser, model: string, client: StreamClient, record: (text: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${vendorUrl}/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    });
    const timer = deadline(timeoutMs, () => req.destroy(), reject);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const end = buffer.lastIndexOf('\n\n');
        if (end < 0) return;
        const complete = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (complete.includes('"content":"|')) {
          client.firstAt ??= now();
          record(complete);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        client.doneAt = now();
        resolve();
      });
    });
    req.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'go' }] }));
  });
}

function wsStream(appUrl: string, user: BenchUser, sessionId: string, client: StreamClient, record: (text: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${appUrl.replace(/^http/, 'ws')}/ws?access_token=${user.token}`, { perMessageDeflate: false });
    const timer = deadline(timeoutMs, () => socket.terminate(), reject);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      if (text.startsWith('{"type":"message.delta"')) {
        client.firstAt ??= now();
        record(text);
      } else if (text.startsWith('{"type":"ready"')) {
        socket.send(JSON.stringify({ type: 'message.send', sessionId, content: 'go' }));
      } else if (text.startsWith('{"type":"message.completed"') || text.startsWith('{"type":"message.error"') || text.startsWith('{"type":"error"')) {
        client.doneAt = now();
        clearTimeout(timer);
        socket.close();
        if (!text.startsWith('{"type":"message.completed"')) reject(new Error(text.slice(0, 200)));
        else resolve();
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      if (client.doneAt === undefined) reject(new Error(`closed with ${code}`));
    });
  });
}

function sseStream(appUrl: string, user: BenchUser, sessionId: string, client: StreamClient, record: (text: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${appUrl}/api/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
    });
    const timer = deadline(timeoutMs, () => req.destroy(), reject);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        res.resume();
        return reject(new Error(`status ${res.statusCode}`));
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let index: number;
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          if (block.includes('\nevent: message.delta\n')) {
            client.firstAt ??= now();
            record(block);
          } else if (block.includes('\nevent: message.completed\n') || block.includes('\nevent: message.error\n')) {
            client.doneAt = now();
            if (block.includes('message.error')) reject(new Error(block.slice(0, 200)));
          }
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        if (client.doneAt === undefined) reject(new Error('stream ended without a final event'));
        else resolve();
      });
    });
    req.end(JSON.stringify({ content: 'go' }));
  });
}

const STREAMS = { ws: wsStream, sse: sseStream, direct: directStream };

// Fails a stream client that has not finished in time, cancelling its connection.
function deadline(timeoutMs: number, cancel: () => void, reject: (err: Error) => void): NodeJS.Timeout {
  return setTimeout(() => {
    cancel();
    reject(new Error('timed out'));
  }, timeoutMs);
}
const TRANSPORT_NAMES = { ws: 'over WebSocket', sse: 'over SSE', direct: 'directly from the fake vendor (baseline)' };

// ---------------------------------------------------------------------------------------------
// (c) Memory per idle authenticated WebSocket

function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s+/)[3] ?? Infinity);
  } catch {
    return Infinity;
  }
}

// Sockets connected and closed before the first measurement: the code that accepts and
// authenticates a socket is compiled, and the allocator's pools sized, by then, so the figures
// are what each further socket costs rather than first-use costs.
const IDLE_WARM_UP = 500;

async function idleScenario(): Promise<void> {
  let n = SIZES.idleSockets;
  const limit = openFileLimit();
  if (limit < n + IDLE_WARM_UP + 500) {
    log(`idle: the open-file limit is ${limit}; raise it (ulimit -n ${n + IDLE_WARM_UP + 1000}) for ${n} sockets. Measuring ${limit - IDLE_WARM_UP - 500}.`);
    n = limit - IDLE_WARM_UP - 500;
  }
  log(`idle: creating ${n + IDLE_WARM_UP} users`);
  const users = await createUsers(n + IDLE_WARM_UP);
  const connect = async (batch: BenchUser[], sockets: WebSocket[]) => {
    await mapLimit(batch, 100, (user) =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(`${appUrl.replace(/^http/, 'ws')}/ws?access_token=${user.token}`, { perMessageDeflate: false });
        sockets.push(socket);
        socket.once('error', reject);
        socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
        socket.once('message', (data) => {
          if ((data as Buffer).toString('utf8').startsWith('{"type":"ready"')) resolve();
          else reject(new Error((data as Buffer).toString('utf8')));
        });
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
  };
  const closeAll = async (sockets: WebSocket[]) => {
    for (const socket of sockets) {
      socket.removeAllListeners('close');
      socket.terminate();
    }
    await new Promise((r) => setTimeout(r, 1000));
  };

  log(`idle: warming up with ${IDLE_WARM_UP} sockets`);
  const warm: WebSocket[] = [];
  await connect(users.slice(n), warm);
  await closeAll(warm);
  const before = await server.usage(true);
  log(`idle: connecting ${n} WebSockets`);
  const sockets: WebSocket[] = [];
  const started = now();
  const half = Math.floor(n / 2);
  await connect(users.slice(0, half), sockets);
  const mid = await server.usage(true);
  await connect(users.slice(half, n), sockets);
  const connectS = (now() - started) / 1000 - 2;
  const after = await server.usage(true);
  await closeAll(sockets);

  out();
  out(`## (c) Memory per idle WebSocket: ${n} connected, authenticated (\`ready\` received), one user each`);
  out();
  out(
    `Server memory after a full GC (global.gc over IPC): after ${IDLE_WARM_UP} sockets were connected and closed (warm-up), with ${half} connected, and with all ${n} connected (in ${connectS.toFixed(1)} s). ` +
      `Per socket: the growth from the warm state to all connected, divided by ${n}; marginal: the growth from ${half} to ${n} sockets, divided by ${n - half}.`,
  );
  out();
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  const kb = (from: number, to: number, count: number) => ((to - from) / count / 1024).toFixed(2);
  const row = (name: string, get: (u: Usage) => number, target = '', status = '') => [
    name,
    mb(get(before)),
    mb(get(after)),
    kb(get(before), get(after), n),
    kb(get(mid), get(after), n - half),
    target,
    status,
  ];
  const rssPerSocket = (after.memory.rss - before.memory.rss) / n / 1024;
  table(
    ['figure', 'warm MB', 'connected MB', 'per socket KB', 'marginal KB', 'target', 'status'],
    [
      row('RSS', (u) => u.memory.rss, '≤ 10 KB', met(rssPerSocket <= 10)),
      row('V8 heap used', (u) => u.memory.heapUsed),
      row('V8 heap committed', (u) => u.memory.heapTotal),
      row('of which young generation', (u) => u.newSpaceBytes ?? 0),
      row('external + array buffers', (u) => u.memory.external + u.memory.arrayBuffers),
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// Run (last: the helpers above are initialized by now)

try {
  // Memory first, while the server's heap and RSS are not yet shaped by the load scenarios.
  if (ONLY.has('idle')) await idleScenario();
  if (ONLY.has('http')) await httpScenarios();
  if (ONLY.has('ttft')) await ttftScenario();
  if (ONLY.has('stream')) {
    const single: StreamTarget = {
      url: appUrl,
      label: 'one process',
      usage: () => server.usage(),
      loopDelay: async (reset) => (await server.usage(false, reset)).loop,
    };
    if (STREAM_TRANSPORTS.has('direct')) await streamScenario('direct', { url: openaiBaseUrl, label: 'no app in between', usage: () => vendor.usage() });
    if (STREAM_TRANSPORTS.has('ws')) await streamScenario('ws', single);
    if (STREAM_TRANSPORTS.has('sse')) await streamScenario('sse', single);
    // The same load on CLUSTER_WORKERS processes sharing the port (default: one per core).
    if (SIZES.streamWorkers > 1 && redis) {
      const cluster = await startClusterApp(serverEnv, SIZES.streamWorkers);
      const target: StreamTarget = { url: cluster.url, label: `CLUSTER_WORKERS=${cluster.workers}`, usage: () => cluster.usage() };
      try {
        if (STREAM_TRANSPORTS.has('ws')) await streamScenario('ws', target);
        if (STREAM_TRANSPORTS.has('sse')) await streamScenario('sse', target);
      } finally {
        await cluster.stop();
      }
    }
  }
  if (ONLY.has('read')) {
    const { runVendorReadBench } = await import('./vendor-read.js');
    const script = async (model: string, count: number, delayMs: number) => {
      await vendor.call({ type: 'script', model, script: { tokens: Array.from({ length: count }, (_, i) => `tok${i} `), delayMs } });
    };
    await runVendorReadBench(openaiBaseUrl, script, out, { streams: 100, tokens: 200, rounds: 4 });
  }
  if (ONLY.has('accept')) await (await import('./accept-rate.js')).runAcceptRateBench(out);
  if (ONLY.has('wake')) await (await import('./wake-cost.js')).runWakeCostBench(out);
  if (ONLY.has('kb')) await (await import('./knowledge.js')).runKnowledgeBench(out, log);
} finally {
  await server.stop();
  await vendor.stop();
  await db.end();
  await storage.drop();
}
