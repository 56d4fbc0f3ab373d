import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dialect, errorBody, modelList, streamWriter, type ToolCallScript } from './fake-vendor-dialects.js';

export { FAKE_VENDOR_MODELS } from './fake-vendor-dialects.js';

// A local stand-in for the LLM vendors, speaking each one's real wire protocol so the official
// SDKs can be pointed at it. Scripted per model id. Model ids starting with "unknown-" are
// refused with a 404 in the vendor's error shape, as a vendor refuses a model it does not have.
export interface VendorScript {
  tokens?: string[];
  reasoning?: string[];
  toolCalls?: ToolCallScript[];
  delayMs?: number;
  pauseAfter?: number;
  failTimes?: number;
  error?: { status: number; body?: unknown; retryAfter?: string };
  errorAfterTokens?: number;
  cutAfterTokens?: number;
  // Takes the request and never answers (no status, no headers) until the client hangs up.
  hang?: boolean;
  usage?: { input: number; output: number; reasoning?: number } | null;
  finishReason?: string;
}

export interface VendorRequest {
  path: string;
  model: string;
   
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeVendor {
  url: string;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  googleBaseUrl: string;
  mistralBaseUrl: string;
  script(model: string, script: VendorScript): void;
  requests: VendorRequest[];
  aborted: number;
  release(): void;
  close(): Promise<void>;
}

export const FAKE_EMBEDDING_DIMENSIONS = 8;

// A deterministic unit vector for a text, so tests can recompute what the vendor returned.
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const raw = Array.from({ length: dimensions }, (_, i) => createHash('sha256').update(`${text}#${i}`).digest().readUInt32BE(0) / 2 ** 31 - 1);
  const norm = Math.hypot(...raw) || 1;
  // Rounded through float32, as vectors travel in base64 float32 too.
  return raw.map((v) => Math.fround(v / norm));
}

// OpenAI's (and Mistral's) embeddings response; base64 is little-endian float32, as the openai
// SDK asks for by default.
function embeddingsBody(dialect: Dialect, body: Record<string, unknown>, model: string): unknown {
  if (dialect === 'google') {
    const requests = (body.requests ?? []) as { content: { parts: { text: string }[] }; outputDimensionality?: number }[];
    return { embeddings: requests.map((r) => ({ values: fakeEmbedding(r.content.parts.map((p) => p.text).join(''), r.outputDimensionality) })) };
  }
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input as string[]);
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : typeof body.output_dimension === 'number' ? body.output_dimension : undefined;
  const tokens = inputs.reduce((sum, text) => sum + text.split(/\s+/).filter(Boolean).length, 0);
  return {
    ...(dialect === 'mistral' ? { id: `embd-${Math.random().toString(36).slice(2)}` } : {}),
    object: 'list',
    data: inputs.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      const bytes = Buffer.alloc(vector.length * 4);
      vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
      const embedding = body.encoding_format === 'base64' ? bytes.toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export const DEFAULT_TOKENS = ['Hello', ' from', ' the', ' fake', ' vendor.'];
const DEFAULT_USAGE = { input: 12, output: 5 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

// Which vendor API a request is for: [dialect, kind, model].
function route(method: string, path: string, headers: IncomingMessage['headers']): [Dialect, 'list' | 'chat' | 'embed', string] | undefined {
  if (method === 'GET' && path === '/v1/models') return [headers['anthropic-version'] ? 'anthropic' : 'openai', 'list', ''];
  if (method === 'GET' && path === '/mistral/v1/models') return ['mistral', 'list', ''];
  if (method === 'GET' && /^\/google\/v1(beta)?\/models$/.test(path)) return ['google', 'list', ''];
  if (method === 'POST' && path === '/v1/chat/completions') return ['openai', 'chat', ''];
  if (method === 'POST' && path === '/mistral/v1/chat/completions') return ['mistral', 'chat', ''];
  if (method === 'POST' && path === '/v1/messages') return ['anthropic', 'chat', ''];
  if (method === 'POST' && path === '/v1/embeddings') return ['openai', 'embed', ''];
  if (method === 'POST' && path === '/mistral/v1/embeddings') return ['mistral', 'embed', ''];
  const google = /^\/google\/v1(?:beta)?\/models\/([^/:]+):(streamGenerateContent|batchEmbedContents)$/.exec(path);
  if (method === 'POST' && google) return ['google', google[2] === 'batchEmbedContents' ? 'embed' : 'chat', decodeURIComponent(google[1])];
  return undefined;
}

export async function startFakeVendor(): Promise<FakeVendor> {
  const scripts = new Map<string, VendorScript>();
  const attempts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  let releases = 0;
  const waiters = new Set<() => void>();

  const vendor: FakeVendor = {
    url: '',
    openaiBaseUrl: '',
    anthropicBaseUrl: '',
    googleBaseUrl: '',
    mistralBaseUrl: '',
    requests: [],
    aborted: 0,
    script: (model, script) => {
      scripts.set(model, script);
      attempts.delete(model);
    },
    release: () => {
      releases++;
      for (const wake of waiters) wake();
      waiters.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    const matched = route(req.method ?? 'GET', url.pathname, req.headers);
    if (!matched) {
      vendor.requests.push({ path: url.pathname, model: '', body, headers: req.headers });
      return sendJson(res, 404, { error: { message: `No route for ${req.method} ${url.pathname}` } });
    }
    const [dialect, kind, pathModel] = matched;
    const model = pathModel || (typeof body?.model === 'string' ? body.model : '');
    vendor.requests.push({ path: url.pathname, model, body, headers: req.headers });
    if (kind === 'list') return sendJson(res, 200, modelList(dialect));

    if (model.startsWith('unknown-')) {
      return sendJson(res, 404, errorBody(dialect, 404, `The model '${model}' does not exist`));
    }
    const script = scripts.get(model) ?? {};
    if (script.hang) {
      res.on('close', () => vendor.aborted++);
      return;
    }
    if (kind === 'embed' && !script.error && script.failTimes === undefined) return sendJson(res, 200, embeddingsBody(dialect, body ?? {}, model));
    const attempt = (attempts.get(model) ?? 0) + 1;
    attempts.set(model, attempt);
    if (script.error || script.failTimes !== undefined) {
      const error = script.error ?? { status: 500 };
      if (attempt <= (script.failTimes ?? Infinity)) {
        const headers: Record<string, string> = error.retryAfter !== undefined ? { 'retry-after': error.retryAfter } : {};
        return sendJson(res, error.status, error.body ?? errorBody(dialect, error.status, `Scripted error ${error.status}`, error.retryAfter), headers);
      }
    }
    if (kind === 'embed') return sendJson(res, 200, embeddingsBody(dialect, body ?? {}, model));
    await stream(dialect, model, body ?? {}, script, res);
  };

  const stream = async (dialect: Dialect, model: string, body: Record<string, unknown>, script: VendorScript, res: ServerResponse) => {
    const startReleases = releases;
    let closed = false;
    let cut = false;
    // This stream's own pause, ended by its connection closing (not by another stream's).
    let wakeOnClose: (() => void) | undefined;
    res.on('close', () => {
      closed = true;
      if (!res.writableFinished && !cut) vendor.aborted++;
      wakeOnClose?.();
    });
    const usage = script.usage === undefined ? DEFAULT_USAGE : script.usage;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const writer = streamWriter(dialect, res, model, body, usage?.input);
    const pace = async () => {
      if (script.delayMs) await sleep(script.delayMs);
    };
    writer.start();
    for (const r of script.reasoning ?? []) {
      if (closed) return;
      writer.reasoning(r);
      await pace();
    }
    const tokens = script.tokens ?? DEFAULT_TOKENS;
    for (let i = 0; i <= tokens.length; i++) {
      if (closed) return;
      if (script.cutAfterTokens === i) {
        cut = true;
        res.socket?.destroy();
        return;
      }
      if (script.errorAfterTokens === i) {
        writer.error();
        res.end();
        return;
      }
      if (script.pauseAfter === i && releases === startReleases) {
        await new Promise<void>((resolve) => {
          wakeOnClose = () => {
            waiters.delete(resolve);
            resolve();
          };
          waiters.add(resolve);
        });
        if (closed) return;
      }
      if (i === tokens.length) break;
      writer.text(tokens[i]);
      await pace();
    }
    if (script.toolCalls?.length) writer.toolCalls(script.toolCalls);
    writer.finish(usage, script.finishReason, Boolean(script.toolCalls?.length));
    res.end();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vendor.url = `http://127.0.0.1:${port}`;
  vendor.openaiBaseUrl = `${vendor.url}/v1`;
  vendor.anthropicBaseUrl = vendor.url;
  vendor.googleBaseUrl = `${vendor.url}/google`;
  vendor.mistralBaseUrl = `${vendor.url}/mistral`;
  return vendor;
}
