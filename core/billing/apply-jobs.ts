/**
 * The `billing.apply-event` job of each stored webhook event. Its id names the event, so a
 * redelivery adds nothing while one is queued, running or done; one that ran out of attempts is
 * freed and queued afresh, by a redelivery or by the reconcile job's sweep of events still
 * unapplied (a webhook was answered 200, so the provider may never send it again).
 */
import type { Knex } from 'knex';
import { freeJobId, type Queues } from '../../pipelines/queues.js';

export const applyEventJobId = (eventId: string) => `billing-event-${eventId}`;

/** Queues the event's apply job unless one is queued, running or done; answers whether it did. */
export async function queueApplyEvent(queues: Queues, eventId: string): Promise<boolean> {
  const jobId = applyEventJobId(eventId);
  if (!(await freeJobId(queues.get('billing'), jobId, ['failed']))) return false;
  await queues.add('billing.apply-event', { event_id: eventId }, { jobId });
  return true;
}

/** Unapplied this long after arriving, an event's job has failed for good or was never queued (a crash after the store). */
const SWEEP_AFTER_SECONDS = 60;
/** Failed jobs are kept 7 days: older events are an operator's to look at (the job's failure says why). */
const SWEEP_LOOKBACK_DAYS = 7;
const BATCH = 100;

/** Queues again the apply job of each event still unapplied a while after it arrived (not one still retrying); returns how many. */
export async function requeueUnapplied(db: Knex, queues: Queues): Promise<number> {
  const ids: string[] = await db('payment_events').whereNull('applied_at')
    .where('received_at', '<', db.raw(`now() - make_interval(secs => ?)`, [SWEEP_AFTER_SECONDS]))
    .where('received_at', '>', db.raw(`now() - make_interval(days => ?)`, [SWEEP_LOOKBACK_DAYS]))
    .orderBy('received_at').limit(BATCH).pluck('id');
  let requeued = 0;
  for (const id of ids) if (await queueApplyEvent(queues, id)) requeued++;
  return requeued;
}
