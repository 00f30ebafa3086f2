/**
 * The masked export through the API and the workers: a DOCX whose personal values span
 * bold and italic runs comes back as a DOCX with the stored text's placeholders in place
 * and its formatting runs kept, other entries untouched; a TXT comes back as its masked
 * text; 409 before the document is ready or the export exists; 404 for another user; only
 * ciphertext at rest; a new version invalidates the export and delete destroys it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bodies are whatever the server sent */
import fs from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipEntry } from '../../../core/documents/zip.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { filesUnder, upload, zipFixture } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const RAW = ['Иванов', 'Сергей', 'Петрович', '916', '123-45-67', 'ivanov@example.ru'];
const STYLES = '<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:styleId="Strong"/></w:styles>';

let rt: TestRuntime;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  rt = await startTestRuntime('maskexport');
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
  other = await registerUser(rt.url, 'other');
});
afterAll(() => rt?.close());

const run = (text: string, props = '') => `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ''}<w:t xml:space="preserve">${text}</w:t></w:r>`;
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A lease whose name and phone are split over runs with their own bold and italics. */
function leaseDocx(): Buffer {
  const types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  const body = [
    `<w:p>${run('Договор аренды квартиры')}</w:p>`,
    `<w:p>${run('Статья 1. Предмет договора')}</w:p>`,
    `<w:p><w:pPr><w:jc w:val="both"/></w:pPr>${run('Арендатор ')}${run('Иванов Сер', '<w:b/>')}${run('гей Петрович', '<w:i/>')}${run(', тел. +7 916 ')}${run('123-45-67', '<w:b/><w:u w:val="single"/>')}${run(', принимает квартиру.')}</w:p>`,
    `<w:p>${run('Статья 2. Срок договора')}</w:p>`,
    `<w:p>${run('Договор действует один год. ')}${run('Иванов Сергей Петрович', '<w:i/>')}${run(' вносит плату ежемесячно.')}</w:p>`,
  ].join('');
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`;
  const header = `<?xml version="1.0" encoding="UTF-8"?><w:hdr ${W}><w:p>${run('Связь: ivanov@example.ru')}</w:p></w:hdr>`;
  return zipFixture([
    { name: '[Content_Types].xml', data: Buffer.from(types) },
    { name: 'word/document.xml', data: Buffer.from(doc) },
    { name: 'word/header1.xml', data: Buffer.from(header) },
    { name: 'word/styles.xml', data: Buffer.from(STYLES) },
  ]);
}

/** A 1x1 PNG: its ingestion fails (no OCR), so the document never becomes ready. */
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

async function ready(file: { name: string; data: Buffer }) {
  const res = await upload(rt.url, '/api/documents', owner.token, file);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
  expect(doc.status, JSON.stringify(doc)).toBe('ready');
  return doc;
}

/** POST .../mask, then the document once its export settled. */
async function exported(id: string): Promise<any> {
  const res = await request(rt.url, 'POST', `/api/documents/${id}/mask`, { token: owner.token });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.document).toMatchObject({ id, masked: { status: 'queued', version: expect.any(Number) } });
  expect(res.body.document.masked.version).toBe(res.body.document.version);
  return waitFor(`export of ${id}`, async () => {
    const doc = (await request(rt.url, 'GET', `/api/documents/${id}`, { token: owner.token })).body;
    return doc.masked?.status === 'queued' ? undefined : doc;
  }, 30_000);
}

async function masked(id: string, token = owner.token) {
  const res = await fetch(`${rt.url}/api/documents/${id}/masked`, { headers: { authorization: `Bearer ${token}` } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const objectsOf = (id: string) => filesUnder(path.join(rt.t.dataDir, 'files', 'documents', id));
const storedText = async (id: string) => (await request(rt.url, 'GET', `/api/documents/${id}/text`, { token: owner.token })).body.text as string;

describe('masked export', () => {
  it('rewrites a DOCX in place: placeholders of the stored text, formatting runs kept, other entries untouched', async () => {
    const original = leaseDocx();
    const doc = await ready({ name: 'lease.docx', data: original });
    expect((await masked(doc.id)).res.status).toBe(409);

    const done = await exported(doc.id);
    expect(done.masked).toEqual({ status: 'ready', version: 1 });
    const { res, bytes } = await masked(doc.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lease\.masked\.docx"; filename\*=UTF-8''lease\.masked\.docx$/);

    const xml = readZipEntry(bytes, 'word/document.xml', 1 << 20)!.toString('utf8');
    const header = readZipEntry(bytes, 'word/header1.xml', 1 << 20)!.toString('utf8');
    for (const raw of RAW) expect(xml + header).not.toContain(raw);
    const text = await storedText(doc.id);
    const person = /Арендатор (\[PERSON_\d+\])/.exec(text)?.[1];
    expect(person, text).toBeDefined();
    // The value starts in the bold run: the placeholder lands there, the italic run is emptied but kept.
    expect(xml).toContain(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${person}</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve"></w:t></w:r>`);
    expect(xml).toContain(`<w:rPr><w:i/></w:rPr><w:t xml:space="preserve">${person}</w:t>`);
    expect(xml).toContain('[PHONE_1]');
    expect(xml.match(/<w:b\/>/g)).toHaveLength(2);
    expect(xml.match(/<w:i\/>/g)).toHaveLength(2);
    expect(xml).toContain('<w:u w:val="single"/>');
    expect(xml).toContain('<w:jc w:val="both"/>');
    expect(header).toMatch(/Связь: \[EMAIL_\d+\]/);
    // The paragraphs read as the stored masked text.
    const paragraphs = [...xml.matchAll(/<w:p>.*?<\/w:p>/g)].map(([p]) => [...p.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''));
    expect(paragraphs.join('\n\n')).toBe(text);
    expect(readZipEntry(bytes, 'word/styles.xml', 1 << 20)!.toString('utf8')).toBe(STYLES);
    expect(readZipEntry(bytes, '[Content_Types].xml', 1 << 20)!.equals(readZipEntry(original, '[Content_Types].xml', 1 << 20)!)).toBe(true);

    // At rest: the upload and the export, both ciphertext.
    const objects = objectsOf(doc.id);
    expect(objects).toHaveLength(2);
    for (const object of objects) {
      const stored = fs.readFileSync(object);
      // Long markers only: two random bytes of ciphertext read "PK" now and then.
      for (const marker of ['word/document.xml', '[Content_Types].xml', person!, ...RAW]) expect(stored.includes(Buffer.from(marker))).toBe(false);
    }
  });

  it('exports a TXT as its masked text in UTF-8; a second POST while ready adds no job', async () => {
    const lease = 'Статья 1. Арендатор Иванов Сергей Петрович, тел. +7 916 123-45-67.\nСтатья 2. Срок — один год.';
    const doc = await ready({ name: 'lease.txt', data: Buffer.from(lease) });
    await exported(doc.id);
    const { res, bytes } = await masked(doc.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('filename="lease.masked.txt"');
    const text = bytes.toString('utf8');
    expect(text).toBe(`${await storedText(doc.id)}\n`);
    expect(text).toContain('[PHONE_1]');
    for (const raw of RAW) expect(text).not.toContain(raw);

    const again = await request(rt.url, 'POST', `/api/documents/${doc.id}/mask`, { token: owner.token });
    expect([again.status, again.body.document.masked]).toEqual([202, { status: 'ready', version: 1 }]);
  });

  it('answers 409 before the document is ready, 404 to another user', async () => {
    const scan = await upload(rt.url, '/api/documents', owner.token, { name: 'scan.png', data: png() });
    expect((await settledDocument(rt.url, owner.token, scan.body.document.id)).status).toBe('failed');
    const early = await request(rt.url, 'POST', `/api/documents/${scan.body.document.id}/mask`, { token: owner.token });
    expect([early.status, early.body.code]).toEqual([409, 'conflict']);
    expect((await masked(scan.body.document.id)).res.status).toBe(409);

    const doc = await ready({ name: 'mine.txt', data: Buffer.from('Статья 1. Текст.') });
    const foreign = await request(rt.url, 'POST', `/api/documents/${doc.id}/mask`, { token: other.token });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    await exported(doc.id);
    expect((await masked(doc.id, other.token)).res.status).toBe(404);
  });

  it('a new version invalidates the export; delete destroys it', async () => {
    const doc = await ready({ name: 'v.txt', data: Buffer.from('Статья 1. Тел. +7 916 123-45-67.') });
    await exported(doc.id);
    expect(objectsOf(doc.id)).toHaveLength(2);
    const next = await upload(rt.url, `/api/documents/${doc.id}/versions`, owner.token, { name: 'v.txt', data: Buffer.from('Статья 1. Вторая редакция.') });
    expect(next.status).toBe(202);
    const v2 = await settledDocument(rt.url, owner.token, doc.id);
    expect(v2).toMatchObject({ version: 2, status: 'ready', masked: null });
    expect((await masked(doc.id)).res.status).toBe(409);

    const redone = await exported(doc.id);
    expect(redone.masked).toEqual({ status: 'ready', version: 2 });
    expect((await masked(doc.id)).bytes.toString('utf8')).toBe('Статья 1. Вторая редакция.\n');
    // Two versions and the new export; the stale export's object is gone.
    expect(objectsOf(doc.id)).toHaveLength(3);

    expect((await request(rt.url, 'DELETE', `/api/documents/${doc.id}`, { token: owner.token })).status).toBe(204);
    await waitFor('every object destroyed', () => (objectsOf(doc.id).length === 0 ? true : undefined));
  });
});
