import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import type { DocumentFormat } from '../../src/knowledge-base/parsing/parsed-document.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { buildEntityBomb, buildFixture, buildZipBomb } from '../support/kb-fixtures.js';
import { isFinal, openSse } from '../support/sse-client.js';
import type { TestApp } from '../support/test-app.js';
import { ELF_HEADER } from '../support/uploads.js';

const PLANTED = 'The zebra-striped submarine docks at Port Velvet every Thursday at dawn.';
const QUERY = 'When does the zebra-striped submarine dock at Port Velvet?';
const FORMATS: DocumentFormat[] = ['pdf', 'docx', 'xlsx', 'csv', 'pptx', 'epub', 'html', 'markdown', 'text', 'json', 'code'];
const KiB = 1024;

describe('knowledge-base documents of every format, and RAG in chat', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let kbId: string;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { UPLOAD_MAX_BYTES: String(512 * KiB), UPLOAD_QUOTA_BYTES: String(1024 * KiB) });
    alice = await registerUser(t);
    kbId = (await request(t.url).post('/api/v1/knowledge-bases').set(bearer(alice.accessToken)).send({ name: 'Formats' }).expect(201)).body.id;
  });
  after(async () => {
    vendor.release();
    await t.close();
    await vendor.close();
  });

  const api = () => request(t.url);
  const addFile = (bytes: Buffer, filename: string, contentType: string, user = alice, kb = kbId) =>
    api().post(`/api/v1/knowledge-bases/${kb}/documents`).set(bearer(user.accessToken)).attach('file', bytes, { filename, contentType });
  const settle = async (docId: string, kb = kbId) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await api().get(`/api/v1/knowledge-bases/${kb}/documents/${docId}`).set(bearer(alice.accessToken)).expect(200);
      if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`document still ${res.body.status}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const search = async (body: Record<string, unknown>, kb = kbId) =>
    (await api().post(`/api/v1/knowledge-bases/${kb}/search`).set(bearer(alice.accessToken)).send(body).expect(200)).body.data;

  for (const format of FORMATS) {
    it(`ingests ${format} and finds the planted sentence by vector, full-text and hybrid search`, async () => {
      const kb = (await api().post('/api/v1/knowledge-bases').set(bearer(alice.accessToken)).send({ name: format }).expect(201)).body.id;
      const fixture = await buildFixture(format, PLANTED);
      const added = await addFile(fixture.bytes, fixture.filename, fixture.contentType, alice, kb).expect(202);
      const doc = await settle(added.body.id, kb);
      expect({ format, status: doc.status, error: doc.error }).toEqual({ format, status: 'ready', error: null });
      for (const mode of ['vector', 'fulltext', 'hybrid']) {
        const hits = await search({ query: QUERY, k: 3, mode }, kb);
        const hit = hits.find((h: any) => h.text.replace(/\s+/g, ' ').includes(PLANTED));
        expect({ format, mode, found: Boolean(hit) }).toEqual({ format, mode, found: true });
        expect(hits[0].chunkId).toBe(hit.chunkId);
        expect(Object.keys(hit.location).length).toBeGreaterThan(0);
      }
    });
  }

  it('keeps source locations for citations: PDF page, sheet and rows, slide', async () => {
    const located = async (format: DocumentFormat) => {
      const fixture = await buildFixture(format, PLANTED);
      const doc = await settle((await addFile(fixture.bytes, fixture.filename, fixture.contentType).expect(202)).body.id);
      const hits = await search({ query: QUERY, k: 10, mode: 'fulltext' });
      return hits.find((h: any) => h.documentId === doc.id).location;
    };
    expect(await located('pdf')).toMatchObject({ page: 2 });
    expect(await located('xlsx')).toMatchObject({ sheet: expect.any(String), rows: [expect.any(Number), expect.any(Number)] });
    expect(await located('pptx')).toMatchObject({ slide: expect.any(Number) });
  });

  it('ends zip bombs and XML entity bombs in failed with a reason, and the process stays healthy', async () => {
    for (const [bytes, name] of [
      [await buildZipBomb(), 'bomb.docx'],
      [await buildZipBomb({ lieAboutSize: true }), 'liar.docx'],
      [await buildEntityBomb(), 'laughs.docx'],
    ] as const) {
      const added = await addFile(bytes, name, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect({ name, status: added.status }).toEqual({ name, status: 202 });
      const doc = await settle(added.body.id);
      expect({ name, status: doc.status }).toEqual({ name, status: 'failed' });
      expect(doc.error).toMatch(/entities|expands to more than|different size than declared/);
    }
    await api().get('/health/live').expect(200);
  });

  it('refuses disguised types, oversize and over-quota files with their problems, and sanitizes path-traversal names', async () => {
    const disguised = await addFile(ELF_HEADER, 'manual.pdf', 'application/pdf').expect(415);
    expect(disguised.headers['content-type']).toMatch(/^application\/problem\+json/);
    const tooBig = await addFile(Buffer.alloc(600 * KiB, 0x61), 'big.txt', 'text/plain').expect(413);
    expect(tooBig.body.detail).toContain('UPLOAD_MAX_BYTES');
    const image = await addFile(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'x.png', 'image/png');
    expect([400, 415]).toContain(image.status);
    const traversal = await addFile(Buffer.from(`# Notes\n\n${PLANTED}`), '../../../etc/passwd.md', 'text/markdown').expect(202);
    expect(traversal.body.title).toBe('passwd.md');
    // Quota: 1 MiB total per user; two 400 KiB files fit, the third does not.
    const bob = await registerUser(t);
    const bobKb = (await api().post('/api/v1/knowledge-bases').set(bearer(bob.accessToken)).send({ name: 'q' }).expect(201)).body.id;
    const chunk = Buffer.alloc(400 * KiB, 0x62);
    await addFile(chunk, 'a.txt', 'text/plain', bob, bobKb).expect(202);
    await addFile(chunk, 'b.txt', 'text/plain', bob, bobKb).expect(202);
    const over = await addFile(chunk, 'c.txt', 'text/plain', bob, bobKb).expect(413);
    expect(over.body.detail).toMatch(/quota/i);
  });

  it('puts the best chunks in the prompt, cites them on the reply, and announces them on the stream', async () => {
    const fixture = await buildFixture('markdown', PLANTED);
    const doc = await settle((await addFile(fixture.bytes, 'harbour.md', fixture.contentType).expect(202)).body.id);
    const session = await createSession(t, alice.accessToken, { settings: { model: 'rag-model', knowledgeBaseIds: [kbId] } });
    expect(session.settings.knowledgeBaseIds).toEqual([kbId]);
    vendor.script('rag-model', { tokens: ['It docks', ' on Thursday [1].'] });
    const before = vendor.requests.length;
    const sse = await openSse(`${t.url}/api/v1/sessions/${session.id}/messages`, {
      method: 'POST',
      headers: { ...bearer(alice.accessToken), accept: 'text/event-stream' },
      body: { content: QUERY },
    });
    const events = await sse.waitFor((es) => es.some(isFinal));
    const citationsEvent = events.find((e) => e.event === 'message.citations');
    expect(citationsEvent).toBeDefined();
    const firstDelta = events.findIndex((e) => e.event === 'message.delta');
    expect(events.indexOf(citationsEvent!)).toBeLessThan(firstDelta);
    const completed = events.find((e) => e.event === 'message.completed')!.data.message;
    expect(completed.citations.length).toBeGreaterThan(0);
    const cited = completed.citations.find((c: any) => c.documentId === doc.id);
    expect(cited).toMatchObject({ index: expect.any(Number), knowledgeBaseId: kbId, chunkId: expect.any(String), documentTitle: 'harbour.md' });
    expect(cited.snippet).toContain('zebra-striped submarine');
    expect(citationsEvent!.data.citations).toEqual(completed.citations);

    const prompt = JSON.stringify(vendor.requests.slice(before).find((r) => r.model === 'rag-model')!.body.messages);
    expect(prompt).toContain(PLANTED);
    expect(prompt).toContain(`[${cited.index}] harbour.md`);
    const saved = await waitForMessage(t, alice.accessToken, completed.id);
    expect(saved.citations).toEqual(completed.citations);
  });

  it('refuses another user\'s knowledge base on a session (404) and replies without sources when none is attached', async () => {
    const bob = await registerUser(t);
    const bobSession = await createSession(t, bob.accessToken, { settings: { model: 'plain' } });
    await api().patch(`/api/v1/sessions/${bobSession.id}`).set(bearer(bob.accessToken)).send({ settings: { knowledgeBaseIds: [kbId] } }).expect(404);
    vendor.script('plain', { tokens: ['ok'] });
    const sent = await api().post(`/api/v1/sessions/${bobSession.id}/messages`).set(bearer(bob.accessToken)).send({ content: QUERY }).expect(202);
    const reply = await waitForMessage(t, bob.accessToken, sent.body.assistantMessage.id);
    expect(reply).toMatchObject({ status: 'completed', citations: null });
    const replyRequest = vendor.requests.find((r) => r.model === 'plain' && r.body.messages.some((m: any) => m.content === QUERY));
    expect(JSON.stringify(replyRequest!.body.messages)).not.toContain('Sources from');
  });
});
