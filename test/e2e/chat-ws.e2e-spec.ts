import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';
import { connectWs, deltaText, isFinalFrame } from '../support/ws-client.js';

describe('chat over WebSocket', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t);
  });
  after(async () => {
    vendor.release();
    await t.close();
    await vendor.close();
  });

  it('authenticates by query, sends a message and streams the reply; the streamed text is what is saved', async () => {
    vendor.script('ws-a', { tokens: ['one', ' two', ' three'], delayMs: 5 });
    const session = await createSession(t, alice.accessToken, { settings: { model: 'ws-a' } });
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    ws.send({ type: 'message.send', id: 'req-1', sessionId: session.id, content: 'count' });
    const frames = await ws.waitFor((fs) => fs.some(isFinalFrame));
    const created = frames.find((f) => f.type === 'message.created');
    expect(created).toMatchObject({ id: 'req-1', userMessage: { content: 'count' }, assistantMessage: { status: 'streaming' } });
    const messageId = created.assistantMessage.id as string;
    const stream = frames.filter((f) => f.messageId === messageId);
    expect(stream.map((f) => f.seq)).toEqual(stream.map((_f, i) => i + 1));
    expect(deltaText(frames, messageId)).toBe('one two three');
    expect(stream.at(-1)).toMatchObject({ type: 'message.completed', message: { status: 'completed', content: 'one two three' } });
    const saved = await request(t.url).get(`/api/v1/messages/${messageId}`).set(bearer(alice.accessToken)).expect(200);
    expect(saved.body.content).toBe(deltaText(frames, messageId));
    // The first exchange titles the session; the user's sockets hear of it.
    await ws.waitFor((fs) => fs.some((f) => f.type === 'session.updated' && f.session.id === session.id));
    ws.close();
  });

  it('authenticates by a first frame; a subscriber sees every reply of the session live', async () => {
    vendor.script('ws-b', { tokens: ['x', 'y', 'z'], delayMs: 5 });
    const session = await createSession(t, alice.accessToken, { title: 'Shared', settings: { model: 'ws-b' } });
    const watcher = await connectWs(t.url);
    watcher.send({ type: 'auth', token: alice.accessToken });
    await watcher.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    watcher.send({ type: 'subscribe', id: 's1', sessionId: session.id });
    await watcher.waitFor((fs) => fs.some((f) => f.type === 'subscribed' && f.id === 's1'));

    const sent = await request(t.url)
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set(bearer(alice.accessToken))
      .send({ content: 'from http' })
      .expect(202);
    const messageId = sent.body.assistantMessage.id as string;
    const frames = await watcher.waitFor((fs) => fs.some((f) => isFinalFrame(f) && f.messageId === messageId));
    expect(frames.find((f) => f.type === 'message.created')).toMatchObject({ userMessage: { content: 'from http' } });
    expect(deltaText(frames, messageId)).toBe('xyz');

    // After unsubscribing, new replies are not pushed.
    watcher.send({ type: 'unsubscribe', sessionId: session.id });
    watcher.send({ type: 'ping', id: 'p1' });
    await watcher.waitFor((fs) => fs.some((f) => f.type === 'pong' && f.id === 'p1'));
    const count = watcher.frames.length;
    const again = await request(t.url)
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set(bearer(alice.accessToken))
      .send({ content: 'unseen' })
      .expect(202);
    const sse = await request(t.url).get(`/api/v1/messages/${again.body.assistantMessage.id}`).set(bearer(alice.accessToken));
    expect(sse.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(watcher.frames.length).toBe(count);
    watcher.close();
  });

  it('resumes a reply from a seq after a dropped connection, losing and repeating nothing', async () => {
    vendor.script('ws-resume', { tokens: ['r1', 'r2', 'r3', 'r4', 'r5'], pauseAfter: 2 });
    const session = await createSession(t, alice.accessToken, { title: 'Resume', settings: { model: 'ws-resume' } });
    const first = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    first.send({ type: 'message.send', sessionId: session.id, content: 'go' });
    const frames = await first.waitFor((fs) => {
      const created = fs.find((f) => f.type === 'message.created');
      return created !== undefined && deltaText(fs, created.assistantMessage.id) === 'r1r2';
    });
    const messageId = frames.find((f) => f.type === 'message.created').assistantMessage.id as string;
    const lastSeq = Math.max(...frames.filter((f) => f.messageId === messageId).map((f) => f.seq as number));
    first.socket.terminate();

    const second = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    second.send({ type: 'resume', messageId, fromSeq: lastSeq + 1 });
    await second.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    vendor.release();
    const rest = await second.waitFor((fs) => fs.some(isFinalFrame));
    const seqs = rest.filter((f) => f.messageId === messageId).map((f) => f.seq);
    expect(seqs[0]).toBe(lastSeq + 1);
    expect(deltaText(frames, messageId) + deltaText(rest, messageId)).toBe('r1r2r3r4r5');

    // Resuming a finished reply sends its final event.
    const late = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    late.send({ type: 'resume', messageId, fromSeq: 1 });
    const final = await late.waitFor((fs) => fs.some(isFinalFrame));
    expect(final.find(isFinalFrame).message.content).toBe('r1r2r3r4r5');
    second.close();
    late.close();
  });

  it('skips what a resume says the client has, on a stream the socket already follows', async () => {
    vendor.script('ws-skip', { tokens: ['s1', 's2', 's3', 's4', 's5', 's6'], pauseAfter: 2, delayMs: 20 });
    const session = await createSession(t, alice.accessToken, { title: 'Skip', settings: { model: 'ws-skip' } });
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    ws.send({ type: 'message.send', sessionId: session.id, content: 'go' });
    const frames = await ws.waitFor((fs) => {
      const created = fs.find((f) => f.type === 'message.created');
      return created !== undefined && deltaText(fs, created.assistantMessage.id) === 's1s2';
    });
    const messageId = frames.find((f) => f.type === 'message.created').assistantMessage.id as string;
    const lastSeq = Math.max(...frames.filter((f) => f.messageId === messageId).map((f) => f.seq as number));
    // The client has two more events (from another socket, say): it asks from two further on.
    ws.send({ type: 'resume', messageId, fromSeq: lastSeq + 3 });
    await new Promise((r) => setTimeout(r, 50));
    const seen = ws.frames.length;
    vendor.release();
    const all = await ws.waitFor((fs) => fs.some(isFinalFrame));
    const later = all.slice(seen).filter((f) => f.messageId === messageId);
    expect(later.at(-1).type).toBe('message.completed');
    expect(later.slice(0, -1).map((f) => f.seq)[0]).toBe(lastSeq + 3);
    expect(later.at(-1).message.content).toBe('s1s2s3s4s5s6');
    ws.close();
  });

  it('stops a reply from a socket', async () => {
    vendor.script('ws-stop', { tokens: ['s1', 's2', 's3'], pauseAfter: 1 });
    const session = await createSession(t, alice.accessToken, { title: 'Stop', settings: { model: 'ws-stop' } });
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    ws.send({ type: 'message.send', sessionId: session.id, content: 'go' });
    const frames = await ws.waitFor((fs) => fs.some((f) => f.type === 'message.delta'));
    const messageId = frames.find((f) => f.type === 'message.created').assistantMessage.id as string;
    ws.send({ type: 'stop', messageId });
    const done = await ws.waitFor((fs) => fs.some(isFinalFrame));
    expect(done.find(isFinalFrame)).toMatchObject({ type: 'message.completed', message: { status: 'cancelled', content: 's1' } });
    vendor.release();
    ws.close();
  });

  it('answers bad frames with error frames and keeps the socket', async () => {
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    ws.socket.send('not json');
    ws.send({ type: 'fly' });
    ws.send({ type: 'subscribe', id: 'bad', sessionId: 'nope' });
    ws.send({ type: 'message.send', id: 'empty', sessionId: '0190c3f0-0000-7000-8000-000000000000' });
    const frames = await ws.waitFor((fs) => fs.filter((f) => f.type === 'error').length === 4);
    const errors = frames.filter((f) => f.type === 'error');
    expect(errors.map((f) => f.code)).toEqual(['INVALID_FRAME', 'UNKNOWN_FRAME', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
    expect(errors[2]).toMatchObject({ id: 'bad', errors: [{ field: 'sessionId' }] });
    ws.send({ type: 'ping', id: 'still-open' });
    await ws.waitFor((fs) => fs.some((f) => f.type === 'pong'));
    ws.close();
  });
});

// A peer that vanishes without closing (a phone going out of coverage) must not hold its socket
// and subscriptions forever: the server pings, and drops a socket that missed the last ping.
describe('WebSocket pings', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  const INTERVAL = 150;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { WS_PING_INTERVAL_MS: String(INTERVAL) });
    alice = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  it('keeps a peer that answers pings and terminates one that stopped answering', async () => {
    const answering = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    await answering.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    let pings = 0;
    answering.socket.on('ping', () => pings++);

    // A raw upgrade that never reads again: pings go unanswered, as with a dead peer.
    const { port } = new URL(t.url);
    const silent = net.connect(Number(port), '127.0.0.1');
    silent.write(
      `GET /ws?access_token=${alice.accessToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const upgraded = new Promise<string>((resolve) => silent.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    expect((await upgraded).startsWith('HTTP/1.1 101')).toBe(true);
    const closed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.on('error', () => undefined);
    // From here on the silent peer ignores everything it is sent, pings included.
    const received: Buffer[] = [];
    silent.removeAllListeners('data');
    silent.on('data', (d: Buffer) => received.push(d));

    await closed;
    // It was pinged (a ping frame starts with 0x89) and dropped for not answering.
    expect(Buffer.concat(received).includes(0x89)).toBe(true);
    await new Promise((r) => setTimeout(r, INTERVAL * 4));
    expect(pings).toBeGreaterThanOrEqual(3);
    answering.send({ type: 'ping', id: 'alive' });
    await answering.waitFor((fs) => fs.some((f) => f.type === 'pong' && f.id === 'alive'));
    answering.close();
  });

  // Expiry is checked at the pings, as for a JWT (the key's state stays cached until it expires).
  it('closes a socket authenticated by an API key when the key expires', async () => {
    const expiresAt = Date.now() + 1500;
    const created = await request(t.url)
      .post('/api/v1/api-keys')
      .set(bearer(alice.accessToken))
      .send({ name: 'short', expiresAt: new Date(expiresAt).toISOString() })
      .expect(201);
    const ws = await connectWs(t.url, `?access_token=${created.body.key}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    const waitMs = expiresAt - Date.now() + INTERVAL * 2 + 1000;
    const timeout = new Promise<never>((_ok, fail) => setTimeout(() => fail(new Error('still open')), waitMs));
    expect(await Promise.race([ws.closed, timeout])).toEqual({ code: 4401, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
  });
});

describe('WebSocket stream limits', () => {
  let vendor: FakeVendor;
  let t: TestApp;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { GENERATION_MAX_ACTIVE_PER_USER: '100' });
  });
  after(async () => {
    vendor.release();
    await t.close();
    await vendor.close();
  });

  it('tells a subscriber which reply it does not get live once it follows 64 streams', async () => {
    vendor.script('ws-many', { tokens: ['held'], pauseAfter: 0 });
    const alice = await registerUser(t);
    const session = await createSession(t, alice.accessToken, { title: 'Many', settings: { model: 'ws-many' } });
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    ws.send({ type: 'subscribe', id: 's', sessionId: session.id });
    await ws.waitFor((fs) => fs.some((f) => f.type === 'subscribed'));
    const ids: string[] = [];
    // Each reply starts a new root branch, so all 65 generate at once.
    for (let i = 0; i < 65; i++) {
      const sent = await request(t.url)
        .post(`/api/v1/sessions/${session.id}/messages`)
        .set(bearer(alice.accessToken))
        .send({ content: `n${i}`, parentId: null })
        .expect(202);
      ids.push(sent.body.assistantMessage.id as string);
    }
    const frames = await ws.waitFor((fs) => fs.some((f) => f.type === 'error'));
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'TOO_MANY_STREAMS', messageId: ids[64] });
    expect(frames.filter((f) => f.type === 'message.created')).toHaveLength(65);
    ws.close();
  });
});
