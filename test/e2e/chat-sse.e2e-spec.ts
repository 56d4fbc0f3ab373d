import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, until, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { isFinal, openSse, type SseEvent } from '../support/sse-client.js';
import type { TestApp } from '../support/test-app.js';

const deltas = (events: SseEvent[]) => events.filter((e) => e.event === 'message.delta');
const textOf = (events: SseEvent[]) => deltas(events).map((e) => e.data.delta as string).join('');

describe('chat over Server-Sent Events', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { STREAM_HEARTBEAT_MS: '100' });
    alice = await registerUser(t);
  });
  after(async () => {
    vendor.release();
    await t.close();
    await vendor.close();
  });

  const post = (sessionId: string, content: string) =>
    openSse(`${t.url}/api/v1/sessions/${sessionId}/messages`, { method: 'POST', headers: bearer(alice.accessToken), body: { content } });

  it('streams the reply on the POST response: created, deltas in seq order, completed; the streamed text is what is saved', async () => {
    vendor.script('sse-a', { tokens: ['The', ' quick', ' brown', ' fox'], delayMs: 5 });
    const session = await createSession(t, alice.accessToken, { title: 'SSE', settings: { model: 'sse-a' } });
    const sse = await post(session.id, 'hello');
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toContain('text/event-stream');
    expect(sse.headers['x-request-id']).toBeTruthy();
    const events = await sse.waitFor((es) => es.some(isFinal));
    await sse.ended;

    expect(events[0].event).toBe('message.created');
    const { userMessage, assistantMessage } = events[0].data;
    expect(userMessage.content).toBe('hello');
    expect(assistantMessage.status).toBe('streaming');

    const stream = events.slice(1);
    expect(stream.map((e) => Number(e.id))).toEqual(stream.map((_e, i) => i + 1));
    for (const e of stream) expect(e.data.seq).toBe(Number(e.id));
    const final = stream.at(-1)!;
    expect(final.event).toBe('message.completed');
    expect(final.data.message).toMatchObject({ id: assistantMessage.id, status: 'completed', content: 'The quick brown fox' });
    expect(textOf(stream)).toBe('The quick brown fox');

    const saved = await waitForMessage(t, alice.accessToken, assistantMessage.id);
    expect(saved.content).toBe(textOf(stream));
  });

  it('resumes after a drop with Last-Event-ID: nothing lost, nothing repeated', async () => {
    vendor.script('sse-resume', { tokens: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'], pauseAfter: 3 });
    const session = await createSession(t, alice.accessToken, { title: 'Resume', settings: { model: 'sse-resume' } });
    const first = await post(session.id, 'go');
    await first.waitFor((es) => textOf(es) === 'a1b2c3');
    const messageId = first.events[0].data.assistantMessage.id as string;
    const lastId = deltas(first.events).at(-1)!.id!;
    first.close();
    await first.ended;

    const second = await openSse(`${t.url}/api/v1/messages/${messageId}/stream`, {
      headers: { ...bearer(alice.accessToken), 'last-event-id': lastId },
    });
    expect(second.status).toBe(200);
    vendor.release();
    const rest = await second.waitFor((es) => es.some(isFinal));
    expect(Number(rest[0].id)).toBe(Number(lastId) + 1);
    expect(textOf(first.events) + textOf(rest)).toBe('a1b2c3d4e5f6');
    expect(rest.at(-1)!.data.message.content).toBe('a1b2c3d4e5f6');
    // A reader from the start sees the same text once.
    const replay = await openSse(`${t.url}/api/v1/messages/${messageId}/stream`, { headers: bearer(alice.accessToken) });
    const all = await replay.waitFor((es) => es.some(isFinal));
    expect(all).toHaveLength(1); // finished: only the final event
    expect(all[0].data.message.content).toBe('a1b2c3d4e5f6');
  });

  it('keeps generating when the client leaves, and heartbeats keep idle streams open', async () => {
    vendor.script('sse-leave', { tokens: ['still', ' here'], pauseAfter: 1 });
    const session = await createSession(t, alice.accessToken, { title: 'Leave', settings: { model: 'sse-leave' } });
    const sse = await post(session.id, 'go');
    await sse.waitFor((es) => textOf(es) === 'still');
    const messageId = sse.events[0].data.assistantMessage.id as string;
    await until(() => sse.comments() >= 3); // ': stream open' then pings every 100 ms while paused
    sse.close();
    vendor.release();
    const done = await waitForMessage(t, alice.accessToken, messageId);
    expect(done).toMatchObject({ status: 'completed', content: 'still here' });
  });

  it('ends with message.error and partial text when the vendor fails mid-stream', async () => {
    vendor.script('sse-fail', { tokens: ['par', 'tial', 'never'], errorAfterTokens: 2, delayMs: 20 });
    const session = await createSession(t, alice.accessToken, { title: 'Fail', settings: { model: 'sse-fail' } });
    const sse = await post(session.id, 'go');
    const events = await sse.waitFor((es) => es.some(isFinal));
    const final = events.at(-1)!;
    expect(final.event).toBe('message.error');
    expect(final.data.error).toMatchObject({ status: expect.any(Number), code: expect.any(String) });
    expect(final.data.message).toMatchObject({ status: 'error', content: 'partial' });
    expect(textOf(events)).toBe('partial');
  });

  it('streams reasoning and tool calls as their own events and saves them as parts', async () => {
    vendor.script('sse-parts', {
      reasoning: ['Let me', ' think'],
      tokens: ['Answer'],
      toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }],
      finishReason: 'tool_calls',
    });
    const session = await createSession(t, alice.accessToken, { title: 'Parts', settings: { model: 'sse-parts' } });
    const sse = await post(session.id, 'go');
    const events = await sse.waitFor((es) => es.some(isFinal));
    expect(events.filter((e) => e.event === 'message.reasoning').map((e) => e.data.delta).join('')).toBe('Let me think');
    const calls = events.filter((e) => e.event === 'message.tool_call');
    expect(calls[0].data).toMatchObject({ index: 0, id: 'call_1', name: 'lookup' });
    expect(calls.map((e) => e.data.argumentsDelta).join('')).toBe('{"q":"x"}');
    expect(events.at(-1)!.data.message).toMatchObject({
      finishReason: 'tool_calls',
      contentParts: [
        { type: 'reasoning', text: 'Let me think' },
        { type: 'text', text: 'Answer' },
        { type: 'tool-call', toolCallId: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
      ],
    });
  });

  it('ends a resume from past the last seq with the final event, not an open stream', async () => {
    vendor.script('sse-past', { tokens: ['x', 'y'], pauseAfter: 1 });
    const session = await createSession(t, alice.accessToken, { title: 'Past', settings: { model: 'sse-past' } });
    const first = await post(session.id, 'go');
    await first.waitFor((es) => textOf(es) === 'x');
    const messageId = first.events[0].data.assistantMessage.id as string;
    const past = await openSse(`${t.url}/api/v1/messages/${messageId}/stream`, {
      headers: { ...bearer(alice.accessToken), 'last-event-id': '999999999' },
    });
    expect(past.status).toBe(200);
    vendor.release();
    const events = await past.waitFor((es) => es.some(isFinal));
    await past.ended;
    expect(events.map((e) => e.event)).toEqual(['message.completed']);
    expect(events[0].data.message.content).toBe('xy');
    await first.ended;
    // Beyond any seq a client can have seen: refused, not passed on to the log.
    await request(t.url).get(`/api/v1/messages/${messageId}/stream?lastEventId=1000000000`).set(bearer(alice.accessToken)).expect(400);
  });

  it('ends the streams of replies in a deleted session, and aborts their upstream requests', async () => {
    vendor.script('sse-gone', { tokens: ['before', ' after'], pauseAfter: 1 });
    const session = await createSession(t, alice.accessToken, { title: 'Gone', settings: { model: 'sse-gone' } });
    const abortedBefore = vendor.aborted;
    const sse = await post(session.id, 'go');
    await sse.waitFor((es) => textOf(es) === 'before');
    await request(t.url).delete(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(204);
    const events = await sse.waitFor((es) => es.some(isFinal), 3_000);
    await sse.ended;
    expect(events.at(-1)).toMatchObject({ event: 'message.error', data: { error: { status: 410, code: 'MESSAGE_DELETED' } } });
    await until(() => vendor.aborted > abortedBefore);
    vendor.release();
    const messageId = events[0].data.assistantMessage.id as string;
    await request(t.url).get(`/api/v1/messages/${messageId}`).set(bearer(alice.accessToken)).expect(404);
  });

  it('answers problems, not streams, for bad requests', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Bad' });
    const bad = await post(session.id, '');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const missing = await openSse(`${t.url}/api/v1/messages/0190c3f0-0000-7000-8000-000000000000/stream`, { headers: bearer(alice.accessToken) });
    expect(missing.status).toBe(404);
    const anonymous = await openSse(`${t.url}/api/v1/messages/0190c3f0-0000-7000-8000-000000000000/stream`);
    expect(anonymous.status).toBe(401);
    await request(t.url)
      .get(`/api/v1/messages/0190c3f0-0000-7000-8000-000000000000/stream`)
      .set(bearer(alice.accessToken))
      .set('last-event-id', 'abc')
      .expect(400);
  });
});
