/**
 * A bench cluster's schema as `npm start` has it: the law library imported (the test environment
 * turns the import off), so every question's passages come from a real ranking. Run before the
 * workers start. The free plan's daily messages are lifted so that no bench reaches them.
 */
import { importLaws } from '../core/law/library.js';
import type { TestEnv } from '../test/helpers/env.js';
import { setPlanLimits } from '../test/helpers/plans.js';

export async function asStartedByDefault(t: TestEnv): Promise<void> {
  const db = t.db(2);
  await Promise.all([setPlanLimits('free', { messages_per_day: 1_000_000 }, db), importLaws(db)]).finally(() => db.destroy());
}
