import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../config/app-config.js';
import { newId } from '../common/ids.js';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

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
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  signAccessToken(userId: string, familyId: string): { accessToken: string; expiresIn: number } {
    const { jwtSecret, jwtIssuer, jwtAudience, accessTtlSeconds } = this.config.auth;
    const accessToken = jwt.sign({ sid: familyId }, jwtSecret, {
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
