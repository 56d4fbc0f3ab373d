import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

const REPLY = DEFAULT_TOKENS.join('');

describe('share links', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t, { name: 'Alice Example' });
    bob = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const say = async (sessionId: string, content: string) => {
    const res = await request(t.url).post(`/api/v1/sessions/${sessionId}/messages`).set(bearer(alice.accessToken)).send({ content }).expect(202);
    await waitForMessage(t, alice.accessToken, res.body.assistantMessage.id);
    return res.body;
  };
  const share = async (sessionId: string, body: object = {}) =>
    (await request(t.url).post(`/api/v1/sessions/${sessionId}/share`).set(bearer(alice.accessToken)).send(body).expect(201)).body;
  const view = (token: string) => request(t.url).get(`/api/v1/shared/${token}`);

  it('needs the owner for creating, listing and revoking', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Owned' });
    await request(t.url).post(`/api/v1/sessions/${session.id}/share`).send({}).expect(401);
    await request(t.url).get(`/api/v1/sessions/${session.id}/share`).expect(401);
    await request(t.url).delete(`/api/v1/sessions/${session.id}/share`).expect(401);
    await request(t.url).post(`/api/v1/sessions/${session.id}/share`).set(bearer(bob.accessToken)).send({}).expect(404);
    await request(t.url).post(`/api/v1/sessions/${session.id}/share`).set(bearer(alice.accessToken)).send({ mode: null }).expect(400);
    await request(t.url).get(`/api/v1/sessions/${session.id}/share`).set(bearer(bob.accessToken)).expect(404);
    const link = await share(session.id);
    await request(t.url).delete(`/api/v1/sessions/${session.id}/share`).set(bearer(bob.accessToken)).expect(404);
    await request(t.url).delete(`/api/v1/sessions/${session.id}/share/${link.id}`).set(bearer(bob.accessToken)).expect(404);
    await view(link.token).expect(200);
    // A group member reads the session but does not manage its links.
    await request(t.url).post(`/api/v1/sessions/${session.id}/members`).set(bearer(alice.accessToken)).send({ email: bob.email }).expect(201);
    await request(t.url).post(`/api/v1/sessions/${session.id}/share`).set(bearer(bob.accessToken)).send({}).expect(403);
    await request(t.url).delete(`/api/v1/sessions/${session.id}/share/${link.id}`).set(bearer(bob.accessToken)).expect(403);
    await view(link.token).expect(200);
    const bad = await request(t.url).post(`/api/v1/sessions/${session.id}/share`).set(bearer(alice.accessToken)).send({ mode: 'forever' }).expect(400);
    expect(bad.body.errors[0].field).toBe('mode');
  });

  it('shows a snapshot without later messages, and a live link with them, to anyone', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Shared chat' });
    const first = await say(session.id, 'first question');
    const snapshot = await share(session.id);
    expect(snapshot).toMatchObject({ mode: 'snapshot', snapshotAt: expect.any(String), createdAt: expect.any(String) });
    expect(snapshot.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(snapshot.url).toBe(`http://localhost:3000/api/v1/shared/${snapshot.token}`);
    const live = await share(session.id, { mode: 'live' });
    expect(live).toMatchObject({ mode: 'live', snapshotAt: null });

    await say(session.id, 'second question');

    const snap = await view(snapshot.token).expect(200);
    expect(snap.body).toEqual({
      title: 'Shared chat',
      mode: 'snapshot',
      messages: [
        { id: first.userMessage.id, role: 'user', contentParts: [{ type: 'text', text: 'first question' }], content: 'first question', createdAt: expect.any(String), model: null },
        { id: first.assistantMessage.id, role: 'assistant', contentParts: [{ type: 'text', text: REPLY }], content: REPLY, createdAt: expect.any(String), model: 'fake-large' },
      ],
    });
    const now = await view(live.token).expect(200);
    expect(now.body.messages.map((m: any) => m.content)).toEqual(['first question', REPLY, 'second question', REPLY]);

    // Editing the first question makes another branch current: the live link follows, the snapshot does not.
    const edit = await request(t.url).patch(`/api/v1/messages/${first.userMessage.id}`).set(bearer(alice.accessToken)).send({ content: 'rephrased' }).expect(202);
    await waitForMessage(t, alice.accessToken, edit.body.assistantMessage.id);
    expect((await view(live.token).expect(200)).body.messages.map((m: any) => m.content)).toEqual(['rephrased', REPLY]);
    expect((await view(snapshot.token).expect(200)).body.messages.map((m: any) => m.content)).toEqual(['first question', REPLY]);
  });

  it("never exposes the owner's id or email", async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Privacy' });
    await say(session.id, `my name is Alice Example`);
    for (const mode of ['snapshot', 'live']) {
      const link = await share(session.id, { mode });
      const res = await view(link.token).expect(200);
      expect(res.text).not.toContain(alice.id);
      expect(res.text).not.toContain(alice.email);
      expect(res.text).not.toContain(session.id);
      expect(Object.keys(res.body).sort()).toEqual(['messages', 'mode', 'title']);
      for (const m of res.body.messages) expect(Object.keys(m).sort()).toEqual(['content', 'contentParts', 'createdAt', 'id', 'model', 'role']);
    }
  });

  it('lists active links without tokens, and a revoked link is gone', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Revocable' });
    await say(session.id, 'hello');
    const a = await share(session.id);
    const b = await share(session.id, { mode: 'live' });
    const listed = await request(t.url).get(`/api/v1/sessions/${session.id}/share`).set(bearer(alice.accessToken)).expect(200);
    expect(listed.body.data.map((s: any) => s.id)).toEqual([b.id, a.id]);
    expect(JSON.stringify(listed.body)).not.toContain(a.token);
    expect(listed.body.data[0]).not.toHaveProperty('token');

    await request(t.url).delete(`/api/v1/sessions/${session.id}/share/${a.id}`).set(bearer(alice.accessToken)).expect(204);
    expect((await view(a.token).expect(404)).body.code).toBe('NOT_FOUND');
    await view(b.token).expect(200);
    await request(t.url).delete(`/api/v1/sessions/${session.id}/share/${a.id}`).set(bearer(alice.accessToken)).expect(404);
    const remaining = await request(t.url).get(`/api/v1/sessions/${session.id}/share`).set(bearer(alice.accessToken)).expect(200);
    expect(remaining.body.data.map((s: any) => s.id)).toEqual([b.id]);

    await request(t.url).delete(`/api/v1/sessions/${session.id}/share`).set(bearer(alice.accessToken)).expect(204);
    await view(b.token).expect(404);
  });

  it('answers 404 for unknown or malformed tokens and for deleted conversations', async () => {
    await view('x'.repeat(43)).expect(404);
    await view('short').expect(404);
    await view(`${'a'.repeat(42)}%2F`).expect(404);
    const session = await createSession(t, alice.accessToken, { title: 'Doomed' });
    const link = await share(session.id, { mode: 'live' });
    await view(link.token).expect(200);
    await request(t.url).delete(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(204);
    await view(link.token).expect(404);
  });
});

describe('share links: rate limit', () => {
  let vendor: FakeVendor;
  let t: TestApp;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { RATE_LIMIT_MAX: '3' });
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  it('limits anonymous readers per IP', async () => {
    const token = 'z'.repeat(43);
    for (let i = 0; i < 3; i++) await request(t.url).get(`/api/v1/shared/${token}`).expect(404);
    const limited = await request(t.url).get(`/api/v1/shared/${token}`).expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
