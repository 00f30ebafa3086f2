/** Repeating jobs. Upserting a scheduler is idempotent, so every worker start may do it. */
import type { JobName, QueueName } from './registry.js';
import type { Queues } from './queues.js';
import { JOBS, SCHEDULED_JOB_OPTIONS } from './registry.js';

export async function upsertSchedules(queues: Queues, opts: { billingEverySeconds: number }): Promise<void> {
  const every = (name: JobName, ms: number) =>
    queues.get(JOBS[name].queue as QueueName).upsertJobScheduler(name, { every: ms }, { name, data: {}, opts: SCHEDULED_JOB_OPTIONS });
  await every('billing.expire-subscriptions', 60 * 60 * 1000);
  await every('billing.reconcile', opts.billingEverySeconds * 1000);
  await every('billing.renew', opts.billingEverySeconds * 1000);
  // Daily at 00:30 UTC: yesterday's summary.
  await queues.get('billing').upsertJobScheduler('billing.daily-report', { pattern: '30 0 * * *', tz: 'UTC' }, { name: 'billing.daily-report', data: {}, opts: SCHEDULED_JOB_OPTIONS });
  await queues.get('privacy').upsertJobScheduler('privacy.retention', { pattern: '15 3 * * *', tz: 'UTC' }, { name: 'privacy.retention', data: {}, opts: SCHEDULED_JOB_OPTIONS });
  await queues.get('privacy').upsertJobScheduler('privacy.audit-digest', { pattern: '5 0 * * *', tz: 'UTC' }, { name: 'privacy.audit-digest', data: {}, opts: SCHEDULED_JOB_OPTIONS });
  await every('ai.sweep-stuck-replies', 60 * 1000);
  await every('privacy.sweep', 60 * 1000);
  await every('documents.sweep', 60 * 1000);
  // Daily at 04:45 UTC, when little else runs: a listing of every stored document object.
  await queues.get('documents').upsertJobScheduler('documents.sweep-objects', { pattern: '45 4 * * *', tz: 'UTC' }, { name: 'documents.sweep-objects', data: {}, opts: SCHEDULED_JOB_OPTIONS });
  // Safety net: pending reviews whose route job ran out of retries get another chance.
  await every('reviews.route-pending', 60 * 1000);
}
