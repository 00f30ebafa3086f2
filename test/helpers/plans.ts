/** Plan limits for a test's own schema: a test that needs more than `free` allows raises them, as an admin would. */
import type { Knex } from 'knex';
import { Model } from 'objection';
import type { Limits } from '../../core/billing/plans.js';

export async function setPlanLimits(code: string, limits: Partial<Limits>, db: Knex = Model.knex()): Promise<void> {
  await db('plans').where({ code }).update({ limits: db.raw('limits || ?::jsonb', [JSON.stringify(limits)]) });
}
