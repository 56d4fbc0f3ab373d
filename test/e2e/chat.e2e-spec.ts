import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, until, waitForMessage } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';
import { pngBytes } from '../support/uploads.js';

describe('chat: sending, replies, branches', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const send = (sessionId: string, body: unknown, token = alice.accessToken) =>
    request(t.url).post(`/api/v1/sessions/${sessionId}/messages`).set(bearer(token)).send(body as object);

  it('answers a message server-side and saves the reply with usage, timing and a title', async () => {
    const session = await createSession(t, alice.accessToken, { settings: { systemPrompt: 'Be kind.' } });
    expect(session.settings).toMatchObject({ provider: 'openai', model: 'fake-large', systemPrompt: 'Be kind.' });
    const res = await send(session.id, { content: 'Hi there' }).expect(202);
    const { userMessage, assistantMessage } = res.body;
    expect(userMessage).toMatchObject({ role: 'user', status: 'completed', content: 'Hi there', parentId: null, siblingIds: [userMessage.id] });
    expect(userMessage.contentParts).toEqual([{ type: 'text', text: 'Hi there' }]);
    expect(assistantMessage).toMatchObject({
      role: 'assistant',
      status: 'streaming',
      parentId: userMessage.id,
      provider: 'openai',
      model: 'fake-large',
      siblingIds: [assistantMessage.id],
    });

    const done = await waitForMessage(t, alice.accessToken, assistantMessage.id);
    expect(done).toMatchObject({
      status: 'completed',
      content: DEFAULT_TOKENS.join(''),
      contentParts: [{ type: 'text', text: DEFAULT_TOKENS.join('') }],
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 5, reasoningTokens: 0, estimated: false },
      error: null,
    });
    expect(done.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);

    // The vendor saw the system prompt and the user's text.
    const upstream = vendor.requests.find((r) => r.body?.messages?.some((m: any) => m.content === 'Hi there'));
    expect(upstream?.body.messages[0]).toEqual({ role: 'system', content: 'Be kind.' });
    expect(upstream?.headers.authorization).toBe('Bearer sk-server-openai');

    // A title is generated in the background after the first exchange.
    await until(async () => {
      const s = await request(t.url).get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
      return s.body.title === DEFAULT_TOKENS.join('').replace(/\.$/, '');
    });

    const branch = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    expect(branch.body.data.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'Hi there'],
      ['assistant', DEFAULT_TOKENS.join('')],
    ]);
    expect(branch.body.nextCursor).toBeNull();
  });

  it('sends the branch history as context, and follows the current leaf', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Context' });
    vendor.script('ctx-model', { tokens: ['ok'] });
    await request(t.url).patch(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).send({ settings: { model: 'ctx-model' } }).expect(200);
    const first = await send(session.id, { content: 'one' }).expect(202);
    await waitForMessage(t, alice.accessToken, first.body.assistantMessage.id);
    const second = await send(session.id, { content: 'two' }).expect(202);
    expect(second.body.userMessage.parentId).toBe(first.body.assistantMessage.id);
    await waitForMessage(t, alice.accessToken, second.body.assistantMessage.id);
    const last = vendor.requests.filter((r) => r.model === 'ctx-model').at(-1)!;
    expect(last.body.messages.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'one'],
      ['assistant', 'ok'],
      ['user', 'two'],
    ]);

    // An explicit parent (in any letter case), with history cut to contextMessages.
    await request(t.url).patch(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).send({ settings: { contextMessages: 2 } }).expect(200);
    const parentId = second.body.assistantMessage.id as string;
    const third = await send(session.id, { content: 'three', parentId: parentId.toUpperCase() }).expect(202);
    expect(third.body.userMessage.parentId).toBe(parentId);
    await waitForMessage(t, alice.accessToken, third.body.assistantMessage.id);
    expect(vendor.requests.filter((r) => r.model === 'ctx-model').at(-1)!.body.messages.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'two'],
      ['assistant', 'ok'],
      ['user', 'three'],
    ]);
    // A second branch under that parent, named in upper case again, lists both as siblings.
    const fourth = await send(session.id, { content: 'four', parentId: parentId.toUpperCase() }).expect(202);
    expect(fourth.body.userMessage.siblingIds).toEqual([third.body.userMessage.id, fourth.body.userMessage.id]);
    await waitForMessage(t, alice.accessToken, fourth.body.assistantMessage.id);
    // A parent from another of the user's sessions is not found in this one.
    const other = await createSession(t, alice.accessToken, { title: 'Other' });
    const foreign = await send(other.id, { content: 'graft', parentId }).expect(404);
    expect(foreign.body.code).toBe('NOT_FOUND');
  });

  it('regenerates as a sibling, edits as a new branch, switches and deletes branches', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Branches' });
    const first = (await send(session.id, { content: 'question' }).expect(202)).body;
    await waitForMessage(t, alice.accessToken, first.assistantMessage.id);

    const regen = await request(t.url)
      .post(`/api/v1/messages/${first.assistantMessage.id}/regenerate`)
      .set(bearer(alice.accessToken))
      .expect(202);
    const second = regen.body.assistantMessage;
    expect(second.parentId).toBe(first.userMessage.id);
    expect(second.siblingIds).toEqual([first.assistantMessage.id, second.id]);
    await waitForMessage(t, alice.accessToken, second.id);

    const edit = await request(t.url)
      .patch(`/api/v1/messages/${first.userMessage.id}`)
      .set(bearer(alice.accessToken))
      .send({ content: 'better question' })
      .expect(202);
    expect(edit.body.userMessage.siblingIds).toEqual([first.userMessage.id, edit.body.userMessage.id]);
    await waitForMessage(t, alice.accessToken, edit.body.assistantMessage.id);

    const current = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    expect(current.body.data.map((m: any) => m.id)).toEqual([edit.body.userMessage.id, edit.body.assistantMessage.id]);

    // Back to the first branch: its newest leaf is the regenerated reply.
    const selected = await request(t.url).post(`/api/v1/messages/${first.userMessage.id}/select`).set(bearer(alice.accessToken)).expect(200);
    expect(selected.body.data.map((m: any) => m.id)).toEqual([first.userMessage.id, second.id]);
    expect(selected.body.data[1].siblingIds).toEqual([first.assistantMessage.id, second.id]);

    // Deleting the shown branch moves the session to the newest remaining leaf.
    await request(t.url).delete(`/api/v1/messages/${first.userMessage.id}`).set(bearer(alice.accessToken)).expect(204);
    await request(t.url).get(`/api/v1/messages/${second.id}`).set(bearer(alice.accessToken)).expect(404);
    const after = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    expect(after.body.data.map((m: any) => m.id)).toEqual([edit.body.userMessage.id, edit.body.assistantMessage.id]);
    expect(after.body.data[0].siblingIds).toEqual([edit.body.userMessage.id]);

    await request(t.url)
      .patch(`/api/v1/messages/${edit.body.assistantMessage.id}`)
      .set(bearer(alice.accessToken))
      .send({ content: 'x' })
      .expect(409);
  });

  it('pages a long branch from the leaf towards the root', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Long' });
    for (const n of [1, 2, 3]) {
      const r = await send(session.id, { content: `m${n}` }).expect(202);
      await waitForMessage(t, alice.accessToken, r.body.assistantMessage.id);
    }
    const page1 = await request(t.url).get(`/api/v1/sessions/${session.id}/messages?limit=4`).set(bearer(alice.accessToken)).expect(200);
    expect(page1.body.data.map((m: any) => m.content)).toEqual(['m2', DEFAULT_TOKENS.join(''), 'm3', DEFAULT_TOKENS.join('')]);
    const page2 = await request(t.url)
      .get(`/api/v1/sessions/${session.id}/messages?limit=4&cursor=${page1.body.nextCursor}`)
      .set(bearer(alice.accessToken))
      .expect(200);
    expect(page2.body.data.map((m: any) => m.content)).toEqual(['m1', DEFAULT_TOKENS.join('')]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('returns the first result for a retried Idempotency-Key and refuses its reuse for another request', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Idem' });
    const key = `key-${Date.now()}`;
    const a = await send(session.id, { content: 'once' }).set('idempotency-key', key).expect(202);
    const b = await send(session.id, { content: 'once' }).set('idempotency-key', key).expect(202);
    expect(b.body.userMessage.id).toBe(a.body.userMessage.id);
    expect(b.body.assistantMessage.id).toBe(a.body.assistantMessage.id);
    const other = await send(session.id, { content: 'different' }).set('idempotency-key', key).expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await waitForMessage(t, alice.accessToken, a.body.assistantMessage.id);
    const branch = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    expect(branch.body.data).toHaveLength(2);
  });

  it('stops a reply, keeping its partial text, and aborts the upstream request', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Stop', settings: { model: 'slow-stop' } });
    vendor.script('slow-stop', { tokens: ['a', 'b', 'c', 'd'], pauseAfter: 2 });
    const abortedBefore = vendor.aborted;
    const sent = (await send(session.id, { content: 'go' }).expect(202)).body;
    await waitForMessage(t, alice.accessToken, sent.assistantMessage.id, (m) => m.content === 'ab');
    const stopped = await request(t.url).post(`/api/v1/messages/${sent.assistantMessage.id}/stop`).set(bearer(alice.accessToken)).expect(200);
    expect(stopped.body).toMatchObject({ status: 'cancelled', content: 'ab', finishReason: 'cancelled' });
    // Stopped before the vendor's usage event: the counts are estimated, and say so.
    expect(stopped.body.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number), reasoningTokens: 0, estimated: true });
    expect(stopped.body.usage.inputTokens).toBeGreaterThan(0);
    expect(stopped.body.usage.outputTokens).toBeGreaterThan(0);
    await until(() => vendor.aborted > abortedBefore);
    vendor.release();
    // Stopping a finished reply changes nothing.
    const again = await request(t.url).post(`/api/v1/messages/${sent.assistantMessage.id}/stop`).set(bearer(alice.accessToken)).expect(200);
    expect(again.body.status).toBe('cancelled');
  });

  it('refuses to send under a reply still generating, by default or by parentId, and writes nothing', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Busy', settings: { model: 'slow-busy' } });
    vendor.script('slow-busy', { tokens: ['x', 'y'], pauseAfter: 1 });
    try {
      const sent = (await send(session.id, { content: 'first' }).expect(202)).body;
      const replyId = sent.assistantMessage.id as string;
      await waitForMessage(t, alice.accessToken, replyId, (m) => m.content === 'x');
      for (const body of [{ content: 'again' }, { content: 'again', parentId: replyId }]) {
        const refused = await send(session.id, body).expect(409);
        expect(refused.body).toMatchObject({ code: 'REPLY_IN_PROGRESS', status: 409 });
      }
      const branch = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
      expect(branch.body.data.map((m: { id: string }) => m.id)).toEqual([sent.userMessage.id, replyId]);
    } finally {
      vendor.release();
    }
  });

  it('ends in error, keeping partial text, when the vendor cuts the stream', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Cut', settings: { model: 'cut-model' } });
    // The delay lets the client read each token before the cut (a reset discards unread data).
    vendor.script('cut-model', { tokens: ['x', 'y', 'z'], cutAfterTokens: 2, delayMs: 30 });
    const sent = (await send(session.id, { content: 'go' }).expect(202)).body;
    const done = await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    expect(done).toMatchObject({ status: 'error', content: 'xy', finishReason: 'error' });
    expect(done.error).toMatchObject({ status: expect.any(Number), code: expect.any(String), detail: expect.any(String) });
  });

  it('reports a vendor refusal of an unknown model as the reply error', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Unknown', settings: { model: 'unknown-model-x' } });
    const sent = (await send(session.id, { content: 'go' }).expect(202)).body;
    const done = await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    expect(done.status).toBe('error');
    expect(done.content).toBe('');
    expect(done.error).toMatchObject({ status: 502, upstreamStatus: 404, provider: 'openai' });
  });

  it('estimates the usage of a reply whose vendor reports none, and keeps none for a reply that said nothing', async () => {
    vendor.script('no-usage', { tokens: ['one', ' two', ' three'], usage: null });
    const session = await createSession(t, alice.accessToken, { title: 'No usage', settings: { model: 'no-usage', systemPrompt: 'Be brief.' } });
    const sent = (await send(session.id, { content: 'count to three' }).expect(202)).body;
    const done = await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    expect(done).toMatchObject({ status: 'completed', content: 'one two three' });
    // o200k_base: "one two three" is 3 tokens; the prompt is the system prompt and the message.
    expect(done.usage).toMatchObject({ outputTokens: 3, reasoningTokens: 0, estimated: true });
    expect(done.usage.inputTokens).toBeGreaterThanOrEqual(6);
    const refused = (await send((await createSession(t, alice.accessToken, { settings: { model: 'unknown-usage' } })).id, { content: 'x' }).expect(202)).body;
    const failed = await waitForMessage(t, alice.accessToken, refused.assistantMessage.id);
    expect(failed.usage).toEqual({ inputTokens: null, outputTokens: null, reasoningTokens: null, estimated: false });
  });

  it('titles an untitled session after its first completed reply, when the first one failed', async () => {
    vendor.script('title-late', { tokens: ['Late', ' title'], failTimes: 1, error: { status: 400 } });
    const session = await createSession(t, alice.accessToken, { settings: { model: 'title-late' } });
    const sent = (await send(session.id, { content: 'go' }).expect(202)).body;
    expect((await waitForMessage(t, alice.accessToken, sent.assistantMessage.id)).status).toBe('error');
    const regen = await request(t.url).post(`/api/v1/messages/${sent.assistantMessage.id}/regenerate`).set(bearer(alice.accessToken)).expect(202);
    expect((await waitForMessage(t, alice.accessToken, regen.body.assistantMessage.id)).status).toBe('completed');
    await until(async () => {
      const s = await request(t.url).get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
      return s.body.title === 'Late title';
    });
  });

  it('retries a 429 before the first token and then answers', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Retry', settings: { model: 'busy-model' } });
    vendor.script('busy-model', { tokens: ['fine'], failTimes: 1, error: { status: 429, retryAfter: '0' } });
    const sent = (await send(session.id, { content: 'go' }).expect(202)).body;
    const done = await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    expect(done).toMatchObject({ status: 'completed', content: 'fine' });
    expect(vendor.requests.filter((r) => r.model === 'busy-model')).toHaveLength(2);
  });

  it('validates message bodies', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Validation' });
    const missing = await send(session.id, {}).expect(400);
    expect(missing.body.errors.map((e: any) => e.field)).toContain('content');
    await send(session.id, { content: 'a', contentParts: [{ type: 'text', text: 'b' }] }).expect(400);
    await send(session.id, { contentParts: [{ type: 'image', mimeType: 'image/png', data: 'not base64!' }] }).expect(400);
    await send(session.id, { contentParts: [{ type: 'file', uploadId: '0190c3f0-0000-7000-8000-000000000000' }] }).expect(404);
    await send(session.id, { contentParts: [{ type: 'file' }] }).expect(400);
    await send(session.id, { content: 'x'.repeat(100_001) }).expect(400);
    await send(session.id, { content: 'hi', parentId: 'nope' }).expect(400);
    await send(session.id, { content: 'hi' }).set('idempotency-key', 'x'.repeat(300)).expect(400);
    // Blank text is no content on either path; null is not a list of parts.
    await send(session.id, { content: '  \n ' }).expect(400);
    await send(session.id, { contentParts: [{ type: 'text', text: '  ' }] }).expect(400);
    await send(session.id, { contentParts: null }).expect(400);
    const branch = await request(t.url).get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(200);
    expect(branch.body.data).toEqual([]);
  });

  it('sends uploaded images by upload id, loaded when the request is built, and refuses non-images and others\' uploads', async () => {
    const png = pngBytes();
    const upload = await request(t.url)
      .post('/api/v1/uploads')
      .set(bearer(alice.accessToken))
      .attach('file', png, { filename: 'cat.png', contentType: 'image/png' })
      .expect(201);
    const text = await request(t.url)
      .post('/api/v1/uploads')
      .set(bearer(alice.accessToken))
      .attach('file', Buffer.from('just notes'), { filename: 'notes.txt', contentType: 'text/plain' })
      .expect(201);
    const session = await createSession(t, alice.accessToken, { title: 'Vision upload', settings: { model: 'gpt-4o-mini' } });
    const sent = (
      await send(session.id, {
        contentParts: [
          { type: 'text', text: 'and this?' },
          { type: 'image', uploadId: upload.body.id },
          { type: 'file', uploadId: text.body.id },
        ],
      }).expect(202)
    ).body;
    // Stored as references, not copies of the bytes.
    expect(sent.userMessage.contentParts).toEqual([
      { type: 'text', text: 'and this?' },
      { type: 'image', mimeType: 'image/png', uploadId: upload.body.id },
      { type: 'file', uploadId: text.body.id, name: 'notes.txt', mimeType: 'text/plain' },
    ]);
    await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    const upstream = vendor.requests.filter((r) => r.model === 'gpt-4o-mini').at(-1)!;
    expect(upstream.body.messages.at(-1).content).toEqual([
      { type: 'text', text: 'and this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
      { type: 'text', text: '[attached file: notes.txt]' },
    ]);
    await send(session.id, { contentParts: [{ type: 'image', uploadId: text.body.id }] }).expect(400);
    const bob = await registerUser(t);
    const bobSession = await createSession(t, bob.accessToken, { title: 'Not yours' });
    await send(bobSession.id, { contentParts: [{ type: 'image', uploadId: upload.body.id }] }, bob.accessToken).expect(404);
  });

  it('sends inline images to the vendor in its image format', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Vision', settings: { model: 'gpt-4o' } });
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const sent = (
      await send(session.id, {
        contentParts: [
          { type: 'text', text: 'what is this' },
          { type: 'image', mimeType: 'image/png', data: png },
        ],
      }).expect(202)
    ).body;
    await waitForMessage(t, alice.accessToken, sent.assistantMessage.id);
    const upstream = vendor.requests.filter((r) => r.model === 'gpt-4o').at(-1)!;
    const content = upstream.body.messages.at(-1).content;
    expect(content).toEqual([
      { type: 'text', text: 'what is this' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
    ]);
  });
});
