/**
 * A review of a document covers the version current when it was requested: a newer version,
 * processing or ready, does not change what the lawyer reads, and a pinned version whose text
 * is gone shows no text rather than another version's. The migration pins reviews stored
 * before it the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from 'objection';
import { migrate } from '../../../core/db/knex.js';
import { MIGRATIONS } from '../../../migrations/index.js';
import { upload } from '../../helpers/documents.js';
import { testEnv } from '../../helpers/env.js';
import { request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { account, lawyer, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let user: Session;
let reviewer: Session;

const subjectOf = async (id: string) => {
  const res = await request(rt.url, 'GET', `/api/reviews/${id}`, { token: reviewer.token });
  expect(res.status).toBe(200);
  return res.body.subject;
};

beforeAll(async () => {
  rt = await startTestRuntime('reviews-doc-version');
  await setPlanLimits('free', { reviews_per_month: 10, documents_per_month: 10 });
  user = await account(rt.url, 'user');
  reviewer = await lawyer(rt.url, 'housing', { specializations: ['housing'], capacity: 1 });
});

afterAll(async () => {
  await rt?.close();
});

describe('a review of a document', () => {
  it('shows the version requested, whatever versions follow, and says when its text is gone', async () => {
    const documentId = (await upload(rt.url, '/api/documents', user.token, { name: 'lease.txt', data: Buffer.from('Первая редакция. Плата за наём — десять тысяч рублей.\n') })).body.document.id;
    expect((await settledDocument(rt.url, user.token, documentId)).status).toBe('ready');
    const id = (await request(rt.url, 'POST', `/api/reviews/documents/${documentId}/request`, { token: user.token, json: { specialization: 'housing' } })).body.review.id;
    await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    expect(await subjectOf(id)).toMatchObject({ type: 'document', version: 1, text: expect.stringContaining('Первая редакция') });

    // A second version while the review is open: processing, then ready.
    const v2 = await upload(rt.url, `/api/documents/${documentId}/versions`, user.token, { name: 'lease.txt', data: Buffer.from('Вторая редакция. Плата за наём — двадцать тысяч рублей.\n') });
    expect(v2.status).toBe(202);
    expect(await subjectOf(id)).toMatchObject({ version: 1, text: expect.stringContaining('Первая редакция') });
    expect(await settledDocument(rt.url, user.token, documentId)).toMatchObject({ status: 'ready', version: 2 });
    const after = await subjectOf(id);
    expect(after).toMatchObject({ version: 1, text: expect.stringContaining('Первая редакция') });
    expect(after.text).not.toContain('Вторая редакция');

    // The pinned version's text gone: none, not the current version's.
    await Model.knex()('document_texts').where({ document_id: documentId, version: 1 }).delete();
    expect(await subjectOf(id)).toEqual({ type: 'document', title: 'lease', version: 1, text: null });
  });

  it('is pinned by the migration to the version whose text was there when it was requested', async () => {
    const t = testEnv('reviews-doc-version-migration');
    const db = t.db(2);
    try {
      await migrate(db, t.schema);
      await db.raw('ALTER TABLE lawyer_reviews DROP COLUMN document_version');
      const [owner] = await db('users').insert({ email: 'v@example.test', password_hash: 'x' }).returning('id');
      const [doc] = await db('documents').insert({ user_id: owner.id, title: 't', filename: 'f', mime_type: 'text/plain', size_bytes: 1, version: 2 }).returning('id');
      const at = (minutes: number) => new Date(Date.UTC(2027, 0, 1, 12, minutes));
      await db('document_texts').insert([
        { document_id: doc.id, version: 1, text: 'one', created_at: at(0) },
        { document_id: doc.id, version: 2, text: 'two', created_at: at(20) },
      ]);
      const review = async (minutes: number) => (await db('lawyer_reviews').insert({
        requester_id: owner.id, subject_type: 'document', document_id: doc.id, created_at: at(minutes), resolution_due: at(minutes + 60),
      }).returning('id'))[0].id as string;
      // Requested while version 1 was current, after version 2 was, and (a clock apart) before any text.
      const ids = [await review(10), await review(30), await review(-5)];
      await MIGRATIONS.find((m) => m.name === '20270104000021_review_document_version')!.up(db);
      const rows = await db('lawyer_reviews').whereIn('id', ids).select('id', 'document_version');
      expect(ids.map((id) => rows.find((r) => r.id === id)?.document_version)).toEqual([1, 2, 2]);
    } finally {
      await db.destroy();
      await t.cleanup();
    }
  });
});
