import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { KnowledgeBaseModule } from './knowledge-base/knowledge-base.module.js';
import { StateModule } from './state/state.module.js';
import { StreamingModule } from './streaming/streaming.module.js';

// What a worker-only process (`npm run start:worker`) needs to run jobs: no HTTP, no chat engine.
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule,
        StateModule,
        StreamingModule,
        AuthModule.forRoot(config),
        JobsModule,
        KnowledgeBaseModule,
      ],
    };
  }
}
