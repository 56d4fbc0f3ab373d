import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProviderErrorCode } from '../../src/providers/provider-error.js';
import { ProvidersService, type RoutedEvent } from '../../src/providers/providers.service.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { DEFAULT_TOKENS, FAKE_VENDOR_MODELS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let vendor: FakeVendor;
let t: TestApp;
let user: TestUser;

const serverEnv = (v: FakeVendor): Record<string, string> => ({
  OPENAI_API_KEY: 'sk-server-openai',
  OPENAI_BASE_URL: v.openaiBaseUrl,
  ANTHROPIC_API_KEY: 'sk-server-anthropic',
  ANTHROPIC_BASE_URL: v.anthropicBaseUrl,
  MISTRAL_BASE_URL: v.mistralBaseUrl,
  GOOGLE_BASE_URL: v.googleBaseUrl,
  OPENAI_COMPATIBLE_PROVIDERS: JSON.stringify([
    { id: 'local', name: 'Local', baseUrl: v.openaiBaseUrl },
    { id: 'broken', baseUrl: `${v.url}/nowhere/v1`, apiKey: 'sk-broken', models: ['configured-a', 'configured-b'] },
  ]),
  PROVIDER_RETRY_MAX_DELAY_MS: '20',
});

before(async () => {
  vendor = await startFakeVendor();
  t = await startTestApp(serverEnv(vendor));
  user = await registerUser(t);
});
after(async () => {
  await t.close();
  await vendor.close();
});

const api = () => request(t.url);
const sharedStorage = (app: TestApp): Record<string, string> => {
  const { DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, DATA_DIR } = app.env;
  return { DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, DATA_DIR };
};
// The other instance hears of a change over pub/sub, a moment after the request that made it.
async function eventually(check: () => Promise<void>, attempts = 50): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
const service = (app = t) => app.app.get(ProvidersService);

async function collect(iterable: AsyncIterable<RoutedEvent>) {
  const events: RoutedEvent[] = [];
  try {
    for await (const e of iterable) events.push(e);
    return { events, error: undefined as undefined | { code: string } };
  } catch (error) {
    return { events, error: error as { code: string } };
  }
}

const turn = () => ({ messages: [{ role: 'user' as const, parts: [{ type: 'text' as const, text: 'hi' }] }], signal: new AbortController().signal });
const texts = (events: RoutedEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));
const lastAuth = (model: string) => vendor.requests.filter((r) => r.model === model).at(-1)?.headers;

describe('ProvidersService.stream', () => {
  it('announces the route, retries a 429 with retry-after, then streams', async () => {
    vendor.script('svc-429', { failTimes: 2, error: { status: 429, retryAfter: '0' } });
    const { events, error } = await collect(service().stream(user.id, { provider: 'openai', model: 'svc-429', fallbacks: [] }, turn()));
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ type: 'route', provider: 'openai', model: 'svc-429' });
    expect(texts(events)).toEqual(DEFAULT_TOKENS);
    expect(vendor.requests.filter((r) => r.model === 'svc-429')).toHaveLength(3);
    expect(lastAuth('svc-429')?.authorization).toBe('Bearer sk-server-openai');
  });

  it('ends with the error after partial events when the vendor fails mid-stream (no retry)', async () => {
    vendor.script('svc-mid', { errorAfterTokens: 2 });
    const { events, error } = await collect(service().stream(user.id, { provider: 'anthropic', model: 'svc-mid', fallbacks: [] }, turn()));
    expect(texts(events)).toEqual(DEFAULT_TOKENS.slice(0, 2));
    expect(error).toMatchObject({ code: ProviderErrorCode.Overloaded });
    expect(vendor.requests.filter((r) => r.model === 'svc-mid')).toHaveLength(1);
  });

  it('falls back to the next route when the primary fails before its first event', async () => {
    vendor.script('svc-down', { error: { status: 500 } });
    const { events, error } = await collect(
      service().stream(user.id, { provider: 'openai', model: 'svc-down', fallbacks: [{ provider: 'anthropic', model: 'svc-backup' }] }, turn()),
    );
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'route')).toEqual([
      { type: 'route', provider: 'openai', model: 'svc-down' },
      { type: 'route', provider: 'anthropic', model: 'svc-backup' },
    ]);
    expect(texts(events)).toEqual(DEFAULT_TOKENS);
    expect(vendor.requests.filter((r) => r.model === 'svc-down')).toHaveLength(3);
  });

  it('sends a text-only fallback the images as a note, and a vision one the images', async () => {
    vendor.script('svc-vision-down', { error: { status: 500 } });
    const image = { type: 'image' as const, mimeType: 'image/png', data: 'iVBORw0KGgo=' };
    const withImage = () => ({ ...turn(), messages: [{ role: 'user' as const, parts: [{ type: 'text' as const, text: 'what is this?' }, image] }] });
    const run = (fallback: string) =>
      collect(service().stream(user.id, { provider: 'openai', model: 'svc-vision-down', fallbacks: [{ provider: 'openai', model: fallback }] }, withImage()));
    expect((await run('text-only-backup')).error).toBeUndefined();
    const textOnly = vendor.requests.filter((r) => r.model === 'text-only-backup').at(-1)!;
    // Text parts only (the adapter sends them as one string): the question and the note.
    expect(JSON.stringify(textOnly.body.messages[0].content)).not.toContain('image_url');
    expect(textOnly.body.messages[0].content).toContain('what is this?');
    expect(textOnly.body.messages[0].content).toContain('[image omitted: this model does not take images]');
    expect((await run('gpt-4o-backup')).error).toBeUndefined();
    const vision = vendor.requests.filter((r) => r.model === 'gpt-4o-backup').at(-1)!;
    expect(vision.body.messages[0].content[1]).toMatchObject({ type: 'image_url' });
    // The primary got the image as built for it.
    expect(vendor.requests.filter((r) => r.model === 'svc-vision-down').at(-1)!.body.messages[0].content[1]).toMatchObject({ type: 'image_url' });
  });

  it('passes unknown models to the vendor and returns its refusal', async () => {
    const { error } = await collect(service().stream(user.id, { provider: 'openai', model: 'unknown-xyz', fallbacks: [] }, turn()));
    expect(error).toMatchObject({ code: ProviderErrorCode.ModelNotFound });
  });

  it('refuses a provider the user cannot use, and routes by configuration', async () => {
    await expect(service().assertUsable(user.id, 'nope')).rejects.toMatchObject({ code: 'UNKNOWN_PROVIDER', status: 400 });
    await expect(service().assertUsable(user.id, 'mistral')).rejects.toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED', status: 400 });
    await expect(service().assertUsable(user.id, 'local')).resolves.toBeUndefined();
    const { error } = await collect(service().stream(user.id, { provider: 'google', model: 'gemini-2.5-flash', fallbacks: [] }, turn()));
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });
    expect(service().defaultRoute()).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(service().titleRoute()).toBeUndefined();
    expect(service().modelInfo('openai', 'gpt-4o-mini')).toEqual({ contextWindow: 128_000, vision: true });
    expect(service().modelInfo('local', 'something-new')).toEqual({ contextWindow: 8192, vision: false });
  });
});

describe('GET /providers', () => {
  it('lists the usable providers with models from the vendor, cached, or the configured list', async () => {
    await api().get('/api/v1/providers').expect(401);
    const res = await api().get('/api/v1/providers').set(bearer(user.accessToken)).expect(200);
    const byId = Object.fromEntries(res.body.data.map((p: { id: string }) => [p.id, p]));
    expect(Object.keys(byId).sort()).toEqual(['anthropic', 'broken', 'local', 'openai']);
    expect(byId.openai).toEqual({
      id: 'openai',
      kind: 'openai',
      name: 'OpenAI',
      source: 'server',
      models: FAKE_VENDOR_MODELS.map((id) => ({ id, contextWindow: 8192, vision: false })),
    });
    expect(byId.local).toMatchObject({ kind: 'openai-compatible', name: 'Local', source: 'server' });
    expect(byId.broken.models.map((m: { id: string }) => m.id)).toEqual(['configured-a', 'configured-b']);
    const listCalls = () => vendor.requests.filter((r) => r.path === '/v1/models').length;
    const failedListCalls = () => vendor.requests.filter((r) => r.path === '/nowhere/v1/models').length;
    const before = listCalls();
    const failedBefore = failedListCalls();
    expect(failedBefore).toBeGreaterThan(0);
    await api().get('/api/v1/providers').set(bearer(user.accessToken)).expect(200);
    expect(listCalls()).toBe(before);
    // A list that failed is not asked for again at every call either.
    expect(failedListCalls()).toBe(failedBefore);
  });
});

describe('provider keys', () => {
  it('uses a changed or deleted key at once, here and on another instance (cached keys are dropped)', async () => {
    const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
    // Another instance on the same database and Redis, when there are real ones to share.
    const other = clustered ? await startTestApp(serverEnv(vendor), { env: sharedStorage(t), drop: () => Promise.resolve() }) : t;
    try {
      const owner = await registerUser(t);
      const auth = bearer(owner.accessToken);
      vendor.script('rotating-key', {});
      const keyUsed = async (app: TestApp) => {
        const { error } = await collect(service(app).stream(owner.id, { provider: 'openai', model: 'rotating-key', fallbacks: [] }, turn()));
        expect(error).toBeUndefined();
        return lastAuth('rotating-key')?.authorization;
      };
      expect(await keyUsed(other)).toBe('Bearer sk-server-openai');
      await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: 'sk-first-key-1' }).expect(200);
      expect(await keyUsed(t)).toBe('Bearer sk-first-key-1');
      await eventually(async () => expect(await keyUsed(other)).toBe('Bearer sk-first-key-1'));
      await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: 'sk-second-key-2' }).expect(200);
      expect(await keyUsed(t)).toBe('Bearer sk-second-key-2');
      await eventually(async () => expect(await keyUsed(other)).toBe('Bearer sk-second-key-2'));
      await api().delete('/api/v1/provider-keys/openai').set(auth).expect(204);
      expect(await keyUsed(t)).toBe('Bearer sk-server-openai');
      await eventually(async () => expect(await keyUsed(other)).toBe('Bearer sk-server-openai'));
    } finally {
      if (other !== t) await other.close();
    }
  });

  it('stores a key encrypted, never returns it, and uses it instead of the server key', async () => {
    const owner = await registerUser(t);
    await api().put('/api/v1/provider-keys/openai').send({ apiKey: 'sk-x' }).expect(401);
    const put = await api().put('/api/v1/provider-keys/openai').set(bearer(owner.accessToken)).send({ apiKey: 'sk-user-own-key-123' }).expect(200);
    expect(put.body).toEqual({ provider: 'openai', baseUrl: null, hasKey: true, updatedAt: expect.any(String) });
    const list = await api().get('/api/v1/provider-keys').set(bearer(owner.accessToken)).expect(200);
    expect(list.body).toEqual({ data: [put.body] });
    expect(JSON.stringify(list.body)).not.toContain('sk-user-own-key-123');

    const rows = await t.app.get(DataSource).query('SELECT encrypted_key, iv, auth_tag, key_version FROM provider_keys WHERE user_id = $1', [owner.id]);
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].encrypted_key).toString('utf8')).not.toContain('sk-user-own-key');
    expect(Buffer.from(rows[0].iv)).toHaveLength(12);
    expect(rows[0].key_version).toBe(1);

    vendor.script('own-key', {});
    const { error } = await collect(service().stream(owner.id, { provider: 'openai', model: 'own-key', fallbacks: [] }, turn()));
    expect(error).toBeUndefined();
    expect(lastAuth('own-key')?.authorization).toBe('Bearer sk-user-own-key-123');
    const providers = await api().get('/api/v1/providers').set(bearer(owner.accessToken)).expect(200);
    expect(providers.body.data.find((p: { id: string }) => p.id === 'openai').source).toBe('user');

    // A key for a provider the server has no key for makes it usable for this user only.
    await api().put('/api/v1/provider-keys/mistral').set(bearer(owner.accessToken)).send({ apiKey: 'm-user' }).expect(200);
    await service().assertUsable(owner.id, 'mistral');
    await expect(service().assertUsable(user.id, 'mistral')).rejects.toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });

    await api().delete('/api/v1/provider-keys/openai').set(bearer(owner.accessToken)).expect(204);
    await api().delete('/api/v1/provider-keys/openai').set(bearer(owner.accessToken)).expect(404);
    await api().delete('/api/v1/provider-keys/openai').expect(401);
    await api().get('/api/v1/provider-keys').expect(401);
    await collect(service().stream(owner.id, { provider: 'openai', model: 'own-key', fallbacks: [] }, turn()));
    expect(lastAuth('own-key')?.authorization).toBe('Bearer sk-server-openai');
  });

  it('validates the body, the provider and the base URL', async () => {
    const auth = bearer(user.accessToken);
    const empty = await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: '' }).expect(400);
    expect(empty.body.errors.map((e: { field: string }) => e.field)).toEqual(['apiKey']);
    // Blanks are no key: stored, they would stand in for the server's key as an empty one.
    const blank = await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: '   ' }).expect(400);
    expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['apiKey']);
    const badUrl = await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: 'k', baseUrl: 'not a url' }).expect(400);
    expect(badUrl.body.errors.map((e: { field: string }) => e.field)).toEqual(['baseUrl']);
    await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: 'k', extra: 1 }).expect(400);
    const unknown = await api().put('/api/v1/provider-keys/nope').set(auth).send({ apiKey: 'k' }).expect(400);
    expect(unknown.body.code).toBe('UNKNOWN_PROVIDER');
    const google = await api().put('/api/v1/provider-keys/google').set(auth).send({ apiKey: 'k', baseUrl: 'https://example.com' }).expect(400);
    expect(google.body.code).toBe('BASE_URL_NOT_ALLOWED');
    for (const baseUrl of [vendor.openaiBaseUrl, 'http://localhost:8080/v1', 'http://169.254.169.254/v1', 'http://[::1]/v1']) {
      const res = await api().put('/api/v1/provider-keys/openai').set(auth).send({ apiKey: 'k', baseUrl }).expect(400);
      expect(res.body).toMatchObject({ code: 'UNSAFE_BASE_URL', detail: 'baseUrl must resolve to a public internet address' });
    }
    const list = await api().get('/api/v1/provider-keys').set(auth).expect(200);
    expect(list.body.data).toEqual([]);
  });
});

describe('user base URLs (PROVIDER_ALLOW_PRIVATE_BASE_URLS=true)', () => {
  let local: TestApp;
  let own: FakeVendor;
  before(async () => {
    own = await startFakeVendor();
    local = await startTestApp({ ...serverEnv(vendor), PROVIDER_ALLOW_PRIVATE_BASE_URLS: 'true' });
  });
  after(async () => {
    await local.close();
    await own.close();
  });

  it('sends only the user key to the user base URL, through the guarded fetch', async () => {
    const owner = await registerUser(local);
    for (const [provider, baseUrl] of [['openai', own.openaiBaseUrl], ['anthropic', own.anthropicBaseUrl]]) {
      await request(local.url).put(`/api/v1/provider-keys/${provider}`).set(bearer(owner.accessToken)).send({ apiKey: `sk-mine-${provider}`, baseUrl }).expect(200);
      own.script(`mine-${provider}`, { tokens: ['a', 'b'] });
      const { events, error } = await collect(service(local).stream(owner.id, { provider, model: `mine-${provider}`, fallbacks: [] }, turn()));
      expect(error).toBeUndefined();
      expect(texts(events)).toEqual(['a', 'b']);
    }
    expect(vendor.requests.some((r) => r.model.startsWith('mine-'))).toBe(false);
    const headers = JSON.stringify(own.requests.map((r) => r.headers));
    expect(headers).toContain('sk-mine-openai');
    expect(headers).not.toContain('sk-server');
    const listed = await request(local.url).get('/api/v1/providers').set(bearer(owner.accessToken)).expect(200);
    expect(listed.body.data.find((p: { id: string }) => p.id === 'openai')).toMatchObject({ source: 'user' });
    expect(JSON.stringify(own.requests.filter((r) => r.path === '/v1/models').map((r) => r.headers))).not.toContain('sk-server');
  });
});
