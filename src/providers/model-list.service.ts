import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ServerProviderConfig } from '../config/providers-config.js';
import { KeyValueStore } from '../state/key-value.store.js';
import type { ProviderModelDto } from './dto/provider-info.dto.js';
import { isChatModel, modelFacts } from './model-catalog.js';
import type { ChatProvider } from './provider.types.js';

// A vendor's model list must not hold up GET /providers for long.
const LIST_TIMEOUT_MS = 4000;
// After a failed list the configured one is answered for this long, not a new 4 s wait per call.
const FAILED_LIST_TTL_MS = 60_000;

@Injectable()
export class ModelListService {
  constructor(
    @Inject(KeyValueStore) private readonly store: KeyValueStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  // The vendor's list when reachable (cached per provider and credential), else the configured one.
  async models(entry: ServerProviderConfig, provider: ChatProvider, credential: { apiKey?: string; baseUrl?: string }): Promise<ProviderModelDto[]> {
    const ttlMs = this.config.providers.modelsCacheSeconds * 1000;
    // The credential is hashed into the key: different keys may see different models.
    const digest = createHash('sha256').update(`${credential.apiKey ?? ''}\n${credential.baseUrl ?? ''}`).digest('hex').slice(0, 32);
    const cacheKey = `providers:models:${entry.id}:${digest}`;
    if (ttlMs > 0) {
      const cached = await this.store.get(cacheKey);
      if (cached) return JSON.parse(cached) as ProviderModelDto[];
    }
    let listed: { id: string; contextWindow?: number }[] = [];
    try {
      listed = (await provider.listModels(AbortSignal.timeout(LIST_TIMEOUT_MS))).filter((m) => isChatModel(m.id));
    } catch {
      // the configured list below, kept for a short while
    }
    const failed = listed.length === 0;
    const models = this.describe(failed ? entry.models.map((id) => ({ id })) : listed.sort((a, b) => a.id.localeCompare(b.id)));
    if (ttlMs > 0) await this.store.set(cacheKey, JSON.stringify(models), { ttlMs: failed ? Math.min(ttlMs, FAILED_LIST_TTL_MS) : ttlMs });
    return models;
  }

  private describe(models: { id: string; contextWindow?: number }[]): ProviderModelDto[] {
    return models.map((m) => {
      const facts = modelFacts(m.id);
      return { id: m.id, contextWindow: m.contextWindow ?? facts.contextWindow, vision: facts.vision };
    });
  }
}
