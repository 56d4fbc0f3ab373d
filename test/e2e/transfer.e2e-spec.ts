import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', name), 'utf8'));
const REPLY = DEFAULT_TOKENS.join('');

describe('conversation export and import', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    vendor = await startFakeVendor();
    // Above the global 1 MiB body limit, so both limits can be seen at work.
    t = await startChatApp(vendor, { IMPORT_MAX_BYTES: String(3 * 1024 * 1024) });
    alice = await registerUser(t);
    bob = await registerUser(t);
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  const db = () => t.app.get(DataSource);
  const counts = async () => {
    const [row] = await db().query(`SELECT (SELECT count(*) FROM chat_sessions)::int AS sessions, (SELECT count(*) FROM messages)::int AS messages`);
    return row as { sessions: number; messages: number };
  };
  const importFile = (body: unknown, token = alice.accessToken) =>
    request(t.url).post('/api/v1/sessions/import').set(bearer(token)).send(body as object);
  const branch = async (sessionId: string, token = alice.accessToken) =>
    (await request(t.url).get(`/api/v1/sessions/${sessionId}/messages`).set(bearer(token)).expect(200)).body.data;
  const exportJson = async (sessionId: string) =>
    (await request(t.url).get(`/api/v1/sessions/${sessionId}/export?format=json`).set(bearer(alice.accessToken)).expect(200)).body;
  const send = async (sessionId: string, body: object) => {
    const res = await request(t.url).post(`/api/v1/sessions/${sessionId}/messages`).set(bearer(alice.accessToken)).send(body).expect(202);
    await waitForMessage(t, alice.accessToken, res.body.assistantMessage.id);
    return res.body;
  };

  it('answers 401 without credentials and 404 for another user’s session', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Private' });
    await request(t.url).get(`/api/v1/sessions/${session.id}/export`).expect(401);
    await request(t.url).get('/api/v1/sessions/export').expect(401);
    await request(t.url).post('/api/v1/sessions/import').send({ sessions: [] }).expect(401);
    const res = await request(t.url).get(`/api/v1/sessions/${session.id}/export`).set(bearer(bob.accessToken)).expect(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await request(t.url).get(`/api/v1/sessions/${session.id}/export?format=markdown`).set(bearer(bob.accessToken)).expect(404);
    await request(t.url).get(`/api/v1/sessions/${session.id}/export?format=pdf`).set(bearer(alice.accessToken)).expect(400);
    // A group member may export what they can read; the bulk export holds only their own sessions.
    await request(t.url).post(`/api/v1/sessions/${session.id}/members`).set(bearer(alice.accessToken)).send({ email: bob.email }).expect(201);
    const shared = await request(t.url).get(`/api/v1/sessions/${session.id}/export`).set(bearer(bob.accessToken)).expect(200);
    expect(shared.body.sessions[0].id).toBe(session.id);
    const bobs = JSON.parse((await request(t.url).get('/api/v1/sessions/export').set(bearer(bob.accessToken)).buffer(true).parse(text).expect(200)).body);
    expect(bobs.sessions).toEqual([]);
  });

  it('round-trips the whole tree through export and import, with new ids', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Round trip', settings: { systemPrompt: 'Be brief.', temperature: 0.5 } });
    const first = await send(session.id, { content: 'question one' });
    await request(t.url).post(`/api/v1/messages/${first.assistantMessage.id}/regenerate`).set(bearer(alice.accessToken)).expect(202)
      .then((r) => waitForMessage(t, alice.accessToken, r.body.assistantMessage.id));
    const edited = await request(t.url).patch(`/api/v1/messages/${first.userMessage.id}`).set(bearer(alice.accessToken))
      .send({ content: 'question one, edited' }).expect(202);
    await waitForMessage(t, alice.accessToken, edited.body.assistantMessage.id);
    await send(session.id, { content: 'follow-up' });

    const original = await exportJson(session.id);
    expect(original).toMatchObject({ format: 'chatbox-backend.export', version: 1, exportedAt: expect.any(String) });
    const [exported] = original.sessions;
    expect(exported.messages).toHaveLength(7);
    expect(exported.settings).toMatchObject({ provider: 'openai', model: 'fake-large', systemPrompt: 'Be brief.', temperature: 0.5 });
    expect(exported.messages[1]).toMatchObject({ role: 'assistant', status: 'completed', content: REPLY, provider: 'openai',
      model: 'fake-large', usage: { inputTokens: 12, outputTokens: 5, reasoningTokens: 0 } });

    const before = await counts();
    const res = await importFile(original).expect(201);
    expect(res.body.imported).toEqual({ sessions: 1, messages: 7 });
    expect(await counts()).toEqual({ sessions: before.sessions + 1, messages: before.messages + 7 });
    const copy = (await exportJson(res.body.sessionIds[0])).sessions[0];
    expect(copy.id).not.toBe(exported.id);
    const oldIds = new Set(exported.messages.map((m: any) => m.id));
    expect(copy.messages.filter((m: any) => oldIds.has(m.id))).toEqual([]);
    expect(shape(copy)).toEqual(shape(exported));
    expect(copy.settings).toEqual(exported.settings);
    // The same branch is current, and siblings are kept.
    const shown = await branch(res.body.sessionIds[0]);
    expect(shown.map((m: any) => m.content)).toEqual(['question one, edited', REPLY, 'follow-up', REPLY]);
    expect(shown[0].siblingIds).toHaveLength(2);

    // NUL characters PostgreSQL cannot store are dropped from a file's text, its model names too.
    const tainted = structuredClone(original);
    tainted.sessions[0].messages[1].model = 'fake\u0000large';
    tainted.sessions[0].messages[1].provider = 'open\u0000ai';
    const again = await importFile(tainted).expect(201);
    const imported = (await exportJson(again.body.sessionIds[0])).sessions[0].messages;
    expect(imported.filter((m: any) => m.model === 'fakelarge' && m.provider === 'openai')).toHaveLength(1);
  });

  it('exports the current branch as Markdown', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Notes: été' });
    const first = await send(session.id, { content: 'old branch text' });
    await request(t.url).patch(`/api/v1/messages/${first.userMessage.id}`).set(bearer(alice.accessToken)).send({ content: 'new branch text' })
      .expect(202).then((r) => waitForMessage(t, alice.accessToken, r.body.assistantMessage.id));
    const res = await request(t.url).get(`/api/v1/sessions/${session.id}/export?format=markdown`).set(bearer(alice.accessToken)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/markdown/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="Notes-t\.md"; filename\*=UTF-8''Notes%3A%20%C3%A9t%C3%A9\.md$/);
    expect(res.text).toContain('# Notes: été');
    expect(res.text).toContain('## User\n');
    expect(res.text).toContain('new branch text');
    expect(res.text).toContain(`## Assistant (fake-large)`);
    expect(res.text).toContain(REPLY);
    expect(res.text).not.toContain('old branch text');
  });

  it('imports a Chatbox backup: parts, system prompt, threads as their own sessions, unknown parts as text', async () => {
    const res = await importFile(fixture('chatbox-backup.json')).expect(201);
    expect(res.body.imported).toEqual({ sessions: 2, messages: 5 });
    const [threadId, mainId] = res.body.sessionIds;
    const main = (await exportJson(mainId)).sessions[0];
    expect(main.title).toBe('Trip planning');
    expect(main.settings).toMatchObject({ provider: 'openai', model: 'fake-large', systemPrompt: 'You are a helpful travel agent.' });
    expect(main.messages.map((m: any) => [m.role, m.status])).toEqual([['user', 'completed'], ['assistant', 'completed'], ['user', 'completed']]);
    expect(main.messages[0].contentParts).toEqual([
      { type: 'text', text: 'Plan a weekend in Lisbon. Here is a photo of my budget.' },
      { type: 'text', text: '[image: picture:budget-1746180001]' },
    ]);
    expect(main.messages[1]).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 120, outputTokens: 48, reasoningTokens: null },
      createdAt: '2025-05-02T10:00:05.000Z',
      contentParts: [
        { type: 'reasoning', text: 'The user wants a two-day itinerary.' },
        { type: 'tool-call', toolCallId: 'call_42', name: 'web_search', arguments: '{"query":"Lisbon weekend"}' },
        { type: 'tool-result', toolCallId: 'call_42', name: 'web_search', result: '{"hits":3}' },
        { type: 'text', text: 'Day one: Alfama and a pastel de nata in Belem.' },
        { type: 'text', text: 'Weather widget: sunny, 24C' },
      ],
    });
    expect(main.messages[1].content).toBe('Day one: Alfama and a pastel de nata in Belem.\nWeather widget: sunny, 24C');
    expect((await branch(mainId)).map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    const thread = (await exportJson(threadId)).sessions[0];
    expect(thread.title).toBe('Trip planning (First ideas)');
    expect(thread.messages.map((m: any) => m.content)).toEqual(['Porto or Lisbon?', 'Lisbon for a first visit.']);
  });

  it('imports an older Chatbox file with plain content strings', async () => {
    const res = await importFile(fixture('chatbox-legacy.json')).expect(201);
    expect(res.body.imported).toEqual({ sessions: 2, messages: 2 });
    const recipe = (await exportJson(res.body.sessionIds[0])).sessions[0];
    expect(recipe.settings.systemPrompt).toBe('You are a chef.');
    expect(recipe.messages.map((m: any) => [m.role, m.contentParts])).toEqual([
      ['user', [{ type: 'text', text: 'How do I make risotto?' }]],
      ['assistant', [{ type: 'text', text: 'Toast the arborio rice, then add stock slowly.' }]],
    ]);
    expect(recipe.messages[1]).toMatchObject({ model: 'gpt-3.5-turbo', createdAt: '2023-11-20T06:00:04.000Z' });
    expect((await exportJson(res.body.sessionIds[1])).sessions[0]).toMatchObject({ title: 'Empty one', messages: [], currentLeafId: null });
  });

  it("imports ChatGPT's conversations.json keeping branches, the current node, and skipping tool nodes", async () => {
    const res = await importFile(fixture('chatgpt-conversations.json')).expect(201);
    expect(res.body.imported).toEqual({ sessions: 2, messages: 8 });
    const [capitalId, computeId] = res.body.sessionIds;
    const shown = await branch(capitalId);
    expect(shown.map((m: any) => m.content)).toEqual(['What is the capital of France?', 'The capital of France is Paris.']);
    expect(shown[0].siblingIds).toHaveLength(2); // the edited question is a sibling root
    expect(shown[1].siblingIds).toHaveLength(2); // so is the regenerated answer
    const all = (await exportJson(capitalId)).sessions[0];
    expect(all.title).toBe('Capital question');
    expect(all.settings.systemPrompt).toBeNull();
    expect(all.messages.map((m: any) => m.content).sort()).toEqual(
      ['Madrid.', 'Paris.', 'The capital of France is Paris.', 'What is the capital of France?', 'What is the capital of Spain?'].sort(),
    );
    expect(all.messages.find((m: any) => m.content === 'Paris.')).toMatchObject({ model: 'gpt-4o', createdAt: '2024-05-29T16:26:42.000Z' });
    const compute = await branch(computeId);
    expect(compute.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'What is 2**20?'],
      ['assistant', '```python\nprint(2**20)\n```'],
      ['assistant', '2**20 is 1048576.'],
    ]);
  });

  it('refuses bad files with field paths, and writes nothing', async () => {
    const before = await counts();
    const unknown = await importFile({ hello: 'world' }).expect(400);
    expect(unknown.body.detail).toMatch(/Unrecognized file/);

    const backup = fixture('chatbox-backup.json') as any;
    backup.sessions.push({ id: 'x', name: 'Bad', messages: [{ role: 'user', content: 'ok' }, { role: 'robot', content: 'no' }, { role: 'user' }] });
    const bad = await importFile(backup).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors).toEqual([
      { field: 'sessions[1].messages[1].role', message: 'must be one of system, user, assistant, tool' },
      { field: 'sessions[1].messages[2].contentParts', message: 'must be an array (or content a string)' },
    ]);

    const native = await exportJson((await createSession(t, alice.accessToken, { title: 'Source' })).id);
    native.sessions[0].messages = [
      { id: 'a', parentId: null, role: 'user', contentParts: [{ type: 'text', text: 'hi' }] },
      { id: 'b', parentId: 'nope', role: 'assistant', contentParts: [{ type: 'text', text: 42 }] },
    ];
    const broken = await importFile(native).expect(400);
    expect(broken.body.errors).toEqual([
      { field: 'sessions[0].messages[1].contentParts[0].text', message: 'must be a string' },
      { field: 'sessions[0].messages[1].parentId', message: 'refers to unknown message "nope"' },
    ]);
    native.sessions[0].messages = [
      { id: 'a', parentId: 'b', role: 'user', contentParts: [] },
      { id: 'b', parentId: 'a', role: 'assistant', contentParts: [] },
    ];
    expect((await importFile(native).expect(400)).body.errors).toEqual([{ field: 'sessions[0].messages', message: 'parent links form a cycle' }]);

    const huge = { sessions: [{ name: 'Huge', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }] };
    expect((await importFile(huge).expect(400)).body.errors).toEqual([{ field: 'sessions[0].messages[0]', message: 'text must be at most 1 MB' }]);
    expect(await counts()).toEqual({ sessions: before.sessions + 1, messages: before.messages });
  });

  it('applies its own body limit, above the global one', async () => {
    const chunk = 'y'.repeat(400_000);
    const big = { sessions: [{ name: 'Big', messages: [1, 2, 3, 4].map((n) => ({ role: n % 2 ? 'user' : 'assistant', content: chunk })) }] };
    expect((await importFile(big).expect(201)).body.imported).toEqual({ sessions: 1, messages: 4 });
    const tooBig = { sessions: [{ name: 'Too big', messages: Array.from({ length: 8 }, () => ({ role: 'user', content: chunk })) }] };
    expect((await importFile(tooBig).expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    // Other routes keep the global limit.
    await request(t.url).post('/api/v1/sessions').set(bearer(alice.accessToken)).send({ title: 'x', folder: 'z'.repeat(1_200_000) }).expect(413);
  });

  it('rolls back the whole file when the database fails midway', async () => {
    await db().query(`CREATE FUNCTION test_fail_import() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content = 'explode here' THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$`);
    await db().query(`CREATE TRIGGER test_fail_import BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_fail_import()`);
    try {
      const before = await counts();
      const file = {
        sessions: [
          { name: 'One', messages: [{ role: 'user', content: 'fine' }, { role: 'assistant', content: 'fine too' }] },
          { name: 'Two', messages: [{ role: 'user', content: 'still fine' }] },
          { name: 'Three', messages: [{ role: 'user', content: 'explode here' }] },
        ],
      };
      const res = await importFile(file).expect(500);
      expect(JSON.stringify(res.body)).not.toContain('simulated failure');
      expect(await counts()).toEqual(before);
    } finally {
      await db().query('DROP TRIGGER test_fail_import ON messages');
      await db().query('DROP FUNCTION test_fail_import()');
    }
  });

  it('streams every session of the user as one JSON document', async () => {
    const carol = await registerUser(t);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await createSession(t, carol.accessToken, { title: `Bulk ${i}` })).id);
    const talk = await request(t.url).post(`/api/v1/sessions/${ids[7]}/messages`).set(bearer(carol.accessToken)).send({ content: 'in bulk' }).expect(202);
    await waitForMessage(t, carol.accessToken, talk.body.assistantMessage.id);

    const res = await request(t.url).get('/api/v1/sessions/export').set(bearer(carol.accessToken)).buffer(true)
      .parse(text)
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const doc = JSON.parse(res.body as string);
    expect(doc).toMatchObject({ format: 'chatbox-backend.export', version: 1 });
    expect(doc.sessions.map((s: any) => s.id).sort()).toEqual([...ids].sort());
    const withMessages = doc.sessions.find((s: any) => s.id === ids[7]);
    expect(withMessages.messages.map((m: any) => m.content)).toEqual(['in bulk', REPLY]);
    // It imports back as it is.
    const again = await importFile(doc, carol.accessToken).expect(201);
    expect(again.body.imported).toEqual({ sessions: 30, messages: 2 });
  });
});

// Collects a body as text, whatever its content type.
function text(response: any, done: (err: Error | null, body: string) => void): void {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (c: string) => (body += c));
  response.on('end', () => done(null, body));
}

// A tree's shape without its ids: each message with its parent's position.
function shape(session: any): unknown[] {
  const index = new Map(session.messages.map((m: any, i: number) => [m.id, i]));
  return session.messages.map((m: any) => ({
    parent: m.parentId === null ? null : index.get(m.parentId),
    role: m.role,
    status: m.status,
    content: m.content,
    contentParts: m.contentParts,
    model: m.model,
    usage: m.usage,
    createdAt: m.createdAt,
    current: m.id === session.currentLeafId,
  }));
}
