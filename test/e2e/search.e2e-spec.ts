import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { createSession, startChatApp, waitForMessage } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

describe('full-text search', () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const planted: Record<string, string> = {};

  const say = async (user: TestUser, sessionId: string, content: string) => {
    const res = await request(t.url).post(`/api/v1/sessions/${sessionId}/messages`).set(bearer(user.accessToken)).send({ content }).expect(202);
    await waitForMessage(t, user.accessToken, res.body.assistantMessage.id);
    return res.body as { userMessage: { id: string }; assistantMessage: { id: string } };
  };
  const search = (q: string, token = alice.accessToken, extra = '') =>
    request(t.url).get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`).set(bearer(token));

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor);
    alice = await registerUser(t);
    bob = await registerUser(t);
    vendor.script('zoo-model', { tokens: ['Quokkas ', 'live ', 'on ', 'Rottnest ', 'Island.'] });
    const zoo = await createSession(t, alice.accessToken, { title: 'Marsupials', settings: { model: 'zoo-model' } });
    planted.many = (await say(alice, zoo.id, 'quokka quokka quokka: tell me everything about the quokka')).userMessage.id;
    planted.once = (await say(alice, zoo.id, 'a long message that mentions one small animal, the quokka, only once among many other words')).userMessage.id;
    planted.html = (await say(alice, zoo.id, '<b>quokka</b> < 5 kg & "friends" <script>alert(1)</script>')).userMessage.id;
    planted.titled = (await createSession(t, alice.accessToken, { title: 'Quokka habitats' })).id;
    const wombats = await createSession(t, alice.accessToken, { title: 'Burrows' });
    for (let i = 0; i < 5; i++) await say(alice, wombats.id, `wombat note number ${i}`);
    const bobs = await createSession(t, bob.accessToken, { title: 'Quokka secrets of Bob' });
    planted.bob = (await say(bob, bobs.id, 'my private quokka diary')).userMessage.id;
  });
  after(async () => {
    await t.close();
    await vendor.close();
  });

  it('needs credentials and a query', async () => {
    await request(t.url).get('/api/v1/search?q=quokka').expect(401);
    const res = await request(t.url).get('/api/v1/search').set(bearer(alice.accessToken)).expect(400);
    expect(res.body.errors.map((e: any) => e.field)).toContain('q');
    await search('quokka', alice.accessToken, '&cursor=not-a-cursor').expect(400);
  });

  it('finds messages and titles, best match first, with highlighted snippets', async () => {
    const res = await search('quokka').expect(200);
    const hits = res.body.data;
    const messageIds = hits.filter((h: any) => h.type === 'message').map((h: any) => h.messageId);
    expect(messageIds).toEqual(expect.arrayContaining([planted.many, planted.once, planted.html]));
    expect(messageIds.indexOf(planted.many)).toBeLessThan(messageIds.indexOf(planted.once));
    const ranks = hits.map((h: any) => h.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);

    const many = hits.find((h: any) => h.messageId === planted.many);
    expect(many).toMatchObject({ type: 'message', sessionTitle: 'Marsupials', role: 'user', createdAt: expect.any(String) });
    expect(many.snippet).toContain('<mark>quokka</mark>');
    // The assistant's reply is searchable too ('simple' config: no stemming, so Quokkas is its own word).
    expect((await search('rottnest').expect(200)).body.data[0]).toMatchObject({ type: 'message', role: 'assistant' });

    const title = hits.find((h: any) => h.type === 'session');
    expect(title).toMatchObject({ sessionId: planted.titled, sessionTitle: 'Quokka habitats', snippet: '<mark>Quokka</mark> habitats' });
    expect(title.messageId).toBeUndefined();
  });

  // ts_headline itself drops HTML-like tags; what remains is escaped.
  it('escapes user text in snippets: only the match marks are markup', async () => {
    const hits = (await search('quokka').expect(200)).body.data;
    const html = hits.find((h: any) => h.messageId === planted.html);
    expect(html.snippet).toContain('<mark>quokka</mark>');
    expect(html.snippet).not.toMatch(/<(?!\/?mark>)/);
    expect(html.snippet).toContain('&amp;');
    expect(html.snippet).toContain('&quot;friends');
    expect(html.snippet).toContain('&lt; 5 kg');
  });

  it('indexes a reply when it ends, not while it streams', async () => {
    vendor.script('numbat-model', { tokens: ['Numbats ', 'eat ', 'termites.'], pauseAfter: 1 });
    const session = await createSession(t, alice.accessToken, { title: 'Anteaters', settings: { model: 'numbat-model' } });
    const sent = await request(t.url).post(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).send({ content: 'what do they eat?' }).expect(202);
    const replyId = sent.body.assistantMessage.id;
    const saved = async () => (await request(t.url).get(`/api/v1/messages/${replyId}`).set(bearer(alice.accessToken)).expect(200)).body;
    for (let i = 0; (await saved()).content !== 'Numbats '; i++) {
      if (i > 100) throw new Error('the partial text was never saved');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await saved()).status).toBe('streaming');
    expect((await search('numbats').expect(200)).body.data).toEqual([]);

    vendor.release();
    await waitForMessage(t, alice.accessToken, replyId);
    const hits = (await search('numbats').expect(200)).body.data;
    expect(hits).toEqual([expect.objectContaining({ type: 'message', messageId: replyId, role: 'assistant' })]);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await search('wombat', alice.accessToken, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((h: any) => h.messageId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it("never shows another user's messages or sessions", async () => {
    const alices = (await search('quokka').expect(200)).body.data;
    expect(alices.some((h: any) => h.messageId === planted.bob || h.sessionTitle === 'Quokka secrets of Bob')).toBe(false);
    const bobs = (await search('quokka', bob.accessToken).expect(200)).body.data;
    expect(bobs.map((h: any) => h.type).sort()).toEqual(['message', 'session']);
    expect(bobs.find((h: any) => h.type === 'message').messageId).toBe(planted.bob);
    expect((await search('wombat', bob.accessToken).expect(200)).body).toEqual({ data: [], nextCursor: null });
  });

  it('includes group sessions the caller is a member of', async () => {
    const group = await createSession(t, alice.accessToken, { title: 'Platypus club' });
    const said = await say(alice, group.id, 'the platypus lays eggs');
    const carol = await registerUser(t);
    expect((await search('platypus', bob.accessToken).expect(200)).body.data).toEqual([]);
    await request(t.url).post(`/api/v1/sessions/${group.id}/members`).set(bearer(alice.accessToken)).send({ email: bob.email }).expect(201);
    const hits = (await search('platypus', bob.accessToken).expect(200)).body.data;
    expect(hits.map((h: any) => h.messageId ?? h.sessionId).sort()).toEqual([said.userMessage.id, group.id].sort());
    expect((await search('platypus', carol.accessToken).expect(200)).body.data).toEqual([]);
  });

  it('understands web search syntax and survives odd input', async () => {
    const phrase = (await search('"only once"').expect(200)).body.data;
    expect(phrase.map((h: any) => h.messageId)).toEqual([planted.once]);
    const excluded = (await search('quokka -everything').expect(200)).body.data.map((h: any) => h.messageId);
    expect(excluded).not.toContain(planted.many);
    expect(excluded).toContain(planted.once);
    expect((await search(`'); DROP TABLE messages; --`).expect(200)).body.data).toEqual([]);
    expect((await search('!!! ***').expect(200)).body.data).toEqual([]);
  });
});
