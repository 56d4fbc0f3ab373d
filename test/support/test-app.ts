import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  env: Record<string, string>;
  close(options?: { keepStorage?: boolean }): Promise<void>;
}

// Each test app gets storage of its own: a fresh PostgreSQL database when DATABASE_URL is set
// (CI), a fresh embedded data dir otherwise, and its own Redis key prefix. So every test file
// starts from an empty instance, and files can run in parallel.
export async function createTestStorage(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const env: Record<string, string> = {};
  let drop = () => Promise.resolve();
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const name = `cbx_test_${suffix}`;
    await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    drop = () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cbx-test-'));
  env.DATA_DIR = dataDir;
  if (process.env.REDIS_URL) {
    env.REDIS_URL = process.env.REDIS_URL;
    env.REDIS_KEY_PREFIX = `test:${suffix}:`;
  }
  return {
    env,
    drop: async () => {
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  JWT_SECRET: randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  // Tests register many users from one address; the rate-limit spec sets its own limits.
  RATE_LIMIT_MAX: '100000',
  RATE_LIMIT_LOGIN_PER_IP: '100000',
  RATE_LIMIT_REGISTER_PER_IP: '100000',
};

export async function startTestApp(
  overrides: Record<string, string> = {},
  storage?: { env: Record<string, string>; drop(): Promise<void> },
): Promise<TestApp> {
  const ownStorage = storage ?? (await createTestStorage());
  const env = { ...TEST_ENV, ...ownStorage.env, ...overrides };
  const config = new AppConfig(env);
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    env,
    url: `http://127.0.0.1:${address.port}`,
    close: async (options = {}) => {
      await app.close();
      if (!options.keepStorage) await ownStorage.drop();
    },
  };
}
