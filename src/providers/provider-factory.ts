import { AnthropicAdapter } from './adapters/anthropic.adapter.js';
import type { AdapterOptions } from './adapters/adapter-options.js';
import { GoogleAdapter } from './adapters/google.adapter.js';
import { MistralAdapter } from './adapters/mistral.adapter.js';
import { OpenAIAdapter } from './adapters/openai.adapter.js';
import type { ChatProvider, ProviderKind } from './provider.types.js';

// One SDK client per credential: adapters are cheap to build and hold no per-request state.
export function createProvider(kind: ProviderKind, options: AdapterOptions): ChatProvider {
  switch (kind) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAIAdapter(kind, options);
    case 'anthropic':
      return new AnthropicAdapter(options);
    case 'google':
      return new GoogleAdapter(options);
    case 'mistral':
      return new MistralAdapter(options);
  }
}

// Kinds whose base URL a user may point elsewhere (a proxy, a gateway, their own server).
export const USER_BASE_URL_KINDS: ReadonlySet<ProviderKind> = new Set(['openai', 'anthropic', 'openai-compatible']);
