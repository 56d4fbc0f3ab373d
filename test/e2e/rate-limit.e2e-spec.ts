import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, uniqueEmail } from '../factories/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('strict limits on credentials', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '3',
      RATE_LIMIT_LOGIN_PER_IP: '8',
      RATE_LIMIT_REGISTER_PER_IP: '6',
      RATE_LIMIT_AUTH_WINDOW_SECONDS: '600',
      // Lets each test speak from its own client address.
      TRUST_PROXY: 'true',
    });
  });
  after(() => t.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('blocks an account after repeated failures, even with the right password, with Retry-After', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) {
      await request(t.url).post('/api/v1/auth/login').set(from('10.0.0.1')).send({ email: user.email, password: 'wrong password' }).expect(401);
    }
    // From another address too: the limit is per account.
    const blocked = await request(t.url)
      .post('/api/v1/auth/login')
      .set(from('10.0.0.2'))
      .send({ email: user.email, password: user.password })
      .expect(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(500);
    expect(blocked.body).toMatchObject({ status: 429, code: 'TOO_MANY_ATTEMPTS' });
  });

  it('blocks an address after failures across many accounts', async () => {
    for (let i = 0; i < 8; i++) {
      await request(t.url).post('/api/v1/auth/login').set(from('10.0.0.3')).send({ email: uniqueEmail(), password: 'wrong password' }).expect(401);
    }
    const user = await registerUser(t);
    const blocked = await request(t.url).post('/api/v1/auth/login').set(from('10.0.0.3')).send({ email: user.email, password: user.password }).expect(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // Another address is unaffected.
    await request(t.url).post('/api/v1/auth/login').set(from('10.0.0.4')).send({ email: user.email, password: user.password }).expect(200);
  });

  it('limits registrations per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(t.url).post('/api/v1/auth/register').set(from('10.0.0.5')).send({ email: uniqueEmail(), password: 'a long enough password' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429]);
  });
});

describe('general limit', () => {
  it('is generous by default: a few hundred requests a minute pass', async () => {
    // An empty value means "unset": the default limit applies.
    const t = await startTestApp({ RATE_LIMIT_MAX: '' });
    try {
      expect(t.config.rateLimit.max).toBe(1200);
      const user = await registerUser(t);
      for (let i = 0; i < 40; i++) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, () => request(t.url).get('/api/v1/auth/me').set(bearer(user.accessToken))),
        );
        expect(batch.map((r) => r.status)).toEqual(Array(10).fill(200));
      }
    } finally {
      await t.close();
    }
  });

  it('throttles a caller past RATE_LIMIT_MAX per window with 429 and Retry-After', async () => {
    const t = await startTestApp({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      const statuses: number[] = [];
      let last: request.Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await request(t.url).get('/health/live');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.body.code).toBe('RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});
