/** Review rows as stored, as the contract shows them, and the subject a reviewer reads. */
import type { Knex } from 'knex';
import { iso, isoOrNull } from '../iso.js';
import type { Db } from '../db/knex.js';
import { domainErrors } from '../errors.js';

export type ReviewStatus = 'pending' | 'assigned' | 'in_progress' | 'completed' | 'cancelled';
export const OPEN_STATUSES: ReviewStatus[] = ['pending', 'assigned', 'in_progress'];

export interface ReviewRow {
  id: string;
  requester_id: string;
  subject_type: 'message' | 'document';
  message_id: string | null;
  document_id: string | null;
  /** The document's version the review covers: the current one at its request. */
  document_version: number | null;
  status: ReviewStatus;
  urgency: 'standard' | 'urgent';
  specialization: string | null;
  comment: string | null;
  lawyer_id: string | null;
  /** Joined from users: the assigned lawyer's name. */
  lawyer_name?: string | null;
  assignment: number;
  assigned_at: Date | null;
  accept_due: Date | null;
  accepted_at: Date | null;
  resolution_due: Date;
  breached_at: Date | null;
  verdict: 'approved' | 'corrected' | 'rejected' | null;
  result_comment: string | null;
  corrected_content: string | null;
  lawyer_message_id: string | null;
  completed_at: Date | null;
  rating_score: number | null;
  rating_comment: string | null;
  created_at: Date;
  updated_at: Date;
}


export function toPublicReview(r: ReviewRow) {
  return {
    id: r.id,
    subject: { type: r.subject_type, id: (r.message_id ?? r.document_id)! },
    status: r.status,
    urgency: r.urgency,
    specialization: r.specialization,
    comment: r.comment,
    lawyer: r.lawyer_id ? { id: r.lawyer_id, name: r.lawyer_name ?? null } : null,
    sla: { accept_due: isoOrNull(r.accept_due), resolution_due: iso(r.resolution_due), breached: r.breached_at !== null },
    result: r.verdict ? { verdict: r.verdict, comment: r.result_comment, corrected_content: r.corrected_content } : null,
    rating: r.rating_score ? { score: r.rating_score, comment: r.rating_comment } : null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
export type PublicReview = ReturnType<typeof toPublicReview>;

/** Reviews with their lawyer's name. */
export const reviewsQuery = (db: Knex) =>
  db('lawyer_reviews as r').leftJoin('users as l', 'l.id', 'r.lawyer_id').select('r.*', 'l.name as lawyer_name');

export async function loadReview(db: Knex, id: string): Promise<ReviewRow> {
  const row = (await reviewsQuery(db).where('r.id', id).first()) as ReviewRow | undefined;
  if (!row) throw domainErrors.notFound('no such review');
  return row;
}

/** Who may read a review: its requester, the lawyer it is assigned to, and admins. */
export interface Reader {
  id: string;
  role: 'user' | 'lawyer' | 'admin';
}

export async function readableReview(db: Db, reader: Reader, id: string): Promise<ReviewRow> {
  const row = await loadReview(db, id).catch(() => undefined);
  const allowed = row && (reader.role === 'admin' || row.requester_id === reader.id || (reader.role === 'lawyer' && row.lawyer_id === reader.id));
  if (!row || !allowed) throw domainErrors.notFound('no such review');
  return row;
}

export type ReviewSubject =
  | { type: 'message'; question: string | null; answer: string | null }
  | { type: 'document'; title: string | null; version: number | null; text: string | null };

/**
 * The masked subject: the answer with the question it answers, or the masked text of the
 * document's version under review, never another version's (text null once deleted, or when
 * that version's text is no longer held).
 */
export async function loadSubject(db: Db, r: ReviewRow): Promise<ReviewSubject> {
  if (r.subject_type === 'message') {
    const answer = await db('messages').where({ id: r.message_id }).first('content', 'reply_to');
    const question = answer?.reply_to ? await db('messages').where({ id: answer.reply_to }).first('content') : undefined;
    return { type: 'message', question: question?.content ?? null, answer: answer?.content ?? null };
  }
  // A deleted document is gone from every answer at once, before its destroy job runs.
  const doc = await db('documents').where({ id: r.document_id }).whereNull('deleted_at').first('title');
  const text = doc && r.document_version !== null ? await db('document_texts').where({ document_id: r.document_id, version: r.document_version }).first('text') : undefined;
  return { type: 'document', title: doc?.title ?? null, version: r.document_version, text: text?.text ?? null };
}
