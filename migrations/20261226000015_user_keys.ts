/**
 * A secret per account, destroyed with it (crypto-shredding). It keys two things:
 * - the account's data key (HKDF of ENCRYPTION_KEY and this secret), which seals its
 *   placeholder registries and its files' data keys, so copies left in backups cannot be
 *   opened once the secret is gone;
 * - its pseudonym in the audit trail, `audit_actor = SHA-256(secret ‖ account id)`: new
 *   entries name their actor only by this keyed hash, which no one can recompute from the
 *   account id once the secret is gone. Entries written before keep their `actor_id`.
 * The audit canonical form renders the actor as `coalesce(actor_id, actor)`, so every hash in
 * the chain stays what it was.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE user_keys (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret bytea NOT NULL DEFAULT (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())),
    audit_actor text GENERATED ALWAYS AS (encode(sha256(secret || uuid_send(user_id)), 'hex')) STORED UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await knex.raw('INSERT INTO user_keys (user_id) SELECT id FROM users');
  await knex.raw(`CREATE FUNCTION user_keys_create() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      EXECUTE format('INSERT INTO %I.user_keys (user_id) VALUES ($1) ON CONFLICT DO NOTHING', TG_TABLE_SCHEMA) USING NEW.id;
      RETURN NEW;
    END $$`);
  await knex.raw('CREATE TRIGGER users_key AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION user_keys_create()');

  await knex.raw('ALTER TABLE audit_logs ADD COLUMN actor text');
  await knex.raw('CREATE INDEX audit_logs_actor_idx ON audit_logs (actor, seq) WHERE actor IS NOT NULL');
  await knex.raw('DROP TRIGGER audit_logs_chain ON audit_logs');
  await knex.raw('DROP FUNCTION audit_chain()');
  await knex.raw('DROP FUNCTION audit_canonical(bigint, uuid, text, text, text, text, jsonb, timestamptz)');
  await knex.raw(`CREATE FUNCTION audit_canonical(seq bigint, actor text, action text, target_type text, target_id text, ip text, meta jsonb, created_at timestamptz)
    RETURNS text LANGUAGE sql STABLE AS $$
      SELECT concat_ws(E'\\x1f', seq::text, coalesce(actor, ''), action, coalesce(target_type, ''), coalesce(target_id, ''),
        coalesce(ip, ''), meta::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    $$`);
  await knex.raw(`CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE last record;
    BEGIN
      -- The actor becomes its keyed hash; an id that names no account (gone already) is dropped.
      IF NEW.actor_id IS NOT NULL THEN
        EXECUTE format('SELECT audit_actor FROM %I.user_keys WHERE user_id = $1', TG_TABLE_SCHEMA) INTO NEW.actor USING NEW.actor_id;
        NEW.actor_id := NULL;
      END IF;
      -- One chain per schema: writers queue here until the previous entry has committed.
      PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.audit_logs'));
      EXECUTE format('SELECT seq, hash FROM %I.audit_logs ORDER BY seq DESC LIMIT 1', TG_TABLE_SCHEMA) INTO last;
      NEW.seq := coalesce(last.seq, 0) + 1;
      NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
      NEW.created_at := coalesce(NEW.created_at, now());
      NEW.hash := encode(sha256(convert_to(NEW.prev_hash || audit_canonical(NEW.seq, NEW.actor, NEW.action, NEW.target_type,
        NEW.target_id, NEW.ip, NEW.meta, NEW.created_at), 'UTF8')), 'hex');
      RETURN NEW;
    END $$`);
  await knex.raw('CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_chain()');
}
