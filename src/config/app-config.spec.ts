import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { AppConfig } from './app-config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'cbx-config-'));
const STRONG = 'k3Jd9vQ2mX7pL0sR5tY8wZ1aB4cE6fG9hJ2kN5qT';
const KEY_HEX = 'a'.repeat(32) + 'b'.repeat(32);

describe('AppConfig', () => {
  it('applies defaults', () => {
    const config = new AppConfig({ DATA_DIR: tempDir() });
    expect(config.port).toBe(3000);
    expect(config.embeddedDatabase).toBe(true);
    expect(config.auth.accessTtlSeconds).toBe(900);
    expect(config.rateLimit.max).toBe(1200);
    expect(config.corsOrigins).toEqual([]);
  });

  it('names the variable of a bad value, and hides secret values', () => {
    expect(() => new AppConfig({ DATA_DIR: tempDir(), PORT: 'eighty' })).toThrow(/PORT: .*integer.*\(got "eighty"\)/);
    expect(() => new AppConfig({ DATA_DIR: tempDir(), DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => new AppConfig({ DATA_DIR: tempDir(), REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => new AppConfig({ DATA_DIR: tempDir(), ENCRYPTION_KEY: 'short-secret-value' })).toThrow(/ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => new AppConfig({ DATA_DIR: tempDir(), GENERATION_HEARTBEAT_INTERVAL_MS: '20000' })).toThrow(/GENERATION_STALE_AFTER_MS: must be at least twice/);
    expect(new AppConfig({ DATA_DIR: tempDir(), GENERATION_HEARTBEAT_INTERVAL_MS: '15000' }).generation.staleAfterMs).toBe(30_000);
    let message = '';
    try {
      new AppConfig({ DATA_DIR: tempDir(), ENCRYPTION_KEY: 'short-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('short-secret-value');
  });

  it('generates secrets once in embedded mode and keeps them under DATA_DIR', () => {
    const dir = tempDir();
    const first = new AppConfig({ DATA_DIR: dir });
    const second = new AppConfig({ DATA_DIR: dir });
    expect(first.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(first.encryptionKey).toHaveLength(32);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).jwtSecret).toBe(first.auth.jwtSecret);
  });

  it('requires strong secrets in production (NODE_ENV=production with DATABASE_URL)', () => {
    const prod = { DATA_DIR: tempDir(), NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' };
    expect(() => new AppConfig(prod)).toThrow(/JWT_SECRET: required in production/);
    expect(() => new AppConfig(prod)).toThrow(/ENCRYPTION_KEY: required in production/);
    expect(() => new AppConfig({ ...prod, JWT_SECRET: 'changeme', ENCRYPTION_KEY: KEY_HEX })).toThrow(/JWT_SECRET: too weak/);
    expect(() => new AppConfig({ ...prod, JWT_SECRET: 'a'.repeat(40), ENCRYPTION_KEY: KEY_HEX })).toThrow(/JWT_SECRET: too weak/);
    const ok = new AppConfig({ ...prod, JWT_SECRET: STRONG, ENCRYPTION_KEY: KEY_HEX });
    expect(ok.production).toBe(true);
    expect(ok.encryptionKey.toString('hex')).toBe(KEY_HEX);
    // NODE_ENV=production on the embedded database still generates its own secrets.
    expect(new AppConfig({ DATA_DIR: tempDir(), NODE_ENV: 'production' }).production).toBe(false);
  });

  it('parses lists, booleans and OIDC settings', () => {
    const config = new AppConfig({
      DATA_DIR: tempDir(),
      CORS_ORIGINS: 'https://a.example, https://b.example',
      ADMIN_EMAILS: 'Boss@Example.com',
      SWAGGER_ENABLED: 'false',
      TRUST_PROXY: '2',
      OIDC_ISSUER: 'https://id.example.com/',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.auth.adminEmails.has('boss@example.com')).toBe(true);
    expect(config.swaggerEnabled).toBe(false);
    expect(config.trustProxy).toBe(2);
    expect(config.auth.oidc?.jwksUri).toBe('https://id.example.com/.well-known/jwks.json');
    expect(() => new AppConfig({ DATA_DIR: tempDir(), SWAGGER_ENABLED: 'maybe' })).toThrow(/SWAGGER_ENABLED/);
  });

  it('parses provider settings, and names the variable of a bad one without echoing keys', () => {
    const config = new AppConfig({
      DATA_DIR: tempDir(),
      OPENAI_API_KEY: 'sk-server',
      OPENAI_COMPATIBLE_PROVIDERS: JSON.stringify([{ id: 'ollama', name: 'Ollama', baseUrl: 'http://localhost:11434/v1', models: ['llama3.2'] }]),
      DEFAULT_MODEL: 'ollama/llama3.2',
      TITLE_MODEL: 'openai/gpt-4o-mini',
      PROVIDER_FALLBACKS: 'openai/gpt-4o-mini, ollama/meta-llama/llama-3',
      PROVIDER_MAX_RETRIES: '3',
    });
    expect(config.providers.entries.map((p) => p.id)).toEqual(['openai', 'anthropic', 'google', 'mistral', 'ollama']);
    expect(config.providers.entries[0]).toMatchObject({ kind: 'openai', apiKey: 'sk-server' });
    expect(config.providers.entries[4]).toMatchObject({ kind: 'openai-compatible', name: 'Ollama', models: ['llama3.2'] });
    expect(config.providers.defaultModel).toEqual({ provider: 'ollama', model: 'llama3.2' });
    expect(config.providers.titleModel).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(config.providers.fallbacks).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'ollama', model: 'meta-llama/llama-3' },
    ]);
    expect(config.providers).toMatchObject({ maxRetries: 3, retryMaxDelayMs: 10_000, timeoutMs: 120_000, modelsCacheSeconds: 600, allowPrivateBaseUrls: false });

    const bad = (env: Record<string, string>) => () => new AppConfig({ DATA_DIR: tempDir(), ...env });
    expect(bad({ OPENAI_COMPATIBLE_PROVIDERS: '[{"id": "x", "apiKey": "sk-hidden"' })).toThrow(/OPENAI_COMPATIBLE_PROVIDERS: is not valid JSON/);
    expect(bad({ OPENAI_COMPATIBLE_PROVIDERS: '[{"id": "x", "apiKey": "sk-hidden", "baseUrl": "ftp://x"}]' })).toThrow(/OPENAI_COMPATIBLE_PROVIDERS: entry 0 \(x\): baseUrl/);
    expect(bad({ OPENAI_COMPATIBLE_PROVIDERS: '[{"id": "openai", "baseUrl": "http://x"}]' })).toThrow(/already taken/);
    expect(bad({ OPENAI_COMPATIBLE_PROVIDERS: '{"id": "x"}' })).toThrow(/must be a JSON array/);
    expect(bad({ DEFAULT_MODEL: 'gpt-4o' })).toThrow(/DEFAULT_MODEL: must be provider\/model/);
    expect(bad({ DEFAULT_MODEL: 'nobody/gpt-4o' })).toThrow(/DEFAULT_MODEL: unknown provider "nobody"/);
    expect(bad({ PROVIDER_FALLBACKS: 'openai' })).toThrow(/PROVIDER_FALLBACKS/);
    expect(bad({ PROVIDER_MAX_RETRIES: 'many' })).toThrow(/PROVIDER_MAX_RETRIES/);
    expect(bad({ PROVIDER_ALLOW_PRIVATE_BASE_URLS: 'perhaps' })).toThrow(/PROVIDER_ALLOW_PRIVATE_BASE_URLS/);
    expect(bad({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
    let message = '';
    try {
      bad({ OPENAI_COMPATIBLE_PROVIDERS: '[{"id": "x", "apiKey": "sk-hidden", "baseUrl": 1}]' })();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/OPENAI_COMPATIBLE_PROVIDERS/);
    expect(message).not.toContain('sk-hidden');
  });
  it('configures storage: local under DATA_DIR by default, S3 only with a bucket', () => {
    const dir = tempDir();
    const local = new AppConfig({ DATA_DIR: dir });
    expect(local.storage).toEqual({ driver: 'local', localRoot: join(dir, 'uploads'), s3: undefined });
    expect(local.uploads).toEqual({ maxBytes: 50 * 1024 * 1024, quotaBytes: 1024 ** 3, imageMaxBytes: 20 * 1024 * 1024 });
    expect(() => new AppConfig({ DATA_DIR: dir, STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: is required when STORAGE_DRIVER=s3/);
    expect(() => new AppConfig({ DATA_DIR: dir, STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() => new AppConfig({ DATA_DIR: dir, STORAGE_DRIVER: 's3', S3_BUCKET: 'b11', S3_ACCESS_KEY_ID: 'id' })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => new AppConfig({ DATA_DIR: dir, UPLOAD_MAX_BYTES: '0' })).toThrow(/UPLOAD_MAX_BYTES/);
    const s3 = new AppConfig({ DATA_DIR: dir, STORAGE_DRIVER: 's3', S3_BUCKET: 'my-bucket', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' });
    expect(s3.storage.s3).toEqual({
      endpoint: 'http://minio:9000',
      bucket: 'my-bucket',
      region: 'us-east-1',
      credentials: undefined,
      forcePathStyle: true,
      presignedDownloads: false,
    });
  });
});
