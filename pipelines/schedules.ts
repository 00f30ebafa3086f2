/** Repeating jobs. Upserting a scheduler is idempotent, so every worker start may do it. */
import type { Queues } from './queues.js';
import { SCHEDULED_JOB_OPTIONS } from './registry.js';

export async function upsertSchedules(queues: Queues): Promise<void> {
  await queues.get('billing').upsertJobScheduler(
    'billing.expire-subscriptions',
    { every: 60 * 60 * 1000 },
    { name: 'billing.expire-subscriptions', data: {}, opts: SCHEDULED_JOB_OPTIONS },
  );
  await queues.get('ai').upsertJobScheduler(
    'ai.sweep-stuck-replies',
    { every: 60 * 1000 },
    { name: 'ai.sweep-stuck-replies', data: {}, opts: SCHEDULED_JOB_OPTIONS },
  );
  // Safety net: pending reviews whose route job ran out of retries get another chance.
  await queues.get('reviews').upsertJobScheduler(
    'reviews.route-pending',
    { every: 60 * 1000 },
    { name: 'reviews.route-pending', data: {}, opts: SCHEDULED_JOB_OPTIONS },
  );
}
