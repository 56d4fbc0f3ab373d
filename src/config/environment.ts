import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no', ''].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

// The raw environment, validated. Only this file and config.ts know variable names.
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  // Connections the kernel queues for the app to accept (Linux clamps it to net.core.somaxconn).
  // A busy Node process accepts one connection per event-loop iteration (libuv), so a burst of
  // reconnects waits in this queue; past it, connection attempts are dropped and clients retry
  // after 1, 3, 7... seconds. Node's default is 511.
  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  LISTEN_BACKLOG = 4096;

  // App processes on this machine sharing the port (node:cluster); more than one needs
  // DATABASE_URL and REDIS_URL.
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  CLUSTER_WORKERS = 1;

  @Transform(toInt) @IsInt() @Min(1000)
  CLUSTER_SHUTDOWN_GRACE_MS = 30_000;

  @IsString()
  DATA_DIR = './data';

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(500)
  DATABASE_POOL_MAX = 10;

  @Transform(toInt) @IsInt() @Min(100)
  DATABASE_QUERY_TIMEOUT_MS = 30_000;

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString() @Matches(/^[A-Za-z0-9:_.-]*$/, { message: 'may only contain letters, digits and : _ . -' })
  REDIS_KEY_PREFIX = 'cbx:';

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  JWT_SECRET?: string;

  @IsString()
  JWT_ISSUER = 'chatbox-backend';

  @IsString()
  JWT_AUDIENCE = 'chatbox-api';

  @Transform(toInt) @IsInt() @Min(30) @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toInt) @IsInt() @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  ENCRYPTION_KEY?: string;

  @IsString()
  ADMIN_EMAILS = '';

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  OIDC_ISSUER?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  OIDC_AUDIENCE?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  OIDC_JWKS_URI?: string;

  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInt) @IsInt() @Min(1024)
  BODY_LIMIT_BYTES = 1_048_576;

  @Transform(toInt) @IsInt() @Min(1024)
  IMPORT_MAX_BYTES = 20 * 1_048_576;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  @IsString() @Matches(/^(true|false|\d+|[0-9a-fA-F:.,/\s]+)$/, { message: 'must be true, false, a hop count or a list of addresses/CIDRs' })
  TRUST_PROXY = 'false';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  // Put the request id on every line logged during a request (AsyncLocalStorage: on Node 20 this
  // makes every promise of the process tracked). Off: only request and error lines carry it.
  @Transform(toBool) @IsBoolean()
  LOG_REQUEST_CONTEXT = false;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  METRICS_TOKEN?: string;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_MAX = 1200;

  // How often each instance adds its local counts of the general limit to the shared counter
  // (0: every request counts in Redis, one round trip each).
  @Transform(toInt) @IsInt() @Min(0) @Max(10_000)
  RATE_LIMIT_SYNC_MS = 500;

  // How long an instance may trust a credential check it made (access token or API key state)
  // when an invalidation sent over pub/sub did not reach it (0: check on every request).
  @Transform(toInt) @IsInt() @Min(0) @Max(60_000)
  AUTH_STATE_CACHE_MS = 5000;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_AUTH_WINDOW_SECONDS = 900;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_LOGIN_PER_ACCOUNT = 5;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_LOGIN_PER_IP = 30;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_REGISTER_PER_IP = 10;

  @Transform(toBool) @IsBoolean()
  SWAGGER_ENABLED = true;

  @Transform(toInt) @IsInt() @Min(50) @Max(60_000)
  GENERATION_FLUSH_INTERVAL_MS = 1000;

  @Transform(toInt) @IsInt() @Min(100) @Max(600_000)
  GENERATION_HEARTBEAT_INTERVAL_MS = 5000;

  @Transform(toInt) @IsInt() @Min(300) @Max(3_600_000)
  GENERATION_STALE_AFTER_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(1)
  GENERATION_MAX_ACTIVE = 2000;

  // Memory for serialized session-list pages per instance (0: no cache); each is validated
  // against the user's list version on every request, so a cached page is never stale.
  @Transform(toInt) @IsInt() @Min(0) @Max(1024 * 1024 * 1024)
  SESSION_LIST_CACHE_BYTES = 16 * 1024 * 1024;

  // Replies one user may have running on one instance (429 + Retry-After beyond).
  @Transform(toInt) @IsInt() @Min(1)
  GENERATION_MAX_ACTIVE_PER_USER = 20;

  @Transform(toInt) @IsInt() @Min(1000)
  GENERATION_MAX_REPLY_CHARS = 1_000_000;

  @Transform(toBool) @IsBoolean()
  GENERATION_ASYNC_COMMIT = true;

  @Transform(toInt) @IsInt() @Min(100) @Max(300_000)
  STREAM_HEARTBEAT_MS = 15_000;

  @Transform(toInt) @IsInt() @Min(16_384)
  STREAM_MAX_BUFFERED_BYTES = 1_048_576;

  // With Redis: how long a stream's events gather before they are written to its Redis Stream
  // (and published to other instances) as one entry; 0: at the end of each event-loop turn.
  // Clients of the generating instance get every event at once either way.
  @Transform(toInt) @IsInt() @Min(0) @Max(1000)
  STREAM_LOG_WRITE_MS = 50;

  // WebSocket pings; a socket that has not answered the previous one is dropped.
  @Transform(toInt) @IsInt() @Min(100)
  WS_PING_INTERVAL_MS = 30_000;
  // --- Uploads and storage (combinations checked in app-config.ts) ---
  @IsIn(['local', 's3'])
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  S3_ENDPOINT?: string;

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid bucket name' })
  S3_BUCKET?: string;

  @IsString() @Matches(/^[a-z0-9-]+$/, { message: 'must be a region name such as us-east-1 (R2: auto)' })
  S3_REGION = 'us-east-1';

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool) @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  @Transform(toBool) @IsBoolean()
  S3_PRESIGNED_DOWNLOADS = false;

  @Transform(toInt) @IsInt() @Min(1)
  UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(0)
  UPLOAD_QUOTA_BYTES = 1024 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(1)
  UPLOAD_IMAGE_MAX_BYTES = 20 * 1024 * 1024;

  // --- Knowledge bases and jobs ---
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  KB_MAX_PAGES = 2000;

  @Transform(toInt) @IsInt() @Min(1000)
  KB_MAX_CHARACTERS = 5_000_000;

  @Transform(toInt) @IsInt() @Min(1)
  KB_MAX_ARCHIVE_ENTRIES = 5000;

  @Transform(toInt) @IsInt() @Min(1024)
  KB_MAX_EXPANDED_BYTES = 100 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  KB_PARSE_TIMEOUT_MS = 120_000;

  @Transform(toInt) @IsInt() @Min(64) @Max(16_384)
  KB_PARSE_MAX_HEAP_MB = 512;

  @Transform(toInt) @IsInt() @Min(1024)
  KB_URL_MAX_BYTES = 20 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(100) @Max(300_000)
  KB_URL_TIMEOUT_MS = 15_000;

  @Transform(toBool) @IsBoolean()
  KB_URL_ALLOW_PRIVATE = false;

  @Transform(toInt) @IsInt() @Min(0) @Max(100_000)
  KB_RAG_TOKEN_BUDGET = 2000;

  @Transform(toInt) @IsInt() @Min(1) @Max(50)
  KB_RAG_TOP_K = 6;

  @Transform(toInt) @IsInt() @Min(10) @Max(1000)
  KB_HNSW_EF_SEARCH = 300;

  @Transform(toBool) @IsBoolean()
  JOBS_WORKER = true;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  JOBS_CONCURRENCY = 2;

  @Transform(toInt) @IsInt() @Min(10) @Max(600_000)
  JOBS_RETRY_DELAY_MS = 2000;

  // --- LLM providers (parsed further in app-config.ts) ---
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  OPENAI_BASE_URL?: string;

  @IsString()
  OPENAI_MODELS = 'gpt-4.1,gpt-4.1-mini,gpt-4o,gpt-4o-mini,o4-mini';

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  ANTHROPIC_API_KEY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  ANTHROPIC_BASE_URL?: string;

  @IsString()
  ANTHROPIC_MODELS = 'claude-sonnet-4-5,claude-opus-4-1,claude-3-5-haiku-latest';

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  GOOGLE_API_KEY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  GOOGLE_BASE_URL?: string;

  @IsString()
  GOOGLE_MODELS = 'gemini-2.5-flash,gemini-2.5-pro,gemini-2.5-flash-lite';

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  MISTRAL_API_KEY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, require_protocol: true })
  MISTRAL_BASE_URL?: string;

  @IsString()
  MISTRAL_MODELS = 'mistral-large-latest,mistral-medium-latest,mistral-small-latest';

  // JSON list of {id, name?, baseUrl, apiKey?, models?}; checked in app-config.ts.
  @IsString()
  OPENAI_COMPATIBLE_PROVIDERS = '[]';

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[a-z0-9][a-z0-9_-]*\/\S+$/, { message: 'must be provider/model' })
  DEFAULT_MODEL?: string;

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[a-z0-9][a-z0-9_-]*\/\S+$/, { message: 'must be provider/model' })
  TITLE_MODEL?: string;

  @IsString() @Matches(/^\s*([a-z0-9][a-z0-9_-]*\/[^\s,]+\s*(,\s*[a-z0-9][a-z0-9_-]*\/[^\s,]+\s*)*)?$/, {
    message: 'must be a comma-separated list of provider/model',
  })
  PROVIDER_FALLBACKS = '';

  @Transform(toInt) @IsInt() @Min(0) @Max(10)
  PROVIDER_MAX_RETRIES = 2;

  @Transform(toInt) @IsInt() @Min(0) @Max(300_000)
  PROVIDER_RETRY_MAX_DELAY_MS = 10_000;

  @Transform(toInt) @IsInt() @Min(1000)
  PROVIDER_TIMEOUT_MS = 120_000;

  @Transform(toInt) @IsInt() @Min(0)
  PROVIDER_MODELS_CACHE_SECONDS = 600;

  @Transform(toBool) @IsBoolean()
  PROVIDER_ALLOW_PRIVATE_BASE_URLS = false;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function validateEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  // An empty variable counts as unset (as with `FOO=` in an env file), so its default applies.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const shown = /SECRET|KEY|TOKEN|PASSWORD/.test(e.property) ? 'a hidden value' : JSON.stringify(e.value);
      return `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${shown})`;
    });
    throw new ConfigError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return parsed;
}
