import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { CompatModelsService } from './compat-models.service.js';
import { EmbeddingsService } from './embeddings.service.js';
import { OpenAICompatController } from './openai-compat.controller.js';

@Module({
  imports: [ProvidersModule, UsageModule],
  controllers: [OpenAICompatController],
  providers: [CompatModelsService, ChatCompletionsService, EmbeddingsService],
})
export class OpenAICompatModule {}
