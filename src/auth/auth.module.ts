import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { AppConfig } from '../config/app-config.js';
import { RateLimitGuard } from '../common/http/rate-limit.guard.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthenticatorService } from './authenticator.service.js';
import { BearerAuthService } from './bearer-auth.service.js';
import { CredentialStateService } from './credential-state.service.js';
import { ExternalIdentitiesRepository } from './external-identities.repository.js';
import { AccessGuard } from './guards/access.guard.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { ApiKeyStrategy } from './strategies/api-key.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { OidcStrategy } from './strategies/oidc.strategy.js';
import { TokensService } from './tokens.service.js';
import { UserDirectoryService } from './user-directory.service.js';
import { UsersRepository } from './users.repository.js';

@Module({})
export class AuthModule {
  // The OIDC strategy exists only when an external issuer is configured.
  static forRoot(config: AppConfig): DynamicModule {
    const strategies: Provider[] = [JwtStrategy, ApiKeyStrategy, ...(config.auth.oidc ? [OidcStrategy] : [])];
    return {
      module: AuthModule,
      // Global so transports outside HTTP (the WebSocket gateway) can authenticate too.
      global: true,
      imports: [PassportModule],
      controllers: [AuthController, ApiKeysController, AdminUsersController],
      providers: [
        UsersRepository,
        RefreshTokensRepository,
        ApiKeysRepository,
        ExternalIdentitiesRepository,
        TokensService,
        CredentialStateService,
        LoginThrottleService,
        AuthenticatorService,
        BearerAuthService,
        UserDirectoryService,
        AuthService,
        ApiKeysService,
        AdminUsersService,
        ...strategies,
        // Order matters: authenticate first, then rate-limit by the authenticated caller.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [AuthService, BearerAuthService, CredentialStateService, UserDirectoryService],
    };
  }
}
