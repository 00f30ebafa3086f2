/**
 * Opaque refresh tokens, stored only as SHA-256 hashes and rotated on every use. Each login
 * starts a family; presenting a spent token means it leaked, so the whole family is revoked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { RefreshToken, type Role } from '../db/models/index.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type RotateResult =
  | { ok: true; userId: string; familyId: string; token: string; role: Role }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' | 'blocked'; userId?: string; familyId?: string };

export async function issueRefreshToken(
  userId: string,
  ttlSeconds: number,
  familyId: string = randomUUID(),
  trx?: Knex.Transaction,
): Promise<{ token: string; familyId: string }> {
  const token = randomBytes(32).toString('base64url');
  await RefreshToken.query(trx).insert({
    user_id: userId,
    family_id: familyId,
    token_hash: hashToken(token),
    expires_at: new Date(Date.now() + ttlSeconds * 1000),
  });
  return { token, familyId };
}

/**
 * Rotation and revocation of one family are serialised by a transaction-scoped advisory
 * lock, so a revocation can never miss a successor that a concurrent rotation is inserting.
 */
async function lockFamily(trx: Knex.Transaction, familyId: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`refresh-family:${familyId}`]);
}

/**
 * Spends `token` and issues its successor in the same family, atomically. Under the family
 * lock the row read is current, so the decision needs no conditional update: a revoked
 * family marks every token in it, and a spent token means it leaked (of two concurrent
 * rotations, the second finds it spent).
 */
export async function rotateRefreshToken(token: string, ttlSeconds: number): Promise<RotateResult> {
  const hash = hashToken(token);
  return RefreshToken.transaction(async (trx) => {
    const found = await RefreshToken.query(trx).findOne({ token_hash: hash });
    if (!found) return { ok: false, reason: 'unknown' };
    await lockFamily(trx, found.family_id);
    // Gone meanwhile (retention of spent tokens, an erasure): as unknown as it was never there.
    const known = await RefreshToken.query(trx).findById(found.id);
    if (!known) return { ok: false, reason: 'unknown' };
    const who = { userId: known.user_id, familyId: known.family_id };
    if (known.revoked_at) return { ok: false, reason: 'revoked', ...who };
    // A blocked account's token is refused unspent. The share lock waits for a block being
    // committed, which revokes the account's tokens: no successor is issued past it.
    const owner = await trx('users').where({ id: known.user_id }).forShare().first('status', 'role');
    if (owner?.status !== 'active') return { ok: false, reason: 'blocked', ...who };
    if (known.used_at) {
      await revokeFamilyLocked(known.family_id, trx);
      return { ok: false, reason: 'reused', ...who };
    }
    if (new Date(known.expires_at) <= new Date()) return { ok: false, reason: 'expired', ...who };
    await RefreshToken.query(trx).patch({ used_at: new Date() }).findById(known.id);
    const next = await issueRefreshToken(known.user_id, ttlSeconds, known.family_id, trx);
    return { ok: true, ...who, token: next.token, role: owner.role as Role };
  });
}

/**
 * Ends every session of the account (a block, an erasure): its refresh tokens revoked. In the
 * transaction that blocks the account, none escapes: a rotation reads the account under a share
 * lock, so it waits for the block and then issues no successor.
 */
export async function revokeSessionsOf(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
}

async function revokeFamilyLocked(familyId: string, trx: Knex.Transaction): Promise<number> {
  return RefreshToken.query(trx).patch({ revoked_at: new Date() }).where({ family_id: familyId }).whereNull('revoked_at');
}

export function revokeFamily(familyId: string): Promise<number> {
  return RefreshToken.transaction(async (trx) => {
    await lockFamily(trx, familyId);
    return revokeFamilyLocked(familyId, trx);
  });
}

/** Logout: revokes the family of a token that belongs to `userId`; a foreign token changes nothing. */
export async function revokeFamilyOf(token: string, userId?: string): Promise<{ familyId?: string; userId?: string }> {
  const known = await RefreshToken.query().findOne({ token_hash: hashToken(token) });
  if (!known || (userId && known.user_id !== userId)) return {};
  await revokeFamily(known.family_id);
  return { familyId: known.family_id, userId: known.user_id };
}
