/**
 * A chat question admitted in one statement (core/chat/fair-use.ts): `chat_admit` takes the
 * user's fair-use lock, touches the chat, counts the replies in flight and today's message,
 * and writes the question and its reply, all in the statement's own transaction, so a
 * request holds a connection for one round trip instead of four (BEGIN, the lock, the
 * writes, COMMIT). Each statement inside reads with a snapshot taken after the lock, so it
 * sees every admission of the user that committed before. The lock is transaction-scoped:
 * it works through PgBouncer in transaction mode. Refusals raise one SQLSTATE each (class
 * CA) and change nothing.
 *
 * `plan_limit` is the one definition of a user's plan limit (their live subscription's
 * plan, else `free`), used by the admission and by the other conditional quota statements.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION plan_limit(p_user uuid, p_key text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (lp.limits ->> p_key)::bigint FROM plans lp WHERE lp.id = coalesce(
      (SELECT ls.plan_id FROM subscriptions ls WHERE ls.user_id = p_user AND ls.status IN ('active', 'past_due') LIMIT 1),
      (SELECT lf.id FROM plans lf WHERE lf.code = 'free'))
  $$`);
  // CA404: no such chat of the user; CA409: archived; CA429: replies in flight at the limit;
  // CA430: the daily quota used up (DETAIL: the limit).
  await knex.raw(`CREATE FUNCTION chat_admit(p_user uuid, p_chat uuid, p_question uuid, p_reply uuid, p_at timestamptz,
      p_alive timestamptz, p_day date, p_max_inflight int) RETURNS SETOF messages LANGUAGE plpgsql AS $$
    DECLARE
      v_status text;
      v_limit bigint;
    BEGIN
      -- Admissions of one user run one at a time (the key the earlier two-step admission used).
      PERFORM pg_advisory_xact_lock(hashtext('chat-fair-use:' || p_user::text));
      UPDATE chats SET updated_at = now() WHERE id = p_chat AND user_id = p_user RETURNING status INTO v_status;
      IF NOT FOUND THEN RAISE EXCEPTION 'no such chat' USING ERRCODE = 'CA404'; END IF;
      IF v_status = 'archived' THEN RAISE EXCEPTION 'the chat is archived' USING ERRCODE = 'CA409'; END IF;
      -- A reply untouched since p_alive is dead (its job was lost; the sweeper fails it): no slot.
      IF (SELECT count(*) FROM messages WHERE user_id = p_user AND sender = 'assistant'
          AND status IN ('queued', 'streaming') AND updated_at > p_alive) >= p_max_inflight THEN
        RAISE EXCEPTION 'too many replies in flight' USING ERRCODE = 'CA429';
      END IF;
      v_limit := plan_limit(p_user, 'messages_per_day');
      INSERT INTO ai_usage_daily AS d (user_id, day, messages) SELECT p_user, p_day, 1 WHERE v_limit >= 1
        ON CONFLICT (user_id, day) DO UPDATE SET messages = d.messages + 1 WHERE d.messages < v_limit;
      IF NOT FOUND THEN RAISE EXCEPTION 'the daily quota is used up' USING ERRCODE = 'CA430', DETAIL = coalesce(v_limit, 0)::text; END IF;
      -- The reply sorts 1 ms after its question (keyset cursors stay exact).
      RETURN QUERY INSERT INTO messages (id, chat_id, user_id, sender, status, reply_to, created_at, updated_at)
        VALUES (p_question, p_chat, p_user, 'user', 'pending', NULL, p_at, p_at),
               (p_reply, p_chat, p_user, 'assistant', 'queued', p_question, p_at + interval '1 millisecond', p_at)
        RETURNING *;
    END $$`);
}
