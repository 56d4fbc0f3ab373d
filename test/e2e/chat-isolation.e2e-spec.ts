import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import WebSocket from 'ws';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { openSse } from '../support/sse-client.js';
import type { TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;
const MISSING_ID = '0190c3f0-0000-7000-8000-000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ws {
  socket: WebSocket;
  frames: any[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(frame: Record<string, unknown>): Promise<void>;
  waitFor(predicate: (frames: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
  close(): void;
}

// A small WebSocket client that records every frame, and the close, from the first moment.
function openWs(baseUrl: string, query = ''): Ws {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
  const frames: any[] = [];
  const listeners = new Set<() => void>();
  let isClosed = false;
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    socket.on('close', (code, reason) => {
      isClosed = true;
      resolve({ code, reason: reason.toString(), at: Date.now() });
      listeners.forEach((l) => l());
    });
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()));
    listeners.forEach((l) => l());
  });
  return {
    socket,
    frames,
    opened,
    closed,
    send: async (frame) => {
      await opened;
      socket.send(JSON.stringify(frame));
    },
    close: () => socket.close(),
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((ok, fail) => {
        const check = () => {
          if (predicate(frames)) {
            listeners.delete(check);
            clearTimeout(timer);
            ok(frames);
          } else if (isClosed) {
            listeners.delete(check);
            clearTimeout(timer);
            fail(new Error(`socket closed first; frames: ${JSON.stringify(frames)}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`timed out; frames: ${JSON.stringify(frames)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

describe('chat isolation: another user sees and touches nothing', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let session: any;
  let first: { userMessage: any; assistantMessage: any };
  let second: { userMessage: any; assistantMessage: any };
  let bobSession: any;
  let bobWs: Ws | undefined;
  // Alice's data as she saw it before Bob's attempts.
  let snapshot: { session: any; branch: any; messages: any[] };
  let requestsBefore = 0;
  let abortedBefore = 0;

  const api = () => request(t.url);
  const aliceMessageIds = () => [first.userMessage.id, first.assistantMessage.id, second.userMessage.id, second.assistantMessage.id];

  const aliceView = async () => {
    const s = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
    const branch = await api().get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    const messages = [];
    for (const id of aliceMessageIds()) {
      messages.push((await api().get(`/api/v1/messages/${id}`).set(bearer(alice.accessToken)).expect(200)).body);
    }
    return { session: s.body, branch: branch.body, messages };
  };

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t);
    bob = await registerUser(t);

    // A title up front: no background title request reaches the vendor later.
    session = await createSession(t, alice.accessToken, {
      title: 'Alice private',
      settings: { model: 'iso-done', systemPrompt: 'Alice secret prompt' },
      folder: 'Secrets',
      tags: ['alice'],
    });
    first = (
      await api()
        .post(`/api/v1/sessions/${session.id}/messages`)
        .set(bearer(alice.accessToken))
        .set('idempotency-key', 'shared-key')
        .send({ content: 'hello from alice' })
        .expect(202)
    ).body;
    const done = await waitForMessage(t, alice.accessToken, first.assistantMessage.id);
    expect(done).toMatchObject({ status: 'completed', content: DEFAULT_TOKENS.join('') });

    // A second reply held mid-stream by the vendor.
    vendor.script('iso-slow', { tokens: ['partial', ' rest'], pauseAfter: 1 });
    await api().patch(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).send({ settings: { model: 'iso-slow' } }).expect(200);
    second = (
      await api().post(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).send({ content: 'keep going' }).expect(202)
    ).body;
    const partial = await waitForMessage(t, alice.accessToken, second.assistantMessage.id, (m) => m.content === 'partial');
    expect(partial.status).toBe('streaming');

    bobSession = await createSession(t, bob.accessToken, { title: 'Bob own' });
    snapshot = await aliceView();
    requestsBefore = vendor.requests.length;
    abortedBefore = vendor.aborted;
    expect(vendor.requests.filter((r) => r.model === 'iso-slow')).toHaveLength(1);
  });

  after(async () => {
    bobWs?.close();
    vendor.release();
    await t.close();
    await vendor.close();
  });

  it("does not list Alice's session among Bob's", async () => {
    const active = await api().get('/api/v1/sessions?limit=100').set(bearer(bob.accessToken)).expect(200);
    expect(active.body.data.map((s: any) => s.id)).toEqual([bobSession.id]);
    const archived = await api().get('/api/v1/sessions?archived=true').set(bearer(bob.accessToken)).expect(200);
    expect(archived.body.data).toEqual([]);
    for (const filter of ['?folder=Secrets', '?tag=alice']) {
      const filtered = await api().get(`/api/v1/sessions${filter}`).set(bearer(bob.accessToken)).expect(200);
      expect(filtered.body.data).toEqual([]);
    }
    // Alice does see it.
    const hers = await api().get('/api/v1/sessions').set(bearer(alice.accessToken)).expect(200);
    expect(hers.body.data.map((s: any) => s.id)).toEqual([session.id]);
  });

  it("answers 404 problem+json to Bob on every HTTP route for Alice's session and messages, same as for a missing id", async () => {
    const sid = session.id as string;
    const [u1, a1, , a2] = aliceMessageIds();
    type Call = [string, (id: string) => request.Test, string];
    const calls: Call[] = [
      ['GET /sessions/:id', (id) => api().get(`/api/v1/sessions/${id}`), sid],
      ['PATCH /sessions/:id', (id) => api().patch(`/api/v1/sessions/${id}`).send({ title: 'pwned by bob' }), sid],
      ['PATCH /sessions/:id settings', (id) => api().patch(`/api/v1/sessions/${id}`).send({ settings: { systemPrompt: null } }), sid],
      ['DELETE /sessions/:id', (id) => api().delete(`/api/v1/sessions/${id}`), sid],
      ['GET /sessions/:id/messages', (id) => api().get(`/api/v1/sessions/${id}/messages`), sid],
      ['POST /sessions/:id/messages', (id) => api().post(`/api/v1/sessions/${id}/messages`).send({ content: 'bob was here' }), sid],
      [
        'POST /sessions/:id/messages (replaying Alice\'s Idempotency-Key)',
        (id) => api().post(`/api/v1/sessions/${id}/messages`).set('idempotency-key', 'shared-key').send({ content: 'hello from alice' }),
        sid,
      ],
      [
        'POST /sessions/:id/messages (SSE)',
        (id) => api().post(`/api/v1/sessions/${id}/messages`).set('accept', 'text/event-stream').send({ content: 'bob sse' }),
        sid,
      ],
      ...aliceMessageIds().map((mid): Call => ['GET /messages/:id', (id) => api().get(`/api/v1/messages/${id}`), mid]),
      ['PATCH /messages/:id (user)', (id) => api().patch(`/api/v1/messages/${id}`).send({ content: 'edited by bob' }), u1],
      ['PATCH /messages/:id (reply)', (id) => api().patch(`/api/v1/messages/${id}`).send({ content: 'edited by bob' }), a1],
      ['POST /messages/:id/regenerate (finished)', (id) => api().post(`/api/v1/messages/${id}/regenerate`), a1],
      ['POST /messages/:id/regenerate (user message)', (id) => api().post(`/api/v1/messages/${id}/regenerate`), u1],
      ['POST /messages/:id/regenerate (streaming)', (id) => api().post(`/api/v1/messages/${id}/regenerate`), a2],
      ['POST /messages/:id/stop', (id) => api().post(`/api/v1/messages/${id}/stop`), a2],
      ['POST /messages/:id/select', (id) => api().post(`/api/v1/messages/${id}/select`), u1],
      ['POST /messages/:id/select (reply)', (id) => api().post(`/api/v1/messages/${id}/select`), a1],
      ['DELETE /messages/:id (streaming)', (id) => api().delete(`/api/v1/messages/${id}`), a2],
      ['DELETE /messages/:id (root)', (id) => api().delete(`/api/v1/messages/${id}`), u1],
      ['GET /messages/:id/stream (JSON accept)', (id) => api().get(`/api/v1/messages/${id}/stream`), a2],
    ];
    const failures: string[] = [];
    for (const [name, call, id] of calls) {
      const res = await call(id).set(bearer(bob.accessToken));
      const missing = await call(MISSING_ID).set(bearer(bob.accessToken));
      const problem = res.headers['content-type'] ?? '';
      if (res.status !== 404 || !PROBLEM.test(problem) || res.body?.code !== 'NOT_FOUND' || res.body?.status !== 404) {
        failures.push(`${name}: ${res.status} ${problem} ${JSON.stringify(res.body ?? res.text)}`);
        continue;
      }
      // Nothing tells Bob the id exists: the answer is the one for an id nobody has.
      if (missing.status !== 404 || missing.body.detail !== res.body.detail || missing.body.code !== res.body.code) {
        failures.push(`${name}: differs from a missing id (${res.body.detail} vs ${missing.status} ${missing.body.detail})`);
      }
      expect(JSON.stringify(res.body)).not.toContain('Alice');
    }
    expect(failures).toEqual([]);
  });

  it("refuses Bob's own-session requests that point at Alice's messages", async () => {
    const [, a1] = aliceMessageIds();
    // Replying under Alice's message from Bob's session.
    const graft = await api()
      .post(`/api/v1/sessions/${bobSession.id}/messages`)
      .set(bearer(bob.accessToken))
      .send({ content: 'graft', parentId: a1 })
      .expect(404);
    expect(graft.headers['content-type']).toMatch(PROBLEM);
    expect(graft.body.code).toBe('NOT_FOUND');
    // Paging Bob's branch from a cursor naming Alice's message.
    const cursor = Buffer.from(JSON.stringify({ above: a1 })).toString('base64url');
    const paged = await api().get(`/api/v1/sessions/${bobSession.id}/messages?cursor=${cursor}`).set(bearer(bob.accessToken)).expect(404);
    expect(paged.body.code).toBe('NOT_FOUND');
    const branch = await api().get(`/api/v1/sessions/${bobSession.id}/messages`).set(bearer(bob.accessToken)).expect(200);
    expect(branch.body.data).toEqual([]);
  });

  it("answers Bob's SSE request for Alice's reply with a 404 problem, not a stream", async () => {
    const a2 = second.assistantMessage.id as string;
    const conn = await openSse(`${t.url}/api/v1/messages/${a2}/stream`, { headers: bearer(bob.accessToken) });
    await conn.ended;
    expect(conn.status).toBe(404);
    expect(conn.headers['content-type']).toMatch(PROBLEM);
    expect(conn.events).toHaveLength(1);
    expect(conn.events[0]).toMatchObject({ event: 'http-error', data: { status: 404, code: 'NOT_FOUND' } });

    const resumed = await openSse(`${t.url}/api/v1/messages/${a2}/stream?lastEventId=0`, {
      headers: { ...bearer(bob.accessToken), 'last-event-id': '0' },
    });
    await resumed.ended;
    expect(resumed.status).toBe(404);
    expect(resumed.headers['content-type']).toMatch(PROBLEM);

    // The same stream for Alice is a live event stream.
    const hers = await openSse(`${t.url}/api/v1/messages/${a2}/stream`, { headers: bearer(alice.accessToken) });
    try {
      expect(hers.status).toBe(200);
      expect(hers.headers['content-type']).toMatch(/^text\/event-stream/);
      await hers.waitFor((events) => events.some((e) => e.event === 'message.delta'));
    } finally {
      hers.close();
    }
  });

  it("answers Bob's WebSocket frames about Alice's session and messages with NOT_FOUND error frames", async () => {
    const ws = openWs(t.url, `?access_token=${bob.accessToken}`);
    bobWs = ws;
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    expect(ws.frames[0]).toEqual({ type: 'ready', userId: bob.id });
    const a2 = second.assistantMessage.id as string;
    const attempts: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['subscribe', { type: 'subscribe', sessionId: session.id }, { type: 'subscribe', sessionId: MISSING_ID }],
      ['resume', { type: 'resume', messageId: a2, fromSeq: 1 }, { type: 'resume', messageId: MISSING_ID, fromSeq: 1 }],
      ['resume finished', { type: 'resume', messageId: first.assistantMessage.id, fromSeq: 1 }, { type: 'resume', messageId: MISSING_ID }],
      ['stop', { type: 'stop', messageId: a2 }, { type: 'stop', messageId: MISSING_ID }],
      [
        'message.send',
        { type: 'message.send', sessionId: session.id, content: 'bob over ws' },
        { type: 'message.send', sessionId: MISSING_ID, content: 'bob over ws' },
      ],
    ];
    for (const [name, frame, control] of attempts) {
      await ws.send({ ...frame, id: `bob-${name}` });
      await ws.send({ ...control, id: `missing-${name}` });
      const frames = await ws.waitFor((fs) => fs.some((f) => f.id === `missing-${name}`));
      const answers = frames.filter((f) => f.id === `bob-${name}`);
      expect({ name, answers }).toEqual({
        name,
        answers: [{ type: 'error', id: `bob-${name}`, code: 'NOT_FOUND', status: 404, message: expect.any(String) }],
      });
      const missing = frames.find((f) => f.id === `missing-${name}`);
      expect(missing).toMatchObject({ type: 'error', code: 'NOT_FOUND', status: 404, message: answers[0].message });
    }
    // Only errors came back: no subscription, no stream events, no created message.
    expect(ws.frames.filter((f) => f.type !== 'ready' && f.type !== 'error')).toEqual([]);
  });

  it("sent nothing upstream for Bob's attempts and left Alice's data, and her streaming reply, untouched", async () => {
    expect(vendor.requests.length).toBe(requestsBefore);
    expect(vendor.aborted).toBe(abortedBefore);
    const now = await aliceView();
    expect(now).toEqual(snapshot);
    expect(now.messages[3]).toMatchObject({ status: 'streaming', content: 'partial' });
    expect(now.session).toMatchObject({ title: 'Alice private', settings: { systemPrompt: 'Alice secret prompt', model: 'iso-slow' } });
    expect(now.branch.data.map((m: any) => m.id)).toEqual(aliceMessageIds());
  });

  it("lets Alice's reply finish, and Bob's socket hears nothing of it", async () => {
    vendor.release();
    const done = await waitForMessage(t, alice.accessToken, second.assistantMessage.id);
    expect(done).toMatchObject({ status: 'completed', content: 'partial rest', finishReason: 'stop' });
    await sleep(300);
    const ws = bobWs!;
    const leaked = ws.frames.filter((f) => f.type !== 'ready' && f.type !== 'error');
    expect(leaked).toEqual([]);
    expect(JSON.stringify(ws.frames)).not.toContain(second.assistantMessage.id);
    expect(JSON.stringify(ws.frames)).not.toContain('partial');
  });

  it('keeps Idempotency-Keys per user: Bob reusing Alice\'s key in his own session gets his own exchange', async () => {
    const res = await api()
      .post(`/api/v1/sessions/${bobSession.id}/messages`)
      .set(bearer(bob.accessToken))
      .set('idempotency-key', 'shared-key')
      .send({ content: 'hello from alice' })
      .expect(202);
    expect(res.body.userMessage.sessionId).toBe(bobSession.id);
    expect(res.body.userMessage.id).not.toBe(first.userMessage.id);
    expect(res.body.assistantMessage.id).not.toBe(first.assistantMessage.id);
    const done = await waitForMessage(t, bob.accessToken, res.body.assistantMessage.id);
    expect(done.status).toBe('completed');
    // Alice's first exchange is still only hers.
    await api().get(`/api/v1/messages/${first.userMessage.id}`).set(bearer(bob.accessToken)).expect(404);
    const hers = await api().get(`/api/v1/messages/${first.userMessage.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(hers.body.content).toBe('hello from alice');
  });
});

describe('WebSocket authentication', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let session: any;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t);
    session = await createSession(t, alice.accessToken, { title: 'Hers' });
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  it('closes a socket that never authenticates with 4401 after the auth timeout', async () => {
    const ws = openWs(t.url);
    await ws.opened;
    const openedAt = Date.now();
    const { code, at } = await ws.closed;
    expect(code).toBe(4401);
    // The gateway waits 10 s for an auth frame.
    expect(at - openedAt).toBeGreaterThanOrEqual(9_000);
    expect(at - openedAt).toBeLessThan(15_000);
    expect(ws.frames).toEqual([]);
  });

  it('closes at once with 4401 when the first frame is not auth', async () => {
    const ws = openWs(t.url);
    await ws.opened;
    const sentAt = Date.now();
    await ws.send({ type: 'subscribe', id: 's', sessionId: session.id });
    const { code, at } = await ws.closed;
    expect(code).toBe(4401);
    expect(at - sentAt).toBeLessThan(2_000);
    expect(ws.frames).toEqual([]);
  });

  it('closes with 4401 on a bad token in ?access_token=', async () => {
    for (const token of ['not-a-token', `${alice.accessToken}x`, 'cbx_not_a_real_key']) {
      const ws = openWs(t.url, `?access_token=${encodeURIComponent(token)}`);
      const { code } = await ws.closed;
      expect({ token, code }).toEqual({ token, code: 4401 });
      expect(ws.frames).toEqual([]);
    }
  });

  it('closes with 4401 on a bad token in the auth frame, and accepts a good one', async () => {
    const bad = openWs(t.url);
    await bad.send({ type: 'auth', token: 'not-a-token' });
    expect((await bad.closed).code).toBe(4401);
    expect(bad.frames).toEqual([]);

    const good = openWs(t.url);
    await good.send({ type: 'auth', token: alice.accessToken });
    await good.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    await good.send({ type: 'subscribe', id: 's', sessionId: session.id });
    const frames = await good.waitFor((fs) => fs.some((f) => f.id === 's'));
    expect(frames.find((f) => f.id === 's')).toEqual({ type: 'subscribed', id: 's', sessionId: session.id });
    good.close();
    await good.closed;
  });
});
