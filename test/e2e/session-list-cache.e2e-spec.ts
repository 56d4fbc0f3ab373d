import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { createTestStorage, type TestApp } from '../support/test-app.js';

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

interface ListedBody {
  data: { id: string; title: string | null; pinned: boolean; role: string }[];
  nextCursor: string | null;
}

// GET /sessions keeps serialized pages; these check that no write, on this instance or another,
// is ever answered with a page from before it, and the ETag / If-None-Match contract.
describe('session list: kept pages and ETags', () => {
  let vendor: FakeVendor;
  let storage: Awaited<ReturnType<typeof createTestStorage>>;
  let t: TestApp;
  let alice: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    storage = await createTestStorage();
    t = await startChatApp(vendor, {}, storage);
    alice = await registerUser(t);
  });
  after(async () => {
    vendor.release();
    await t.close({ keepStorage: true });
    await storage.drop();
    await vendor.close();
  });

  const list = async (app: TestApp, token: string, query = '') => {
    const res = await request(app.url).get(`/api/v1/sessions${query}`).set(bearer(token)).expect(200);
    return { body: res.body as ListedBody, etag: res.headers.etag };
  };
  const titles = (body: ListedBody) => body.data.map((s) => s.title);

  it('answers a page with a private, revalidated weak ETag, and 304 while nothing changed', async () => {
    const dana = await registerUser(t);
    await createSession(t, dana.accessToken, { title: 'one' });
    const first = await request(t.url).get('/api/v1/sessions').set(bearer(dana.accessToken)).expect(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]{8}-[0-9a-f-]{36}-\d+"$/);
    const again = await request(t.url).get('/api/v1/sessions').set(bearer(dana.accessToken)).set('if-none-match', first.headers.etag).expect(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    // Another query is another representation: same version, its own body.
    const archived = await list(t, dana.accessToken, '?archived=true');
    expect(archived.body.data).toEqual([]);

    await createSession(t, dana.accessToken, { title: 'two' });
    const changed = await request(t.url).get('/api/v1/sessions').set(bearer(dana.accessToken)).set('if-none-match', first.headers.etag).expect(200);
    expect(titles(changed.body)).toEqual(['two', 'one']);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  it('never answers one user with an ETag match made for another', async () => {
    const erin = await registerUser(t);
    const frank = await registerUser(t);
    const e = await list(t, erin.accessToken);
    const f = await list(t, frank.accessToken);
    expect(e.etag).not.toBe(f.etag);
    await request(t.url).get('/api/v1/sessions').set(bearer(frank.accessToken)).set('if-none-match', e.etag).expect(200);
  });

  it('shows every change to the list at once: create, rename, pin, archive, delete, a new message', async () => {
    const a = await createSession(t, alice.accessToken, { title: 'a' });
    const b = await createSession(t, alice.accessToken, { title: 'b' });
    expect(titles((await list(t, alice.accessToken)).body)).toEqual(['b', 'a']);
    // Read twice, so the page is kept before each change.
    await list(t, alice.accessToken);

    await request(t.url).patch(`/api/v1/sessions/${a.id}`).set(bearer(alice.accessToken)).send({ title: 'a2', pinned: true }).expect(200);
    const renamed = (await list(t, alice.accessToken)).body;
    expect(titles(renamed)).toEqual(['b', 'a2']);
    expect(renamed.data[1].pinned).toBe(true);

    vendor.script('list-cache', { tokens: ['hi'] });
    await request(t.url).patch(`/api/v1/sessions/${a.id}`).set(bearer(alice.accessToken)).send({ settings: { model: 'list-cache' } }).expect(200);
    await list(t, alice.accessToken);
    const sent = await request(t.url).post(`/api/v1/sessions/${a.id}/messages`).set(bearer(alice.accessToken)).send({ content: 'hello' }).expect(202);
    expect(titles((await list(t, alice.accessToken)).body)).toEqual(['a2', 'b']);
    await waitForMessage(t, alice.accessToken, sent.body.assistantMessage.id, (m) => m.status === 'completed');

    await request(t.url).patch(`/api/v1/sessions/${b.id}`).set(bearer(alice.accessToken)).send({ archived: true }).expect(200);
    expect(titles((await list(t, alice.accessToken)).body)).toEqual(['a2']);
    expect(titles((await list(t, alice.accessToken, '?archived=true')).body)).toEqual(['b']);

    await request(t.url).delete(`/api/v1/sessions/${b.id}`).set(bearer(alice.accessToken)).expect(204);
    expect((await list(t, alice.accessToken, '?archived=true')).body.data).toEqual([]);
  });

  it('shows a membership on the member\'s list as soon as it is added or removed', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const group = await createSession(t, owner.accessToken, { title: 'group' });
    expect((await list(t, member.accessToken)).body.data).toEqual([]);
    await list(t, member.accessToken);
    await request(t.url).post(`/api/v1/sessions/${group.id}/members`).set(bearer(owner.accessToken)).send({ email: member.email }).expect(201);
    expect((await list(t, member.accessToken)).body.data.map((s) => [s.title, s.role])).toEqual([['group', 'member']]);
    // The owner's change shows on the member's list too.
    await request(t.url).patch(`/api/v1/sessions/${group.id}`).set(bearer(owner.accessToken)).send({ title: 'renamed' }).expect(200);
    expect(titles((await list(t, member.accessToken)).body)).toEqual(['renamed']);
    await request(t.url).delete(`/api/v1/sessions/${group.id}/members/${member.id}`).set(bearer(owner.accessToken)).expect(204);
    expect((await list(t, member.accessToken)).body.data).toEqual([]);
  });

  it('reads afresh with Cache-Control: no-cache, with the same bytes and ETag', async () => {
    const kept = await request(t.url).get('/api/v1/sessions').set(bearer(alice.accessToken)).expect(200);
    const fresh = await request(t.url).get('/api/v1/sessions').set(bearer(alice.accessToken)).set('cache-control', 'no-cache').expect(200);
    expect(fresh.text).toBe(kept.text);
    expect(fresh.headers.etag).toBe(kept.headers.etag);
  });

  it('never answers from a page another instance made stale', { skip: !clustered && 'needs PostgreSQL and Redis' }, async () => {
    const other = await startChatApp(vendor, {}, storage);
    try {
      const s = await createSession(t, alice.accessToken, { title: 'seen on both' });
      // Both instances keep the current page...
      expect(titles((await list(t, alice.accessToken)).body)).toContain('seen on both');
      expect(titles((await list(other, alice.accessToken)).body)).toContain('seen on both');
      // ...then each writes, and the other's next answer shows it.
      await request(other.url).patch(`/api/v1/sessions/${s.id}`).set(bearer(alice.accessToken)).send({ title: 'renamed on B' }).expect(200);
      expect(titles((await list(t, alice.accessToken)).body)).toContain('renamed on B');
      await request(t.url).delete(`/api/v1/sessions/${s.id}`).set(bearer(alice.accessToken)).expect(204);
      expect(titles((await list(other, alice.accessToken)).body)).not.toContain('renamed on B');
    } finally {
      await other.close({ keepStorage: true });
    }
  });
});
