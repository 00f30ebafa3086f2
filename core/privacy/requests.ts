/** Privacy requests (export, erasure) as stored and as their owner sees them. */
import type { Knex } from 'knex';
import { iso, isoOrNull } from '../iso.js';
import { domainErrors } from '../errors.js';

export type RequestStatus = 'queued' | 'running' | 'ready' | 'completed' | 'failed';

export interface PrivacyRequestRow {
  id: string;
  user_id: string;
  type: 'export' | 'erasure';
  status: RequestStatus;
  progress: Record<string, unknown>;
  storage_key: string | null;
  sealed_key: string | null;
  expires_at: Date | null;
  error: { code: string; detail: string } | null;
  created_at: Date;
  completed_at: Date | null;
}


/** What an erasure keeps in `progress` for its act only: the e-mail's keyed hash and the audit pseudonym. */
const ACT_ONLY = new Set(['email_hash', 'actor']);

export const toPublicRequest = (r: PrivacyRequestRow) => ({
  id: r.id,
  type: r.type,
  status: r.status,
  progress: Object.fromEntries(Object.entries(r.progress).filter(([step]) => !ACT_ONLY.has(step))),
  expires_at: isoOrNull(r.expires_at),
  created_at: iso(r.created_at),
  completed_at: isoOrNull(r.completed_at),
  error: r.error,
});
export type PublicRequest = ReturnType<typeof toPublicRequest>;

export async function ownRequest(db: Knex, userId: string, id: string): Promise<PrivacyRequestRow> {
  const row = (await db('privacy_requests').where({ id, user_id: userId }).first()) as PrivacyRequestRow | undefined;
  if (!row) throw domainErrors.notFound('no such request');
  return row;
}

export async function loadRequest(db: Knex, id: string): Promise<PrivacyRequestRow | undefined> {
  return (await db('privacy_requests').where({ id }).first()) as PrivacyRequestRow | undefined;
}

/** Records a finished step (and moves a queued request to running); returns the request as it now is. */
export async function recordStep(db: Knex, id: string, step: string, detail: unknown = true): Promise<PrivacyRequestRow> {
  const [row] = await db('privacy_requests').where({ id }).update({
    status: db.raw(`CASE WHEN status = 'queued' THEN 'running' ELSE status END`),
    progress: db.raw(`progress || jsonb_build_object(?::text, ?::jsonb)`, [step, JSON.stringify(detail)]),
  }).returning('*');
  return row as PrivacyRequestRow;
}
