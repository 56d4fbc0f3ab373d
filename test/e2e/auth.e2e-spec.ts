import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { bearer, login, registerUser, uniqueEmail } from '../factories/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let firstUser: Awaited<ReturnType<typeof registerUser>>;

before(async () => {
  t = await startTestApp();
  firstUser = await registerUser(t, { name: 'First' });
});
after(() => t.close());

const api = () => request(t.url);

describe('register', () => {
  it('makes the first user of an empty instance admin, later users plain users', async () => {
    expect(firstUser.role).toBe('admin');
    const second = await registerUser(t);
    expect(second.role).toBe('user');
  });

  it('returns the user and a token pair', async () => {
    const email = uniqueEmail();
    const res = await api().post('/api/v1/auth/register').send({ email, password: 'a long enough password', name: ' Ada ' }).expect(201);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email, name: 'Ada', role: 'user', active: true, createdAt: expect.any(String) },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
      tokenType: 'Bearer',
    });
    expect(JSON.stringify(res.body)).not.toContain('password');
  });

  it('treats emails case-insensitively: a duplicate is a 409 problem', async () => {
    const email = uniqueEmail('Case');
    await registerUser(t, { email });
    const res = await api().post('/api/v1/auth/register').send({ email: email.toUpperCase(), password: 'another long password' }).expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', title: 'Conflict' });
    // And login works with any casing.
    await login(t, email.toUpperCase(), 'a long enough password');
  });

  it('refuses fields a client must not set', async () => {
    const res = await api()
      .post('/api/v1/auth/register')
      .send({ email: uniqueEmail(), password: 'a long enough password', role: 'admin', id: 'x' })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'role', message: 'property role should not exist' },
        { field: 'id', message: 'property id should not exist' },
      ]),
    );
  });

  it('lists each invalid field', async () => {
    const res = await api().post('/api/v1/auth/register').send({ email: 'not-an-email', password: 'short' }).expect(400);
    expect(res.body).toMatchObject({ type: 'about:blank', status: 400, code: 'VALIDATION_FAILED', instance: '/api/v1/auth/register' });
    expect(res.body.errors).toEqual([
      { field: 'email', message: 'email must be an email address' },
      { field: 'password', message: 'password must be longer than or equal to 10 characters' },
    ]);
  });

  it('bounds the password length at 256', async () => {
    await api().post('/api/v1/auth/register').send({ email: uniqueEmail(), password: 'x'.repeat(257) }).expect(400);
    await api().post('/api/v1/auth/register').send({ email: uniqueEmail(), password: 'x'.repeat(256) }).expect(201);
  });
});

describe('login', () => {
  it('returns the same shape as register', async () => {
    const res = await api().post('/api/v1/auth/login').send({ email: firstUser.email, password: firstUser.password }).expect(200);
    expect(res.body.user).toMatchObject({ id: firstUser.id, role: 'admin' });
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.refreshToken).toEqual(expect.any(String));
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const wrong = await api().post('/api/v1/auth/login').send({ email: firstUser.email, password: 'wrong password!' }).expect(401);
    const unknown = await api().post('/api/v1/auth/login').send({ email: uniqueEmail(), password: 'wrong password!' }).expect(401);
    expect(wrong.body.detail).toBe('Invalid email or password');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(unknown.body.code).toBe(wrong.body.code);
  });
});

describe('access tokens', () => {
  it('authenticates /auth/me', async () => {
    const res = await api().get('/api/v1/auth/me').set(bearer(firstUser.accessToken)).expect(200);
    expect(res.body).toMatchObject({ id: firstUser.id, email: firstUser.email, role: 'admin' });
  });

  it('401 without credentials, as a problem', async () => {
    const res = await api().get('/api/v1/auth/me').expect(401);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('rejects alg none, a wrong signature, an expired token, a foreign issuer or audience', async () => {
    const claims = jwt.decode(firstUser.accessToken) as Record<string, unknown>;
    const [header, payload] = firstUser.accessToken.split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const secret = t.env.JWT_SECRET;
    const { iat: _iat, exp: _exp, ...rest } = claims;
    const forged = [
      `${noneHeader}.${payload}.`,
      `${header}.${payload}.${'A'.repeat(43)}`,
      jwt.sign(rest, 'some other secret that is long enough', { algorithm: 'HS256', expiresIn: 60 }),
      jwt.sign({ ...rest }, secret, { algorithm: 'HS256', expiresIn: -10 }),
      jwt.sign({ ...rest, iss: 'someone-else' }, secret, { algorithm: 'HS256', expiresIn: 60 }),
      jwt.sign({ ...rest, aud: 'another-api' }, secret, { algorithm: 'HS256', expiresIn: 60 }),
      jwt.sign({ ...rest }, secret, { algorithm: 'HS512', expiresIn: 60 }),
      'not-a-jwt',
    ];
    for (const token of forged) {
      await api().get('/api/v1/auth/me').set(bearer(token)).expect(401);
    }
    // The same claims, properly signed, pass: the rejections above are about the tampering.
    await api().get('/api/v1/auth/me').set(bearer(jwt.sign(rest, secret, { algorithm: 'HS256', expiresIn: 60 }))).expect(200);
  });
});

describe('refresh', () => {
  it('rotates: the new pair works and the old refresh token dies', async () => {
    const user = await registerUser(t);
    const res = await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    expect(res.body.refreshToken).not.toBe(user.refreshToken);
    await api().get('/api/v1/auth/me').set(bearer(res.body.accessToken)).expect(200);
    const replay = await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    expect(replay.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('reuse of a used token revokes the whole family, other logins untouched', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.email, user.password);
    const rotated = (await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200)).body;
    await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    // The thief's or the victim's successor token is dead too, and so is its access token.
    await api().post('/api/v1/auth/refresh').send({ refreshToken: rotated.refreshToken }).expect(401);
    await api().get('/api/v1/auth/me').set(bearer(rotated.accessToken)).expect(401);
    // A separate login (another family) keeps working.
    await api().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200);
  });

  it('is atomic: of two concurrent refreshes of one token exactly one succeeds', async () => {
    const user = await registerUser(t);
    const results = await Promise.all(
      [0, 1].map(() => api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('rejects unknown and malformed tokens', async () => {
    await api().post('/api/v1/auth/refresh').send({ refreshToken: 'nope' }).expect(401);
    await api().post('/api/v1/auth/refresh').send({}).expect(400);
  });
});

describe('logout', () => {
  it('kills the presented access token at once and revokes the refresh family', async () => {
    const user = await registerUser(t);
    await api().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    await api().post('/api/v1/auth/logout').set(bearer(user.accessToken)).expect(204);
    await api().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(401);
    await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    // Logging in again works.
    const again = await login(t, user.email, user.password);
    await api().get('/api/v1/auth/me').set(bearer(again.accessToken)).expect(200);
  });
});

describe('password change', () => {
  it('keeps this session, signs out every other, and the new password works', async () => {
    const user = await registerUser(t);
    const other = await login(t, user.email, user.password);
    await api()
      .post('/api/v1/auth/password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: user.password, newPassword: 'a brand new password' })
      .expect(204);
    await api().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    await api().get('/api/v1/auth/me').set(bearer(other.accessToken)).expect(401);
    await api().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
    await login(t, user.email, 'a brand new password');
  });

  it('requires the current password', async () => {
    const user = await registerUser(t);
    const res = await api()
      .post('/api/v1/auth/password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: 'not the password', newPassword: 'a brand new password' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
  });
});
