import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ServerProviderConfig } from '../config/providers-config.js';
import type { AdapterOptions } from './adapters/adapter-options.js';
import { createGuardedFetch } from './address-guard.js';
import { createHttpFetch } from './http-fetch.js';
import type { ProviderInfoDto } from './dto/provider-info.dto.js';
import { IMAGE_OMITTED, type ModelFacts, modelFacts } from './model-catalog.js';
import { ModelListService } from './model-list.service.js';
import { createProvider } from './provider-factory.js';
import { ProviderKeysService, type UserCredential } from './provider-keys.service.js';
import { callWithRetries, type ModelRoute, type RetryPolicy, type RoutedEvent, type RouteCandidate, streamWithFallbacks } from './provider-stream.js';
import type { ChatProvider, ChatTurnRequest, EmbedResult } from './provider.types.js';
import { ProvidersError, ProvidersErrorCode } from './providers.errors.js';

export type { ModelRoute, RoutedEvent } from './provider-stream.js';

const RETRY_BASE_DELAY_MS = 500;

interface Resolved {
  entry: ServerProviderConfig;
  provider: ChatProvider;
  source: 'server' | 'user';
  credential: { apiKey?: string; baseUrl?: string };
}

// The one door to the LLM vendors: resolves whose credential to use, then streams with
// retries and fallbacks. The engine and GET /providers go through here.
@Injectable()
export class ProvidersService {
  private readonly serverProviders = new Map<string, ChatProvider>();
  // SDK clients for users' keys, built once per cached credential (a changed key is a new one).
  private readonly userProviders = new WeakMap<UserCredential, ChatProvider>();
  // Both on node:http (http-fetch.ts); user-supplied base URLs only through the guarded one.
  private readonly guardedFetch: typeof fetch;
  private readonly vendorFetch = createHttpFetch();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ProviderKeysService) private readonly keys: ProviderKeysService,
    @Inject(ModelListService) private readonly modelLists: ModelListService,
  ) {
    this.guardedFetch = createGuardedFetch({ allowPrivate: config.providers.allowPrivateBaseUrls });
  }

  // Yields a route event first (and again when a fallback takes over), then normalized events.
  // Fallbacks default to PROVIDER_FALLBACKS; pass [] for none.
  async *stream(
    userId: string,
    route: ModelRoute & { fallbacks?: ModelRoute[] },
    request: Omit<ChatTurnRequest, 'model'>,
  ): AsyncGenerator<RoutedEvent> {
    const credentials = await this.keys.credentials(userId);
    const chain = [route, ...(route.fallbacks ?? this.config.providers.fallbacks)];
    const seen = new Set<string>();
    const candidates: RouteCandidate[] = [];
    for (const [i, { provider, model }] of chain.entries()) {
      const key = `${provider}/${model}`;
      const resolved = this.resolve(provider, credentials);
      if (seen.has(key) || !resolved) continue;
      seen.add(key);
      // The request was built for the primary route; a fallback that takes no images gets them
      // as a note (a vendor refuses image parts for a text-only model).
      const fitted = i > 0 && !modelFacts(model).vision ? withoutImages(request) : request;
      candidates.push({ route: { provider, model }, open: () => resolved.provider.streamChat({ ...fitted, model }) });
    }
    if (candidates[0]?.route.provider !== route.provider) await this.assertUsable(userId, route.provider);
    yield* streamWithFallbacks(candidates, this.retryPolicy(), request.signal);
  }

  // Embeddings from one route (no fallbacks: vectors of another model are not comparable).
  async embed(userId: string, route: ModelRoute, inputs: string[], options: { dimensions?: number; signal: AbortSignal }): Promise<EmbedResult> {
    const resolved = this.resolve(route.provider, await this.keys.credentials(userId));
    if (!resolved) {
      await this.assertUsable(userId, route.provider);
      throw ProvidersError.unknown(route.provider);
    }
    const { provider } = resolved;
    if (!provider.embed) {
      throw new ProvidersError(ProvidersErrorCode.EmbeddingsUnsupported, `${resolved.entry.name} does not offer embeddings`);
    }
    const request = { model: route.model, inputs, dimensions: options.dimensions, signal: options.signal };
    return callWithRetries(route.provider, () => provider.embed!(request), this.retryPolicy(), options.signal);
  }

  // 400 problem when this user cannot use the provider (unknown, or no key on either side).
  async assertUsable(userId: string, provider: string): Promise<void> {
    const entry = this.config.providers.entries.find((p) => p.id === provider);
    if (!entry) throw ProvidersError.unknown(provider);
    if (serverUsable(entry) || (await this.keys.hasKey(userId, provider))) return;
    throw new ProvidersError(ProvidersErrorCode.NotConfigured, `${entry.name} is not configured: add your own API key for it`);
  }

  defaultRoute(): ModelRoute | undefined {
    if (this.config.providers.defaultModel) return { ...this.config.providers.defaultModel };
    const entry = this.config.providers.entries.find((p) => serverUsable(p) && p.models.length > 0);
    return entry ? { provider: entry.id, model: entry.models[0] } : undefined;
  }

  titleRoute(): ModelRoute | undefined {
    return this.config.providers.titleModel ? { ...this.config.providers.titleModel } : undefined;
  }

  modelInfo(_provider: string, model: string): ModelFacts {
    return { ...modelFacts(model) };
  }

  async listForUser(userId: string): Promise<ProviderInfoDto[]> {
    const credentials = await this.keys.credentials(userId);
    const usable = this.config.providers.entries.flatMap((p) => {
      const resolved = this.resolve(p.id, credentials);
      return resolved ? [resolved] : [];
    });
    return Promise.all(
      usable.map(async ({ entry, provider, source, credential }) => ({
        id: entry.id,
        kind: entry.kind,
        name: entry.name,
        models: await this.modelLists.models(entry, provider, credential),
        source,
      })),
    );
  }

  retryPolicy(): RetryPolicy {
    return { maxRetries: this.config.providers.maxRetries, baseDelayMs: RETRY_BASE_DELAY_MS, maxDelayMs: this.config.providers.retryMaxDelayMs };
  }

  // The user's key wins. With a user base URL the request goes through the guarded fetch and
  // carries only the user's key: the server's key is never sent to an address a user chose.
  private resolve(providerId: string, credentials: Map<string, UserCredential>): Resolved | undefined {
    const entry = this.config.providers.entries.find((p) => p.id === providerId);
    if (!entry) return undefined;
    const own = credentials.get(providerId);
    if (own) {
      const options: AdapterOptions = {
        id: entry.id,
        apiKey: own.apiKey,
        baseUrl: own.baseUrl ?? entry.baseUrl,
        timeoutMs: this.config.providers.timeoutMs,
        fetch: own.baseUrl ? this.guardedFetch : this.vendorFetch,
      };
      let provider = this.userProviders.get(own);
      if (!provider) {
        provider = createProvider(entry.kind, options);
        this.userProviders.set(own, provider);
      }
      return { entry, provider, source: 'user', credential: { apiKey: own.apiKey, baseUrl: options.baseUrl } };
    }
    if (!serverUsable(entry)) return undefined;
    let provider = this.serverProviders.get(entry.id);
    if (!provider) {
      provider = createProvider(entry.kind, {
        id: entry.id,
        apiKey: entry.apiKey,
        baseUrl: entry.baseUrl,
        timeoutMs: this.config.providers.timeoutMs,
        fetch: this.vendorFetch,
      });
      this.serverProviders.set(entry.id, provider);
    }
    return { entry, provider, source: 'server', credential: { apiKey: entry.apiKey, baseUrl: entry.baseUrl } };
  }
}

// OpenAI-compatible servers (Ollama, LM Studio) often need no key; the vendors always do.
function serverUsable(entry: ServerProviderConfig): boolean {
  return entry.kind === 'openai-compatible' || entry.apiKey !== undefined;
}

function withoutImages<R extends Pick<ChatTurnRequest, 'messages'>>(request: R): R {
  if (!request.messages.some((m) => m.parts.some((p) => p.type === 'image'))) return request;
  return {
    ...request,
    messages: request.messages.map((m) => ({
      ...m,
      parts: m.parts.map((p) => (p.type === 'image' ? { type: 'text' as const, text: IMAGE_OMITTED } : p)),
    })),
  };
}
