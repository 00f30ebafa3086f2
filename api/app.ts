/** Builds the Koa app (no listen): middleware, routes, OpenAPI, Bull Board. */
import Router from '@koa/router';
import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import type { QueueEvents } from 'bullmq';
import type { RedisClient } from '../core/redis.js';
import type { AccessTokenService } from '../core/auth/access-tokens.js';
import { createLoginThrottle } from '../core/auth/login-throttle.js';
import { createWindowCounter } from '../core/auth/window-counter.js';
import { createAuthService } from '../core/auth/service.js';
import { createSealer } from '../core/chat/seal.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/knex.js';
import { createReadRouting, type ReadRouting } from '../core/db/read-routing.js';
import type { Logger } from '../core/log.js';
import type { Secrets } from '../core/secrets.js';
import type { Storage } from '../core/storage/index.js';
import type { Queues } from '../pipelines/queues.js';
import { BOARD_PATH, boardMiddleware, createBoardGuard } from '../bull-board/mount.js';
import type { AppContext, AppState } from './context.js';
import { createAuthenticate } from './middleware/authenticate.js';
import { errorHandler } from './middleware/errors.js';
import { requestContext } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { createIdempotency } from './idempotency.js';
import { metricsResponse } from './metrics.js';
import { webClient } from './web-client.js';
import { buildOpenApi } from './openapi.js';
import { createAccountEffects } from '../pipelines/account-effects.js';
import type { UserCache } from '../core/auth/user-cache.js';
import { adminRoutes } from './routes/admin.js';
import { aiRoutes } from './routes/ai.js';
import { authRoutes } from './routes/auth.js';
import { chatRoutes } from './routes/chats.js';
import { revealRoutes } from './routes/reveal.js';
import { describeUploads, documentRoutes } from './routes/documents.js';
import { lawRoutes } from './routes/law.js';
import type { VectorRanker } from '../core/search/search.js';
import { privacyRoutes } from './routes/privacy.js';
import { privacyRequestRoutes } from './routes/privacy-requests.js';
import { derivedKey } from '../core/privacy/keys.js';
import { reviewRoutes } from './routes/reviews.js';
import { billingRoutes, WEBHOOK_PREFIX } from './routes/billing.js';
import { createProviders } from '../core/billing/subscribe.js';
import { healthRoutes } from './routes/health.js';
import { mountRoutes, type AnyRoute } from './routing.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  db: Db;
  /** The read replica for list and search reads, or `db` itself when there is none. */
  dbRead: Db;
  redis: RedisClient;
  storage: Storage;
  queues: Queues;
  tokens: AccessTokenService;
  /** Users by id for authentication, dropped on every node when one changes. */
  users: UserCache;
  version: string;
  secrets: Secrets;
  /** Completion events of the `ai` queue: POST /api/ai/complete waits on them. */
  aiEvents: QueueEvents;
  /** The vector side of search, when an embeddings provider is configured. */
  vectors?: VectorRanker;
}

export function buildApp(deps: AppDeps): Koa<AppState> {
  const { config } = deps;
  const app = new Koa<AppState>({ proxy: config.http.trustProxy });
  // What no middleware can answer reaches Koa's 'error' event: a response stream that broke, a
  // client gone mid-request. Koa's default prints a stack to stderr, outside the JSON log.
  app.on('error', (err: Error & { code?: string }) => deps.log.warn({ err: err.message, code: err.code }, 'a response ended early'));
  const counter = createWindowCounter(deps.redis, config.redis.queuePrefix);
  const throttle = createLoginThrottle(counter, {
    maxPerAccount: config.auth.loginMaxPerAccount,
    maxPerIp: config.auth.loginMaxPerIp,
    windowSeconds: config.auth.loginWindow,
    hashKey: derivedKey(deps.secrets.encryptionKey, 'login-throttle'),
  });
  const auth = createAuthService({
    tokens: deps.tokens,
    throttle,
    counter,
    registerLimit: { maxPerIp: config.auth.registerMaxPerIp, windowSeconds: config.auth.registerWindow },
    refreshTtlSeconds: config.auth.refreshTtl,
  });
  const sealer = createSealer(deps.secrets.encryptionKey);
  const idempotent = createIdempotency(deps.db, deps.secrets.encryptionKey);
  const limits = { maxInflight: config.chat.maxInflight, stuckAfterSeconds: config.chat.stuckAfterSeconds };
  const providers = createProviders(config.billing);
  // One emitter and one set of queue handles for every route that changes an account.
  const accountEffects = createAccountEffects({ redis: deps.redis, queues: deps.queues, log: deps.log, users: deps.users });
  const reads = createReadRouting({ db: deps.db, dbRead: deps.dbRead, redis: deps.redis, prefix: config.redis.queuePrefix, log: deps.log });
  const routes: AnyRoute[] = [
    ...healthRoutes(deps),
    ...authRoutes(auth, deps.config.auth.refreshTtl),
    ...adminRoutes({ db: deps.db, reads, effects: accountEffects, encryptionKey: deps.secrets.encryptionKey }),
    ...chatRoutes({ db: deps.db, reads, queues: deps.queues, redis: deps.redis, sealer, encryptionKey: deps.secrets.encryptionKey, idempotent, limits, replyAttempts: config.chat.replyAttempts }),
    ...aiRoutes({ db: deps.db, queues: deps.queues, redis: deps.redis, events: deps.aiEvents, sealer, idempotent, limits, waitMs: config.chat.completeWaitMs }),
    ...lawRoutes({ reads, ...(deps.vectors ? { vectors: deps.vectors } : {}) }),
    ...privacyRoutes({ db: deps.db }),
    ...privacyRequestRoutes({
      db: deps.db, storage: deps.storage, queues: deps.queues, effects: accountEffects,
      encryptionKey: deps.secrets.encryptionKey, idempotent, throttle,
    }),
    ...billingRoutes({
      db: deps.db, reads, queues: deps.queues, idempotent, providers,
      yookassaWebhookIps: config.billing.yookassaWebhookIps, firstPollSeconds: config.billing.reconcileEverySeconds,
    }),
    ...reviewRoutes({
      db: deps.db, reads, redis: deps.redis, queues: deps.queues, encryptionKey: deps.secrets.encryptionKey, idempotent,
      slaSeconds: config.reviews.slaSeconds,
    }),
    ...revealRoutes({ db: deps.db, encryptionKey: deps.secrets.encryptionKey }),
    ...documentRoutes({ db: deps.db, reads, storage: deps.storage, queues: deps.queues, encryptionKey: deps.secrets.encryptionKey, uploadMaxBytes: config.documents.uploadMaxBytes }),
  ];
  const openapi = describeUploads(buildOpenApi(routes, deps.version));

  const router = new Router<AppState>();
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  mountRoutes(router, routes, createAuthenticate(deps.tokens, deps.users), !config.isProduction);

  const guard = createBoardGuard(deps.tokens, deps.users, throttle);
  const board = boardMiddleware(deps.queues);
  const onBoard: Middleware<AppState> = (ctx, next) =>
    ctx.path === BOARD_PATH || ctx.path.startsWith(`${BOARD_PATH}/`)
      ? guard(ctx as AppContext, () => board(ctx, next))
      : next();

  const origins = new Set(config.http.corsOrigins);
  app.use(requestContext(deps.log));
  app.use(errorHandler());
  app.use(securityHeaders({ hsts: config.isProduction }));
  app.use(async (ctx, next) => {
    if (ctx.path !== '/metrics' || ctx.method !== 'GET') return next();
    const answer = await metricsResponse(ctx.req, config.metrics.token);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  });
  if (origins.size) {
    app.use(cors({ origin: (ctx) => (origins.has('*') || origins.has(ctx.get('origin')) ? ctx.get('origin') : ''), exposeHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Content-Disposition', 'WWW-Authenticate'], maxAge: 600 }));
  }
  app.use(onBoard);
  const parseJson = koaBody({
    json: true,
    jsonStrict: true,
    jsonLimit: `${config.http.bodyLimitKb}kb`,
    urlencoded: false,
    text: false,
    multipart: false,
    parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE],
  }) as unknown as Middleware<AppState>;
  // Webhooks read their raw bytes themselves: a signature covers exactly what was sent.
  app.use((ctx, next) => (ctx.path.startsWith(WEBHOOK_PREFIX) ? next() : parseJson(ctx, next)));
  app.use(recordWrites(reads));
  app.use(router.routes());
  app.use(router.allowedMethods());
  const web = webClient();
  if (web) app.use(web);
  else deps.log.warn('the web client is not built (web/dist): run `npm run build:web`; the API is served alone');
  return app;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A signed-in user's write is recorded before the answer leaves, so their next read sees it. */
function recordWrites(reads: ReadRouting): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      if (ctx.state.user && !SAFE_METHODS.has(ctx.method) && !ctx.state.readOnly) await reads.wrote(ctx.state.user.id);
    }
  };
}
