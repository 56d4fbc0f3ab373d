import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
let user: TestUser;

before(async () => {
  t = await startTestApp();
  admin = await registerUser(t);
  user = await registerUser(t);
});
after(() => t.close());

const api = () => request(t.url);

async function createKey(owner: TestUser, body: Record<string, unknown> = { name: 'ci' }) {
  const res = await api().post('/api/v1/api-keys').set(bearer(owner.accessToken)).send(body).expect(201);
  return res.body as { id: string; key: string; prefix: string; scopes: string[] };
}

describe('API keys', () => {
  it('creates a key whose secret is shown once, with the cbx_ prefix', async () => {
    const res = await api().post('/api/v1/api-keys').set(bearer(user.accessToken)).send({ name: 'my script' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'my script',
      key: expect.stringMatching(/^cbx_[A-Za-z0-9_-]{43}$/),
      prefix: res.body.key.slice(0, 12),
      scopes: ['read', 'write'],
      expiresAt: null,
      lastUsedAt: null,
      createdAt: expect.any(String),
    });
    const list = await api().get('/api/v1/api-keys').set(bearer(user.accessToken)).expect(200);
    const listed = list.body.data.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toMatchObject({ name: 'my script', prefix: res.body.prefix });
    expect(JSON.stringify(list.body)).not.toContain(res.body.key);
    expect(listed.key).toBeUndefined();
  });

  it('authenticates as Bearer or X-API-Key with the same permissions, and records last use', async () => {
    const { key, id } = await createKey(user);
    const viaBearer = await api().get('/api/v1/auth/me').set(bearer(key)).expect(200);
    const viaHeader = await api().get('/api/v1/auth/me').set('x-api-key', key).expect(200);
    expect(viaBearer.body).toEqual(viaHeader.body);
    expect(viaBearer.body.id).toBe(user.id);
    const list = await api().get('/api/v1/api-keys').set('x-api-key', key).expect(200);
    expect(list.body.data.find((k: { id: string }) => k.id === id).lastUsedAt).toEqual(expect.any(String));
  });

  it('revocation takes effect at once', async () => {
    const { key, id } = await createKey(user);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(200);
    await api().delete(`/api/v1/api-keys/${id}`).set(bearer(user.accessToken)).expect(204);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(401);
    await api().get('/api/v1/auth/me').set(bearer(key)).expect(401);
    const list = await api().get('/api/v1/api-keys').set(bearer(user.accessToken)).expect(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(id);
  });

  it("another user's key is a 404, and stays alive", async () => {
    const { key, id } = await createKey(admin);
    await api().delete(`/api/v1/api-keys/${id}`).set(bearer(user.accessToken)).expect(404);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(200);
  });

  it('limits a read-only key to safe methods', async () => {
    const { key } = await createKey(user, { name: 'reader', scopes: ['read'] });
    await api().get('/api/v1/api-keys').set('x-api-key', key).expect(200);
    const res = await api().post('/api/v1/api-keys').set('x-api-key', key).send({ name: 'x' }).expect(403);
    expect(res.body.detail).toBe('This API key lacks the "write" scope');
  });

  it('refuses the admin scope to plain users, and admin routes to keys without it', async () => {
    await api().post('/api/v1/api-keys').set(bearer(user.accessToken)).send({ name: 'x', scopes: ['admin'] }).expect(403);
    const plain = await createKey(admin, { name: 'no admin scope' });
    await api().get('/api/v1/admin/users').set('x-api-key', plain.key).expect(403);
    const full = await createKey(admin, { name: 'admin', scopes: ['read', 'write', 'admin'] });
    await api().get('/api/v1/admin/users').set('x-api-key', full.key).expect(200);
  });

  it('validates name, scopes and expiry; an expired key stops working', async () => {
    const bad = await api()
      .post('/api/v1/api-keys')
      .set(bearer(user.accessToken))
      .send({ name: '', scopes: ['root'], expiresAt: 'tomorrow' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['expiresAt', 'name', 'scopes']);
    await api()
      .post('/api/v1/api-keys')
      .set(bearer(user.accessToken))
      .send({ name: 'past', expiresAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    const soon = await createKey(user, { name: 'soon', expiresAt: new Date(Date.now() + 1500).toISOString() });
    await api().get('/api/v1/auth/me').set('x-api-key', soon.key).expect(200);
    await new Promise((r) => setTimeout(r, 1600));
    await api().get('/api/v1/auth/me').set('x-api-key', soon.key).expect(401);
  });

  it('rejects unknown and malformed keys, and a malformed id', async () => {
    await api().get('/api/v1/auth/me').set('x-api-key', 'cbx_not-a-real-key').expect(401);
    await api().get('/api/v1/auth/me').set('x-api-key', 'something').expect(401);
    await api().delete('/api/v1/api-keys/not-a-uuid').set(bearer(user.accessToken)).expect(400);
    await api().get('/api/v1/api-keys').expect(401);
  });

  it('paginates with a cursor', async () => {
    const owner = await registerUser(t);
    for (let i = 0; i < 3; i++) await createKey(owner, { name: `k${i}` });
    const first = await api().get('/api/v1/api-keys?limit=2').set(bearer(owner.accessToken)).expect(200);
    expect(first.body.data.map((k: { name: string }) => k.name)).toEqual(['k2', 'k1']);
    const second = await api()
      .get(`/api/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`)
      .set(bearer(owner.accessToken))
      .expect(200);
    expect(second.body).toMatchObject({ data: [{ name: 'k0' }], nextCursor: null });
    await api().get('/api/v1/api-keys?limit=1000').set(bearer(owner.accessToken)).expect(400);
    await api().get('/api/v1/api-keys?cursor=garbage').set(bearer(owner.accessToken)).expect(400);
  });
});
