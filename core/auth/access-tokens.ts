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
/** Tokens kept once verified; beyond this many the oldest is dropped. */
const VERIFIED_MAX = 20_000;

export function createAccessTokens(opts: { secret: Uint8Array; issuer: string; audience: string; ttlSeconds: number }): AccessTokenService {
  // Imported once: given raw bytes, jose would import the key again on every call.
  const key = crypto.subtle.importKey('raw', opts.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  // A client sends the same token with every request until it expires: once it passed every
  // check, a repeat costs a lookup and the expiry check, not a WebCrypto HMAC (~0.15 ms). The
  // checks' outcome depends only on the token's bytes and the clock; what may change (the
  // user's role and status) is read from the user cache by the caller, not from the token.
  const verified = new Map<string, VerifiedClaims>();
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
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > Date.now()) return known;
        verified.delete(token);
        return undefined;
      }
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ALGORITHMS,
          issuer: opts.issuer,
          audience: opts.audience,
          typ: TYP,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const claims = { sub: payload.sub!, role: payload.role as Role, exp: payload.exp! };
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        verified.set(token, claims);
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}
