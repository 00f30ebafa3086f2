/**
 * Bull Board at /admin/queues, for admins only. Browsers get HTTP Basic auth (the admin's
 * e-mail and password, so the board opens in a plain browser tab); scripts may send a
 * Bearer token. No credentials: 401 with a Basic challenge; a non-admin: 403.
 */
import { createHash } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware, Next } from 'koa';
import { z } from 'zod';
import { audit } from '../core/audit.js';
import type { AccessTokenService } from '../core/auth/access-tokens.js';
import type { LoginThrottle } from '../core/auth/login-throttle.js';
import { burnPasswordCheck, verifyPassword } from '../core/auth/passwords.js';
import { normalizeEmail } from '../core/auth/service.js';
import { User } from '../core/db/models/index.js';
import { HttpProblem, problems } from '../api/problem.js';
import type { Queues } from '../pipelines/queues.js';
import { bearerToken, userFromToken } from '../api/middleware/authenticate.js';
import type { UserCache } from '../core/auth/user-cache.js';
import type { AppContext } from '../api/context.js';

export const BOARD_PATH = '/admin/queues';
const CACHE_MS = 60_000;
/** Verified sign-ins kept at most; expired ones are swept before one more is kept. */
const CACHE_MAX = 1_000;
/** What the sign-up form accepts as an e-mail: anything else cannot be an account's. */
const accountEmail = z.email().max(254);

export function createBoardGuard(tokens: AccessTokenService, users: Pick<UserCache, 'get'>, throttle: LoginThrottle) {
  // Verified Basic credentials, by a hash of the e-mail and password, so each asset request
  // (or a non-admin's retry, refused 403) does not rerun argon2; bounded by CACHE_MAX.
  const verified = new Map<string, { userId: string; until: number }>();
  const keep = (key: string, userId: string) => {
    if (verified.size >= CACHE_MAX) for (const [k, v] of verified) if (v.until <= Date.now()) verified.delete(k);
    if (verified.size < CACHE_MAX) verified.set(key, { userId, until: Date.now() + CACHE_MS });
  };

  /** A Basic sign-in: checked, throttled and audited as `POST /api/auth/login` does. */
  async function fromBasic(header: string, ip: string): Promise<User | undefined> {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 1) return undefined;
    const email = normalizeEmail(decoded.slice(0, sep));
    if (!accountEmail.safeParse(email).success) return undefined;
    const password = decoded.slice(sep + 1);
    const key = createHash('sha256').update(`${email}\u0000${password}`).digest('hex');
    const hit = verified.get(key);
    if (hit && hit.until > Date.now()) return users.get(hit.userId);
    const attempt = await throttle.attempt(email, ip);
    const { wait } = attempt;
    if (wait > 0) {
      if (attempt.firstRefusal) await audit({ action: 'auth.login_throttled', ip, meta: { retry_after: wait, via: 'queue_board' } });
      throw problems.rateLimited(wait, 'too many failed logins: try again later');
    }
    const user = await User.query().findOne({ email });
    const ok = user ? await verifyPassword(user.password_hash, password) : await burnPasswordCheck(password);
    if (!user || !ok) {
      await audit({ actorId: user?.id ?? null, action: 'auth.login_failed', targetType: 'user', targetId: user?.id, ip, meta: { via: 'queue_board' } });
      return undefined;
    }
    await attempt.succeeded();
    await audit({ actorId: user.id, action: 'auth.login', targetType: 'user', targetId: user.id, ip, meta: { via: 'queue_board' } });
    // Kept whoever it is: a non-admin's next request is then refused without another argon2 run.
    keep(key, user.id);
    return user;
  }

  return async (ctx: AppContext, next: Next) => {
    const header = ctx.get('authorization');
    // Browsers attach Basic credentials to cross-site form posts: a change must come from
    // the board's own page (same origin), or carry a Bearer token (never ambient).
    if (header.startsWith('Basic ') && !['GET', 'HEAD'].includes(ctx.method) && !sameOrigin(ctx)) {
      throw problems.forbidden('cross-site request refused');
    }
    const user = header.startsWith('Basic ') ? await fromBasic(header, ctx.ip) : (await userFromToken(tokens, users, bearerToken(header)))?.user;
    if (!user) {
      throw new HttpProblem(401, 'unauthorized', 'Unauthorized', 'sign in as an admin', {
        headers: { 'WWW-Authenticate': 'Basic realm="Bull Board", charset="UTF-8"' },
      });
    }
    if (user.role !== 'admin' || user.status !== 'active') throw problems.forbidden('the queue board is for admins');
    ctx.state.user = user;
    await next();
  };
}

function sameOrigin(ctx: AppContext): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = ctx.get('origin');
  return origin !== '' && origin === `${ctx.protocol}://${ctx.host}`;
}

export function boardMiddleware(queues: Queues): Middleware {
  const adapter = new KoaAdapter();
  adapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: queues.all().map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  return adapter.registerPlugin() as Middleware;
}
