import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PROBLEM = /^application\/problem\+json/;
const MISSING_ID = '0190c3f0-0000-7000-8000-000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sessions: CRUD, validation, listing', () => {
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

  const api = () => request(t.url);
  const list = async (token: string, query = '') => (await api().get(`/api/v1/sessions${query}`).set(bearer(token)).expect(200)).body;
  const fieldsOf = (body: any): string[] => (body.errors ?? []).map((e: { field: string }) => e.field);

  it('refuses every sessions route without credentials (401 problem)', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Private' });
    const calls = [
      api().get('/api/v1/sessions'),
      api().post('/api/v1/sessions').send({}),
      api().get(`/api/v1/sessions/${session.id}`),
      api().patch(`/api/v1/sessions/${session.id}`).send({ title: 'x' }),
      api().delete(`/api/v1/sessions/${session.id}`),
      api().get('/api/v1/sessions').set('authorization', 'Bearer not-a-token'),
    ];
    for (const call of calls) {
      const res = await call.expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 401 });
    }
    // Nothing changed.
    const still = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(still.body.title).toBe('Private');
  });

  it('creates a session with the server default settings', async () => {
    const res = await api().post('/api/v1/sessions').set(bearer(alice.accessToken)).send({}).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      role: 'owner',
      title: null,
      settings: {
        provider: 'openai',
        model: 'fake-large',
        systemPrompt: null,
        temperature: null,
        maxTokens: null,
        contextMessages: null,
        knowledgeBaseIds: [],
      },
      pinned: false,
      archived: false,
      folder: null,
      tags: [],
      currentLeafId: null,
      lastActivityAt: expect.stringMatching(ISO),
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    const got = await api().get(`/api/v1/sessions/${res.body.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('creates a session with every field set', async () => {
    const body = {
      title: '  Trip plans  ',
      settings: {
        provider: 'anthropic',
        model: 'claude-test',
        systemPrompt: 'You plan trips.',
        temperature: 0.5,
        maxTokens: 1024,
        contextMessages: 10,
      },
      pinned: true,
      archived: true,
      folder: 'Travel',
      tags: ['japan', 'spring', 'japan'],
    };
    const res = await api().post('/api/v1/sessions').set(bearer(alice.accessToken)).send(body).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      role: 'owner',
      title: 'Trip plans',
      settings: {
        provider: 'anthropic',
        model: 'claude-test',
        systemPrompt: 'You plan trips.',
        temperature: 0.5,
        maxTokens: 1024,
        contextMessages: 10,
        knowledgeBaseIds: [],
      },
      pinned: true,
      archived: true,
      folder: 'Travel',
      tags: ['japan', 'spring'],
      currentLeafId: null,
      lastActivityAt: expect.stringMatching(ISO),
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    const got = await api().get(`/api/v1/sessions/${res.body.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(got.body).toEqual(res.body);

    // A non-binary temperature survives the round trip as sent.
    const warm = await createSession(t, alice.accessToken, { settings: { temperature: 0.7 } });
    expect(warm.settings.temperature).toBe(0.7);
    const warmAgain = await api().get(`/api/v1/sessions/${warm.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(warmAgain.body.settings.temperature).toBe(0.7);
  });

  it('refuses text PostgreSQL cannot store and bodies nested too deep (400, nothing written)', async () => {
    const user = await registerUser(t);
    const auth = bearer(user.accessToken);
    const refused = async (req: request.Test, field: string) => {
      const res = await req.set(auth).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
    };
    const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    const nested = await api().post('/api/v1/sessions').set(auth).set('content-type', 'application/json').send(deep).expect(400);
    expect(nested.headers['content-type']).toMatch(PROBLEM);
    expect(nested.body.errors[0].message).toMatch(/nested/);
    await refused(api().post('/api/v1/sessions').send({ title: 'a\u0000b' }), 'title');
    await refused(api().post('/api/v1/sessions').send({ settings: { systemPrompt: 'x\ud800' } }), 'settings.systemPrompt');
    await refused(api().get('/api/v1/sessions?folder=a%00b'), 'folder');
    const session = await createSession(t, user.accessToken);
    await refused(api().post(`/api/v1/sessions/${session.id}/messages`).send({ content: 'a\u0000b' }), 'content');
    await refused(api().post(`/api/v1/sessions/${session.id}/messages`).send({ content: 'a\ud800b' }), 'content');
    const list = await api().get('/api/v1/sessions').set(auth).expect(200);
    expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([session.id]);
    const messages = await api().get(`/api/v1/sessions/${session.id}/messages`).set(auth).expect(200);
    expect(messages.body.data).toEqual([]);
    // An id in upper case is the same session.
    await api().get(`/api/v1/sessions/${session.id.toUpperCase()}`).set(auth).expect(200);
  });

  it('refuses bad values with 400 and the field names, creating nothing', async () => {
    const user = await registerUser(t);
    const bad = async (body: unknown) => {
      const res = await api().post('/api/v1/sessions').set(bearer(user.accessToken)).send(body as object).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.status).toBe(400);
      return res.body;
    };
    const cases: [unknown, string][] = [
      [{ settings: { temperature: 3 } }, 'settings.temperature'],
      [{ settings: { temperature: -0.1 } }, 'settings.temperature'],
      [{ settings: { maxTokens: 0 } }, 'settings.maxTokens'],
      [{ settings: { maxTokens: 1.5 } }, 'settings.maxTokens'],
      [{ settings: { contextMessages: -1 } }, 'settings.contextMessages'],
      [{ settings: { provider: 'Not An Id!' } }, 'settings.provider'],
      [{ settings: { model: '' } }, 'settings.model'],
      [{ settings: { unknownSetting: 1 } }, 'settings.unknownSetting'],
      [{ role: 'admin' }, 'role'],
      [{ tags: Array.from({ length: 21 }, (_v, i) => `t${i}`) }, 'tags'],
      [{ tags: ['x'.repeat(51)] }, 'tags'],
      [{ tags: 'not-an-array' }, 'tags'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ pinned: 'yes' }, 'pinned'],
      [{ folder: 'f'.repeat(201) }, 'folder'],
    ];
    for (const [body, field] of cases) {
      const problem = await bad(body);
      // One field can break several rules: each is listed, all under that field's name.
      expect({ body, code: problem.code, fields: [...new Set(fieldsOf(problem))] }).toEqual({ body, code: 'VALIDATION_FAILED', fields: [field] });
    }
    const several = await bad({ title: 'x'.repeat(201), settings: { temperature: 3, maxTokens: 0 } });
    expect([...new Set(fieldsOf(several))].sort()).toEqual(['settings.maxTokens', 'settings.temperature', 'title']);

    // Limits themselves are fine.
    const edge = await createSession(t, user.accessToken, {
      title: 'x'.repeat(200),
      tags: Array.from({ length: 20 }, (_v, i) => `t${i}`),
      settings: { temperature: 2, maxTokens: 1, contextMessages: 0 },
    });
    expect(edge.settings).toMatchObject({ temperature: 2, maxTokens: 1, contextMessages: 0 });
    expect(edge.tags).toHaveLength(20);
    await api().delete(`/api/v1/sessions/${edge.id}`).set(bearer(user.accessToken)).expect(204);

    // A well-formed but unknown provider id, and a known one without any key.
    const unknown = await bad({ settings: { provider: 'nope', model: 'x' } });
    expect(unknown.code).toBe('UNKNOWN_PROVIDER');
    expect(unknown.detail).toContain('nope');
    const unconfigured = await bad({ settings: { provider: 'google', model: 'gemini-x' } });
    expect(unconfigured.code).toBe('PROVIDER_NOT_CONFIGURED');

    const malformed = await api()
      .post('/api/v1/sessions')
      .set(bearer(user.accessToken))
      .set('content-type', 'application/json')
      .send('{"title": ')
      .expect(400);
    expect(malformed.headers['content-type']).toMatch(PROBLEM);

    expect((await list(user.accessToken)).data).toEqual([]);
    expect((await list(user.accessToken, '?archived=true')).data).toEqual([]);
  });

  it('gets a session; unknown and malformed ids are 404 and 400', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Get me' });
    const got = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(got.body).toEqual(session);
    const missing = await api().get(`/api/v1/sessions/${MISSING_ID}`).set(bearer(alice.accessToken)).expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await api().get('/api/v1/sessions/not-a-uuid').set(bearer(alice.accessToken)).expect(400);
    await api().patch(`/api/v1/sessions/${MISSING_ID}`).set(bearer(alice.accessToken)).send({ title: 'x' }).expect(404);
    await api().delete('/api/v1/sessions/not-a-uuid').set(bearer(alice.accessToken)).expect(400);
  });

  it('updates a session: rename, change model, clear the system prompt, pin, archive, tags', async () => {
    const session = await createSession(t, alice.accessToken, {
      title: 'Draft',
      settings: { systemPrompt: 'Be terse.', temperature: 1.5, maxTokens: 500 },
      tags: ['one'],
    });
    const patch = (body: unknown) =>
      api().patch(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).send(body as object);

    await sleep(5);
    const renamed = (await patch({ title: '  Final  ' }).expect(200)).body;
    expect(renamed).toEqual({ ...session, title: 'Final', updatedAt: expect.stringMatching(ISO) });
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThan(Date.parse(session.updatedAt));
    // Renaming is not activity: the list order does not change.
    expect(renamed.lastActivityAt).toBe(session.lastActivityAt);

    const remodeled = (await patch({ settings: { model: 'gpt-4o' } }).expect(200)).body;
    expect(remodeled.settings).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      systemPrompt: 'Be terse.',
      temperature: 1.5,
      maxTokens: 500,
      contextMessages: null,
      knowledgeBaseIds: [],
    });

    const cleared = (await patch({ settings: { systemPrompt: null, temperature: null } }).expect(200)).body;
    expect(cleared.settings).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      systemPrompt: null,
      temperature: null,
      maxTokens: 500,
      contextMessages: null,
      knowledgeBaseIds: [],
    });

    const moved = (await patch({ settings: { provider: 'anthropic', model: 'claude-test' } }).expect(200)).body;
    expect(moved.settings).toMatchObject({ provider: 'anthropic', model: 'claude-test', maxTokens: 500 });

    const pinned = (await patch({ pinned: true }).expect(200)).body;
    expect(pinned).toMatchObject({ pinned: true, archived: false, title: 'Final' });

    const tagged = (await patch({ tags: ['b', 'a', 'b', ' a ', 'c'], folder: 'Inbox' }).expect(200)).body;
    expect(tagged.tags).toEqual(['b', 'a', 'c']);
    expect(tagged.folder).toBe('Inbox');

    const archived = (await patch({ archived: true }).expect(200)).body;
    expect(archived).toMatchObject({ archived: true, pinned: true, folder: 'Inbox', tags: ['b', 'a', 'c'] });

    const unfiled = (await patch({ folder: null }).expect(200)).body;
    expect(unfiled.folder).toBeNull();

    // An empty patch changes nothing.
    const same = (await patch({}).expect(200)).body;
    expect(same).toEqual(unfiled);

    // Bad values are refused and leave the session as it was.
    const badTemp = await patch({ settings: { temperature: 3 } }).expect(400);
    expect(fieldsOf(badTemp.body)).toEqual(['settings.temperature']);
    const badProvider = await patch({ settings: { provider: 'nope' } }).expect(400);
    expect(badProvider.body.code).toBe('UNKNOWN_PROVIDER');
    const badField = await patch({ userId: MISSING_ID }).expect(400);
    expect(fieldsOf(badField.body)).toEqual(['userId']);
    await patch({ tags: Array.from({ length: 21 }, (_v, i) => `t${i}`) }).expect(400);
    // null cannot clear what has no empty value.
    for (const body of [{ pinned: null }, { archived: null }, { tags: null }, { settings: { model: null } }, { settings: { provider: null } }]) {
      const refused = await patch(body).expect(400);
      expect(refused.headers['content-type']).toMatch(PROBLEM);
    }
    // Another provider takes a model of its own (the old one is the other vendor's id): the
    // server default's provider gets the default model, another one must be given one.
    const now = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(now.body).toEqual(same);
    const backToDefault = (await patch({ settings: { provider: 'openai' } }).expect(200)).body;
    expect(backToDefault.settings).toMatchObject({ provider: 'openai', model: 'fake-large' });
    const noModel = await patch({ settings: { provider: 'anthropic' } }).expect(400);
    expect(noModel.body.detail).toBe('settings.model is required when settings.provider changes');
    const unchanged = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(unchanged.body.settings).toMatchObject({ provider: 'openai', model: 'fake-large' });
  });

  describe('listing', () => {
    let carol: TestUser;
    const ids: string[] = [];

    before(async () => {
      carol = await registerUser(t);
      for (let i = 1; i <= 5; i++) {
        ids.push((await createSession(t, carol.accessToken, { title: `S${i}` })).id);
        await sleep(3);
      }
    });

    it('lists newest activity first and pages with a cursor, without duplicates or gaps', async () => {
      const all = await list(carol.accessToken);
      expect(all.data.map((s: any) => s.title)).toEqual(['S5', 'S4', 'S3', 'S2', 'S1']);
      expect(all.nextCursor).toBeNull();

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: any = await list(carol.accessToken, query);
        pageSizes.push(page.data.length);
        seen.push(...page.data.map((s: any) => s.id));
        cursor = page.nextCursor;
      } while (cursor && pageSizes.length < 10);
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual([...ids].reverse());

      // Exactly a page's worth: no empty trailing page.
      const firstFive = await list(carol.accessToken, '?limit=5');
      expect(firstFive.data).toHaveLength(5);
      expect(firstFive.nextCursor).toBeNull();

      // A cursor is opaque, but one made up of the right keys with wrong values is still a 400.
      const tampered = Buffer.from(JSON.stringify({ lastActivityAt: 'garbage', id: 'x' })).toString('base64url');
      const badLimits = ['?limit=0', '?limit=101', '?limit=abc', '?cursor=garbage', `?cursor=${tampered}`, '?archived=maybe'];
      for (const q of badLimits) {
        const res = await api().get(`/api/v1/sessions${q}`).set(bearer(carol.accessToken)).expect(400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
      }
    });

    it('filters by archived, folder and tag', async () => {
      const dave = await registerUser(t);
      await createSession(t, dave.accessToken, { title: 'work', folder: 'Work', tags: ['urgent'] });
      await createSession(t, dave.accessToken, { title: 'home', folder: 'Home', tags: ['later'] });
      await createSession(t, dave.accessToken, { title: 'work later', folder: 'Work', tags: ['later', 'urgent'] });
      const oldArchived = await createSession(t, dave.accessToken, { title: 'archived at birth', archived: true, folder: 'Work', tags: ['urgent'] });
      const toArchive = await createSession(t, dave.accessToken, { title: 'archived later' });
      await api().patch(`/api/v1/sessions/${toArchive.id}`).set(bearer(dave.accessToken)).send({ archived: true }).expect(200);

      const titles = (page: any) => page.data.map((s: any) => s.title).sort();
      expect(titles(await list(dave.accessToken))).toEqual(['home', 'work', 'work later']);
      expect(titles(await list(dave.accessToken, '?archived=false'))).toEqual(['home', 'work', 'work later']);
      const archived = await list(dave.accessToken, '?archived=true');
      expect(titles(archived)).toEqual(['archived at birth', 'archived later']);
      expect(archived.data.every((s: any) => s.archived === true)).toBe(true);

      expect(titles(await list(dave.accessToken, '?folder=Work'))).toEqual(['work', 'work later']);
      expect(titles(await list(dave.accessToken, '?folder=Home'))).toEqual(['home']);
      expect(titles(await list(dave.accessToken, '?folder=Nowhere'))).toEqual([]);
      expect(titles(await list(dave.accessToken, '?tag=urgent'))).toEqual(['work', 'work later']);
      expect(titles(await list(dave.accessToken, '?tag=later'))).toEqual(['home', 'work later']);
      expect(titles(await list(dave.accessToken, '?tag=later&folder=Work'))).toEqual(['work later']);
      expect(titles(await list(dave.accessToken, '?archived=true&folder=Work&tag=urgent'))).toEqual(['archived at birth']);

      // Unarchiving brings it back.
      await api().patch(`/api/v1/sessions/${oldArchived.id}`).set(bearer(dave.accessToken)).send({ archived: false }).expect(200);
      expect(titles(await list(dave.accessToken, '?folder=Work'))).toEqual(['archived at birth', 'work', 'work later']);
      expect(titles(await list(dave.accessToken, '?archived=true'))).toEqual(['archived later']);
    });

    // The list reads its rows its own way (one JSON array per row, times as UTC text); a single
    // session is read as typed columns with Dates. Both must give the same bytes for every kind of
    // value: nulls, empty and odd strings and tags, fractional and whole numbers, times with
    // microseconds, a member's role, a current leaf.
    it('answers each list entry exactly as GET /sessions/:id does, byte for byte', async () => {
      const erin = await registerUser(t);
      const frank = await registerUser(t);
      const kb = (await api().post('/api/v1/knowledge-bases').set(bearer(erin.accessToken)).send({ name: 'KB' }).expect(201)).body.id;
      const odd = 'quote " backslash \\ slash / tab \t newline \n control \u0001 \u001f del \u007f é 中文 😀 \u2028 <b>&amp;</b> {a,b} NULL';
      await createSession(t, erin.accessToken, {});
      await createSession(t, erin.accessToken, {
        title: odd,
        settings: { systemPrompt: odd, temperature: 0.7, maxTokens: 200_000, contextMessages: 0, knowledgeBaseIds: [kb] },
        pinned: true,
        folder: 'Folder, with "quotes" and {braces}',
        tags: ['a,b', '{x}', 'with "quote"', 'back\\slash', 'NULL', 'é😀', 'space inside'],
      });
      for (const temperature of [0, 1, 2, 0.1, 0.123456789, 1e-7]) {
        await createSession(t, erin.accessToken, { title: `t=${temperature}`, settings: { temperature, systemPrompt: '' } });
      }
      await createSession(t, erin.accessToken, { title: 'archived', archived: true, tags: ['x'] });
      const withLeaf = await createSession(t, erin.accessToken, { title: 'with a reply' });
      const sent = await api().post(`/api/v1/sessions/${withLeaf.id}/messages`).set(bearer(erin.accessToken)).send({ content: 'hi' }).expect(202);
      await waitForMessage(t, erin.accessToken, sent.body.assistantMessage.id);
      const shared = await createSession(t, frank.accessToken, { title: 'frank’s, shared', tags: ['shared'] });
      await api().post(`/api/v1/sessions/${shared.id}/members`).set(bearer(frank.accessToken)).send({ email: erin.email }).expect(201);

      for (const query of ['', '?archived=true']) {
        const res = await api().get(`/api/v1/sessions${query}`).set(bearer(erin.accessToken)).expect(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const entries: any[] = res.body.data;
        expect(entries.length).toBeGreaterThan(0);
        const singles: string[] = [];
        for (const entry of entries) {
          singles.push((await api().get(`/api/v1/sessions/${entry.id}`).set(bearer(erin.accessToken)).expect(200)).text);
        }
        expect(res.text).toBe(`{"data":[${singles.join(',')}],"nextCursor":null}`);
      }
      const all = (await list(erin.accessToken)).data;
      expect(all).toHaveLength(10);
      expect(all.find((s: any) => s.id === shared.id).role).toBe('member');
      expect(all.find((s: any) => s.id === withLeaf.id).currentLeafId).toBe(sent.body.assistantMessage.id);
    });

    it('moves a session to the top when a message is sent in it', async () => {
      const before = await list(carol.accessToken);
      const oldest = before.data.at(-1);
      expect(oldest.id).toBe(ids[0]);
      const sent = await api()
        .post(`/api/v1/sessions/${oldest.id}/messages`)
        .set(bearer(carol.accessToken))
        .send({ content: 'wake up' })
        .expect(202);
      const reply = await waitForMessage(t, carol.accessToken, sent.body.assistantMessage.id);
      expect(reply).toMatchObject({ status: 'completed', content: DEFAULT_TOKENS.join('') });

      const afterSend = await list(carol.accessToken);
      expect(afterSend.data.map((s: any) => s.id)).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]]);
      const top = afterSend.data[0];
      expect(top.currentLeafId).toBe(sent.body.assistantMessage.id);
      expect(Date.parse(top.lastActivityAt)).toBeGreaterThan(Date.parse(before.data[0].lastActivityAt));

      // Paging still sees each session exactly once in the new order.
      const p1 = await list(carol.accessToken, '?limit=3');
      const p2 = await list(carol.accessToken, `?limit=3&cursor=${encodeURIComponent(p1.nextCursor)}`);
      expect([...p1.data, ...p2.data].map((s: any) => s.id)).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]]);
      expect(p2.nextCursor).toBeNull();
    });
  });

  it('deletes a session with its messages', async () => {
    const session = await createSession(t, alice.accessToken, { title: 'Doomed' });
    const sent = await api()
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set(bearer(alice.accessToken))
      .send({ content: 'soon gone' })
      .expect(202);
    const { userMessage, assistantMessage } = sent.body;
    await waitForMessage(t, alice.accessToken, assistantMessage.id);

    const res = await api().delete(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(204);
    expect(res.text).toBe('');
    await api().get(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(404);
    await api().delete(`/api/v1/sessions/${session.id}`).set(bearer(alice.accessToken)).expect(404);
    await api().get(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).expect(404);
    await api().get(`/api/v1/messages/${userMessage.id}`).set(bearer(alice.accessToken)).expect(404);
    await api().get(`/api/v1/messages/${assistantMessage.id}`).set(bearer(alice.accessToken)).expect(404);
    await api()
      .post(`/api/v1/sessions/${session.id}/messages`)
      .set(bearer(alice.accessToken))
      .send({ content: 'anyone there?' })
      .expect(404);
    const ids = [
      ...(await list(alice.accessToken, '?limit=100')).data,
      ...(await list(alice.accessToken, '?limit=100&archived=true')).data,
    ].map((s: any) => s.id);
    expect(ids).not.toContain(session.id);
  });

  it('lets a read-only API key list and get sessions but not create, change or delete them', async () => {
    const erin = await registerUser(t);
    const session = await createSession(t, erin.accessToken, { title: 'Readable' });
    const created = await api().post('/api/v1/api-keys').set(bearer(erin.accessToken)).send({ name: 'reader', scopes: ['read'] }).expect(201);
    const key = created.body.key as string;
    expect(created.body.scopes).toEqual(['read']);

    const listed = await api().get('/api/v1/sessions').set(bearer(key)).expect(200);
    expect(listed.body.data.map((s: any) => s.id)).toEqual([session.id]);
    const got = await api().get(`/api/v1/sessions/${session.id}`).set(bearer(key)).expect(200);
    expect(got.body).toEqual(session);

    const denied = await api().post('/api/v1/sessions').set(bearer(key)).send({ title: 'nope' }).expect(403);
    expect(denied.headers['content-type']).toMatch(PROBLEM);
    expect(denied.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await api().patch(`/api/v1/sessions/${session.id}`).set(bearer(key)).send({ title: 'changed' }).expect(403);
    await api().delete(`/api/v1/sessions/${session.id}`).set(bearer(key)).expect(403);
    const requestsBefore = vendor.requests.length;
    await api().post(`/api/v1/sessions/${session.id}/messages`).set(bearer(key)).send({ content: 'hi' }).expect(403);
    expect(vendor.requests.length).toBe(requestsBefore);

    const after = await api().get('/api/v1/sessions').set(bearer(erin.accessToken)).expect(200);
    expect(after.body.data).toEqual([session]);

    // A read+write key can create.
    const writer = await api().post('/api/v1/api-keys').set(bearer(erin.accessToken)).send({ name: 'writer' }).expect(201);
    const made = await api().post('/api/v1/sessions').set(bearer(writer.body.key)).send({ title: 'by key' }).expect(201);
    expect(made.body.title).toBe('by key');
  });
});
