import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type EnvironmentVariables, validateEnvironment } from './environment.js';
import { parseProvidersConfig, type ProvidersConfig } from './providers-config.js';
import { resolveSecrets } from './secrets.js';

export interface OidcConfig {
  issuer: string;
  audience?: string;
  jwksUri: string;
}

export interface S3Config {
  endpoint?: string;
  bucket: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  presignedDownloads: boolean;
}

export interface StorageConfig {
  driver: 'local' | 's3';
  // Root of the local driver: DATA_DIR/uploads.
  localRoot: string;
  s3?: S3Config;
}

export interface RateLimitConfig {
  windowSeconds: number;
  max: number;
  syncMs: number;
  authWindowSeconds: number;
  loginPerAccount: number;
  loginPerIp: number;
  registerPerIp: number;
}

// Typed, validated configuration: the one place that reads the environment.
// Injected everywhere by its class; tests build it from a plain object.
export interface KnowledgeConfig {
  parseLimits: { maxPages: number; maxCharacters: number; maxArchiveEntries: number; maxExpandedBytes: number };
  url: { maxBytes: number; timeoutMs: number; allowPrivate: boolean };
  parser: { timeoutMs: number; maxHeapMb: number };
  ragTokenBudget: number;
  ragTopK: number;
  efSearch: number;
}

export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly logRequestContext: boolean;
  readonly bodyLimitBytes: number;
  readonly importMaxBytes: number;
  // Where clients reach this server (share links are built on it), without a trailing slash.
  readonly publicBaseUrl: string;
  readonly trustProxy: boolean | number | string;
  readonly corsOrigins: string[];
  readonly swaggerEnabled: boolean;
  readonly metricsToken?: string;
  readonly database: { url?: string; poolMax: number; queryTimeoutMs: number };
  readonly redis: { url?: string; keyPrefix: string };
  readonly auth: {
    jwtSecret: string;
    jwtIssuer: string;
    jwtAudience: string;
    accessTtlSeconds: number;
    stateCacheMs: number;
    refreshTtlSeconds: number;
    adminEmails: ReadonlySet<string>;
    oidc?: OidcConfig;
  };
  readonly encryptionKey: Buffer;
  readonly rateLimit: RateLimitConfig;
  readonly generation: {
    flushIntervalMs: number;
    heartbeatIntervalMs: number;
    staleAfterMs: number;
    maxActive: number;
    maxActivePerUser: number;
    maxReplyChars: number;
    // The transaction that starts a reply commits without waiting for its WAL flush (PostgreSQL).
    asyncCommit: boolean;
  };
  readonly streaming: { heartbeatMs: number; maxBufferedBytes: number; wsPingIntervalMs: number; logWriteMs: number };
  readonly sessionListCacheBytes: number;
  readonly cluster: { workers: number; shutdownGraceMs: number };
  readonly listenBacklog: number;
  readonly providers: ProvidersConfig;
  readonly storage: StorageConfig;
  readonly uploads: { maxBytes: number; quotaBytes: number; imageMaxBytes: number };
  readonly knowledge: KnowledgeConfig;
  readonly jobs: { worker: boolean; concurrency: number; retryDelayMs: number };

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const e = validateEnvironment(env);
    this.nodeEnv = e.NODE_ENV;
    this.production = e.NODE_ENV === 'production' && e.DATABASE_URL !== undefined;
    this.port = e.PORT;
    this.host = e.HOST;
    this.listenBacklog = e.LISTEN_BACKLOG;
    this.sessionListCacheBytes = e.SESSION_LIST_CACHE_BYTES;
    this.dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(process.cwd(), e.DATA_DIR);
    this.logLevel = e.LOG_LEVEL;
    this.logRequestContext = e.LOG_REQUEST_CONTEXT;
    this.bodyLimitBytes = e.BODY_LIMIT_BYTES;
    this.importMaxBytes = e.IMPORT_MAX_BYTES;
    this.publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
    this.trustProxy = parseTrustProxy(e.TRUST_PROXY);
    this.corsOrigins = splitList(e.CORS_ORIGINS);
    this.swaggerEnabled = e.SWAGGER_ENABLED;
    this.metricsToken = e.METRICS_TOKEN;
    this.database = { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS };
    this.redis = { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX };
    if (e.CLUSTER_WORKERS > 1 && (!e.DATABASE_URL || !e.REDIS_URL)) {
      throw new ConfigError(
        'Invalid environment configuration:\n  CLUSTER_WORKERS: more than one worker needs DATABASE_URL and REDIS_URL (the embedded database and in-memory state belong to one process)',
      );
    }
    this.cluster = { workers: e.CLUSTER_WORKERS, shutdownGraceMs: e.CLUSTER_SHUTDOWN_GRACE_MS };

    const secrets = resolveSecrets({
      production: this.production,
      dataDir: this.dataDir,
      jwtSecret: e.JWT_SECRET,
      encryptionKey: e.ENCRYPTION_KEY,
    });
    this.encryptionKey = secrets.encryptionKey;
    this.auth = {
      jwtSecret: secrets.jwtSecret,
      jwtIssuer: e.JWT_ISSUER,
      jwtAudience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.JWT_ACCESS_TTL_SECONDS,
      stateCacheMs: e.AUTH_STATE_CACHE_MS,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      adminEmails: new Set(splitList(e.ADMIN_EMAILS).map((m) => m.toLowerCase())),
      oidc: e.OIDC_ISSUER
        ? {
            issuer: e.OIDC_ISSUER,
            audience: e.OIDC_AUDIENCE,
            jwksUri: e.OIDC_JWKS_URI ?? `${e.OIDC_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
          }
        : undefined,
    };
    this.rateLimit = {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      max: e.RATE_LIMIT_MAX,
      syncMs: e.RATE_LIMIT_SYNC_MS,
      authWindowSeconds: e.RATE_LIMIT_AUTH_WINDOW_SECONDS,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      registerPerIp: e.RATE_LIMIT_REGISTER_PER_IP,
    };
    // A live reply that misses one beat (a slow save, a GC pause) must not be swept.
    if (e.GENERATION_STALE_AFTER_MS < 2 * e.GENERATION_HEARTBEAT_INTERVAL_MS) {
      throw new ConfigError(
        'Invalid environment configuration:\n  GENERATION_STALE_AFTER_MS: must be at least twice GENERATION_HEARTBEAT_INTERVAL_MS (live replies would be swept as interrupted)',
      );
    }
    this.generation = {
      flushIntervalMs: e.GENERATION_FLUSH_INTERVAL_MS,
      heartbeatIntervalMs: e.GENERATION_HEARTBEAT_INTERVAL_MS,
      staleAfterMs: e.GENERATION_STALE_AFTER_MS,
      maxActive: e.GENERATION_MAX_ACTIVE,
      maxActivePerUser: e.GENERATION_MAX_ACTIVE_PER_USER,
      maxReplyChars: e.GENERATION_MAX_REPLY_CHARS,
      asyncCommit: e.GENERATION_ASYNC_COMMIT,
    };
    this.streaming = {
      heartbeatMs: e.STREAM_HEARTBEAT_MS,
      maxBufferedBytes: e.STREAM_MAX_BUFFERED_BYTES,
      wsPingIntervalMs: e.WS_PING_INTERVAL_MS,
      logWriteMs: e.STREAM_LOG_WRITE_MS,
    };
    this.providers = parseProvidersConfig(e);
    this.storage = { driver: e.STORAGE_DRIVER, localRoot: resolve(this.dataDir, 'uploads'), s3: parseS3(e) };
    this.uploads = { maxBytes: e.UPLOAD_MAX_BYTES, quotaBytes: e.UPLOAD_QUOTA_BYTES, imageMaxBytes: e.UPLOAD_IMAGE_MAX_BYTES };
    this.knowledge = {
      parseLimits: {
        maxPages: e.KB_MAX_PAGES,
        maxCharacters: e.KB_MAX_CHARACTERS,
        maxArchiveEntries: e.KB_MAX_ARCHIVE_ENTRIES,
        maxExpandedBytes: e.KB_MAX_EXPANDED_BYTES,
      },
      url: { maxBytes: e.KB_URL_MAX_BYTES, timeoutMs: e.KB_URL_TIMEOUT_MS, allowPrivate: e.KB_URL_ALLOW_PRIVATE },
      parser: { timeoutMs: e.KB_PARSE_TIMEOUT_MS, maxHeapMb: e.KB_PARSE_MAX_HEAP_MB },
      ragTokenBudget: e.KB_RAG_TOKEN_BUDGET,
      ragTopK: e.KB_RAG_TOP_K,
      efSearch: e.KB_HNSW_EF_SEARCH,
    };
    this.jobs = { worker: e.JOBS_WORKER, concurrency: e.JOBS_CONCURRENCY, retryDelayMs: e.JOBS_RETRY_DELAY_MS };
  }

  get embeddedDatabase(): boolean {
    return this.database.url === undefined;
  }
}

function parseS3(e: EnvironmentVariables): S3Config | undefined {
  if (e.STORAGE_DRIVER !== 's3') return undefined;
  const fail = (name: string, why: string) => {
    throw new ConfigError(`Invalid environment configuration:\n  ${name}: ${why}`);
  };
  if (!e.S3_BUCKET) return fail('S3_BUCKET', 'is required when STORAGE_DRIVER=s3');
  // Without both keys the SDK's default credential chain applies (instance roles, AWS_* variables).
  if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
    return fail(e.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID', 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  return {
    endpoint: e.S3_ENDPOINT,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    presignedDownloads: e.S3_PRESIGNED_DOWNLOADS,
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
