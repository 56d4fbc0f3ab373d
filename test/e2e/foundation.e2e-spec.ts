import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, login, registerUser } from '../factories/users.js';
import { createTestStorage, startTestApp, type TestApp } from '../support/test-app.js';

describe('HTTP foundation', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096', CORS_ORIGINS: 'https://app.example.com' });
  });
  after(() => t.close());

  it('serves liveness and readiness with each dependency checked', async () => {
    await request(t.url).get('/health/live').expect(200, { status: 'up' });
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('up');
    expect(ready.body.checks.database).toMatchObject({ status: 'up' });
    if (process.env.REDIS_URL) expect(ready.body.checks.redis).toMatchObject({ status: 'up' });
    else expect(ready.body.checks.redis).toBeUndefined();
  });

  it('exposes Prometheus metrics with request counts and a latency histogram by route', async () => {
    await request(t.url).get('/health/live').expect(200);
    const res = await request(t.url).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('returns a request id on every response, keeping a safe incoming one', async () => {
    const generated = await request(t.url).get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(t.url).get('/health/live').set('x-request-id', 'trace-abc.123');
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    const replaced = await request(t.url).get('/health/live').set('x-request-id', 'bad id with spaces <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await request(t.url).get('/api/v1/auth/me').set('x-request-id', 'req-42').expect(401);
    expect(problem.body.requestId).toBe('req-42');
  });

  it('sets security headers', async () => {
    const res = await request(t.url).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS only from CORS_ORIGINS', async () => {
    const allowed = await request(t.url)
      .options('/api/v1/auth/login')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type,authorization');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const simple = await request(t.url).get('/health/live').set('origin', 'https://evil.example.com');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers every error as application/problem+json', async () => {
    const notFound = await request(t.url).get('/api/v1/nothing-here').expect(404);
    expect(notFound.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(notFound.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: '/api/v1/nothing-here' });

    const malformed = await request(t.url).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email": ').expect(400);
    expect(malformed.body).toMatchObject({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON' });

    const tooLarge = await request(t.url).post('/api/v1/auth/login').send({ email: 'a@b.c', password: 'x'.repeat(5000) }).expect(413);
    expect(tooLarge.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });

    const wrongType = await request(t.url).post('/api/v1/auth/login').set('content-type', 'text/xml').send('<a/>').expect(415);
    expect(wrongType.headers['content-type']).toMatch(/^application\/problem\+json/);

    for (const res of [notFound, malformed, tooLarge, wrongType]) {
      expect(res.text).not.toMatch(/at .+\.js:\d+|node_modules|SELECT|INSERT/);
    }
  });

  it('serves Swagger UI and the OpenAPI JSON', async () => {
    const ui = await request(t.url).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await request(t.url).get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.components.schemas.ProblemDto).toBeDefined();
  });
});

describe('persistence and exclusivity', () => {
  it('keeps users across a restart on the same storage', async () => {
    const storage = await createTestStorage();
    const first = await startTestApp({}, storage);
    const user = await registerUser(first);
    await first.close({ keepStorage: true });

    const second = await startTestApp({}, storage);
    try {
      const tokens = await login(second, user.email, user.password);
      const me = await request(second.url).get('/api/v1/auth/me').set(bearer(tokens.accessToken)).expect(200);
      expect(me.body).toMatchObject({ id: user.id, role: 'admin' });
    } finally {
      await second.close();
    }
  });

  it('refuses a second process on the same embedded data dir', { skip: Boolean(process.env.DATABASE_URL) }, async () => {
    const storage = await createTestStorage();
    const first = await startTestApp({}, storage);
    try {
      await expect(startTestApp({}, storage)).rejects.toThrow(/in use by another process/);
    } finally {
      await first.close();
    }
  });
});
