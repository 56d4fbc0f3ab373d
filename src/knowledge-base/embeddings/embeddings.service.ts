import { Inject, Injectable } from '@nestjs/common';
import { ProvidersService } from '../../providers/providers.service.js';
import { countTokens } from '../chunking/tokenizer.js';
import type { KnowledgeBase } from '../entities/knowledge-base.entity.js';
import { KnowledgeBaseError, KnowledgeBaseErrorCode } from '../knowledge-base.errors.js';
import { batchTexts } from './embedding-batches.js';
import { embedLocal, LOCAL_DEFAULT_DIMENSIONS, LOCAL_EMBEDDING_MODEL } from './local-embedder.js';

export const LOCAL_PROVIDER = 'local';

// Vendors cap inputs per request (OpenAI: 2048 inputs, 300k tokens); smaller batches keep one
// failed request cheap to retry.
const BATCH_LIMITS = { maxInputs: 128, maxTokens: 60_000 };

export interface EmbeddingSpec {
  provider: string;
  model: string;
  dimensions: number;
  sendDimensions: boolean;
}

export function specOf(kb: KnowledgeBase): EmbeddingSpec {
  return { provider: kb.embeddingProvider, model: kb.embeddingModel, dimensions: kb.embeddingDimensions, sendDimensions: kb.embeddingSendDimensions };
}

function invalid(message: string): KnowledgeBaseError {
  return new KnowledgeBaseError(KnowledgeBaseErrorCode.InvalidEmbedding, message);
}

@Injectable()
export class EmbeddingsService {
  constructor(@Inject(ProvidersService) private readonly providers: ProvidersService) {}

  // Checks an embedding choice when a knowledge base is created and fills in its dimensions:
  // a provider is asked for one probe vector, so a bad key or model fails now, not at ingestion.
  async resolveSpec(userId: string, input: { provider: string; model: string; dimensions?: number } | undefined, signal: AbortSignal): Promise<EmbeddingSpec> {
    if (!input || input.provider === LOCAL_PROVIDER) {
      const model = input?.model ?? LOCAL_EMBEDDING_MODEL;
      if (model !== LOCAL_EMBEDDING_MODEL) throw invalid(`The local embedder's model is ${LOCAL_EMBEDDING_MODEL}, not ${model}`);
      const dimensions = input?.dimensions ?? LOCAL_DEFAULT_DIMENSIONS;
      if (dimensions < 64) throw invalid('The local embedder needs at least 64 dimensions');
      return { provider: LOCAL_PROVIDER, model, dimensions, sendDimensions: false };
    }
    const route = { provider: input.provider, model: input.model };
    const probe = await this.providers.embed(userId, route, ['dimension probe'], { dimensions: input.dimensions, signal });
    const size = probe.vectors[0]?.length ?? 0;
    if (input.dimensions !== undefined && size !== input.dimensions) {
      throw invalid(`${input.provider}/${input.model} returned ${size}-dimensional vectors, not ${input.dimensions}`);
    }
    if (size < 1 || size > 2000) throw invalid(`${input.provider}/${input.model} returns ${size}-dimensional vectors; 1 to 2000 can be indexed`);
    return { ...route, dimensions: size, sendDimensions: input.dimensions !== undefined };
  }

  // One vector per text, in order. Provider calls are batched; each batch is retried by the
  // provider layer (429/5xx with backoff); `onBatch` reports progress.
  async embed(userId: string, spec: EmbeddingSpec, texts: string[], signal: AbortSignal, onBatch?: (done: number) => Promise<void>): Promise<number[][]> {
    if (spec.provider === LOCAL_PROVIDER) return embedLocal(texts, spec.dimensions);
    const vectors = new Array<number[]>(texts.length);
    const route = { provider: spec.provider, model: spec.model };
    const dimensions = spec.sendDimensions ? spec.dimensions : undefined;
    let done = 0;
    for (const batch of batchTexts(texts, BATCH_LIMITS, countTokens)) {
      const result = await this.providers.embed(userId, route, batch.map((i) => texts[i]), { dimensions, signal });
      batch.forEach((index, j) => {
        const vector = result.vectors[j];
        if (vector?.length !== spec.dimensions) {
          throw invalid(`${spec.provider}/${spec.model} returned a vector of ${vector?.length ?? 0} dimensions, not ${spec.dimensions}`);
        }
        vectors[index] = vector;
      });
      done += batch.length;
      await onBatch?.(done);
    }
    return vectors;
  }
}
