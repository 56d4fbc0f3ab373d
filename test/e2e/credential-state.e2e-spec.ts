import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { PubSub } from '../../src/state/pub-sub.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createTestStorage, startTestApp, type TestApp } from '../support/test-app.js';
import { connectWs } from '../support/ws-client.js';

// Two instances on one PostgreSQL and Redis. Each keeps credential checks in memory (here for a
// minute, longer than the test), so only the pub/sub invalidation can make b see a's changes.
const shared = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);

describe('credential state across instances', { skip: !shared }, () => {
  let a: TestApp;
  let b: TestApp;
  let admin: TestUser;
  const storage = shared ? createTestStorage() : undefined;

  before(async () => {
    const env = { AUTH_STATE_CACHE_MS: '60000' };
    a = await startTestApp(env, await storage);
    b = await startTestApp(env, await storage);
    admin = await registerUser(a);
  });
  after(async () => {
    await b?.close({ keepStorage: true });
    await a?.close();
  });

  // Resolves once b has received the next invalidation: b's own handler subscribed first on the
  // same connection, so it has run by then.
  const nextInvalidationOnB = async (): Promise<void> => {
    let unsubscribe: (() => Promise<void>) | undefined;
    await new Promise<void>((resolve) => {
      void b.app
        .get(PubSub)
        .subscribe('auth:invalidate', () => resolve())
        .then((u) => (unsubscribe = u));
    });
    await unsubscribe?.();
  };

  it('a logout on one instance stops the token on the other', async () => {
    const user = await registerUser(a);
    await request(b.url).get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    const delivered = nextInvalidationOnB();
    await request(a.url).post('/api/v1/auth/logout').set(bearer(user.accessToken)).expect(204);
    await delivered;
    await request(b.url).get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(401);
  });

  // Pings are 30 s apart here: only the invalidation can close the socket in time.
  it('a logout on one instance closes the token\'s sockets on the other', async () => {
    const user = await registerUser(a);
    const ws = await connectWs(b.url, `?access_token=${user.accessToken}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    await request(a.url).post('/api/v1/auth/logout').set(bearer(user.accessToken)).expect(204);
    const timeout = new Promise<never>((_ok, fail) => setTimeout(() => fail(new Error('still open')), 5000));
    expect(await Promise.race([ws.closed, timeout])).toEqual({ code: 4401, reason: 'Credentials revoked' });
  });

  it('a role change on one instance applies on the other', async () => {
    const user = await registerUser(a);
    await request(b.url).get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(403);
    const delivered = nextInvalidationOnB();
    await request(a.url).patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' }).expect(200);
    await delivered;
    await request(b.url).get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(200);
  });

  it('revoking or deactivating on one instance stops API keys on the other', async () => {
    const user = await registerUser(a);
    const create = (name: string) => request(a.url).post('/api/v1/api-keys').set(bearer(user.accessToken)).send({ name }).expect(201);
    const [first, second] = [(await create('one')).body, (await create('two')).body] as { id: string; key: string }[];
    await request(b.url).get('/api/v1/auth/me').set('x-api-key', first.key).expect(200);
    await request(b.url).get('/api/v1/auth/me').set('x-api-key', second.key).expect(200);

    let delivered = nextInvalidationOnB();
    await request(a.url).delete(`/api/v1/api-keys/${first.id}`).set(bearer(user.accessToken)).expect(204);
    await delivered;
    await request(b.url).get('/api/v1/auth/me').set('x-api-key', first.key).expect(401);
    await request(b.url).get('/api/v1/auth/me').set('x-api-key', second.key).expect(200);

    delivered = nextInvalidationOnB();
    await request(a.url).patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ active: false }).expect(200);
    await delivered;
    await request(b.url).get('/api/v1/auth/me').set('x-api-key', second.key).expect(401);
  });
});
