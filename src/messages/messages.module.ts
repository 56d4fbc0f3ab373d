import { Module } from '@nestjs/common';
import { KnowledgeBaseModule } from '../knowledge-base/knowledge-base.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ContextImagesService } from './generation/context-images.service.js';
import { GenerationService } from './generation/generation.service.js';
import { TitleService } from './generation/title.service.js';
import { IdempotencyPurgeService } from './idempotency-purge.service.js';
import { ExchangeRepository } from './exchange.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { MessageSendService } from './message-send.service.js';
import { MessageStreamController } from './message-stream.controller.js';
import { MessageTreeService } from './message-tree.service.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { MessageSseService } from './sse/message-sse.service.js';

@Module({
  imports: [SessionsModule, ProvidersModule, UploadsModule, KnowledgeBaseModule],
  controllers: [MessagesController, MessageStreamController],
  providers: [
    MessagesRepository,
    ExchangeRepository,
    IdempotencyRepository,
    IdempotencyPurgeService,
    GenerationService,
    TitleService,
    ContextImagesService,
    MessageSendService,
    MessageTreeService,
    MessageSseService,
  ],
  exports: [MessageSendService, MessageTreeService, GenerationService],
})
export class MessagesModule {}
