/**
 * The audit trail's evidence in storage. Daily, a signed digest of the chain's head (the last
 * entry's sequence number and hash): with it, removing the newest entries, which the chain
 * alone cannot show, is caught. Monthly, entries older than a year are copied to a signed
 * archive file; rows are never deleted in place. Signatures are HMAC-SHA256 with a key
 * derived from ENCRYPTION_KEY for this purpose alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { derivedKey } from './privacy/keys.js';
import type { Storage } from './storage/index.js';

export interface Digest {
  day: string;
  entries: number;
  last_seq: number;
  last_hash: string;
  signed_at: string;
}

const sign = (master: Buffer, body: string) => createHmac('sha256', derivedKey(master, 'audit-digest')).update(body).digest('hex');

export const digestKey = (day: string) => `audit/digests/${day}.json`;

/** Writes the signed digest of the chain as it stands (a rerun the same day rewrites it). */
export async function writeDigest(deps: { db: Knex; storage: Storage; encryptionKey: Buffer }, day: string): Promise<Digest> {
  const head = await deps.db('audit_logs').orderBy('seq', 'desc').first('seq', 'hash');
  const digest: Digest = { day, entries: Number(head?.seq ?? 0), last_seq: Number(head?.seq ?? 0), last_hash: head?.hash ?? '0'.repeat(64), signed_at: new Date().toISOString() };
  const body = JSON.stringify(digest);
  await deps.storage.put(digestKey(day), Buffer.from(JSON.stringify({ digest, signature: sign(deps.encryptionKey, body) })), 'application/json');
  return digest;
}

/** Reads a digest back and checks its signature; undefined when missing or forged. */
export async function readDigest(deps: { storage: Storage; encryptionKey: Buffer }, day: string): Promise<Digest | undefined> {
  if (!(await deps.storage.exists(digestKey(day)))) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of await deps.storage.get(digestKey(day))) chunks.push(c as Buffer);
  const { digest, signature } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { digest: Digest; signature: string };
  const expected = Buffer.from(sign(deps.encryptionKey, JSON.stringify(digest)), 'hex');
  const given = Buffer.from(String(signature), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? digest : undefined;
}

/** Copies each whole month older than `keepDays` that has no archive yet into a signed JSON-lines file. */
export async function archiveOldMonths(deps: { db: Knex; storage: Storage; encryptionKey: Buffer }, keepDays = 365): Promise<string[]> {
  const months: string[] = (await deps.db('audit_logs').where('created_at', '<', deps.db.raw(`date_trunc('month', now() - make_interval(days => ?))`, [keepDays]))
    .distinct(deps.db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month`)).orderBy('month')).map((r: { month: string }) => r.month);
  const written: string[] = [];
  for (const month of months) {
    const key = `audit/archive/${month}.jsonl`;
    // The signature is written last: a month without one was cut short and is written again.
    if (await deps.storage.exists(`${key}.sig`)) continue;
    // Times and meta as the chain hashes them (microseconds, PostgreSQL's jsonb text), so each
    // archived entry can be checked against its hash.
    const rows = await deps.db('audit_logs').whereRaw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') = ?`, [month]).orderBy('seq')
      .select('seq', 'id', 'actor_id', 'actor', 'action', 'target_type', 'target_id', 'ip', deps.db.raw('meta::text AS meta'),
        deps.db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`), 'prev_hash', 'hash');
    const body = rows.map((r: unknown) => JSON.stringify(r)).join('\n');
    await deps.storage.put(key, Buffer.from(body), 'application/x-ndjson');
    await deps.storage.put(`${key}.sig`, Buffer.from(sign(deps.encryptionKey, body)), 'text/plain');
    written.push(month);
  }
  return written;
}
