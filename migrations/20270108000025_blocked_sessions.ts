/**
 * A block now ends the account's sessions (its refresh tokens revoked with it): accounts
 * blocked before are brought in line, so an unblock does not bring their old tokens back.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE refresh_tokens SET revoked_at = now()
    WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE status = 'blocked')`);
}
