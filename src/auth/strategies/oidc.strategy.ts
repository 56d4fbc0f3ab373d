import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import jwksRsa from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import type { Principal } from '../../common/auth/principal.js';
import { AuthenticatorService, type ExternalClaims } from '../authenticator.service.js';

// Bearer tokens of an external identity provider (OIDC_ISSUER), verified against its JWKS
// (keys cached, refetched at most a few times a minute when an unknown key id appears).
@Injectable()
export class OidcStrategy extends PassportStrategy(Strategy, 'oidc') {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(AuthenticatorService) private readonly authenticator: AuthenticatorService,
  ) {
    const oidc = config.auth.oidc;
    if (!oidc) throw new Error('OidcStrategy needs OIDC_ISSUER');
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: jwksRsa.passportJwtSecret({
        jwksUri: oidc.jwksUri,
        cache: true,
        cacheMaxAge: 10 * 60_000,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 5_000,
      }),
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'],
      issuer: oidc.issuer,
      audience: oidc.audience,
    });
  }

  validate(claims: ExternalClaims): Promise<Principal | null> {
    return this.authenticator.fromExternalToken(claims);
  }
}
