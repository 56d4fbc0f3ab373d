import { get, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { startChatApp } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

describe('bulk export under a slow or vanishing client', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let dave: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { IMPORT_MAX_BYTES: String(4 * 1024 * 1024) });
    dave = await registerUser(t);
    // 40 sessions of ~200 kB: far more than a socket buffer holds.
    for (let batch = 0; batch < 4; batch++) {
      const sessions = Array.from({ length: 10 }, (_, i) => ({ name: `S${batch}-${i}`, messages: [{ role: 'user', content: `${batch}-${i} `.repeat(40_000) }] }));
      await request(t.url).post('/api/v1/sessions/import').set(bearer(dave.accessToken)).send({ sessions }).expect(201);
    }
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const open = () =>
    new Promise<IncomingMessage>((resolve, reject) => {
      get(`${t.url}/api/v1/sessions/export`, { headers: bearer(dave.accessToken) }, resolve).on('error', reject);
    });

  it('waits for a slow reader and still sends the whole document', async () => {
    const res = await open();
    expect(res.statusCode).toBe(200);
    res.pause();
    await new Promise((r) => setTimeout(r, 500));
    let body = '';
    res.setEncoding('utf8');
    for await (const chunk of res) body += chunk as string;
    const doc = JSON.parse(body);
    expect(doc.sessions).toHaveLength(40);
    expect(body.length).toBeGreaterThan(40 * 200_000);
  });

  it('stops when the client goes away, and keeps serving', async () => {
    const res = await open();
    await new Promise((resolve) => res.once('data', resolve));
    res.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await request(t.url).get('/api/v1/sessions/export').set(bearer(dave.accessToken)).buffer(true).parse(text).expect(200);
    expect(JSON.parse(again.body).sessions).toHaveLength(40);
  });
});

// Collects a body as text, whatever its content type.
function text(response: any, done: (err: Error | null, body: string) => void): void {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (c: string) => (body += c));
  response.on('end', () => done(null, body));
}
