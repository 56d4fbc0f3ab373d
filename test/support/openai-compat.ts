import OpenAI from 'openai';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, type TestUser } from '../factories/users.js';
import { startChatApp } from './chat.js';
import { type FakeVendor, startFakeVendor, type VendorRequest } from './fake-vendor.js';
import type { TestApp } from './test-app.js';

// The app behind the fake vendor, and the real `openai` SDK pointed at its /v1.
export interface CompatHarness {
  vendor: FakeVendor;
  t: TestApp;
  // SDK retries off, so error tests see the first answer.
  client(apiKey: string): OpenAI;
  createKey(user: TestUser, body?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  usageRows(userId: string): Promise<any[]>;
  lastRequest(model: string): VendorRequest | undefined;
  close(): Promise<void>;
}

export async function startCompatHarness(): Promise<CompatHarness> {
  const vendor = await startFakeVendor();
  const t = await startChatApp(vendor);
  return {
    vendor,
    t,
    client: (apiKey) => new OpenAI({ apiKey, baseURL: `${t.url}/v1`, maxRetries: 0 }),
    createKey: async (user, body = { name: 'sdk' }) =>
      (await request(t.url).post('/api/v1/api-keys').set(bearer(user.accessToken)).send(body).expect(201)).body as { id: string; key: string },
    usageRows: (userId) => t.app.get(DataSource).query<any[]>('SELECT * FROM usage_records WHERE user_id = $1 ORDER BY created_at, id', [userId]),
    lastRequest: (model) => vendor.requests.filter((r) => r.model === model).at(-1),
    close: async () => {
      await t.close();
      await vendor.close();
    },
  };
}
