import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../config/app-config.js';
import { newId } from '../common/ids.js';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

// A KeyObject, not the raw string: given a string, jsonwebtoken first tries (and fails) to parse
// it as a public key on every call, which cost a fifth of the CPU of an authenticated request.
export function accessTokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export interface AccessTokenClaims {
  sub: string;
  sid: string; // refresh-token family (the login session)
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string | string[];
}

@Injectable()
export class TokensService {
  private readonly key: KeyObject;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.key = accessTokenKey(config.auth.jwtSecret);
  }

  signAccessToken(userId: string, familyId: string): { accessToken: string; expiresIn: number } {
    const { jwtIssuer, jwtAudience, accessTtlSeconds } = this.config.auth;
    const accessToken = jwt.sign({ sid: familyId }, this.key, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      subject: userId,
      jwtid: newId(),
      issuer: jwtIssuer,
      audience: jwtAudience,
      expiresIn: accessTtlSeconds,
    });
    return { accessToken, expiresIn: accessTtlSeconds };
  }
}
