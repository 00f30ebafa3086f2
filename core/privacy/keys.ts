/** Keys derived from ENCRYPTION_KEY for one purpose each (HKDF-SHA256), so no key serves two jobs. */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Knex } from 'knex';
import type { Vault } from '../dlp/index.js';
import { domainErrors } from '../errors.js';

export const derivedKey = (master: Buffer, purpose: 'audit-digest' | 'person-hash' | 'login-throttle') =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `legal-ai:${purpose}`, 32));

/** A keyed hash of an e-mail: names a person in a destruction act without holding their data. */
export const personHash = (master: Buffer, email: string) =>
  createHmac('sha256', derivedKey(master, 'person-hash')).update(email.trim().toLowerCase()).digest('hex');

/**
 * The account's own vault (`Vault.forSubject` with its secret in `user_keys`): it seals the
 * data keys of the account's files and exports, so erasing the account crypto-shreds them.
 */
export async function accountVault(db: Knex, vault: Vault, userId: string): Promise<Vault> {
  const secret = await accountSecret(db, userId);
  if (!secret) throw domainErrors.notFound('the account that owns this file is gone');
  return vault.forSubject(secret);
}

/** The account's secret (`user_keys`); undefined once the account is erased. */
export async function accountSecret(db: Knex, userId: string): Promise<Buffer | undefined> {
  const row = await db('user_keys').where({ user_id: userId }).first('secret');
  return row?.secret as Buffer | undefined;
}
