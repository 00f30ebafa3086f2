/**
 * The contract between the edge and the workers: every queue, every job name, and one zod
 * payload schema per job name. Payloads carry ids and sealed (encrypted) blobs, never raw
 * personal data: BullMQ keeps job data in Redis in clear text.
 */
import { z } from 'zod';

export const QUEUE_NAMES = ['ai', 'dlp', 'documents', 'reviews', 'billing', 'notifications', 'privacy'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const uuid = z.uuid();

export const JOBS = {
  /** Emits a realtime event to a user's sockets (workers without their own emitter use it). */
  'notify.user': {
    queue: 'notifications',
    payload: z.object({ user_id: uuid, event: z.string().min(1).max(64), data: z.record(z.string(), z.unknown()) }),
  },
  /** Masks a user's chat message: the raw text arrives sealed (AES-256-GCM), only the masked text is stored. */
  'dlp.mask-message': {
    queue: 'dlp',
    payload: z.object({ message_id: uuid, reply_id: uuid, chat_id: uuid, user_id: uuid, sealed: z.string().min(1) }),
  },
  /** Answers a masked question: the parent of `dlp.mask-message` in the chat reply flow. */
  'ai.chat-reply': {
    queue: 'ai',
    payload: z.object({ message_id: uuid, reply_to: uuid, chat_id: uuid, user_id: uuid }),
  },
  /** One-off completion for POST /api/ai/complete; the prompt arrives sealed and is masked first. */
  'ai.complete': {
    queue: 'ai',
    // counted_day: the quota day the request was counted on, given back if only a stand-in answers.
    payload: z.object({
      request_id: uuid, user_id: uuid, sealed: z.string().min(1), counted_day: z.iso.date(),
      max_tokens: z.number().int().min(1).max(8000).optional(),
    }),
  },
  /** Fails replies whose jobs died for good (stalled past BullMQ's limit); runs on a schedule. */
  'ai.sweep-stuck-replies': {
    queue: 'ai',
    payload: z.object({}),
  },
  /** Destroys a deleted (already hidden) document: every version's object, its registry and rows. */
  'documents.destroy': {
    queue: 'documents',
    payload: z.object({ document_id: uuid }),
  },
  /** Destroys deleted documents whose destruction died and fails ingestions whose jobs died; every minute. */
  'documents.sweep': {
    queue: 'documents',
    payload: z.object({}),
  },
  /** Deletes stored objects no document names (a process died between storing and committing); daily. */
  'documents.sweep-objects': {
    queue: 'documents',
    payload: z.object({}),
  },
  /** Ingestion, stage 1: decrypts a version and extracts its text, returned sealed to the next stage. */
  'documents.extract': {
    queue: 'documents',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** Stage 2: masks the extracted text with the document's registry and stores only the masked text. */
  'documents.mask': {
    queue: 'documents',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** Stage 3: cuts the masked text into chunks by its headings; the document is then ready. */
  'documents.index': {
    queue: 'documents',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** The AI analysis of a ready document (summary, parties, key terms, risks) from its masked chunks. */
  'documents.analyze': {
    queue: 'ai',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** The masked export of a version: DOCX rewritten in place, other types as masked text; stored encrypted. */
  'documents.mask-export': {
    queue: 'documents',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** Imports the built-in law library's codes that are missing or changed (idempotent). */
  'law.import': {
    queue: 'documents',
    payload: z.object({}),
  },
  /** Fills the vectors of a ready version's chunks (hybrid search); a no-op without embeddings. */
  'documents.embed': {
    queue: 'documents',
    payload: z.object({ document_id: uuid, version: z.number().int().min(1) }),
  },
  /** Fills the vectors of every law chunk that has none (after a law import); a no-op without embeddings. */
  'law.embed': {
    queue: 'documents',
    payload: z.object({}),
  },
  /** Names the specialization of a review the user did not label (AI, else rules), then routes it. */
  'reviews.classify': {
    queue: 'reviews',
    payload: z.object({ review_id: uuid }),
  },
  /** Assigns a pending review to the best free lawyer; retried with backoff while none is free. */
  'reviews.route': {
    queue: 'reviews',
    payload: z.object({ review_id: uuid }),
  },
  /** Routes the oldest pending reviews while slots are free: after a slot frees, and every minute. */
  'reviews.route-pending': {
    queue: 'reviews',
    /** `slot_freed`: queued because a lawyer's slot freed, not by the minute's schedule: routing only. */
    payload: z.object({ slot_freed: z.boolean().optional() }),
  },
  /** An SLA timer (delayed): the reminder or the deadline of an accept window or of the resolution. */
  'reviews.timer': {
    queue: 'reviews',
    payload: z.object({
      review_id: uuid, window: z.enum(['accept', 'resolution']), phase: z.enum(['reminder', 'due']),
      assignment: z.number().int().min(1).optional(), due_at: z.number().int().optional(),
    }),
  },
  /** Applies a stored payment webhook (idempotent: the state machines only move forward). */
  'billing.apply-event': {
    queue: 'billing',
    payload: z.object({ event_id: uuid }),
  },
  /** Cancels at Stripe, at once, a subscription we ended (replaced by another plan); idempotent. */
  'billing.cancel-stripe-subscription': {
    queue: 'billing',
    payload: z.object({ subscription_id: uuid }),
  },
  /** Polls pending payments at 5 min, 1 h and 1 day, and re-queues Stripe cancellations of the last day; every BILLING_RECONCILE_EVERY_SECONDS. */
  'billing.reconcile': {
    queue: 'billing',
    payload: z.object({}),
  },
  /** Charges YooKassa renewals and dunning retries that are due; scheduled with reconcile. */
  'billing.renew': {
    queue: 'billing',
    payload: z.object({}),
  },
  /** Writes yesterday's revenue and usage summary for admins; scheduled daily. */
  'billing.daily-report': {
    queue: 'billing',
    payload: z.object({ day: z.iso.date().optional() }),
  },
  /** Builds a person's export: an encrypted ZIP of everything held about them, values restored. */
  'privacy.export': {
    queue: 'privacy',
    payload: z.object({ request_id: uuid }),
  },
  /** Destroys an erased account's data step by step (resumable), ending with a destruction act. */
  'privacy.erase': {
    queue: 'privacy',
    payload: z.object({ request_id: uuid }),
  },
  /** Queues again export and erasure requests whose job died or ran out of attempts; every minute. */
  'privacy.sweep': {
    queue: 'privacy',
    payload: z.object({}),
  },
  /** Deletes what outlived its period, and archives audit months older than a year; daily. */
  'privacy.retention': {
    queue: 'privacy',
    payload: z.object({}),
  },
  /** Writes the day's signed digest of the audit chain to storage; daily. */
  'privacy.audit-digest': {
    queue: 'privacy',
    payload: z.object({ day: z.iso.date().optional() }),
  },
  /** Expires subscriptions whose period ended; runs on a schedule. */
  'billing.expire-subscriptions': {
    queue: 'billing',
    payload: z.object({}),
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType }>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

export function jobsOfQueue(queue: QueueName): JobName[] {
  return (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue);
}

/** Queues that have at least one job name: a pool for an empty queue would idle forever. */
export function activeQueues(): QueueName[] {
  return QUEUE_NAMES.filter((q) => jobsOfQueue(q).length > 0);
}

/** Bounded history so Redis does not grow without end. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

/**
 * ai.complete results are what the client polls for: they are kept for an hour whatever the
 * traffic of the shared `ai` queue, not evicted by a count that chat replies fill up.
 */
export const COMPLETE_JOB_OPTIONS = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 2,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 24 * 3600 },
} as const;

/**
 * On-demand document work (analysis, masked export): the job id names the document and
 * version, and the job is removed once it ends, so a repeated request adds nothing while one
 * is queued or running, and a later request runs again.
 */
export const ON_DEMAND_JOB_OPTIONS = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

/**
 * Vectors (`documents.embed`, `law.embed`): no one asks for them again, so they outlast an
 * embeddings outage of about three hours (5 s doubling, 12 attempts) before giving up; search
 * runs on full text meanwhile. A provider that refuses the request fails them at once.
 */
export const EMBED_JOB_OPTIONS = { ...ON_DEMAND_JOB_OPTIONS, attempts: 12, backoff: { type: 'exponential', delay: 5000 } } as const;

/** Scheduled housekeeping: a short history is enough, and it must not crowd out real jobs. */
export const SCHEDULED_JOB_OPTIONS = { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } as const;
