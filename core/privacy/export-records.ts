/**
 * The records of an export besides chats and files: the documents' descriptions, the plan
 * history, sessions, usage, the person's own privacy requests and, for a lawyer, their profile
 * and the reviews they held. Each is what the person is owed about themself, never another
 * person's data: a lawyer's reviews carry no client's question, comment or answer text.
 */
import type { Knex } from 'knex';
import { restore, type PlaceholderRegistry, type Vault } from '../dlp/index.js';
import type { Document } from '../documents/model.js';
import { priceOf } from '../billing/plans.js';
import { toPublicDocument } from '../documents/public.js';
import { isoOrNull } from '../iso.js';
import { readRegistry } from '../pii-vault.js';
import { toPublicRequest, type PrivacyRequestRow } from './requests.js';

/** Every string inside a stored value with the person's own values put back. */
function restoreAll(value: unknown, registry: PlaceholderRegistry): unknown {
  if (typeof value === 'string') return restore(value, registry);
  if (Array.isArray(value)) return value.map((v) => restoreAll(v, registry));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreAll(v, registry)]));
  return value;
}

/** The live documents as the API shows them, title and analysis restored, with the chats each is attached to. */
export async function documentsOf(db: Knex, vault: Vault, userId: string) {
  const docs: Document[] = await db('documents').where({ user_id: userId }).whereNull('deleted_at').orderBy('created_at').orderBy('id');
  const links: Array<{ document_id: string; chat_id: string }> = await db('chat_documents as cd').join('documents as d', 'd.id', 'cd.document_id')
    .where('d.user_id', userId).select('cd.document_id', 'cd.chat_id');
  const chatsOf = new Map<string, string[]>();
  for (const l of links) chatsOf.set(l.document_id, [...(chatsOf.get(l.document_id) ?? []), l.chat_id]);
  const out = [];
  // One registry read per document: a background job, each document's own key.
  for (const doc of docs) {
    const registry = await readRegistry(db, vault, { type: 'document', id: doc.id, owner: userId });
    const shown = toPublicDocument(doc);
    out.push({ ...shown, title: restore(shown.title, registry), analysis: restoreAll(shown.analysis, registry), chat_ids: chatsOf.get(doc.id) ?? [] });
  }
  return out;
}

export async function subscriptionsOf(db: Knex, userId: string) {
  const rows = await db('subscriptions as s').join('plans as p', 'p.id', 's.plan_id').where('s.user_id', userId).orderBy('s.created_at')
    .select('s.id', 'p.code as plan_code', 's.status', 's.provider', 's.price_minor', 's.currency', 's.current_period_start', 's.current_period_end', 's.cancel_at_period_end', 's.canceled_at', 's.created_at');
  return rows.map(({ price_minor, currency, ...s }) => ({ ...s, price: priceOf({ price_minor, currency }), cancel_at_period_end: Boolean(s.cancel_at_period_end), current_period_start: isoOrNull(s.current_period_start), current_period_end: isoOrNull(s.current_period_end), canceled_at: isoOrNull(s.canceled_at), created_at: isoOrNull(s.created_at) }));
}

/** Sign-in sessions: one per refresh-token family, from its first token to its last. */
export async function sessionsOf(db: Knex, userId: string) {
  const rows = await db('refresh_tokens').where({ user_id: userId }).groupBy('family_id').orderBy('started_at')
    .select('family_id', db.raw('min(created_at) AS started_at'), db.raw('max(created_at) AS last_refreshed_at'), db.raw('max(expires_at) AS expires_at'), db.raw('max(revoked_at) AS revoked_at'));
  return rows.map((r) => ({ id: r.family_id, started_at: isoOrNull(r.started_at), last_refreshed_at: isoOrNull(r.last_refreshed_at), expires_at: isoOrNull(r.expires_at), revoked_at: isoOrNull(r.revoked_at) }));
}

/** Counted use: documents, reviews and storage per billing period, AI messages and tokens per day. */
export async function usageOf(db: Knex, userId: string) {
  const [periods, days] = await Promise.all([
    db('usage_counters').where({ user_id: userId }).orderBy('period_start').orderBy('metric').select('metric', 'period_start', 'used'),
    // The day as Postgres writes it: a date read into a JavaScript Date is local midnight, a day early east of UTC.
    db('ai_usage_daily').where({ user_id: userId }).orderBy('day').select(db.raw(`to_char(day, 'YYYY-MM-DD') AS day`), 'messages', 'input_tokens', 'output_tokens'),
  ]);
  return {
    periods: periods.map((p) => ({ metric: p.metric, period_start: isoOrNull(p.period_start), used: Number(p.used) })),
    ai_days: days.map((d) => ({ day: d.day as string, messages: Number(d.messages), input_tokens: Number(d.input_tokens), output_tokens: Number(d.output_tokens) })),
  };
}

export async function privacyRequestsOf(db: Knex, userId: string) {
  const rows: PrivacyRequestRow[] = await db('privacy_requests').where({ user_id: userId }).orderBy('created_at');
  return rows.map(toPublicRequest);
}

/** A lawyer's profile and the reviews they held: dates, verdicts and ratings, no client's text. */
export async function lawyerOf(db: Knex, userId: string) {
  const profile = await db('lawyer_profiles').where({ user_id: userId }).first('specializations', 'capacity', 'accepting', 'updated_at');
  if (!profile) return undefined;
  const reviews = await db('lawyer_reviews').where({ lawyer_id: userId }).orderBy('created_at')
    .select('id', 'subject_type', 'status', 'urgency', 'specialization', 'assigned_at', 'accepted_at', 'completed_at', 'breached_at', 'verdict', 'rating_score', 'created_at');
  const dates = ['assigned_at', 'accepted_at', 'completed_at', 'breached_at', 'created_at'] as const;
  return {
    profile: { ...profile, updated_at: isoOrNull(profile.updated_at) },
    reviews: reviews.map((r) => ({ ...r, ...Object.fromEntries(dates.map((k) => [k, isoOrNull(r[k])])) })),
  };
}
