import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from '../support/test-app.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: 'user' | 'admin';
  accessToken: string;
  refreshToken: string;
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomUUID()}@example.com`;
}

export async function registerUser(t: TestApp, overrides: { email?: string; password?: string; name?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? 'a long enough password';
  const res = await request(t.url)
    .post('/api/v1/auth/register')
    .send({ email, password, ...(overrides.name ? { name: overrides.name } : {}) })
    .expect(201);
  const body = res.body as { user: { id: string; role: 'user' | 'admin' }; accessToken: string; refreshToken: string };
  return { id: body.user.id, email, password, role: body.user.role, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

export async function login(t: TestApp, email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await request(t.url).post('/api/v1/auth/login').send({ email, password }).expect(200);
  return res.body as { accessToken: string; refreshToken: string };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
