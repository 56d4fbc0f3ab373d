import type { ProviderKind } from '../providers/provider.types.js';
import type { EnvironmentVariables } from './environment.js';
import { ConfigError } from './environment.js';

// One provider the server itself can call (its key may be absent: users can bring their own).
export interface ServerProviderConfig {
  id: string;
  kind: ProviderKind;
  name: string;
  apiKey?: string;
  baseUrl?: string;
  models: string[];
}

export interface ModelRouteConfig {
  provider: string;
  model: string;
}

export interface ProvidersConfig {
  // The four first-party vendors always, then the OpenAI-compatible endpoints in order.
  entries: ServerProviderConfig[];
  defaultModel?: ModelRouteConfig;
  titleModel?: ModelRouteConfig;
  fallbacks: ModelRouteConfig[];
  maxRetries: number;
  retryMaxDelayMs: number;
  timeoutMs: number;
  modelsCacheSeconds: number;
  allowPrivateBaseUrls: boolean;
}

const BUILT_IN_IDS = new Set(['openai', 'anthropic', 'google', 'mistral']);
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function parseModelRoute(value: string): ModelRouteConfig {
  // The provider id never contains "/", the model id may (OpenRouter's "meta-llama/llama-3").
  const slash = value.indexOf('/');
  return { provider: value.slice(0, slash).trim(), model: value.slice(slash + 1).trim() };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

// Values are never echoed: the list carries API keys.
function parseCompatible(raw: string): ServerProviderConfig[] {
  const fail = (why: string): never => {
    throw new ConfigError(`Invalid environment configuration:\n  OPENAI_COMPATIBLE_PROVIDERS: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('is not valid JSON');
  }
  if (!Array.isArray(parsed)) return fail('must be a JSON array of {id, name?, baseUrl, apiKey?, models?}');
  const seen = new Set<string>();
  return parsed.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) return fail(`entry ${i} must be an object`);
    const { id, name, baseUrl, apiKey, models } = item as Record<string, unknown>;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return fail(`entry ${i}: id must match ${ID_PATTERN.source}`);
    if (BUILT_IN_IDS.has(id) || seen.has(id)) return fail(`entry ${i}: id "${id}" is already taken`);
    seen.add(id);
    if (!isHttpUrl(baseUrl)) return fail(`entry ${i} (${id}): baseUrl must be an http(s) URL`);
    if (name !== undefined && typeof name !== 'string') return fail(`entry ${i} (${id}): name must be a string`);
    if (apiKey !== undefined && typeof apiKey !== 'string') return fail(`entry ${i} (${id}): apiKey must be a string`);
    if (models !== undefined && !(Array.isArray(models) && models.every((m) => typeof m === 'string' && m.length > 0))) {
      return fail(`entry ${i} (${id}): models must be a list of model ids`);
    }
    return {
      id,
      kind: 'openai-compatible' as const,
      name: name ?? id,
      baseUrl,
      apiKey: apiKey === '' ? undefined : apiKey,
      models: (models as string[] | undefined) ?? [],
    };
  });
}

export function parseProvidersConfig(e: EnvironmentVariables): ProvidersConfig {
  const entries: ServerProviderConfig[] = [
    { id: 'openai', kind: 'openai', name: 'OpenAI', apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, models: list(e.OPENAI_MODELS) },
    {
      id: 'anthropic',
      kind: 'anthropic',
      name: 'Anthropic',
      apiKey: e.ANTHROPIC_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL,
      models: list(e.ANTHROPIC_MODELS),
    },
    { id: 'google', kind: 'google', name: 'Google Gemini', apiKey: e.GOOGLE_API_KEY, baseUrl: e.GOOGLE_BASE_URL, models: list(e.GOOGLE_MODELS) },
    { id: 'mistral', kind: 'mistral', name: 'Mistral', apiKey: e.MISTRAL_API_KEY, baseUrl: e.MISTRAL_BASE_URL, models: list(e.MISTRAL_MODELS) },
    ...parseCompatible(e.OPENAI_COMPATIBLE_PROVIDERS),
  ];
  const known = new Set(entries.map((p) => p.id));
  const route = (name: string, value: string | undefined): ModelRouteConfig | undefined => {
    if (value === undefined) return undefined;
    const parsed = parseModelRoute(value);
    if (!known.has(parsed.provider)) {
      throw new ConfigError(`Invalid environment configuration:\n  ${name}: unknown provider "${parsed.provider}"`);
    }
    return parsed;
  };
  return {
    entries,
    defaultModel: route('DEFAULT_MODEL', e.DEFAULT_MODEL),
    titleModel: route('TITLE_MODEL', e.TITLE_MODEL),
    fallbacks: list(e.PROVIDER_FALLBACKS).map((v) => route('PROVIDER_FALLBACKS', v)!),
    maxRetries: e.PROVIDER_MAX_RETRIES,
    retryMaxDelayMs: e.PROVIDER_RETRY_MAX_DELAY_MS,
    timeoutMs: e.PROVIDER_TIMEOUT_MS,
    modelsCacheSeconds: e.PROVIDER_MODELS_CACHE_SECONDS,
    allowPrivateBaseUrls: e.PROVIDER_ALLOW_PRIVATE_BASE_URLS,
  };
}
