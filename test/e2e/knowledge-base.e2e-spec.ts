import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IngestionService } from '../../src/knowledge-base/ingestion/ingestion.service.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { startChatApp } from '../support/chat.js';
import { FAKE_EMBEDDING_DIMENSIONS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';
import { connectWs } from '../support/ws-client.js';

const PROBLEM = /^application\/problem\+json/;
const MISSING_ID = '0190c3f0-0000-7000-8000-000000000000';
const PLANTED = 'The zebra-striped submarine docks at Port Velvet every Thursday at dawn.';
const FILLER = [
  '# Travel notes',
  'Our ferry schedules change with the seasons; check the harbour office before leaving.',
  '## Harbours',
  'Northern harbours close in winter. Fishing boats leave before sunrise and return at noon.',
  PLANTED,
  '## Food',
  'The market sells smoked fish, rye bread and cloudberry jam on Saturdays.',
].join('\n\n');

// A local web server for URL documents (the app may reach it only with KB_URL_ALLOW_PRIVATE).
async function startSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<html><head><title>t</title><script>var hidden = "script text";</script></head><body><h1>Harbours</h1><p>${PLANTED}</p></body></html>`);
    } else if (req.url === '/redirect-file') {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    } else if (req.url === '/redirect-ok') {
      res.writeHead(301, { location: '/page.html' }).end();
    } else if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(64 * 1024));
    } else if (req.url === '/slow') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('starting');
      // never ends
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('knowledge bases', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let site: { url: string; close(): Promise<void> };

  before(async () => {
    vendor = await startFakeVendor();
    site = await startSite();
    t = await startChatApp(vendor, { KB_URL_TIMEOUT_MS: '500', KB_URL_MAX_BYTES: String(16 * 1024) });
    [alice, bob] = [await registerUser(t), await registerUser(t)];
  });
  after(async () => {
    await t.close();
    await site.close();
    await vendor.close();
  });

  const api = () => request(t.url);
  const createKb = async (user: TestUser, body: Record<string, unknown> = { name: 'Handbook' }) =>
    (await api().post('/api/v1/knowledge-bases').set(bearer(user.accessToken)).send(body).expect(201)).body;
  const addText = async (user: TestUser, kbId: string, text: string, title?: string) =>
    (await api().post(`/api/v1/knowledge-bases/${kbId}/documents`).set(bearer(user.accessToken)).send({ text, title }).expect(202)).body;
  const waitForDocument = async (user: TestUser, kbId: string, docId: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await api().get(`/api/v1/knowledge-bases/${kbId}/documents/${docId}`).set(bearer(user.accessToken)).expect(200);
      if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`document still ${res.body.status} (${res.body.progress}%)`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const search = async (user: TestUser, kbId: string, body: Record<string, unknown>) =>
    (await api().post(`/api/v1/knowledge-bases/${kbId}/search`).set(bearer(user.accessToken)).send(body).expect(200)).body.data;

  it('creates, lists, updates and deletes knowledge bases with the local embedder by default', async () => {
    const kb = await createKb(alice, { name: 'Handbook', description: 'Company handbook' });
    expect(kb).toMatchObject({
      name: 'Handbook',
      description: 'Company handbook',
      embedding: { provider: 'local', model: 'hashing-v1', dimensions: 384 },
      chunking: { size: 512, overlap: 64 },
    });
    const list = await api().get('/api/v1/knowledge-bases').set(bearer(alice.accessToken)).expect(200);
    expect(list.body.data.map((k: any) => k.id)).toContain(kb.id);
    const updated = await api()
      .patch(`/api/v1/knowledge-bases/${kb.id}`)
      .set(bearer(alice.accessToken))
      .send({ name: 'Renamed', chunking: { size: 256, overlap: 32 } })
      .expect(200);
    expect(updated.body).toMatchObject({ name: 'Renamed', chunking: { size: 256, overlap: 32 } });
    // Deleted by its id in upper case: the same base, and its chunk partition goes with it.
    const partition = `kb_chunks_${kb.id.replace(/-/g, '')}`;
    const partitions = () => t.app.get(DataSource).query<unknown[]>('SELECT 1 FROM pg_class WHERE relname = $1', [partition]);
    expect(await partitions()).toHaveLength(1);
    await api().delete(`/api/v1/knowledge-bases/${kb.id.toUpperCase()}`).set(bearer(alice.accessToken)).expect(204);
    await api().get(`/api/v1/knowledge-bases/${kb.id}`).set(bearer(alice.accessToken)).expect(404);
    expect(await partitions()).toHaveLength(0);
  });

  it('validates input with clear problems', async () => {
    const bad = [
      [{}, 'name'],
      [{ name: 'x', chunking: { size: 10 } }, 'chunking.size'],
      [{ name: 'x', chunking: { size: 128, overlap: 64 } }, 'overlap'],
      [{ name: 'x', embedding: { provider: 'local', model: 'other' } }, 'hashing-v1'],
      [{ name: 'x', embedding: { provider: 'local', model: 'hashing-v1', dimensions: 5000 } }, 'dimensions'],
      [{ name: 'x', embedding: { provider: 'nope', model: 'm' } }, 'nope'],
    ] as const;
    for (const [body, mention] of bad) {
      const res = await api().post('/api/v1/knowledge-bases').set(bearer(alice.accessToken)).send(body).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    const kb = await createKb(alice);
    for (const body of [{}, { text: 'a', url: 'https://example.com' }, { text: '' }, { uploadId: 'nope' }]) {
      const res = await api().post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(alice.accessToken)).send(body).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    for (const body of [{ name: null }, { description: null }]) {
      const res = await api().patch(`/api/v1/knowledge-bases/${kb.id}`).set(bearer(alice.accessToken)).send(body).expect(400);
      expect(res.body.errors[0].field).toBe(Object.keys(body)[0]);
    }
    const search400 = await api().post(`/api/v1/knowledge-bases/${kb.id}/search`).set(bearer(alice.accessToken)).send({ query: 'x', mode: 'magic', k: 500 });
    expect(search400.status).toBe(400);
  });

  it('ingests a text document, reports progress over WebSocket, and finds the planted sentence by every mode', async () => {
    const kb = await createKb(alice);
    const ws = await connectWs(t.url, `?access_token=${alice.accessToken}`);
    await ws.waitFor((fs) => fs.some((f) => f.type === 'ready'));
    const doc = await addText(alice, kb.id, FILLER);
    expect(doc).toMatchObject({ knowledgeBaseId: kb.id, title: 'Travel notes', status: 'queued', progress: 0, source: { kind: 'text' } });
    const frames = await ws.waitFor((fs) => fs.some((f) => f.type === 'document.progress' && f.status === 'ready'));
    const progress = frames.filter((f) => f.type === 'document.progress' && f.documentId === doc.id);
    expect(progress.at(-1)).toMatchObject({ knowledgeBaseId: kb.id, status: 'ready', progress: 100, error: null });
    expect(progress.some((f) => f.status === 'processing' && f.progress > 0 && f.progress < 100)).toBe(true);
    ws.close();

    const ready = await waitForDocument(alice, kb.id, doc.id);
    expect(ready).toMatchObject({ status: 'ready', progress: 100, error: null });
    expect(ready.chunkCount).toBeGreaterThan(0);
    for (const mode of ['vector', 'fulltext', 'hybrid']) {
      const hits = await search(alice, kb.id, { query: 'When does the zebra-striped submarine dock at Port Velvet?', k: 3, mode });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]).toMatchObject({ documentId: doc.id, documentTitle: 'Travel notes', location: { headingPath: ['Travel notes', 'Harbours'] } });
      expect(hits[0].text).toContain(PLANTED);
      expect(hits.map((h: any) => h.score)).toEqual([...hits.map((h: any) => h.score)].sort((a, b) => b - a));
    }
    // Full-text needs a shared word; vector search still ranks something.
    expect(await search(alice, kb.id, { query: 'xylophone quasar', mode: 'fulltext' })).toEqual([]);
  });

  it('keeps every knowledge base, document and chunk to its owner', async () => {
    const kb = await createKb(alice);
    const doc = await addText(alice, kb.id, `Secret plans. ${PLANTED}`);
    await waitForDocument(alice, kb.id, doc.id);
    const other = bearer(bob.accessToken);
    await api().get(`/api/v1/knowledge-bases/${kb.id}`).set(other).expect(404);
    await api().patch(`/api/v1/knowledge-bases/${kb.id}`).set(other).send({ name: 'x' }).expect(404);
    await api().delete(`/api/v1/knowledge-bases/${kb.id}`).set(other).expect(404);
    await api().post(`/api/v1/knowledge-bases/${kb.id}/search`).set(other).send({ query: 'submarine' }).expect(404);
    await api().get(`/api/v1/knowledge-bases/${kb.id}/documents`).set(other).expect(404);
    await api().get(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(other).expect(404);
    await api().post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(other).send({ text: 'mine now' }).expect(404);
    await api().delete(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(other).expect(404);
    const bobsKb = await createKb(bob);
    // Bob cannot reach Alice's document through his own base either.
    await api().get(`/api/v1/knowledge-bases/${bobsKb.id}/documents/${doc.id}`).set(other).expect(404);
    expect(await search(bob, bobsKb.id, { query: 'zebra-striped submarine Port Velvet' })).toEqual([]);
    // Nor attach her base or ingest her upload.
    await api().post('/api/v1/sessions').set(other).send({ settings: { knowledgeBaseIds: [kb.id] } }).expect(404);
    const upload = await api().post('/api/v1/uploads').set(bearer(alice.accessToken)).attach('file', Buffer.from(PLANTED), 'notes.txt').expect(201);
    await api().post(`/api/v1/knowledge-bases/${bobsKb.id}/documents`).set(other).send({ uploadId: upload.body.id }).expect(404);
    for (const call of [
      api().get('/api/v1/knowledge-bases'),
      api().post('/api/v1/knowledge-bases').send({ name: 'x' }),
      api().post(`/api/v1/knowledge-bases/${MISSING_ID}/search`).send({ query: 'x' }),
    ]) {
      expect((await call).status).toBe(401);
    }
  });

  it('adds a document from an upload and deletes documents with their chunks', async () => {
    const kb = await createKb(alice);
    const upload = await api()
      .post('/api/v1/uploads')
      .set(bearer(alice.accessToken))
      .attach('file', Buffer.from(`# Notes\n\n${PLANTED}\n`), 'notes.md')
      .expect(201);
    const doc = (await api().post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(alice.accessToken)).send({ uploadId: upload.body.id }).expect(202))
      .body;
    expect(doc).toMatchObject({ title: 'notes.md', source: { kind: 'upload', uploadId: upload.body.id }, contentType: 'text/markdown' });
    await waitForDocument(alice, kb.id, doc.id);
    expect((await search(alice, kb.id, { query: 'zebra submarine' }))[0].documentId).toBe(doc.id);
    await api().delete(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(bearer(alice.accessToken)).expect(204);
    expect(await search(alice, kb.id, { query: 'zebra submarine', mode: 'fulltext' })).toEqual([]);
    // The upload itself stays.
    await api().get(`/api/v1/uploads/${upload.body.id}`).set(bearer(alice.accessToken)).expect(200);
  });

  it('refuses URLs that point at private, loopback, link-local or metadata addresses', async () => {
    const kb = await createKb(alice);
    for (const url of [
      `${site.url}/page.html`,
      'http://localhost/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/internal',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'file:///etc/passwd',
      'ftp://example.com/file.txt',
      'http://user:pass@example.com/',
    ]) {
      const res = await api().post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(alice.accessToken)).send({ url });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.body.code).toBe('KB_UNSAFE_URL');
    }
    const docs = await api().get(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(alice.accessToken)).expect(200);
    expect(docs.body.data).toEqual([]);
  });

  it('fetches URL documents within limits, following redirects only to http(s)', async () => {
    const open = await startChatApp(vendor, { KB_URL_ALLOW_PRIVATE: 'true', KB_URL_TIMEOUT_MS: '500', KB_URL_MAX_BYTES: String(16 * 1024) });
    try {
      const carol = await registerUser(open);
      const kb = (await request(open.url).post('/api/v1/knowledge-bases').set(bearer(carol.accessToken)).send({ name: 'Web' }).expect(201)).body;
      const add = async (path: string) =>
        (await request(open.url).post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(carol.accessToken)).send({ url: `${site.url}${path}` }).expect(202)).body;
      const settle = async (id: string) => {
        for (let i = 0; i < 500; i++) {
          const res = await request(open.url).get(`/api/v1/knowledge-bases/${kb.id}/documents/${id}`).set(bearer(carol.accessToken)).expect(200);
          if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
          await new Promise((r) => setTimeout(r, 30));
        }
        throw new Error('document never settled');
      };
      const page = await settle((await add('/redirect-ok')).id);
      expect(page.status).toBe('ready');
      const hits = (await request(open.url).post(`/api/v1/knowledge-bases/${kb.id}/search`).set(bearer(carol.accessToken)).send({ query: 'zebra submarine' }).expect(200)).body
        .data;
      expect(hits[0].text).toContain(PLANTED);
      expect(hits[0].text).not.toContain('script text');
      expect(await settle((await add('/redirect-file')).id)).toMatchObject({ status: 'failed', error: expect.stringContaining('http') });
      expect(await settle((await add('/huge')).id)).toMatchObject({ status: 'failed', error: expect.stringContaining('KB_URL_MAX_BYTES') });
      expect(await settle((await add('/slow')).id)).toMatchObject({ status: 'failed', error: expect.stringContaining('500 ms') });
      expect(await settle((await add('/missing')).id)).toMatchObject({ status: 'failed', error: expect.stringContaining('404') });
    } finally {
      await open.close();
    }
  });

  it('ends a bad document in failed with a reason while the rest of the base keeps working, and can ingest it again', async () => {
    const kb = await createKb(alice);
    const good = await addText(alice, kb.id, FILLER);
    const broken = await api()
      .post(`/api/v1/knowledge-bases/${kb.id}/documents`)
      .set(bearer(alice.accessToken))
      .attach('file', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]), 'broken.pdf')
      .expect(202);
    const failed = await waitForDocument(alice, kb.id, broken.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/\w/);
    expect((await waitForDocument(alice, kb.id, good.id)).status).toBe('ready');
    expect((await search(alice, kb.id, { query: 'zebra submarine' }))[0].documentId).toBe(good.id);
    const again = await api().post(`/api/v1/knowledge-bases/${kb.id}/documents/${broken.body.id}/reingest`).set(bearer(alice.accessToken)).expect(202);
    expect(again.body.status).toBe('queued');
    expect((await waitForDocument(alice, kb.id, broken.body.id)).status).toBe('failed');
  });

  it('ends a document whose parsing overruns KB_PARSE_TIMEOUT_MS in failed, and the next document gets a fresh parser', async () => {
    // The big document takes about three times the timeout to parse on a fast, idle machine (12 MB
    // of text: ~0.85 s here, against ~0.2 s for 3 MB, which sometimes finished in time).
    const strict = await startChatApp(vendor, { KB_PARSE_TIMEOUT_MS: '300', JOBS_CONCURRENCY: '1', KB_MAX_CHARACTERS: '20000000' });
    try {
      const carol = await registerUser(strict);
      const auth = bearer(carol.accessToken);
      const kb = (await request(strict.url).post('/api/v1/knowledge-bases').set(auth).send({ name: 'Strict' }).expect(201)).body;
      const huge = Buffer.from(Array.from({ length: 240_000 }, (_, i) => `Line ${i} of a very long log file about ferries.`).join('\n'));
      const slow = (await request(strict.url).post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(auth).attach('file', huge, 'huge.txt').expect(202)).body;
      const small = (await request(strict.url).post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(auth).send({ text: PLANTED }).expect(202)).body;
      const settle = async (id: string) => {
        for (let i = 0; i < 500; i++) {
          const res = await request(strict.url).get(`/api/v1/knowledge-bases/${kb.id}/documents/${id}`).set(auth).expect(200);
          if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
          await new Promise((r) => setTimeout(r, 30));
        }
        throw new Error('document never settled');
      };
      expect(await settle(slow.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('KB_PARSE_TIMEOUT_MS') });
      expect(await settle(small.id)).toMatchObject({ status: 'ready' });
    } finally {
      await strict.close();
    }
  });

  it('is idempotent: a re-delivered ingestion job writes the same chunks, never duplicates', async () => {
    const kb = await createKb(alice, { name: 'Small chunks', chunking: { size: 64, overlap: 8 } });
    const doc = await addText(alice, kb.id, FILLER.repeat(3));
    const ready = await waitForDocument(alice, kb.id, doc.id);
    const db = t.app.get(DataSource);
    const chunks = () => db.query<{ id: string; ordinal: number; text: string }[]>(`SELECT id, ordinal, text FROM kb_chunks WHERE document_id = $1 ORDER BY ordinal`, [doc.id]);
    const first = await chunks();
    expect(first.length).toBe(ready.chunkCount);
    expect(first.length).toBeGreaterThan(2);
    // As if the worker died after writing and the queue delivered the job again.
    await db.query(`UPDATE kb_documents SET status = 'processing' WHERE id = $1`, [doc.id]);
    const lexemes = () =>
      db.query<{ lexeme: string; chunk_count: number }[]>(`SELECT lexeme, chunk_count FROM kb_lexemes WHERE knowledge_base_id = $1 ORDER BY lexeme`, [kb.id]);
    const statsBefore = await lexemes();
    expect(statsBefore.find((l) => l.lexeme === 'zebra')?.chunk_count).toBe(3);
    await t.app.get(IngestionService).ingest(doc.id, { attempt: 1, maxAttempts: 3, signal: new AbortController().signal });
    expect(await chunks()).toEqual(first);
    expect((await waitForDocument(alice, kb.id, doc.id)).chunkCount).toBe(first.length);
    // The base's word statistics and chunk count are not counted twice either.
    expect(await lexemes()).toEqual(statsBefore);
    const base = await api().get(`/api/v1/knowledge-bases/${kb.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(base.body.chunkCount).toBe(first.length);
    await api().delete(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(bearer(alice.accessToken)).expect(204);
    expect(await lexemes()).toEqual([]);
    expect((await api().get(`/api/v1/knowledge-bases/${kb.id}`).set(bearer(alice.accessToken)).expect(200)).body.chunkCount).toBe(0);
  });

  it('embeds with a provider: the dimensions come from a probe and queries use the same model', async () => {
    const kb = await createKb(alice, { name: 'Vendor vectors', embedding: { provider: 'openai', model: 'text-embedding-3-small' } });
    expect(kb.embedding).toEqual({ provider: 'openai', model: 'text-embedding-3-small', dimensions: FAKE_EMBEDDING_DIMENSIONS });
    const before = vendor.requests.filter((r) => r.path.endsWith('/embeddings')).length;
    const doc = await addText(alice, kb.id, PLANTED);
    expect((await waitForDocument(alice, kb.id, doc.id)).status).toBe('ready');
    // The fake vendor's vectors are a hash of the text: the exact sentence is the nearest.
    const hits = await search(alice, kb.id, { query: PLANTED, mode: 'vector', k: 1 });
    expect(hits[0]).toMatchObject({ documentId: doc.id });
    expect(hits[0].score).toBeCloseTo(1, 3);
    const embeddingCalls = vendor.requests.filter((r) => r.path.endsWith('/embeddings')).slice(before);
    expect(embeddingCalls.length).toBe(2);
    expect(embeddingCalls.every((r) => r.body.model === 'text-embedding-3-small' && r.body.dimensions === undefined)).toBe(true);
    const wrong = await api()
      .post('/api/v1/knowledge-bases')
      .set(bearer(alice.accessToken))
      .send({ name: 'x', embedding: { provider: 'openai', model: 'text-embedding-3-small', dimensions: 16 } });
    // The fake honours `dimensions`, so 16 is what it returns: accepted and sent on every call.
    expect(wrong.status).toBe(201);
    expect(wrong.body.embedding.dimensions).toBe(16);
  });
});
