import { isAbsolute, resolve } from 'node:path';
import { validateEnvironment } from './environment.js';
import { parseProvidersConfig, type ProvidersConfig } from './providers-config.js';
import { resolveSecrets } from './secrets.js';

export interface OidcConfig {
  issuer: string;
  audience?: string;
  jwksUri: string;
}

export interface RateLimitConfig {
  windowSeconds: number;
  max: number;
  authWindowSeconds: number;
  loginPerAccount: number;
  loginPerIp: number;
  registerPerIp: number;
}

// Typed, validated configuration: the one place that reads the environment.
// Injected everywhere by its class; tests build it from a plain object.
export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: string;
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
    maxReplyChars: number;
  };
  readonly streaming: { heartbeatMs: number; maxBufferedBytes: number };
  readonly providers: ProvidersConfig;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const e = validateEnvironment(env);
    this.nodeEnv = e.NODE_ENV;
    this.production = e.NODE_ENV === 'production' && e.DATABASE_URL !== undefined;
    this.port = e.PORT;
    this.host = e.HOST;
    this.dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(process.cwd(), e.DATA_DIR);
    this.logLevel = e.LOG_LEVEL;
    this.bodyLimitBytes = e.BODY_LIMIT_BYTES;
    this.importMaxBytes = e.IMPORT_MAX_BYTES;
    this.publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
    this.trustProxy = parseTrustProxy(e.TRUST_PROXY);
    this.corsOrigins = splitList(e.CORS_ORIGINS);
    this.swaggerEnabled = e.SWAGGER_ENABLED;
    this.metricsToken = e.METRICS_TOKEN;
    this.database = { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS };
    this.redis = { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX };

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
      authWindowSeconds: e.RATE_LIMIT_AUTH_WINDOW_SECONDS,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      registerPerIp: e.RATE_LIMIT_REGISTER_PER_IP,
    };
    this.generation = {
      flushIntervalMs: e.GENERATION_FLUSH_INTERVAL_MS,
      heartbeatIntervalMs: e.GENERATION_HEARTBEAT_INTERVAL_MS,
      staleAfterMs: e.GENERATION_STALE_AFTER_MS,
      maxActive: e.GENERATION_MAX_ACTIVE,
      maxReplyChars: e.GENERATION_MAX_REPLY_CHARS,
    };
    this.streaming = { heartbeatMs: e.STREAM_HEARTBEAT_MS, maxBufferedBytes: e.STREAM_MAX_BUFFERED_BYTES };
    this.providers = parseProvidersConfig(e);
  }

  get embeddedDatabase(): boolean {
    return this.database.url === undefined;
  }
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
