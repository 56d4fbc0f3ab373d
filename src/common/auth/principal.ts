export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export type CredentialKind = 'access-token' | 'api-key' | 'external-token';

// Who is calling, attached to the request by the global auth guard.
export interface Principal {
  userId: string;
  role: Role;
  kind: CredentialKind;
  // Set for API keys; other credentials carry every scope of their user.
  scopes?: readonly ApiKeyScope[];
  // For API keys: which key, so usage can be attributed to it.
  apiKeyId?: string;
  // For access tokens: the token id and refresh family, used by logout.
  tokenId?: string;
  familyId?: string;
  tokenExpiresAt?: number; // seconds since epoch
}
