/**
 * The audit trail becomes tamper-evident (CloudTrail-style): each row gets `seq` (1, 2, ...),
 * `prev_hash` and `hash = SHA-256(prev_hash ‖ canonical row)`, computed by a trigger under an
 * advisory lock so concurrent writers keep one chain, whatever code inserts. UPDATE, DELETE and
 * TRUNCATE are refused. The actor loses its foreign key: entries outlive the accounts they
 * name (erasure will pseudonymise, never rewrite). `core/audit-verify.ts` checks the chain and
 * must render rows exactly as `audit_canonical` does.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_logs DROP CONSTRAINT IF EXISTS audit_logs_actor_id_foreign');
  await knex.raw('ALTER TABLE audit_logs ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text');
  await knex.raw(`CREATE FUNCTION audit_canonical(seq bigint, actor_id uuid, action text, target_type text, target_id text, ip text, meta jsonb, created_at timestamptz)
    RETURNS text LANGUAGE sql STABLE AS $$
      SELECT concat_ws(E'\\x1f', seq::text, coalesce(actor_id::text, ''), action, coalesce(target_type, ''), coalesce(target_id, ''),
        coalesce(ip, ''), meta::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    $$`);

  // Rows written before the chain existed are chained in their order.
  const rows = (await knex.raw(`SELECT id, audit_canonical(row_number() OVER (ORDER BY created_at, id), actor_id, action, target_type, target_id, ip, meta, created_at) AS canon
    FROM audit_logs ORDER BY created_at, id`)).rows as Array<{ id: string; canon: string }>;
  let prev = '0'.repeat(64);
  for (const [i, r] of rows.entries()) {
    const hash = createHash('sha256').update(prev + r.canon, 'utf8').digest('hex');
    await knex('audit_logs').where({ id: r.id }).update({ seq: i + 1, prev_hash: prev, hash });
    prev = hash;
  }
  await knex.raw('ALTER TABLE audit_logs ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX audit_logs_seq_idx ON audit_logs (seq)');

  await knex.raw(`CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE last record;
    BEGIN
      -- One chain per schema: writers queue here until the previous entry has committed.
      PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.audit_logs'));
      EXECUTE format('SELECT seq, hash FROM %I.audit_logs ORDER BY seq DESC LIMIT 1', TG_TABLE_SCHEMA) INTO last;
      NEW.seq := coalesce(last.seq, 0) + 1;
      NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
      NEW.created_at := coalesce(NEW.created_at, now());
      NEW.hash := encode(sha256(convert_to(NEW.prev_hash || audit_canonical(NEW.seq, NEW.actor_id, NEW.action, NEW.target_type,
        NEW.target_id, NEW.ip, NEW.meta, NEW.created_at), 'UTF8')), 'hex');
      RETURN NEW;
    END $$`);
  await knex.raw('CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_chain()');
  await knex.raw(`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP; END $$`);
  await knex.raw('CREATE TRIGGER audit_logs_no_change BEFORE UPDATE OR DELETE ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only()');
  await knex.raw('CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()');
}
