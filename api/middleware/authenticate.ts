/** Resolves `Authorization: Bearer <access token>` to a current, unblocked user. */
import type { AccessTokenService } from '../../core/auth/access-tokens.js';
import type { UserCache } from '../../core/auth/user-cache.js';
import type { User } from '../../core/db/models/index.js';
import { problems } from '../problem.js';
import type { AppContext } from '../context.js';
import { bindLogFields } from '../request-log.js';

/** The token68 of a Bearer header; the scheme's name is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The current user behind an access token, from the user cache (which every node empties of
 * a user the moment their role or status changes, so a block takes effect at once), with the
 * token's expiry (seconds since the epoch) for long-lived sockets.
 */
export async function userFromToken(tokens: AccessTokenService, users: Pick<UserCache, 'get'>, token: string | undefined): Promise<{ user: User; exp: number } | undefined> {
  const claims = token ? await tokens.verify(token) : undefined;
  const user = claims ? await users.get(claims.sub) : undefined;
  return user && claims ? { user, exp: claims.exp } : undefined;
}

export function createAuthenticate(tokens: AccessTokenService, users: Pick<UserCache, 'get'>) {
  return async (ctx: AppContext): Promise<void> => {
    const user = (await userFromToken(tokens, users, bearerToken(ctx.get('authorization') || undefined)))?.user;
    if (!user) throw problems.unauthorized('a valid access token is required');
    if (user.status === 'blocked') throw problems.forbidden('this account is blocked');
    ctx.state.user = user;
    bindLogFields(ctx, { user_id: user.id });
  };
}
