/**
 * The service's own database role, when it is not the schema's owner (DATABASE_OWNER_URL):
 * it reads and writes every table but may never change or remove an audit entry or a
 * destruction act, nor touch the migrations' bookkeeping. Triggers refuse such changes too;
 * the missing grant means even a role that could drop a trigger (the owner) is not the one
 * the service runs as.
 */
import type { Knex } from 'knex';

/** Tables whose rows, once written, stay as they are. */
const APPEND_ONLY = ['audit_logs', 'destruction_acts'];
const OWNER_ONLY = ['knex_migrations', 'knex_migrations_lock'];

/** Grants `role` what the service needs in `owner`'s current schema; returns that schema. */
export async function grantServiceRole(owner: Knex, role: string): Promise<string> {
  const schema = (await owner.raw('SELECT current_schema() AS s')).rows[0].s as string;
  await owner.transaction(async (trx) => {
    // Processes starting together grant in turn: Postgres fails a GRANT on an object another
    // transaction is granting on ("tuple concurrently updated"). Transaction-scoped: PgBouncer-safe.
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`grants:${schema}`]);
    await trx.raw('GRANT USAGE ON SCHEMA ?? TO ??', [schema, role]);
    await trx.raw('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ?? TO ??', [schema, role]);
    await trx.raw('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ?? TO ??', [schema, role]);
    for (const table of APPEND_ONLY) await trx.raw('REVOKE UPDATE, DELETE, TRUNCATE ON ??.?? FROM ??', [schema, table, role]);
    for (const table of OWNER_ONLY) await trx.raw('REVOKE ALL ON ??.?? FROM ??', [schema, table, role]);
  });
  return schema;
}
