import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Socket } from 'node:net';
import { registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';
import { connectWs } from '../support/ws-client.js';

const TOKENS = 192;

// A client that stops reading must not make the server buffer a reply without bound.
describe('slow consumers', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, {
      STREAM_MAX_BUFFERED_BYTES: '65536',
      GENERATION_MAX_REPLY_CHARS: '100000000',
      GENERATION_FLUSH_INTERVAL_MS: '60000',
    });
    alice = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  it('closes a WebSocket that falls too far behind (1013), while the reply completes', async () => {
    // 12 MiB of reply: more than the kernel's socket buffers can absorb.
    vendor.script('big', { tokens: Array.from({ length: TOKENS }, (_v, i) => `${i % 10}`.repeat(65_536)) });
    const session = await createSession(t, alice.accessToken, { title: 'Big', settings: { model: 'big' } });
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    ws.send({ type: 'message.send', sessionId: session.id, content: 'flood me' });
    const frames = await ws.waitFor((fs) => fs.some((f) => f.type === 'message.delta'));
    const messageId = frames.find((f) => f.type === 'message.created').assistantMessage.id as string;
    (ws.socket as unknown as { _socket: Socket })._socket.pause();

    const done = await waitForMessage(t, alice.accessToken, messageId, (m) => m.status !== 'streaming', 30_000);
    expect(done.status).toBe('completed');
    expect(done.content).toHaveLength(TOKENS * 65_536);
    (ws.socket as unknown as { _socket: Socket })._socket.resume();
    const closed = await ws.closed;
    expect(closed.code).toBe(1013);
    // It was cut off: it did not receive the whole reply.
    const received = ws.frames.filter((f) => f.type === 'message.delta').reduce((n, f) => n + (f.delta as string).length, 0);
    expect(received).toBeLessThan(TOKENS * 65_536);
  });
});
