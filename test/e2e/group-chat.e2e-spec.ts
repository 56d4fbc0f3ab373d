import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { isFinal, openSse } from '../support/sse-client.js';
import type { TestApp } from '../support/test-app.js';
import { connectWs, deltaText, isFinalFrame } from '../support/ws-client.js';

describe('group chat', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    [alice, bob, carol] = [await registerUser(t), await registerUser(t), await registerUser(t)];
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const api = (token: string) => ({
    get: (path: string) => request(t.url).get(`/api/v1${path}`).set(bearer(token)),
    post: (path: string, body?: object) => request(t.url).post(`/api/v1${path}`).set(bearer(token)).send(body),
    patch: (path: string, body: object) => request(t.url).patch(`/api/v1${path}`).set(bearer(token)).send(body),
    delete: (path: string) => request(t.url).delete(`/api/v1${path}`).set(bearer(token)),
  });

  it('lets the owner add members, who read, post and follow replies but do not manage the session', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Team' });
    const added = await api(alice.accessToken).post(`/sessions/${session.id}/members`, { email: bob.email.toUpperCase() }).expect(201);
    expect(added.body).toMatchObject({ userId: bob.id, email: bob.email, role: 'member' });
    const members = await api(bob.accessToken).get(`/sessions/${session.id}/members`).expect(200);
    expect(members.body.data.map((m: any) => [m.userId, m.role])).toEqual([
      [alice.id, 'owner'],
      [bob.id, 'member'],
    ]);

    const list = await api(bob.accessToken).get('/sessions').expect(200);
    expect(list.body.data.find((s: any) => s.id === session.id)).toMatchObject({ role: 'member', title: 'Team' });

    const sent = await api(bob.accessToken).post(`/sessions/${session.id}/messages`, { content: 'hi team' }).expect(202);
    expect(sent.body.userMessage.authorId).toBe(bob.id);
    expect(sent.body.assistantMessage.authorId).toBeNull();
    // The owner follows the member's reply over SSE.
    const sse = await openSse(`${t.url}/api/v1/messages/${sent.body.assistantMessage.id}/stream`, { headers: bearer(alice.accessToken) });
    const events = await sse.waitFor((es) => es.some(isFinal));
    expect(events.at(-1)!.data.message.status).toBe('completed');

    await api(bob.accessToken).patch(`/sessions/${session.id}`, { title: 'Mine now' }).expect(403);
    await api(bob.accessToken).delete(`/sessions/${session.id}`).expect(403);
    await api(bob.accessToken).post(`/sessions/${session.id}/members`, { email: carol.email }).expect(403);
    // Outsiders still see nothing.
    await api(carol.accessToken).get(`/sessions/${session.id}`).expect(404);
    await api(carol.accessToken).get(`/sessions/${session.id}/members`).expect(404);
    await api(carol.accessToken).get(`/messages/${sent.body.userMessage.id}`).expect(404);

    // Members delete what they wrote, not the owner's messages.
    const own = await api(alice.accessToken).post(`/sessions/${session.id}/messages`, { content: 'owner here' }).expect(202);
    await waitForMessage(t, alice.accessToken, own.body.assistantMessage.id);
    await api(bob.accessToken).delete(`/messages/${own.body.userMessage.id}`).expect(403);
    await api(bob.accessToken).delete(`/messages/${own.body.userMessage.id.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'))}`).expect(404);
    // Nor the owner's messages below their own: the delete would take the whole branch.
    const below = await api(bob.accessToken).delete(`/messages/${sent.body.userMessage.id}`).expect(403);
    expect(below.body.detail).toContain('Other members wrote below this message');
    await api(alice.accessToken).get(`/messages/${own.body.userMessage.id}`).expect(200);
    // Their own message with only its reply below goes.
    const last = await api(bob.accessToken).post(`/sessions/${session.id}/messages`, { content: 'bye' }).expect(202);
    await waitForMessage(t, alice.accessToken, last.body.assistantMessage.id);
    await api(bob.accessToken).delete(`/messages/${last.body.userMessage.id}`).expect(204);
    await api(alice.accessToken).get(`/messages/${last.body.assistantMessage.id}`).expect(404);
  });

  it('validates member changes', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Checks' });
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, { email: 'nobody@example.com' }).expect(404);
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, { userId: alice.id }).expect(409);
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, { email: 'not an email' }).expect(400);
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, {}).expect(400);
    await api(alice.accessToken).delete(`/sessions/${session.id}/members/${bob.id}`).expect(404);
    await api(carol.accessToken).post(`/sessions/${session.id}/members`, { email: carol.email }).expect(404);
  });

  it('pushes every reply, presence and typing to the members live, and cuts off a removed member', async () => {
    vendor.script('group-ws', { tokens: ['g1', 'g2', 'g3'], delayMs: 5 });
    const session = await createSession(t, alice.accessToken, { title: 'Live', settings: { model: 'group-ws' } });
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, { userId: bob.id }).expect(201);

    const aliceWs = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    aliceWs.send({ type: 'subscribe', id: 'a', sessionId: session.id });
    await aliceWs.waitFor((fs) => fs.some((f) => f.type === 'subscribed'));
    const bobWs = await connectWs(t.url, `?access_token=${bob.accessToken}`);
    bobWs.send({ type: 'subscribe', id: 'b', sessionId: session.id });

    // Each sees the other come online (Bob learns of Alice because his arrival asks).
    await aliceWs.waitFor((fs) => fs.some((f) => f.type === 'presence' && f.userId === bob.id && f.status === 'online'));
    await bobWs.waitFor((fs) => fs.some((f) => f.type === 'presence' && f.userId === alice.id && f.status === 'online'));

    bobWs.send({ type: 'typing', sessionId: session.id });
    await aliceWs.waitFor((fs) => fs.some((f) => f.type === 'typing' && f.userId === bob.id));
    expect(bobWs.frames.some((f) => f.type === 'typing')).toBe(false);

    bobWs.send({ type: 'message.send', sessionId: session.id, content: 'question from bob' });
    const frames = await aliceWs.waitFor((fs) => fs.some(isFinalFrame));
    const created = frames.find((f) => f.type === 'message.created');
    expect(created.userMessage).toMatchObject({ content: 'question from bob', authorId: bob.id });
    expect(deltaText(frames, created.assistantMessage.id)).toBe('g1g2g3');
    // Bob's own socket got its reply once (not echoed again through the session).
    const bobFrames = await bobWs.waitFor((fs) => fs.some(isFinalFrame));
    expect(bobFrames.filter((f) => f.type === 'message.created')).toHaveLength(1);

    await api(alice.accessToken).delete(`/sessions/${session.id}/members/${bob.id}`).expect(204);
    await bobWs.waitFor((fs) => fs.some((f) => f.type === 'unsubscribed' && f.reason === 'removed'));
    await aliceWs.waitFor((fs) => fs.some((f) => f.type === 'presence' && f.userId === bob.id && f.status === 'offline'));
    await api(bob.accessToken).get(`/sessions/${session.id}`).expect(404);
    bobWs.send({ type: 'subscribe', id: 'again', sessionId: session.id });
    const denied = await bobWs.waitFor((fs) => fs.some((f) => f.type === 'error' && f.id === 'again'));
    expect(denied.find((f) => f.id === 'again')).toMatchObject({ status: 404 });
    aliceWs.close();
    bobWs.close();
  });

  it('lets a member leave', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Leave' });
    await api(alice.accessToken).post(`/sessions/${session.id}/members`, { userId: carol.id }).expect(201);
    await api(carol.accessToken).delete(`/sessions/${session.id}/members/${alice.id}`).expect(403);
    await api(carol.accessToken).delete(`/sessions/${session.id}/members/${carol.id}`).expect(204);
    await api(carol.accessToken).get(`/sessions/${session.id}`).expect(404);
  });
});
