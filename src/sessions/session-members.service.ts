import { Inject, Injectable } from '@nestjs/common';
import { UserDirectoryService } from '../auth/user-directory.service.js';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { PubSub } from '../state/pub-sub.js';
import { sessionChannel } from '../streaming/channels.js';
import type { AddMemberDto, MemberListDto, MemberResponseDto } from './dto/member.dto.js';
import { SessionMembersRepository } from './session-members.repository.js';
import { SessionsService } from './sessions.service.js';

// Group chat: the owner adds and removes members; members read, post and follow every reply.
@Injectable()
export class SessionMembersService {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SessionMembersRepository) private readonly members: SessionMembersRepository,
    @Inject(UserDirectoryService) private readonly users: UserDirectoryService,
    @Inject(PubSub) private readonly pubsub: PubSub,
  ) {}

  async add(ownerId: string, sessionId: string, input: AddMemberDto): Promise<MemberResponseDto> {
    await this.sessions.requireOwned(ownerId, sessionId);
    const user = input.userId ? await this.users.findById(input.userId) : await this.users.findByEmail(input.email!);
    if (!user) throw AppError.notFound('User');
    if (user.id === ownerId) throw new AppError(CommonErrorCode.Conflict, 'The owner is already in the session');
    const addedAt = await this.members.add(sessionId, user.id);
    return { userId: user.id, name: user.name, email: user.email, role: 'member', addedAt: addedAt.toISOString() };
  }

  async list(userId: string, sessionId: string): Promise<MemberListDto> {
    const session = await this.sessions.requireReadable(userId, sessionId);
    const owner = await this.users.findById(session.userId);
    const members = await this.members.list(sessionId);
    return {
      data: [
        ...(owner ? [{ userId: owner.id, name: owner.name, email: owner.email, role: 'owner' as const, addedAt: null }] : []),
        ...members.map((m) => ({ userId: m.userId, name: m.name, email: m.email, role: 'member' as const, addedAt: m.addedAt.toISOString() })),
      ],
    };
  }

  // The owner removes anyone; a member may remove only themselves (leave).
  async remove(userId: string, sessionId: string, memberId: string): Promise<void> {
    const session = await this.sessions.requireReadable(userId, sessionId);
    if (session.role !== 'owner' && memberId !== userId) {
      throw new AppError(CommonErrorCode.Forbidden, 'Only the owner can remove other members');
    }
    if (!(await this.members.remove(sessionId, memberId))) throw AppError.notFound('Member');
    // Their open sockets stop receiving the session at once.
    await this.pubsub.publish(sessionChannel(sessionId), JSON.stringify({ type: 'member.removed', sessionId, userId: memberId }));
  }

  participantIds(sessionId: string): Promise<string[]> {
    return this.members.participantIds(sessionId);
  }
}
