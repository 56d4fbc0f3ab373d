import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/auth/principal.js';
import { AppError } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { CredentialStateService } from './credential-state.service.js';
import type { User } from './entities/user.entity.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { newRefreshToken, sha256 } from './secrets.js';
import { TokensService } from './tokens.service.js';
import { UsersRepository } from './users.repository.js';

export interface AuthResult {
  user: User;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

// Serializes registrations so "the first user of an empty instance is admin" holds under races.
const FIRST_USER_LOCK_ID = 7_316_402_119;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(RefreshTokensRepository) private readonly refreshTokens: RefreshTokensRepository,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(CredentialStateService) private readonly credentialState: CredentialStateService,
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
  ) {}

  async register(input: { email: string; password: string; name?: string }, ip: string): Promise<AuthResult> {
    await this.throttle.assertRegistrationAllowed(ip);
    const email = normalizeEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.dataSource.transaction(async (em) => {
        await em.query('SELECT pg_advisory_xact_lock($1)', [FIRST_USER_LOCK_ID]);
        const isFirst = !(await this.users.anyExists(em));
        const role = isFirst || this.config.auth.adminEmails.has(email) ? 'admin' : 'user';
        const user = await this.users.insert({ email, name: input.name?.trim() || null, passwordHash, role }, em);
        return this.startSession(user, em);
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        throw new AuthError(AuthErrorCode.EmailTaken, 'An account with this email already exists');
      }
      throw err;
    }
  }

  async login(input: { email: string; password: string }, ip: string): Promise<AuthResult> {
    const email = normalizeEmail(input.email);
    await this.throttle.assertLoginAllowed(email, ip);
    const user = await this.users.findByEmailWithPassword(email);
    const valid = user?.passwordHash
      ? await verifyPassword(user.passwordHash, input.password)
      : await burnPasswordCheck(input.password).then(() => false);
    // A disabled account answers like a wrong password: no oracle for which accounts exist.
    if (!user || !valid || !user.active) {
      await this.throttle.recordLoginFailure(email, ip);
      throw AuthError.invalidCredentials();
    }
    await this.throttle.recordLoginSuccess(email);
    return this.dataSource.transaction((em) => this.startSession(user, em));
  }

  // Rotation: the presented token is consumed atomically and a successor issued in its family.
  // A token that was already used is a sign of theft: its whole family is revoked.
  async refresh(refreshToken: string): Promise<AuthResult> {
    const tokenHash = sha256(refreshToken);
    const rotated = await this.dataSource.transaction(async (em) => {
      const consumed = await this.refreshTokens.consume(tokenHash, em);
      if (!consumed) return null;
      const user = await this.users.findById(consumed.userId, em);
      if (!user?.active) return null;
      return this.issueTokens(user, consumed.familyId, em);
    });
    if (rotated) return rotated;

    const known = await this.refreshTokens.findByHash(tokenHash);
    if (known?.usedAt && !known.revokedAt) {
      await this.refreshTokens.revokeFamily(known.familyId);
      await this.credentialState.denyFamilies([known.familyId]);
    }
    throw new AuthError(AuthErrorCode.InvalidRefreshToken, 'The refresh token is invalid, expired or revoked');
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.familyId) {
      await this.refreshTokens.revokeFamily(principal.familyId);
      await this.credentialState.denyFamilies([principal.familyId]);
    }
    if (principal.tokenId && principal.tokenExpiresAt) {
      await this.credentialState.denyAccessToken(principal.tokenId, principal.tokenExpiresAt);
    }
  }

  async me(principal: Principal): Promise<User> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw AppError.notFound('User');
    return user;
  }

  // Keeps the caller's own session; every other session of the user is revoked.
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.findByIdWithPassword(principal.userId);
    if (!user) throw AppError.notFound('User');
    if (!user.passwordHash) {
      throw new AuthError(AuthErrorCode.PasswordNotSet, 'This account signs in through an external identity provider');
    }
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'The current password is wrong');
    }
    const passwordHash = await hashPassword(newPassword);
    const revoked = await this.dataSource.transaction(async (em) => {
      await this.users.setPasswordHash(user.id, passwordHash, em);
      return this.refreshTokens.revokeUserFamilies(user.id, principal.familyId, em);
    });
    await this.credentialState.denyFamilies(revoked);
  }

  // Revokes every session of a user (deactivation by an admin).
  async revokeAllSessions(userId: string): Promise<void> {
    const revoked = await this.refreshTokens.revokeUserFamilies(userId);
    await this.credentialState.denyFamilies(revoked);
  }

  private startSession(user: User, em: EntityManager): Promise<AuthResult> {
    return this.issueTokens(user, newId(), em);
  }

  private async issueTokens(user: User, familyId: string, em: EntityManager): Promise<AuthResult> {
    const refreshToken = newRefreshToken();
    await this.refreshTokens.insert(
      {
        familyId,
        userId: user.id,
        tokenHash: sha256(refreshToken),
        expiresAt: new Date(Date.now() + this.config.auth.refreshTtlSeconds * 1000),
      },
      em,
    );
    const { accessToken, expiresIn } = this.tokens.signAccessToken(user.id, familyId);
    const { passwordHash: _omitted, ...publicUser } = user as User & { passwordHash?: unknown };
    return { user: publicUser, accessToken, refreshToken, expiresIn };
  }
}
