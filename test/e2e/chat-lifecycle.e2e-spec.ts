import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, login, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { isFinal, openSse } from '../support/sse-client.js';
import { createTestStorage } from '../support/test-app.js';
import { GenerationService } from '../../src/messages/generation/generation.service.js';
import { INTERRUPTED_ERROR } from '../../src/messages/generation/generation-run.js';
import { MessagesRepository } from '../../src/messages/messages.repository.js';

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

// Replies whose instance goes away end `interrupted`, never stuck in `streaming`.
describe('chat: replies outlive their instance', () => {
  let vendor: FakeVendor;
  let storage: Awaited<ReturnType<typeof createTestStorage>>;

  before(async () => {
    vendor = await startFakeVendor();
    storage = await createTestStorage();
  });
  after(async () => {
    vendor.release();
    await vendor.close();
    await storage.drop();
  });

  it('ends a reply as interrupted, keeping its text, when its instance shuts down; a new instance serves it', async () => {
    vendor.script('life-a', { tokens: ['kept', ' text', ' lost'], pauseAfter: 2 });
    const first = await startChatApp(vendor, {}, storage);
    const alice = await registerUser(first);
    const session = await createSession(first, alice.accessToken, { title: 'Shutdown', settings: { model: 'life-a' } });
    const sent = await request(first.url)
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set(bearer(alice.accessToken))
      .send({ content: 'go' })
      .expect(202);
    const id = sent.body.assistantMessage.id as string;
    await waitForMessage(first, alice.accessToken, id, (m) => m.content === 'kept text');
    const sse = await openSse(`${first.url}/api/v1/messages/${id}/stream`, { headers: bearer(alice.accessToken) });
    await first.close({ keepStorage: true });
    // Readers hear the end before the instance goes.
    const events = await sse.waitFor((es) => es.some(isFinal));
    expect(events.at(-1)).toMatchObject({ event: 'message.error', data: { error: { code: 'GENERATION_INTERRUPTED' } } });

    const second = await startChatApp(vendor, {}, storage);
    try {
      const { accessToken } = await login(second, alice.email, alice.password);
      const message = await request(second.url).get(`/api/v1/messages/${id}`).set(bearer(accessToken)).expect(200);
      expect(message.body).toMatchObject({ status: 'interrupted', content: 'kept text', error: { code: 'GENERATION_INTERRUPTED' } });
    } finally {
      await second.close({ keepStorage: true });
    }
  });

  it('answers an Idempotency-Key retry over SSE with the saved final event once the stream is gone from the bus', async () => {
    vendor.script('life-retry', { tokens: ['done', ' once'] });
    const first = await startChatApp(vendor, {}, storage);
    const alice = await registerUser(first);
    const session = await createSession(first, alice.accessToken, { title: 'Retry', settings: { model: 'life-retry' } });
    const body = { content: 'go' };
    const sent = await request(first.url)
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set({ ...bearer(alice.accessToken), 'idempotency-key': 'retry-after-restart' })
      .send(body)
      .expect(202);
    const id = sent.body.assistantMessage.id as string;
    await waitForMessage(first, alice.accessToken, id);
    await first.close({ keepStorage: true });

    const second = await startChatApp(vendor, {}, storage);
    try {
      const { accessToken } = await login(second, alice.email, alice.password);
      const retry = await openSse(`${second.url}/api/v1/sessions/${session.id}/messages`, {
        method: 'POST',
        headers: { ...bearer(accessToken), 'idempotency-key': 'retry-after-restart' },
        body,
      });
      const events = await retry.waitFor((es) => es.some(isFinal), 3_000);
      await retry.ended;
      expect(events.map((e) => e.event)).toEqual(['message.created', 'message.completed']);
      expect(events[0].data.assistantMessage.id).toBe(id);
      expect(events[1].data.message).toMatchObject({ id, status: 'completed', content: 'done once' });
    } finally {
      await second.close({ keepStorage: true });
    }
  });

  it('saves the parts of replies in progress: none yet, text only, reasoning and text', async () => {
    vendor.script('life-parts-none', { tokens: ['later'], pauseAfter: 0 });
    vendor.script('life-parts-text', { tokens: ['so', ' "far"', ' more'], pauseAfter: 2 });
    vendor.script('life-parts-mixed', { reasoning: ['think', 'ing'], tokens: ['an', 'swer'], pauseAfter: 1 });
    const app = await startChatApp(vendor, {}, storage);
    try {
      const alice = await registerUser(app);
      const start = async (model: string) => {
        const session = await createSession(app, alice.accessToken, { settings: { model } });
        const sent = await request(app.url).post(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).send({ content: 'go' }).expect(202);
        return sent.body.assistantMessage.id as string;
      };
      const [none, text, mixed] = [await start('life-parts-none'), await start('life-parts-text'), await start('life-parts-mixed')];
      const savedText = await waitForMessage(app, alice.accessToken, text, (m) => m.content === 'so "far"');
      expect(savedText).toMatchObject({ status: 'streaming', contentParts: [{ type: 'text', text: 'so "far"' }] });
      const savedMixed = await waitForMessage(app, alice.accessToken, mixed, (m) => m.content === 'an');
      expect(savedMixed).toMatchObject({ status: 'streaming', contentParts: [{ type: 'reasoning', text: 'thinking' }, { type: 'text', text: 'an' }] });
      const savedNone = (await request(app.url).get(`/api/v1/messages/${none}`).set(bearer(alice.accessToken)).expect(200)).body;
      expect(savedNone).toMatchObject({ status: 'streaming', content: '', contentParts: [] });
      vendor.release();
      for (const [id, content] of [[none, 'later'], [text, 'so "far" more'], [mixed, 'answer']]) {
        expect(await waitForMessage(app, alice.accessToken, id)).toMatchObject({ status: 'completed', content });
      }
    } finally {
      await app.close({ keepStorage: true });
    }
  });

  it('saves a long reply in progress by appending, neither losing nor repeating text', async () => {
    // 100 ms between saves (startChatApp), a token every 15 ms: several saves append to the text.
    const tokens = Array.from({ length: 40 }, (_, i) => ` w${i}`);
    vendor.script('life-long', { tokens, delayMs: 15, pauseAfter: 32 });
    const app = await startChatApp(vendor, {}, storage);
    try {
      const alice = await registerUser(app);
      // Titled: no title request follows, which would stream this paused script again.
      const session = await createSession(app, alice.accessToken, { title: 'Long', settings: { model: 'life-long' } });
      const sent = await request(app.url).post(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).send({ content: 'go' }).expect(202);
      const id = sent.body.assistantMessage.id as string;
      const seen: string[] = [];
      const paused = tokens.slice(0, 32).join('');
      const saved = await waitForMessage(app, alice.accessToken, id, (m) => {
        if (seen.at(-1) !== m.content) seen.push(m.content);
        return m.content === paused;
      });
      expect(saved).toMatchObject({ status: 'streaming', contentParts: [{ type: 'text', text: paused }] });
      // Every state read on the way was a prefix of the reply: appends in order, none twice.
      for (const content of seen) expect(paused.startsWith(content)).toBe(true);
      expect(seen.filter((c) => c !== '' && c !== paused).length).toBeGreaterThan(0);
      vendor.release();
      expect(await waitForMessage(app, alice.accessToken, id)).toMatchObject({ status: 'completed', content: tokens.join('') });
    } finally {
      vendor.release();
      await app.close({ keepStorage: true });
    }
  });

  it('sweeps replies left streaming by a dead instance', async () => {
    const app = await startChatApp(vendor, { GENERATION_HEARTBEAT_INTERVAL_MS: '100', GENERATION_STALE_AFTER_MS: '500' }, storage);
    let alice: TestUser | undefined;
    try {
      alice = await registerUser(app);
      const session = await createSession(app, alice.accessToken, { title: 'Crash' });
      const sent = await request(app.url)
        .post(`/api/v1/sessions/${session.id}/messages`)
        .set(bearer(alice.accessToken))
        .send({ content: 'go' })
        .expect(202);
      const id = sent.body.assistantMessage.id as string;
      await waitForMessage(app, alice.accessToken, id);
      // What a crashed instance leaves behind: a reply still marked streaming, its heartbeat old.
      await app.app
        .get(DataSource)
        .query(`UPDATE messages SET status = 'streaming', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
      const swept = await waitForMessage(app, alice.accessToken, id, (m) => m.status !== 'streaming', 5_000);
      expect(swept).toMatchObject({ status: 'interrupted', error: { code: 'GENERATION_INTERRUPTED' } });
    } finally {
      await app.close({ keepStorage: true });
    }
  });

  it('ends the local followers of a reply that another instance swept while it still ran', { skip: !clustered && 'needs PostgreSQL and Redis' }, async () => {
    vendor.script('life-zombie', { tokens: ['z1', 'z2', 'z3'], pauseAfter: 1 });
    const a = await startChatApp(vendor, { GENERATION_HEARTBEAT_INTERVAL_MS: '100' }, storage);
    const b = await startChatApp(vendor, {}, storage);
    try {
      const alice = await registerUser(a);
      const session = await createSession(a, alice.accessToken, { title: 'Zombie', settings: { model: 'life-zombie' } });
      // The sender follows on A, the instance that generates.
      const sse = await openSse(`${a.url}/api/v1/sessions/${session.id}/messages`, { method: 'POST', headers: bearer(alice.accessToken), body: { content: 'go' } });
      await sse.waitFor((es) => es.some((e) => e.event === 'message.delta'));
      const id = sse.events[0].data.assistantMessage.id as string;
      await waitForMessage(a, alice.accessToken, id, (m) => m.content === 'z1');
      // B ends it, as its sweep does when it finds A's heartbeat old (A stalled, not dead).
      const generation = b.app.get(GenerationService);
      const [row] = await b.app.get(MessagesRepository).branchTo(id, 1);
      await generation.forceFinish(row, 'interrupted', INTERRUPTED_ERROR);
      // A goes on for a moment: its next delta takes the seq that B's final event has.
      vendor.release();
      const events = await sse.waitFor((es) => es.some(isFinal), 5_000);
      expect(events.at(-1)).toMatchObject({ event: 'message.error', data: { error: { code: 'GENERATION_INTERRUPTED' } } });
      await sse.ended;
      const saved = await waitForMessage(a, alice.accessToken, id);
      expect(saved).toMatchObject({ status: 'interrupted', content: 'z1' });
    } finally {
      vendor.release();
      await a.close({ keepStorage: true });
      await b.close({ keepStorage: true });
    }
  });

  it('lets a client on one instance resume and stop a reply another instance generates', { skip: !clustered && 'needs PostgreSQL and Redis' }, async () => {
    vendor.script('life-b', { tokens: ['b1', 'b2', 'b3', 'b4'], pauseAfter: 2 });
    const a = await startChatApp(vendor, {}, storage);
    const b = await startChatApp(vendor, {}, storage);
    try {
      const alice = await registerUser(b);
      const session = await createSession(b, alice.accessToken, { title: 'Cluster', settings: { model: 'life-b' } });
      const sent = await request(b.url)
        .post(`/api/v1/sessions/${session.id}/messages`)
        .set(bearer(alice.accessToken))
        .send({ content: 'go' })
        .expect(202);
      const id = sent.body.assistantMessage.id as string;
      await waitForMessage(b, alice.accessToken, id, (m) => m.content === 'b1b2');

      // Instance A replays what B generated so far, then follows live.
      const sse = await openSse(`${a.url}/api/v1/messages/${id}/stream`, { headers: bearer(alice.accessToken) });
      await sse.waitFor((es) => es.filter((e) => e.event === 'message.delta').map((e) => e.data.delta).join('') === 'b1b2');
      const abortedBefore = vendor.aborted;
      const stopped = await request(a.url).post(`/api/v1/messages/${id}/stop`).set(bearer(alice.accessToken)).expect(200);
      expect(stopped.body).toMatchObject({ status: 'cancelled', content: 'b1b2' });
      const events = await sse.waitFor((es) => es.some(isFinal));
      expect(events.at(-1)).toMatchObject({ event: 'message.completed', data: { message: { status: 'cancelled' } } });
      // B ran the request, so B aborted it.
      expect(vendor.aborted).toBeGreaterThan(abortedBefore);
    } finally {
      await a.close({ keepStorage: true });
      await b.close({ keepStorage: true });
    }
  });
});
