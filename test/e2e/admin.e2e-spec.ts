import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, uniqueEmail, type TestUser } from '../factories/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: TestUser;
const listedAdminEmail = uniqueEmail('boss');

before(async () => {
  t = await startTestApp({ ADMIN_EMAILS: `someone@example.com, ${listedAdminEmail.toUpperCase()}` });
  admin = await registerUser(t);
});
after(() => t.close());

const api = () => request(t.url);

describe('admin users', () => {
  it('lists users for admins only', async () => {
    const user = await registerUser(t);
    const res = await api().get('/api/v1/admin/users').set(bearer(admin.accessToken)).expect(200);
    expect(res.body.data.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([admin.id, user.id]));
    expect(res.body).toHaveProperty('nextCursor');
    const denied = await api().get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(403);
    expect(denied.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await api().patch(`/api/v1/admin/users/${admin.id}`).set(bearer(user.accessToken)).send({ active: false }).expect(403);
    await api().get('/api/v1/admin/users').expect(401);
  });

  it('makes ADMIN_EMAILS admins at registration', async () => {
    const boss = await registerUser(t, { email: listedAdminEmail });
    expect(boss.role).toBe('admin');
  });

  it("a role change applies to the user's live token at once", async () => {
    const user = await registerUser(t);
    await api().get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(403);
    const res = await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' }).expect(200);
    expect(res.body).toMatchObject({ id: user.id, role: 'admin', active: true });
    await api().get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(200);
    await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ role: 'user' }).expect(200);
    for (const body of [{ role: null }, { active: null }]) await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send(body).expect(400);
    await api().get('/api/v1/admin/users').set(bearer(user.accessToken)).expect(403);
  });

  it("deactivation stops the user's tokens, refresh tokens and API keys at once; reactivation allows login", async () => {
    const user = await registerUser(t);
    const key = (await api().post('/api/v1/api-keys').set(bearer(user.accessToken)).send({ name: 'k' }).expect(201)).body.key;
    await api().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(200);

    await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ active: false }).expect(200);
    await api().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(401);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(401);
    await api().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    const login = await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
    expect(login.body.detail).toBe('Invalid email or password');

    await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ active: true }).expect(200);
    await api().get('/api/v1/auth/me').set('x-api-key', key).expect(200);
    await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });

  it('refuses changes to oneself, unknown users, bad ids and bad values', async () => {
    const self = await api().patch(`/api/v1/admin/users/${admin.id}`).set(bearer(admin.accessToken)).send({ role: 'user' }).expect(409);
    expect(self.body.code).toBe('CANNOT_CHANGE_SELF');
    await api().patch('/api/v1/admin/users/01a20157-381a-70e9-98b8-293e3a02127e').set(bearer(admin.accessToken)).send({ active: false }).expect(404);
    await api().patch('/api/v1/admin/users/nope').set(bearer(admin.accessToken)).send({ active: false }).expect(400);
    const user = await registerUser(t);
    const bad = await api().patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).send({ role: 'root', email: 'x@y.z' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'role']);
  });
});
