/** The auth use cases behind `/api/auth/*`, with their audit events. */
import { UniqueViolationError } from 'objection';
import { audit } from '../audit.js';
import { User } from '../db/models/index.js';
import { domainErrors } from '../errors.js';
import { CONSENT_DOCUMENT } from '../privacy/consent-document.js';
import { recordSignupConsents } from '../privacy/consents.js';
import type { AccessTokenService } from './access-tokens.js';
import type { LoginThrottle } from './login-throttle.js';
import type { WindowCounter } from './window-counter.js';
import { clientKey } from './client-address.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { issueRefreshToken, revokeFamilyOf, rotateRefreshToken } from './refresh-tokens.js';

export interface AuthDeps {
  tokens: AccessTokenService;
  throttle: LoginThrottle;
  counter: WindowCounter;
  registerLimit: { maxPerIp: number; windowSeconds: number };
  refreshTtlSeconds: number;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const badCredentials = () => domainErrors.unauthenticated('invalid email or password');

export function createAuthService(deps: AuthDeps) {
  async function startSession(user: User): Promise<Session> {
    const [access, refresh] = await Promise.all([
      deps.tokens.sign({ sub: user.id, role: user.role }),
      issueRefreshToken(user.id, deps.refreshTtlSeconds),
    ]);
    return { access_token: access, refresh_token: refresh.token, token_type: 'Bearer', expires_in: deps.tokens.ttlSeconds };
  }

  return {
    async register(input: { email: string; password: string; name?: string; consent_version: string }, ip: string, userAgent?: string) {
      if (input.consent_version !== CONSENT_DOCUMENT.version) {
        throw domainErrors.invalid(`consent_version must be the current one (${CONSENT_DOCUMENT.version}): read it at GET /api/privacy/consent-document`);
      }
      // Each registration costs an argon2 hash: bound them per IP.
      const { wait } = await deps.counter.hit(`register:ip:${clientKey(ip)}`, deps.registerLimit.maxPerIp, deps.registerLimit.windowSeconds);
      if (wait > 0) throw domainErrors.limited(wait, 'too many registrations from this address: try again later');
      const email = normalizeEmail(input.email);
      const password_hash = await hashPassword(input.password);
      let user: User;
      try {
        // The account and the consent it was given with commit together.
        user = await User.transaction(async (trx) => {
          const created = await User.query(trx).insert({ email, password_hash, name: input.name ?? null }).returning('*');
          await recordSignupConsents(trx, created.id, input.consent_version, { ip, ...(userAgent ? { userAgent } : {}) });
          return created;
        });
      } catch (err) {
        if (err instanceof UniqueViolationError) throw domainErrors.conflict('an account with this email already exists');
        throw err;
      }
      await audit({ actorId: user.id, action: 'auth.register', targetType: 'user', targetId: user.id, ip });
      return { user: user.toPublic(), ...(await startSession(user)) };
    },

    async login(input: { email: string; password: string }, ip: string) {
      const email = normalizeEmail(input.email);
      const attempt = await deps.throttle.attempt(email, ip);
      const { wait } = attempt;
      if (wait > 0) {
        if (attempt.firstRefusal) await audit({ action: 'auth.login_throttled', ip, meta: { retry_after: wait } });
        throw domainErrors.limited(wait, 'too many failed logins: try again later');
      }
      const user = await User.query().findOne({ email });
      const ok = user ? await verifyPassword(user.password_hash, input.password) : await burnPasswordCheck(input.password);
      if (!user || !ok) {
        await audit({ actorId: user?.id ?? null, action: 'auth.login_failed', targetType: 'user', targetId: user?.id, ip });
        throw badCredentials();
      }
      if (user.status === 'blocked') {
        await audit({ actorId: user.id, action: 'auth.login_blocked', targetType: 'user', targetId: user.id, ip });
        throw domainErrors.forbidden('this account is blocked');
      }
      await attempt.succeeded();
      await audit({ actorId: user.id, action: 'auth.login', targetType: 'user', targetId: user.id, ip });
      return { user: user.toPublic(), ...(await startSession(user)) };
    },

    async refresh(token: string, ip: string) {
      const result = await rotateRefreshToken(token, deps.refreshTtlSeconds);
      if (!result.ok) {
        if (result.reason === 'blocked') throw domainErrors.unauthenticated('this account cannot refresh');
        if (result.reason === 'reused') {
          await audit({ actorId: result.userId, action: 'auth.refresh_reuse', targetType: 'token_family', targetId: result.familyId, ip });
        }
        throw domainErrors.unauthenticated('refresh token is invalid, expired or already used');
      }
      // The account was read, active, by the rotation: its role comes with it.
      const access_token = await deps.tokens.sign({ sub: result.userId, role: result.role });
      return { access_token, refresh_token: result.token, token_type: 'Bearer' as const, expires_in: deps.tokens.ttlSeconds };
    },

    async logout(token: string, ip: string, userId?: string) {
      const revoked = await revokeFamilyOf(token, userId);
      if (revoked.familyId) {
        await audit({ actorId: revoked.userId, action: 'auth.logout', targetType: 'token_family', targetId: revoked.familyId, ip });
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
