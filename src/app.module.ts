import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { KnowledgeBaseModule } from './knowledge-base/knowledge-base.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { OpenAICompatModule } from './openai-compat/openai-compat.module.js';
import { SearchModule } from './search/search.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SharingModule } from './sharing/sharing.module.js';
import { StreamingModule } from './streaming/streaming.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { StateModule } from './state/state.module.js';
import { TransferModule } from './transfer/transfer.module.js';
import { UploadsModule } from './uploads/uploads.module.js';
import { UsageModule } from './usage/usage.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule,
        StateModule,
        JobsModule,
        HealthModule,
        AuthModule.forRoot(config),
        StreamingModule,
        SessionsModule,
        MessagesModule,
        GatewayModule,
        ProvidersModule,
        TransferModule,
        SearchModule,
        SharingModule,
        UploadsModule,
        KnowledgeBaseModule,
        UsageModule,
        OpenAICompatModule,
      ],
    };
  }
}
