import request from 'supertest';
import { bearer } from '../factories/users.js';
import type { FakeVendor } from './fake-vendor.js';
import { startTestApp, type TestApp } from './test-app.js';

// The environment that points the app's OpenAI and Anthropic providers at a fake vendor.
export function vendorEnv(vendor: FakeVendor): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-server-openai',
    OPENAI_BASE_URL: vendor.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'sk-server-anthropic',
    ANTHROPIC_BASE_URL: vendor.anthropicBaseUrl,
    DEFAULT_MODEL: 'openai/fake-large',
    PROVIDER_RETRY_MAX_DELAY_MS: '50',
    // Short intervals so partial saves and heartbeats happen within a test.
    GENERATION_FLUSH_INTERVAL_MS: '100',
    // Failed ingestion attempts are retried within a test's time.
    JOBS_RETRY_DELAY_MS: '50',
  };
}

export function startChatApp(vendor: FakeVendor, overrides: Record<string, string> = {}, storage?: Parameters<typeof startTestApp>[1]): Promise<TestApp> {
  return startTestApp({ ...vendorEnv(vendor), ...overrides }, storage);
}

export async function createSession(app: TestApp, token: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await request(app.url).post('/api/v1/sessions').set(bearer(token)).send(body).expect(201);
  return res.body;
}

// Polls a message until it leaves `streaming` (or the predicate holds).
export async function waitForMessage(
  app: TestApp,
  token: string,
  id: string,
  predicate: (m: any) => boolean = (m) => m.status !== 'streaming',
  timeoutMs = 10_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(app.url).get(`/api/v1/messages/${id}`).set(bearer(token)).expect(200);
    if (predicate(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`message ${id} still ${res.body.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
