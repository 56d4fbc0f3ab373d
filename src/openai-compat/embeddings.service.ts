import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Principal } from '../common/auth/principal.js';
import { ProviderError, ProviderErrorCode } from '../providers/provider-error.js';
import type { EmbedResult } from '../providers/provider.types.js';
import { ProvidersService } from '../providers/providers.service.js';
import { UsageRecordsService } from '../usage/usage-records.service.js';
import { CompatModelsService } from './compat-models.service.js';
import type { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto.js';

// float32 little-endian bytes, base64: OpenAI's encoding_format "base64".
export function toBase64Floats(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

@Injectable()
export class EmbeddingsService {
  constructor(
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(CompatModelsService) private readonly models: CompatModelsService,
    @Inject(UsageRecordsService) private readonly usage: UsageRecordsService,
  ) {}

  async create(principal: Principal, body: EmbeddingsRequestDto, reply: FastifyReply): Promise<void> {
    const route = this.models.route(body.model);
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const controller = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.on('close', onClose);
    const record = (status: 'completed' | 'error' | 'cancelled', inputTokens = 0) =>
      this.usage.record({
        userId: principal.userId,
        apiKeyId: principal.apiKeyId,
        source: 'openai-compat.embeddings',
        provider: route.provider,
        model: route.model,
        usage: { inputTokens },
        status,
      });
    let result: EmbedResult;
    try {
      result = await this.providers.embed(principal.userId, route, inputs, { dimensions: body.dimensions, signal: controller.signal });
    } catch (err) {
      const aborted = controller.signal.aborted || (err instanceof ProviderError && err.code === ProviderErrorCode.Aborted);
      await record(aborted ? 'cancelled' : 'error');
      throw err;
    } finally {
      reply.raw.off('close', onClose);
    }
    if (result.vectors.length !== inputs.length) {
      await record('error', result.inputTokens);
      throw new ProviderError(route.provider, ProviderErrorCode.Upstream, `Expected ${inputs.length} embeddings, got ${result.vectors.length}`);
    }
    const response: EmbeddingsResponseDto = {
      object: 'list',
      data: result.vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? toBase64Floats(vector) : vector,
      })),
      model: `${route.provider}/${route.model}`,
      usage: { prompt_tokens: result.inputTokens, total_tokens: result.inputTokens },
    };
    void reply.status(200).send(response);
    await record('completed', result.inputTokens);
  }
}
