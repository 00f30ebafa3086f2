/** Lawyers' profiles: specializations, capacity (reviews at once) and whether they take new ones. */
import type { Db } from '../db/knex.js';
import type { Specialization } from './specializations.js';

export interface LawyerProfileInput {
  specializations: Specialization[];
  capacity: number;
  accepting: boolean;
}

export interface PublicLawyer {
  user_id: string;
  name: string | null;
  specializations: string[];
  capacity: number;
  accepting: boolean;
  active_reviews: number;
  avg_rating: number | null;
}

export async function getLawyer(db: Db, userId: string): Promise<PublicLawyer> {
  const { rows } = (await db.raw(
    `SELECT u.id AS user_id, u.name, coalesce(p.specializations, '{}') AS specializations,
            coalesce(p.capacity, 0) AS capacity, coalesce(p.accepting, false) AS accepting,
            coalesce(p.active_reviews, 0) AS active_reviews,
            (SELECT round(avg(rating_score)::numeric, 2) FROM lawyer_reviews WHERE lawyer_id = u.id AND rating_score IS NOT NULL) AS avg_rating
       FROM users u LEFT JOIN lawyer_profiles p ON p.user_id = u.id WHERE u.id = ?`,
    [userId],
  )) as { rows: Array<Omit<PublicLawyer, 'avg_rating'> & { avg_rating: string | null }> };
  const row = rows[0]!;
  return { ...row, active_reviews: Number(row.active_reviews), avg_rating: row.avg_rating === null ? null : Number(row.avg_rating) };
}

/**
 * Creates or updates the caller's profile. Lowering the capacity below the reviews held keeps
 * them; only new assignments wait until the load drops under the new capacity.
 */
export async function saveLawyer(db: Db, userId: string, input: LawyerProfileInput): Promise<PublicLawyer> {
  const profile = { specializations: [...new Set(input.specializations)], capacity: input.capacity, accepting: input.accepting };
  await db('lawyer_profiles')
    .insert({ user_id: userId, ...profile })
    .onConflict('user_id')
    .merge({ ...profile, updated_at: db.fn.now() });
  return getLawyer(db, userId);
}
