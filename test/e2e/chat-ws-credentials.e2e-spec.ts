import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BearerAuthService } from '../../src/auth/bearer-auth.service.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';
import { connectWs, type WsClient } from '../support/ws-client.js';

// A socket lives only as long as its credential: revoked, logged out or expired, it is closed
// whether it sends frames or only listens.
describe('WebSocket credentials', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  const INTERVAL = 200;

  before(async () => {
    vendor = await startFakeVendor();
    // A short cache so a change made behind the service's back is seen by the periodic re-check.
    t = await startChatApp(vendor, { WS_PING_INTERVAL_MS: String(INTERVAL), AUTH_STATE_CACHE_MS: '100' });
    alice = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const createKey = async (body: Record<string, unknown> = {}) =>
    (await request(t.url).post('/api/v1/api-keys').set(bearer(alice.accessToken)).send({ name: 'ws', ...body }).expect(201)).body as {
      id: string;
      key: string;
    };

  const ready = async (token: string): Promise<WsClient> => {
    const ws = await connectWs(t.url, `?access_token=${token}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    return ws;
  };

  const subscribed = async (ws: WsClient, sessionId: string): Promise<void> => {
    ws.send({ type: 'subscribe', id: 'sub', sessionId });
    await ws.waitFor((fs) => fs.some((f) => f.type === 'subscribed' && f.id === 'sub'));
  };

  const closedWithin = (ws: WsClient, ms: number) =>
    Promise.race([ws.closed, new Promise<never>((_ok, fail) => setTimeout(() => fail(new Error(`still open after ${ms} ms`)), ms))]);

  it('closes a socket whose API key was deleted at its next frame', async () => {
    const session = await createSession(t, alice.accessToken);
    const { id, key } = await createKey();
    const ws = await ready(key);
    await request(t.url).delete(`/api/v1/api-keys/${id}`).set(bearer(alice.accessToken)).expect(204);
    await request(t.url).get('/api/v1/auth/me').set('x-api-key', key).expect(401);
    ws.send({ type: 'subscribe', id: 'after', sessionId: session.id });
    expect(await closedWithin(ws, 2000)).toMatchObject({ code: 4401 });
    expect(ws.frames.some((f) => f.type === 'subscribed')).toBe(false);
  });

  it('closes a socket whose credential could not be checked instead of leaving it open unauthenticated', async () => {
    const auth = t.app.get(BearerAuthService);
    auth.authenticate = () => Promise.reject(new Error('store down'));
    try {
      const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
      expect(await closedWithin(ws, 2000)).toMatchObject({ code: 1011 });
      expect(ws.frames.some((f) => f.type === 'ready')).toBe(false);
    } finally {
      Reflect.deleteProperty(auth, 'authenticate');
    }
  });

  it('closes a socket that only listens within a ping interval of its logout', async () => {
    const bob = await registerUser(t);
    const session = await createSession(t, bob.accessToken);
    const ws = await ready(bob.accessToken);
    await subscribed(ws, session.id);
    await request(t.url).post('/api/v1/auth/logout').set(bearer(bob.accessToken)).expect(204);
    expect(await closedWithin(ws, INTERVAL * 2 + 100)).toMatchObject({ code: 4401 });
  });

  it('closes a listening socket whose key was revoked without an invalidation, at a periodic re-check', async () => {
    const session = await createSession(t, alice.accessToken);
    const { id, key } = await createKey();
    const ws = await ready(key);
    await subscribed(ws, session.id);
    await t.app.get(DataSource).query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
    expect(await closedWithin(ws, INTERVAL * 3 + 500)).toMatchObject({ code: 4401 });
  });
});
