import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

// Replies running on an instance are bounded in all (GENERATION_MAX_ACTIVE, 503) and per user
// (GENERATION_MAX_ACTIVE_PER_USER, 429), so one account cannot take the whole instance.
describe('chat: reply capacity', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { GENERATION_MAX_ACTIVE: '3', GENERATION_MAX_ACTIVE_PER_USER: '2' });
    [alice, bob] = [await registerUser(t), await registerUser(t)];
  });
  after(async () => {
    vendor.release();
    await t.close();
    await vendor.close();
  });

  const send = (user: TestUser, sessionId: string) =>
    request(t.url).post(`/api/v1/sessions/${sessionId}/messages`).set(bearer(user.accessToken)).send({ content: 'go' });
  const messageCount = async (user: TestUser, sessionId: string) =>
    (await request(t.url).get(`/api/v1/sessions/${sessionId}/messages`).set(bearer(user.accessToken)).expect(200)).body.data.length as number;

  it('refuses a user past their share with 429, and anyone past the instance total with 503, writing nothing', async () => {
    vendor.script('cap-slow', { tokens: ['held', ' back'], pauseAfter: 1 });
    const [a1, a2, a3, b1, b2] = [
      await createSession(t, alice.accessToken, { settings: { model: 'cap-slow' } }),
      await createSession(t, alice.accessToken, { settings: { model: 'cap-slow' } }),
      await createSession(t, alice.accessToken, { settings: { model: 'cap-slow' } }),
      await createSession(t, bob.accessToken, { settings: { model: 'cap-slow' } }),
      await createSession(t, bob.accessToken, { settings: { model: 'cap-slow' } }),
    ];
    const started = async (user: TestUser, sessionId: string) => ({ user, id: (await send(user, sessionId).expect(202)).body.assistantMessage.id as string });
    const running = [await started(alice, a1.id), await started(alice, a2.id)];

    const mine = await send(alice, a3.id).expect(429);
    expect(mine.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(mine.headers['retry-after']).toBe('2');
    expect(mine.body).toMatchObject({ status: 429, code: 'TOO_MANY_REPLIES', detail: expect.stringContaining('2 replies') });
    expect(await messageCount(alice, a3.id)).toBe(0);

    running.push(await started(bob, b1.id));
    const full = await send(bob, b2.id).expect(503);
    expect(full.headers['retry-after']).toBe('2');
    expect(full.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(await messageCount(bob, b2.id)).toBe(0);

    // Finished replies give their places back.
    vendor.release();
    for (const { user, id } of running) {
      expect(await waitForMessage(t, user.accessToken, id)).toMatchObject({ status: 'completed', content: 'held back' });
    }
    vendor.script('cap-slow', { tokens: ['free', ' again'] });
    const again = (await send(alice, a3.id).expect(202)).body;
    expect(await waitForMessage(t, alice.accessToken, again.assistantMessage.id)).toMatchObject({ status: 'completed', content: 'free again' });
  });
});
