import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'cbx_';

// Opaque credentials are 256-bit random; a SHA-256 digest is enough to store them
// (they cannot be guessed, so a slow hash buys nothing) and allows an indexed lookup.
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function displayPrefix(apiKey: string): string {
  return apiKey.slice(0, 12);
}
