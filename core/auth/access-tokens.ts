/**
 * Short-lived access JWTs (RFC 9068 `at+jwt`): HS256 only, with iss, aud, typ and exp
 * all verified. `alg: none` and every other algorithm are refused by the allowlist.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../db/models/index.js';

export interface AccessClaims {
  sub: string;
  role: Role;
}

/** What a verified token says; `exp` in seconds since the epoch (long-lived sockets end then). */
export interface VerifiedClaims extends AccessClaims {
  exp: number;
}

export interface AccessTokenService {
  ttlSeconds: number;
  sign(claims: AccessClaims): Promise<string>;
  /** Returns the claims, or undefined for any token that fails a check. */
  verify(token: string): Promise<VerifiedClaims | undefined>;
}

const TYP = 'at+jwt';
const ALGORITHMS = ['HS256'];

export function createAccessTokens(opts: { secret: Uint8Array; issuer: string; audience: string; ttlSeconds: number }): AccessTokenService {
  // Imported once: given raw bytes, jose would import the key again on every call.
  const key = crypto.subtle.importKey('raw', opts.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    ttlSeconds: opts.ttlSeconds,
    sign: async (claims) =>
      new SignJWT({ role: claims.role })
        .setProtectedHeader({ alg: 'HS256', typ: TYP })
        .setSubject(claims.sub)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${opts.ttlSeconds}s`)
        .sign(await key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ALGORITHMS,
          issuer: opts.issuer,
          audience: opts.audience,
          typ: TYP,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        return { sub: payload.sub!, role: payload.role as Role, exp: payload.exp! };
      } catch {
        return undefined;
      }
    },
  };
}
