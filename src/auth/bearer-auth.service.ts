import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/auth/principal.js';
import { AuthenticatorService } from './authenticator.service.js';
import { API_KEY_PREFIX } from './secrets.js';
import { ACCESS_TOKEN_ALGORITHM, accessTokenKey, type AccessTokenClaims } from './tokens.service.js';
import { VerifiedTokens } from './verified-tokens.js';

// Authenticates a bearer credential outside HTTP (WebSocket): an access token of ours, checked
// exactly as the HTTP guard checks it, or an API key.
@Injectable()
export class BearerAuthService {
  private readonly key: KeyObject;
  private readonly verified = new VerifiedTokens<AccessTokenClaims>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(AuthenticatorService) private readonly authenticator: AuthenticatorService,
  ) {
    this.key = accessTokenKey(config.auth.jwtSecret);
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (token.length === 0 || token.length > 4096) return null;
    if (token.startsWith(API_KEY_PREFIX)) return token.length <= 128 ? this.authenticator.fromApiKey(token) : null;
    const claims = this.verifyAccessToken(token);
    return claims ? this.authenticator.fromAccessToken(claims) : null;
  }

  // The claims of a valid access token of ours (algorithm, issuer, audience pinned; not expired).
  verifyAccessToken(token: string): AccessTokenClaims | null {
    const known = this.verified.get(token);
    if (known) return known;
    let claims: AccessTokenClaims;
    try {
      claims = jwt.verify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.auth.jwtIssuer,
        audience: this.config.auth.jwtAudience,
      }) as AccessTokenClaims;
    } catch {
      return null;
    }
    this.verified.add(token, claims);
    return claims;
  }
}
