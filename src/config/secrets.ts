import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './environment.js';

const WEAK_SECRETS = new Set(['changeme', 'change-me', 'secret', 'password', 'jwt-secret', 'your-secret-here']);

export interface Secrets {
  jwtSecret: string;
  encryptionKey: Buffer;
}

// ENCRYPTION_KEY is 32 bytes, given as 64 hex characters or base64 (44 characters).
export function parseEncryptionKey(raw: string): Buffer | undefined {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

export function isWeakJwtSecret(secret: string): boolean {
  return secret.length < 32 || WEAK_SECRETS.has(secret.toLowerCase()) || new Set(secret).size < 10;
}

interface StoredSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

// Production refuses missing or weak secrets; elsewhere missing ones are generated once and
// persisted under DATA_DIR so tokens and encrypted data survive restarts.
export function resolveSecrets(opts: {
  production: boolean;
  dataDir: string;
  jwtSecret?: string;
  encryptionKey?: string;
}): Secrets {
  const problems: string[] = [];
  let jwtSecret = opts.jwtSecret;
  let encryptionKey = opts.encryptionKey === undefined ? undefined : parseEncryptionKey(opts.encryptionKey);

  if (opts.encryptionKey !== undefined && !encryptionKey) {
    problems.push('ENCRYPTION_KEY: must be 32 bytes as 64 hex characters or base64');
  }
  if (jwtSecret !== undefined && opts.production && isWeakJwtSecret(jwtSecret)) {
    problems.push('JWT_SECRET: too weak (use at least 32 random characters)');
  }
  if (opts.production) {
    if (jwtSecret === undefined) problems.push('JWT_SECRET: required in production');
    if (opts.encryptionKey === undefined) problems.push('ENCRYPTION_KEY: required in production');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment configuration:\n  ${problems.join('\n  ')}`);
  }

  if (jwtSecret === undefined || encryptionKey === undefined) {
    const stored = loadOrCreateStoredSecrets(opts.dataDir);
    jwtSecret ??= stored.jwtSecret;
    encryptionKey ??= Buffer.from(stored.encryptionKey, 'base64');
  }
  return { jwtSecret, encryptionKey };
}

function loadOrCreateStoredSecrets(dataDir: string): StoredSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets: StoredSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secrets;
}
