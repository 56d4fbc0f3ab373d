import { Inject, Injectable } from '@nestjs/common';
import type { Principal, Role } from '../common/auth/principal.js';
import { AppError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/cursor.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import { CredentialStateService } from './credential-state.service.js';
import { UserResponseDto } from './dto/user.response.dto.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class AdminUsersService {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(CredentialStateService) private readonly credentialState: CredentialStateService,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<UserResponseDto>> {
    const after = decodeCursor(cursor, { id: 'uuid' });
    const rows = await this.users.listPage(limit, after?.id);
    return toPage(rows, limit, (u) => UserResponseDto.from(u), (u) => ({ id: u.id }));
  }

  // Role and active changes apply to the user's live tokens at once (the credential state is
  // written through); deactivation also revokes every refresh session. Admins cannot demote or
  // deactivate themselves, so an instance never locks out its last administrator by accident.
  async update(actor: Principal, id: string, patch: { role?: Role; active?: boolean }): Promise<UserResponseDto> {
    if (id === actor.userId && (patch.role !== undefined || patch.active !== undefined)) {
      throw new AuthError(AuthErrorCode.CannotChangeSelf, 'Administrators cannot change their own role or status');
    }
    const user = await this.users.update(id, patch);
    if (!user) throw AppError.notFound('User');
    await this.credentialState.writeThrough(user);
    if (patch.active === false) await this.auth.revokeAllSessions(user.id);
    return UserResponseDto.from(user);
  }
}
