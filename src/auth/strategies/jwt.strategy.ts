import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import type { Principal } from '../../common/auth/principal.js';
import { AuthenticatorService } from '../authenticator.service.js';
import { ACCESS_TOKEN_ALGORITHM, accessTokenKey, type AccessTokenClaims } from '../tokens.service.js';

// Our own access tokens: the algorithm, issuer and audience are pinned, so `alg: none`, another
// algorithm, a foreign issuer or a token minted for another audience never verifies.
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(AuthenticatorService) private readonly authenticator: AuthenticatorService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken as is; its types predate KeyObject support.
      secretOrKey: accessTokenKey(config.auth.jwtSecret) as unknown as string,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: config.auth.jwtIssuer,
      audience: config.auth.jwtAudience,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Promise<Principal | null> {
    return this.authenticator.fromAccessToken(claims);
  }
}
