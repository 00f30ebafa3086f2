/**
 * Ingestion as a flow (extract -> mask -> index) in one process against real Postgres and
 * Redis: progress events in order, masked text only (in the API, the database and Redis),
 * chunks by articles, page locators from a PDF, a blank scan failed with a clear code, job ids
 * that make a repeat a no-op, delete.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- event payloads and bodies are whatever the server sent */
import fs from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { Model } from 'objection';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../../core/dlp/index.js';
import { accountVault } from '../../../core/privacy/keys.js';
import { enqueueIngest, ingestJobId } from '../../../pipelines/documents-ingest.js';
import { createQueues } from '../../../pipelines/queues.js';
import { connect, sleep, waitFor, type Client } from '../../e2e/chat/harness.js';
import { cp1251, upload, zipFixture } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL, TEST_DATABASE_URL } from '../../helpers/services.js';
import { redisDump } from '../../helpers/redis-dump.js';

const NAME = 'Иванов Сергей Петрович';
const PHONE = '+7 916 123-45-67';
const RAW = ['Иванов', '916 123', '9161234567'];
const LEASE = [
  'Договор аренды квартиры',
  'Статья 1. Предмет договора',
  `Арендатор ${NAME}, тел. ${PHONE}, принимает квартиру в пользование.`,
  'Статья 2. Срок договора',
  `Договор действует один год. ${NAME} вносит плату ежемесячно.`,
];

let rt: TestRuntime;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;
let socket: Client;
let db: pg.Client;

beforeAll(async () => {
  rt = await startTestRuntime('docingest');
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
  other = await registerUser(rt.url, 'other');
  socket = await connect(rt.url, owner.token);
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  socket?.close();
  await db?.end();
  await rt?.close();
});

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function docx(paragraphs: string[]): Buffer {
  const types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  // Each paragraph split over two runs, as Word writes them.
  const body = paragraphs.map((p) => `<w:p><w:pPr/><w:r><w:t xml:space="preserve">${xmlEscape(p.slice(0, 5))}</w:t></w:r><w:r><w:t>${xmlEscape(p.slice(5))}</w:t></w:r></w:p>`).join('');
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  return zipFixture([{ name: '[Content_Types].xml', data: Buffer.from(types) }, { name: 'word/document.xml', data: Buffer.from(doc) }]);
}

/** A PDF with a Helvetica text layer, one page per entry of `pages`. */
function textPdf(pages: string[][]): Buffer {
  const n = pages.length;
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${n} >>`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  pages.forEach((lines, i) => {
    const content = `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((l) => `(${l}) '`).join(' ')} ET`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`);
    objs.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets = objs.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A 1x1 grey PNG. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 128]))), chunk('IEND', Buffer.alloc(0))]);
}

const settled = (id: string, token = owner.token) => settledDocument(rt.url, token, id);

const updatesOf = (id: string) => socket.of('document.updated').map((d: any) => d.document).filter((d: any) => d.id === id);

async function chunksOf(id: string): Promise<Array<{ version: number; ord: number; text: string; locator: any }>> {
  const res = await db.query(`SELECT version, ord, text, locator FROM "${rt.t.schema}".document_chunks WHERE document_id = $1 ORDER BY ord`, [id]);
  return res.rows;
}

async function ingestLease(file: { name: string; data: Buffer }) {
  const res = await upload(rt.url, '/api/documents', owner.token, file, { title: `${NAME} — аренда` });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const doc = await settled(res.body.document.id);
  expect(doc, JSON.stringify(doc)).toMatchObject({ status: 'ready', progress: { stage: 'ready', percent: 100, version: 1 }, error: null });
  // Events arrive through Redis: the last one may trail the row by a moment.
  const events = await waitFor('the ready event', () => (updatesOf(doc.id).some((d: any) => d.status === 'ready') ? updatesOf(doc.id) : undefined));
  const percents = events.map((d: any) => d.progress.percent);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(events.map((d: any) => d.progress.stage)).toEqual(['extracting', 'masking', 'indexing', 'ready']);
  return doc;
}

async function expectMaskedLease(doc: any) {
  const person = /^(\[PERSON_\d+\])/.exec(doc.title)?.[1];
  expect(person, doc.title).toBeDefined();
  const text = await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token });
  expect(text.status).toBe(200);
  expect(text.body.version).toBe(1);
  for (const raw of RAW) expect(text.body.text).not.toContain(raw);
  expect(text.body.text).toContain(`Арендатор ${person}, тел. [PHONE_1]`);
  expect(text.body.text).toContain(`${person} вносит плату`);
  expect(doc.pii.count).toBeGreaterThanOrEqual(3);
  expect(doc.pii.by_type).toMatchObject({ PHONE: 1 });

  const chunks = await chunksOf(doc.id);
  expect(chunks.map((c) => c.locator.clause ?? null)).toEqual([null, 'Статья 1', 'Статья 2']);
  expect(chunks[1]!.text).toMatch(/^Статья 1\. Предмет договора\n\nАрендатор \[PERSON_/);
  expect(chunks[2]!.text).toMatch(/^Статья 2\. Срок договора\n\n/);
  expect(chunks.map((c) => c.locator.paragraph)).toEqual([0, 1, 3]);
}

describe('ingestion', () => {
  it('takes a Windows-1251 TXT to ready, with masked text and chunks by article', async () => {
    const doc = await ingestLease({ name: 'lease.txt', data: cp1251(LEASE.join('\r\n')) });
    await expectMaskedLease(doc);
  });

  it('takes a DOCX to ready, with masked text and chunks by article', async () => {
    const doc = await ingestLease({ name: 'lease.docx', data: docx(LEASE) });
    await expectMaskedLease(doc);
  });

  it('reads a PDF text layer through pdftotext, with page locators', async () => {
    const data = textPdf([['1. Subject', 'Call +7 916 123-45-67 for the keys.'], ['2. Term', 'One year.']]);
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'lease.pdf', data });
    const doc = await settled(res.body.document.id);
    expect(doc, JSON.stringify(doc)).toMatchObject({ status: 'ready', pages: 2 });
    const text = await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token });
    expect(text.body.text).toContain('Call [PHONE_1] for the keys.');
    expect(text.body.text).not.toContain('916');
    const [first, second] = text.body.pages;
    expect(text.body.text.slice(first.start, first.end)).toContain('1. Subject');
    expect(text.body.text.slice(second.start, second.end)).toMatch(/^2\. Term\nOne year\.$/);
    expect((await chunksOf(doc.id)).map((c) => c.locator)).toEqual([{ page: 1, paragraph: 0, clause: '1' }, { page: 2, paragraph: 1, clause: '2' }]);
  });

  it('fails a PNG in which OCR finds no text with no_text, and its text answers 409', async () => {
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'scan.png', data: png() });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const doc = await settled(res.body.document.id);
    expect(doc, JSON.stringify(doc.error)).toMatchObject({ status: 'failed', error: { code: 'no_text' } });
    // The live event follows the stored row: wait for it rather than expect it already there.
    const failed = await waitFor('the failed event', () => updatesOf(doc.id).find((d: any) => d.status === 'failed'));
    expect(failed).toMatchObject({ error: { code: 'no_text' } });
    expect(updatesOf(doc.id).at(-1)).toBe(failed);
    const text = await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token });
    expect([text.status, text.body.code]).toEqual([409, 'conflict']);
  });

  it('lists the documents of one status with ?status=, and refuses an unknown status with 400', async () => {
    const lister = await registerUser(rt.url, 'lister');
    const fine = await upload(rt.url, '/api/documents', lister.token, { name: 'ok.txt', data: Buffer.from('Статья 1. Предмет договора.\n') });
    const blank = await upload(rt.url, '/api/documents', lister.token, { name: 'blank.png', data: png() });
    const [ready, failed] = [await settled(fine.body.document.id, lister.token), await settled(blank.body.document.id, lister.token)];
    expect([ready.status, failed.status]).toEqual(['ready', 'failed']);
    const listed = async (status: string) => (await request(rt.url, 'GET', `/api/documents?status=${status}`, { token: lister.token })).body.items.map((d: any) => d.id);
    expect(await listed('ready')).toEqual([ready.id]);
    expect(await listed('failed')).toEqual([failed.id]);
    expect(await listed('processing')).toEqual([]);
    const bad = await request(rt.url, 'GET', '/api/documents?status=gone', { token: lister.token });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
  });

  it('re-ingests a new version; /text of another user, or of a missing version, is 404', async () => {
    const created = await upload(rt.url, '/api/documents', owner.token, { name: 'a.txt', data: Buffer.from('Статья 1. Первая редакция.\n') });
    await settled(created.body.document.id);
    const next = await upload(rt.url, `/api/documents/${created.body.document.id}/versions`, owner.token, { name: 'a.txt', data: Buffer.from('Статья 1. Вторая редакция.\n') });
    expect(next.status).toBe(202);
    // Processing again, its progress restarted for the new version.
    expect(next.body.document).toMatchObject({ id: created.body.document.id, version: 2, status: 'processing', progress: { version: 2, stage: 'stored' } });
    expect(created.body.document).toMatchObject({ version: 1, status: 'uploaded' });
    const doc = await settled(created.body.document.id);
    expect(doc).toMatchObject({ version: 2, status: 'ready', progress: { version: 2, percent: 100 } });
    const v1 = await request(rt.url, 'GET', `/api/documents/${doc.id}/text?version=1`, { token: owner.token });
    const v2 = await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token });
    expect([v1.body.text, v2.body.text]).toEqual(['Статья 1. Первая редакция.', 'Статья 1. Вторая редакция.']);
    expect((await chunksOf(doc.id)).map((c) => [c.version, c.text])).toEqual([[2, 'Статья 1. Вторая редакция.']]);
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}/text?version=3`, { token: owner.token })).status).toBe(404);
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: other.token })).status).toBe(404);
  });

  it('names the stage jobs after the document and version, with ids only; a repeated enqueue adds nothing', async () => {
    const doc = await ingestLease({ name: 'again.txt', data: cp1251(LEASE.join('\n')) });
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queues = createQueues(redis, rt.t.prefix);
    try {
      const documents = queues.get('documents');
      const stages = ['extract', 'mask', 'index'] as const;
      const jobs = await Promise.all(stages.map((stage) => documents.getJob(ingestJobId(stage, doc.id, 1))));
      expect(jobs.map((j) => [j?.name, j?.data])).toEqual(stages.map((stage) => [`documents.${stage}`, { document_id: doc.id, version: 1 }]));
      // The raw text between stages (kept in Redis for a day) opens with the owner's key only,
      // which an erasure destroys; the service key alone does not open it.
      const { sealed } = jobs[0]!.returnvalue as { sealed: string };
      const aad = `document-text:${doc.id}:1`;
      const master = new Vault(Buffer.from(JSON.parse(fs.readFileSync(path.join(rt.t.dataDir, 'secrets.json'), 'utf8')).encryption_key, 'base64'));
      expect(() => master.open(sealed, aad)).toThrow();
      const knex = Model.knex();
      expect(JSON.stringify((await accountVault(knex, master, owner.id)).open(sealed, aad))).toContain('Арендатор');
      // The index job wrote `ready` from inside its run: it counts as completed only once it returns.
      await waitFor('the index job to complete', async () => (await documents.getJobState(ingestJobId('index', doc.id, 1))) === 'completed' || undefined);
      const counts = await documents.getJobCounts();
      const events = updatesOf(doc.id).length;
      await enqueueIngest(queues, doc.id, 1);
      await sleep(300);
      expect(await documents.getJobCounts()).toEqual(counts);
      expect(updatesOf(doc.id)).toHaveLength(events);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  });

  it('keeps the raw name and phone out of Postgres and Redis, and delete removes texts and chunks', async () => {
    const doc = await ingestLease({ name: 'kept.txt', data: cp1251(LEASE.join('\n')) });
    const tables = ['documents', 'document_versions', 'document_texts', 'document_chunks', 'pii_vaults'];
    const rows = [];
    for (const t of tables) rows.push((await db.query(`SELECT * FROM "${rt.t.schema}".${t}`)).rows);
    const everything = JSON.stringify(rows) + (await redisDump(rt.t.prefix));
    expect(everything).toContain('[PHONE_1]');
    for (const raw of RAW) expect(everything).not.toContain(raw);

    expect((await request(rt.url, 'DELETE', `/api/documents/${doc.id}`, { token: owner.token })).status).toBe(204);
    const left = async () => {
      const texts = await db.query(`SELECT count(*)::int AS n FROM "${rt.t.schema}".document_texts WHERE document_id = $1`, [doc.id]);
      return texts.rows[0].n + (await chunksOf(doc.id)).length;
    };
    await waitFor('texts and chunks destroyed', async () => ((await left()) === 0 ? true : undefined));
  });
});

