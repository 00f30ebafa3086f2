/**
 * Checks the audit chain (migrations 20261214000011, 20261226000015): entries numbered 1, 2, ... without a gap,
 * each `prev_hash` the hash before it, each `hash` = SHA-256(prev_hash ‖ canonical row). The
 * canonical row is rendered here from plain columns, not by the database's own function, so a
 * replaced function cannot vouch for altered rows. An altered, deleted or inserted entry
 * breaks the chain at the first entry it touches. The actor is the account id in entries
 * written before pseudonyms, its keyed hash (`actor`) since.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db/knex.js';

const BATCH = 2000;
const GENESIS = '0'.repeat(64);

export type ChainReport = { ok: true; entries: number } | { ok: false; entries: number; seq: number; id: string; reason: string };

interface Row { id: string; seq: string; prev_hash: string; hash: string; fields: string[] }

export async function verifyAuditChain(db: Db): Promise<ChainReport> {
  let expected = 1;
  let prev = GENESIS;
  for (;;) {
    const { rows } = (await db.raw(
      `SELECT id, seq::text AS seq, prev_hash, hash, ARRAY[seq::text, coalesce(actor_id::text, actor, ''), action, coalesce(target_type, ''),
         coalesce(target_id, ''), coalesce(ip, ''), meta::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')] AS fields
       FROM audit_logs WHERE audit_logs.seq >= ? ORDER BY audit_logs.seq LIMIT ?`,
      [expected, BATCH],
    )) as { rows: Row[] };
    for (const r of rows) {
      const seq = Number(r.seq);
      const broken = (reason: string): ChainReport => ({ ok: false, entries: expected - 1, seq, id: r.id, reason });
      if (seq !== expected) return broken(`entry ${expected} is missing (deleted, or the entries renumbered)`);
      if (r.prev_hash !== prev) return broken('prev_hash is not the hash of the entry before it');
      const hash = createHash('sha256').update(prev + r.fields.join('\x1f'), 'utf8').digest('hex');
      if (hash !== r.hash) return broken('its content does not match its hash (altered or forged)');
      prev = r.hash;
      expected++;
    }
    if (rows.length < BATCH) return { ok: true, entries: expected - 1 };
  }
}
