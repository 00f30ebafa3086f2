/** Consents: recorded at sign-up, listed, granted and withdrawn per purpose; each change audited. */
import { audit } from '../audit.js';
import type { Db } from '../db/knex.js';
import { domainErrors } from '../errors.js';
import { CONSENT_DOCUMENT, CONSENT_PURPOSES, SIGNUP_CONSENTS, type ConsentPurpose } from './consent-document.js';

export interface ConsentState {
  purpose: ConsentPurpose;
  granted: boolean;
  version: string | null;
  /** When the latest decision was recorded (the contract's name); `updated_at` is the same time. */
  at: string | null;
  updated_at: string | null;
}

export interface ConsentContext {
  ip?: string;
  userAgent?: string;
}

/** Records the sign-up consents (inside the registration's transaction; the caller checked the version). */
export async function recordSignupConsents(db: Db, userId: string, version: string, ctx: ConsentContext): Promise<void> {
  await db('consents').insert(SIGNUP_CONSENTS.map((purpose) => ({ user_id: userId, purpose, granted: true, version, ip: ctx.ip ?? null, user_agent: ctx.userAgent ?? null })));
}

export async function listConsents(db: Db, userId: string): Promise<ConsentState[]> {
  const rows = (await db('consents')
    .distinctOn('purpose')
    .where({ user_id: userId })
    .orderBy([{ column: 'purpose' }, { column: 'created_at', order: 'desc' }])
    .select('purpose', 'granted', 'version', 'created_at')) as Array<{ purpose: ConsentPurpose; granted: boolean; version: string; created_at: Date | string }>;
  const byPurpose = new Map(rows.map((r) => [r.purpose, r]));
  return CONSENT_PURPOSES.map((purpose) => {
    const r = byPurpose.get(purpose);
    const at = r ? new Date(r.created_at).toISOString() : null;
    return { purpose, granted: r?.granted ?? false, version: r?.version ?? null, at, updated_at: at };
  });
}

/**
 * Grants or withdraws one purpose. Withdrawing `processing` is erasure, not a toggle. A
 * `version` the client sends must be the document in force: nobody consents to a text they
 * were not shown (the same rule as sign-up).
 */
export async function setConsent(db: Db, userId: string, purpose: ConsentPurpose, granted: boolean, ctx: ConsentContext & { version?: string }): Promise<ConsentState[]> {
  if (ctx.version !== undefined && ctx.version !== CONSENT_DOCUMENT.version) {
    throw domainErrors.invalid(`version must be the consent document in force (${CONSENT_DOCUMENT.version}): read it at GET /api/privacy/consent-document`);
  }
  if (purpose === 'processing' && !granted) {
    throw domainErrors.conflict('consent to processing is withdrawn by erasing the account (POST /api/privacy/erasure)');
  }
  await db('consents').insert({ user_id: userId, purpose, granted, version: CONSENT_DOCUMENT.version, ip: ctx.ip ?? null, user_agent: ctx.userAgent ?? null });
  await audit({ actorId: userId, action: granted ? 'privacy.consent_granted' : 'privacy.consent_withdrawn', targetType: 'user', targetId: userId, ip: ctx.ip, meta: { purpose } });
  return listConsents(db, userId);
}

/**
 * SQL for "this user withdrew consent to AI providers abroad" (their latest row for the
 * purpose says no). `userId` is an SQL expression of our own (a column or `?`), never input.
 */
export const domesticOnlySql = (userId: string) =>
  `COALESCE((SELECT NOT c.granted FROM consents c WHERE c.user_id = ${userId} AND c.purpose = 'ai_providers_abroad' ORDER BY c.created_at DESC LIMIT 1), false)`;

/** True when the user's questions may reach only providers hosted in Russia. */
export async function domesticOnly(db: Db, userId: string): Promise<boolean> {
  const { rows } = (await db.raw(`SELECT ${domesticOnlySql('?')} AS domestic`, [userId])) as { rows: Array<{ domestic: boolean }> };
  return Boolean(rows[0]?.domestic);
}
