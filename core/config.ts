/**
 * The one configuration module: every environment variable is read and validated here,
 * once. A bad value stops the start with a message naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { aiConfigSchema, type AiConfig } from './ai/config.js';
import { withSecretFiles } from './secret-files.js';

export const EMBEDDING_PROVIDERS = ['none', 'openai', 'yandex'] as const;
export type EmbeddingProviderName = (typeof EMBEDDING_PROVIDERS)[number];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
export interface HostPort {
  host: string;
  port: number;
}
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;
/** `host:port,host:port` (an IPv6 host in brackets). */
const hostPorts = optionalString.pipe(
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(HOST_PORT, 'must be a comma-separated list of host:port')).min(1))
    .transform((items) =>
      items.map((item): HostPort => {
        const [, v6, host, port] = HOST_PORT.exec(item)!;
        return { host: (v6 ?? host)!, port: Number(port) };
      }),
    )
    .optional(),
);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(3000).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** A streaming replica for list and search reads (core/db/read-routing.ts); unset: they read the writer. */
  DATABASE_READ_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** The schema owner's login: migrations run as it, and DATABASE_URL's role gets only grants (core/db/grants.ts). */
  DATABASE_OWNER_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_SCHEMA: optionalString.pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional()),
  /** Connections of an API process (and of the command-line tools). */
  DATABASE_POOL_MAX: int(10, 1),
  /** Connections of a process that runs worker pools (workers/pools.ts: workerDatabase); default twice DATABASE_POOL_MAX. */
  WORKER_DATABASE_POOL_MAX: z.coerce.number().int().min(1).optional(),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Default: on, except in production, where a stray local Redis must not stand in for the real one. */
  REDIS_AUTOSTART: bool.optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/).default('bull'),
  /** Seeds of a Redis Cluster; the cluster is used instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: hostPorts,
  /** Sentinels that name the master REDIS_SENTINEL_NAME; used instead of REDIS_URL. */
  REDIS_SENTINELS: hostPorts,
  REDIS_SENTINEL_NAME: optionalString,
  /** The password of the cluster's nodes or of the sentinel-managed master and replicas. */
  REDIS_PASSWORD: optionalString,
  REDIS_SENTINEL_PASSWORD: optionalString,

  S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  S3_ACCESS_KEY: optionalString,
  S3_SECRET_KEY: optionalString,
  S3_BUCKET: z.string().min(3).default('legal-ai'),
  S3_REGION: z.string().default('us-east-1'),

  JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  ENCRYPTION_KEY: optionalString.pipe(
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
  ),
  JWT_ISSUER: z.string().min(1).default('legal-ai'),
  JWT_AUDIENCE: z.string().min(1).default('legal-ai-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 60),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600, 300),

  CORS_ORIGINS: list.default([]),
  BODY_LIMIT_KB: int(1024, 1),
  TRUST_PROXY: bool.default(false),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1),
  LOGIN_MAX_FAILURES_PER_IP: int(20, 1),
  LOGIN_WINDOW_SECONDS: int(900, 1),
  REGISTER_MAX_PER_IP: int(10, 1),
  REGISTER_WINDOW_SECONDS: int(3600, 1),
  SOCKET_MAX_PER_USER: int(20, 1),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),

  WORKER_QUEUES: list.optional(),
  /** Every pool's size at once; WORKER_CONCURRENCY_<QUEUE> sets one pool's (see workers/pools.ts for the defaults). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: int(25_000, 100),
  /** How long a worker holds a job before it counts as stalled, and how often stalls are checked. */
  WORKER_LOCK_DURATION_MS: int(30_000, 200),
  WORKER_STALLED_INTERVAL_MS: int(30_000, 200),
  /** Threads for the CPU-bound steps (DLP scans, chunking; core/cpu-pool.ts): default one per core, 0 runs them inline. */
  DLP_THREADS: z.coerce.number().int().min(0).optional(),

  CHAT_MAX_INFLIGHT: int(2, 1),
  CHAT_REPLY_ATTEMPTS: int(3, 1),
  AI_CACHE_TTL_SECONDS: int(24 * 3600, 0),
  AI_COMPLETE_WAIT_MS: int(5_000, 0),
  CHAT_STUCK_AFTER_SECONDS: int(600, 1),
  /** Import the built-in law library at start when it is missing or changed (a background job). */
  LAW_AUTOIMPORT: bool.default(true),

  /** Largest accepted upload, in MiB; counted as the bytes arrive. */
  UPLOAD_MAX_MB: int(50, 1).pipe(z.number().max(10_240)),
  REVIEW_ACCEPT_SECONDS: int(1800, 1),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: z.url().default('https://api.stripe.com'),
  YOOKASSA_SHOP_ID: optionalString,
  YOOKASSA_SECRET_KEY: optionalString,
  YOOKASSA_API_URL: z.url().default('https://api.yookassa.ru/v3'),
  // YooKassa's published notification sources (https://yookassa.ru/developers/using-api/webhooks).
  YOOKASSA_WEBHOOK_IPS: list.default(['185.71.76.0/27', '185.71.77.0/27', '77.75.153.0/25', '77.75.156.11/32', '77.75.156.35/32', '77.75.154.128/25', '2a02:5180::/32']),
  BILLING_RECONCILE_EVERY_SECONDS: int(300, 1),
  RETENTION_DAYS_CHATS: z.coerce.number().int().min(1).optional(),
  REVIEW_SLA_SECONDS_STANDARD: int(86_400, 1),
  REVIEW_SLA_SECONDS_URGENT: int(14_400, 1),

  /** Who computes chunk and query embeddings for vector search; `none`: full-text search only. */
  EMBEDDINGS_PROVIDER: z.enum(EMBEDDING_PROVIDERS).default('none'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  /** readUrl: the read replica's URL (needs `url`: PGlite has no replicas). */
  /** acquireTimeoutMs: how long a statement waits for a free connection (default 10 s). */
  database: { url?: string; readUrl?: string; ownerUrl?: string; schema?: string; poolMax: number; acquireTimeoutMs?: number };
  /**
   * One server at `url` (the default), or a Redis Cluster (`cluster`), or a master found through
   * Sentinel (`sentinel`). In a cluster `queuePrefix` is a hash tag (`{QUEUE_PREFIX}`), so every
   * key of the service lives in one slot.
   */
  redis: {
    url: string;
    autostart: boolean;
    queuePrefix: string;
    cluster?: { nodes: HostPort[]; password?: string };
    sentinel?: { nodes: HostPort[]; name: string; password?: string; sentinelPassword?: string };
  };
  storage:
    | { kind: 'local'; dir: string }
    | { kind: 's3'; endpoint: string; accessKey: string; secretKey: string; bucket: string; region: string };
  auth: {
    jwtSecret?: string;
    issuer: string;
    audience: string;
    accessTtl: number;
    refreshTtl: number;
    loginMaxPerAccount: number;
    loginMaxPerIp: number;
    loginWindow: number;
    registerMaxPerIp: number;
    registerWindow: number;
  };
  encryptionKey?: string;
  /** socketMaxPerUser: open Socket.IO connections per user, across every API node. */
  http: { corsOrigins: string[]; bodyLimitKb: number; trustProxy: boolean; socketMaxPerUser: number };
  /** GET /metrics: open on loopback, else Bearer `token`; a workers-only process listens on `port`. */
  metrics: { token?: string; /** METRICS_PORT; unset: 9464, or another free port when that is taken (a second workers process on the host). */ port?: number };
  /**
   * concurrency: `all` from WORKER_CONCURRENCY, `byQueue` from WORKER_CONCURRENCY_<QUEUE>;
   * databasePoolMax: WORKER_DATABASE_POOL_MAX, when set.
   */
  workers: { queues?: string[]; concurrency: { all?: number; byQueue: Record<string, number> }; lockDurationMs: number; stalledIntervalMs: number; databasePoolMax?: number };
  shutdownTimeoutMs: number;
  /** threads: the CPU pool's size from DLP_THREADS (undefined: one per core; 0: inline). */
  dlp: { threads: number | undefined };
  chat: { maxInflight: number; replyAttempts: number; cacheTtlSeconds: number; completeWaitMs: number; stuckAfterSeconds: number };
  /** Providers, keys, timeouts, retries and circuit settings (see core/ai/config.ts). */
  ai: AiConfig;
  documents: { uploadMaxBytes: number };
  /** Payment providers: a provider without its keys answers 503 `payments_unavailable`. */
  billing: {
    stripe?: { secretKey: string; webhookSecret: string; apiUrl: string };
    yookassa?: { shopId: string; secretKey: string; apiUrl: string };
    yookassaWebhookIps: string[];
    reconcileEverySeconds: number;
  };
  /** Days a chat untouched is kept (undefined: kept for good). */
  retention: { chatDays?: number | undefined };
  /** Lawyer review deadlines, in seconds. */
  reviews: { acceptSeconds: number; slaSeconds: { standard: number; urgent: number } };
  law: { autoImport: boolean };
  /** The embeddings provider uses that provider's key, base URL and folder from `ai`. */
  embeddings: { provider: EmbeddingProviderName };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const POOL_SIZE_VAR = /^WORKER_CONCURRENCY_([A-Z]+)$/;

/** WORKER_CONCURRENCY_<QUEUE>=N, by lower-case queue name (workers/pools.ts refuses unknown names). */
function poolSizes(env: NodeJS.ProcessEnv): { sizes: Record<string, number>; errors: string[] } {
  const sizes: Record<string, number> = {};
  const errors: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const queue = POOL_SIZE_VAR.exec(name)?.[1];
    if (!queue || value === undefined || value.trim() === '') continue;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 1) sizes[queue.toLowerCase()] = n;
    else errors.push(`${name}: must be an integer >= 1`);
  }
  return { sizes, errors };
}

/** REDIS_PASSWORD fills in a REDIS_URL without one; two different passwords are refused. */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  if (!u.password) {
    u.password = encodeURIComponent(password);
    return u.toString();
  }
  if (decodeURIComponent(u.password) !== password) throw new ConfigError('invalid configuration: REDIS_URL and REDIS_PASSWORD name different passwords');
  return url;
}

/** REDIS_URL (the default), REDIS_CLUSTER_NODES or REDIS_SENTINELS + REDIS_SENTINEL_NAME: exactly one. */
function redisTopology(e: Env, env: NodeJS.ProcessEnv): Config['redis'] {
  const refuse = (why: string) => new ConfigError(`invalid configuration: ${why}`);
  const single = { url: e.REDIS_URL, autostart: e.REDIS_AUTOSTART ?? e.NODE_ENV !== 'production', queuePrefix: e.QUEUE_PREFIX };
  if (e.REDIS_CLUSTER_NODES && e.REDIS_SENTINELS) throw refuse('REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other');
  if (!e.REDIS_SENTINELS !== !e.REDIS_SENTINEL_NAME) throw refuse('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together');
  if (e.REDIS_SENTINEL_PASSWORD && !e.REDIS_SENTINELS) throw refuse('REDIS_SENTINEL_PASSWORD goes with REDIS_SENTINELS');
  const many = e.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES' : e.REDIS_SENTINELS ? 'REDIS_SENTINELS' : undefined;
  if (!many) return e.REDIS_PASSWORD ? { ...single, url: withPassword(e.REDIS_URL, e.REDIS_PASSWORD) } : single;
  if (env.REDIS_URL?.trim()) throw refuse(`REDIS_URL names one server and ${many} another topology: set only one (the password goes in REDIS_PASSWORD)`);
  if (e.REDIS_CLUSTER_NODES) {
    // BullMQ's rule for clusters: a prefix in braces keeps each queue's keys in one slot; the
    // service's own keys share the prefix, so multi-key scripts stay in that slot too.
    return { ...single, queuePrefix: `{${e.QUEUE_PREFIX}}`, cluster: { nodes: e.REDIS_CLUSTER_NODES, password: e.REDIS_PASSWORD } };
  }
  return {
    ...single,
    sentinel: { nodes: e.REDIS_SENTINELS!, name: e.REDIS_SENTINEL_NAME!, password: e.REDIS_PASSWORD, sentinelPassword: e.REDIS_SENTINEL_PASSWORD },
  };
}

/**
 * A variable set to nothing is unset: Compose passes every listed variable, empty when the
 * .env has none, and an empty number would otherwise read as 0 (a random port, no threads).
 */
const withoutBlanks = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(given: NodeJS.ProcessEnv = process.env): Config {
  const env = withoutBlanks(withSecretFiles(given));
  const parsed = envSchema.safeParse(env);
  const ai = aiConfigSchema.safeParse(env);
  const byQueue = poolSizes(env);
  if (!parsed.success || !ai.success || byQueue.errors.length) {
    const issues = [...(parsed.error?.issues ?? []), ...(ai.error?.issues ?? [])];
    const lines = [...issues.map((i) => `${String(i.path[0])}: ${i.message}`), ...byQueue.errors];
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const s3 = [e.S3_ENDPOINT, e.S3_ACCESS_KEY, e.S3_SECRET_KEY];
  if (s3.some(Boolean) && !s3.every(Boolean)) {
    throw new ConfigError('invalid configuration: S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY go together');
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    throw new ConfigError('invalid configuration: DATABASE_READ_URL: needs DATABASE_URL (embedded PGlite has no replicas)');
  }
  if (e.DATABASE_OWNER_URL && !e.DATABASE_URL) {
    throw new ConfigError('invalid configuration: DATABASE_OWNER_URL: needs DATABASE_URL, the service\'s own role (embedded PGlite has no roles)');
  }
  const redis = redisTopology(e, env);
  const embeddingsKey = { none: true, openai: ai.data.openai.apiKeys.length > 0, yandex: ai.data.yandex.apiKeys.length > 0 };
  if (!embeddingsKey[e.EMBEDDINGS_PROVIDER]) {
    const keyVar = e.EMBEDDINGS_PROVIDER === 'openai' ? 'OPENAI_API_KEY' : 'YANDEX_API_KEY';
    throw new ConfigError(`invalid configuration: EMBEDDINGS_PROVIDER: ${e.EMBEDDINGS_PROVIDER} needs ${keyVar}`);
  }
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    dataDir,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, readUrl: e.DATABASE_READ_URL, ownerUrl: e.DATABASE_OWNER_URL, schema: e.DATABASE_SCHEMA, poolMax: e.DATABASE_POOL_MAX },
    redis,
    storage: e.S3_ENDPOINT
      ? {
          kind: 's3',
          endpoint: e.S3_ENDPOINT,
          accessKey: e.S3_ACCESS_KEY!,
          secretKey: e.S3_SECRET_KEY!,
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
        }
      : { kind: 'local', dir: path.join(dataDir, 'files') },
    auth: {
      jwtSecret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtl: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtl: e.REFRESH_TOKEN_TTL_SECONDS,
      loginMaxPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginMaxPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      loginWindow: e.LOGIN_WINDOW_SECONDS,
      registerMaxPerIp: e.REGISTER_MAX_PER_IP,
      registerWindow: e.REGISTER_WINDOW_SECONDS,
    },
    encryptionKey: e.ENCRYPTION_KEY,
    http: { corsOrigins: e.CORS_ORIGINS, bodyLimitKb: e.BODY_LIMIT_KB, trustProxy: e.TRUST_PROXY, socketMaxPerUser: e.SOCKET_MAX_PER_USER },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    workers: {
      queues: e.WORKER_QUEUES,
      concurrency: { all: e.WORKER_CONCURRENCY, byQueue: byQueue.sizes },
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      databasePoolMax: e.WORKER_DATABASE_POOL_MAX,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dlp: { threads: e.DLP_THREADS },
    chat: {
      maxInflight: e.CHAT_MAX_INFLIGHT,
      replyAttempts: e.CHAT_REPLY_ATTEMPTS,
      cacheTtlSeconds: e.AI_CACHE_TTL_SECONDS,
      completeWaitMs: e.AI_COMPLETE_WAIT_MS,
      stuckAfterSeconds: e.CHAT_STUCK_AFTER_SECONDS,
    },
    ai: ai.data,
    documents: { uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024 },
    billing: {
      ...(e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { stripe: { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL } } : {}),
      ...(e.YOOKASSA_SHOP_ID && e.YOOKASSA_SECRET_KEY ? { yookassa: { shopId: e.YOOKASSA_SHOP_ID, secretKey: e.YOOKASSA_SECRET_KEY, apiUrl: e.YOOKASSA_API_URL.replace(/\/$/, '') } } : {}),
      yookassaWebhookIps: e.YOOKASSA_WEBHOOK_IPS,
      reconcileEverySeconds: e.BILLING_RECONCILE_EVERY_SECONDS,
    },
    retention: { chatDays: e.RETENTION_DAYS_CHATS },
    reviews: {
      acceptSeconds: e.REVIEW_ACCEPT_SECONDS,
      slaSeconds: { standard: e.REVIEW_SLA_SECONDS_STANDARD, urgent: e.REVIEW_SLA_SECONDS_URGENT },
    },
    law: { autoImport: e.LAW_AUTOIMPORT },
    embeddings: { provider: e.EMBEDDINGS_PROVIDER },
  };
}
