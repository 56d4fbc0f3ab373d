import { Module } from '@nestjs/common';
import { KnowledgeBaseModule } from '../knowledge-base/knowledge-base.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { SessionMembersController } from './session-members.controller.js';
import { SessionMembersRepository } from './session-members.repository.js';
import { SessionMembersService } from './session-members.service.js';
import { SessionListService } from './session-list.service.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [ProvidersModule, KnowledgeBaseModule],
  controllers: [SessionsController, SessionMembersController],
  providers: [SessionsRepository, SessionsService, SessionListService, SessionMembersRepository, SessionMembersService],
  exports: [SessionsService, SessionMembersService],
})
export class SessionsModule {}
