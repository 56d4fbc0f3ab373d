import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import OpenAI from 'openai';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { until } from '../support/chat.js';
import { DEFAULT_TOKENS, type FakeVendor } from '../support/fake-vendor.js';
import { type CompatHarness, startCompatHarness } from '../support/openai-compat.js';
import type { TestApp } from '../support/test-app.js';

// Errors, cancellation, scopes and usage records, seen through the real `openai` SDK.
describe('OpenAI-compatible API: errors, cancellation, usage', () => {
  let h: CompatHarness;
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let key: { id: string; key: string };
  let client: OpenAI;
  const newClient = (apiKey: string) => h.client(apiKey);
  const createKey = (user: TestUser, body?: Record<string, unknown>) => h.createKey(user, body);
  const usageRows = (userId: string) => h.usageRows(userId);

  before(async () => {
    h = await startCompatHarness();
    ({ vendor, t } = h);
    alice = await registerUser(t);
    key = await createKey(alice);
    client = newClient(key.key);
  });
  after(() => h.close());

  it('answers errors in OpenAI’s shape, so the SDK raises its typed errors', async () => {
    const badKey = await newClient('cbx_not-a-real-key').chat.completions.create({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(badKey).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    const raw = await request(t.url).get('/v1/models').set(bearer('cbx_nope')).expect(401);
    expect(raw.headers['content-type']).toMatch(/^application\/json/);
    expect(raw.body).toEqual({ error: { message: 'Missing or invalid credentials', type: 'authentication_error', param: null, code: 'invalid_api_key' } });

    const unknownProvider = await client.chat.completions.create({ model: 'nope/some-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unknownProvider).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknownProvider).toMatchObject({ status: 404, type: 'not_found_error', code: 'model_not_found', param: 'model' });
    const unknownModel = await client.chat.completions.create({ model: 'openai/unknown-model', messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);

    const invalid = await client.chat.completions.create({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'x' }], temperature: 5 }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect(invalid).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'temperature' });
    const empty = await client.chat.completions.create({ model: 'openai/fake-large', messages: [] }).catch((e: unknown) => e);
    expect(empty).toMatchObject({ status: 400, param: 'messages' });
    const remoteImage = await client.chat.completions
      .create({ model: 'openai/fake-large', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((e: unknown) => e);
    expect(remoteImage).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    const badRole = await request(t.url)
      .post('/v1/chat/completions')
      .set(bearer(key.key))
      .send({ model: 'openai/fake-large', messages: [{ role: 'wizard', content: 'x' }] })
      .expect(400);
    expect(badRole.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages[0].role' });

    // A vendor that keeps answering 429 (after our retries) is the caller's 429.
    vendor.script('busy-model', { error: { status: 429, retryAfter: '0' } });
    const limited = await client.chat.completions.create({ model: 'openai/busy-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(vendor.requests.filter((r) => r.model === 'busy-model')).toHaveLength(3);
  });

  it('ends a stream that fails midway with an error line the SDK raises', async () => {
    vendor.script('flaky-model', { tokens: ['a', 'b', 'c'], errorAfterTokens: 2 });
    const stream = await client.chat.completions.create({ model: 'openai/flaky-model', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('ab');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).type).toBe('api_error');
  });

  it('accepts access tokens too, and needs the write scope to post', async () => {
    const viaJwt = await newClient(alice.accessToken).chat.completions.create({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'x' }] });
    expect(viaJwt.choices[0].message.content).toBe(DEFAULT_TOKENS.join(''));
    const readOnly = newClient((await createKey(alice, { name: 'ro', scopes: ['read'] })).key);
    expect((await readOnly.models.list()).data.length).toBeGreaterThan(0);
    const denied = await readOnly.chat.completions.create({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('cancels the upstream request when the client aborts mid-stream', async () => {
    vendor.script('slow-model', { tokens: ['one', 'two', 'three', 'four'], pauseAfter: 2 });
    const bob = await registerUser(t);
    const bobClient = newClient((await createKey(bob)).key);
    const before = vendor.aborted;
    const controller = new AbortController();
    const stream = await bobClient.chat.completions.create(
      { model: 'openai/slow-model', messages: [{ role: 'user', content: 'x' }], stream: true },
      { signal: controller.signal },
    );
    let text = '';
    await (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (text === 'onetwo') controller.abort();
      }
    })().catch(() => undefined);
    expect(text).toBe('onetwo');
    await until(() => vendor.aborted > before);
    await until(async () => (await usageRows(bob.id)).length === 1);
    // Abandoned before the vendor's usage event: what was sent and said is estimated, and flagged.
    const [row] = await usageRows(bob.id);
    expect(row).toMatchObject({ status: 'cancelled', source: 'openai-compat.chat', model: 'slow-model', estimated: true, output_tokens: 2 });
    expect(row.input_tokens).toBeGreaterThan(0);
  });

  it('cancels the upstream request when a non-streamed call is abandoned', async () => {
    vendor.script('slow-json-model', { tokens: ['one', 'two', 'three'], pauseAfter: 1 });
    const dave = await registerUser(t);
    const daveClient = newClient((await createKey(dave)).key);
    const before = vendor.aborted;
    const controller = new AbortController();
    const pending = daveClient.chat.completions
      .create({ model: 'openai/slow-json-model', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await until(() => vendor.requests.some((r) => r.model === 'slow-json-model'));
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await until(() => vendor.aborted > before);
    await until(async () => (await usageRows(dave.id)).length === 1);
    expect((await usageRows(dave.id))[0]).toMatchObject({ status: 'cancelled', model: 'slow-json-model' });
  });

  it('records one usage row per call, with tokens, status and the API key', async () => {
    const carol = await registerUser(t);
    const carolKey = await createKey(carol);
    const c = newClient(carolKey.key);
    await c.chat.completions.create({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'x' }] });
    const stream = await c.chat.completions.create({ model: 'anthropic/fake-small', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of stream) void chunk;
    await c.embeddings.create({ model: 'openai/text-embedding-fake', input: 'one two three' });
    vendor.script('broken-model', { error: { status: 400 } });
    await c.chat.completions.create({ model: 'openai/broken-model', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    // Refused before any vendor call: not recorded.
    await c.chat.completions.create({ model: 'openai/fake-large', messages: [] }).catch(() => undefined);

    await until(async () => (await usageRows(carol.id)).length === 4);
    await new Promise((r) => setTimeout(r, 100));
    const rows = await usageRows(carol.id);
    // Records are written after the response, so their order may differ from the calls'.
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => [r.source, r.provider, r.model, r.status, r.input_tokens, r.output_tokens])).toEqual(expect.arrayContaining([
      ['openai-compat.chat', 'openai', 'fake-large', 'completed', 12, 5],
      ['openai-compat.chat', 'anthropic', 'fake-small', 'completed', 12, 5],
      ['openai-compat.embeddings', 'openai', 'text-embedding-fake', 'completed', 3, 0],
      ['openai-compat.chat', 'openai', 'broken-model', 'error', 0, 0],
    ]));
    expect(rows.every((r) => r.api_key_id === carolKey.id && r.reasoning_tokens === 0 && r.estimated === false)).toBe(true);
  });
});
