/**
 * Documents over HTTP with local files: upload, exact bytes back, versions, refusals that
 * leave nothing behind, ciphertext at rest, tampering detected, foreign access, delete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp1251, docxFixture, filesUnder, pdfFixture, sha256, upload, zipFixture } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;
const filesDir = () => path.join(rt.t.dataDir, 'files');

beforeAll(async () => {
  rt = await startTestRuntime('documents', { env: { UPLOAD_MAX_MB: '1' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
  other = await registerUser(rt.url, 'other');
});
afterAll(() => rt?.close());

const download = async (id: string, token: string, query = '') => {
  const res = await fetch(`${rt.url}/api/documents/${id}/download${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};
/** This process serves downloads: its descriptors on the stored files are what a leak keeps. */
const openObjects = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(filesDir());
  } catch {
    return false; // closed while listed
  }
}).length;
const objectsOf = (id: string) => filesUnder(path.join(filesDir(), 'documents', id));
const rows = async () => ({
  documents: Number((await Model.knex()('documents').count('* as n'))[0]!.n),
  versions: Number((await Model.knex()('document_versions').count('* as n'))[0]!.n),
});

describe('upload and download', () => {
  it('stores a PDF, a DOCX and a Windows-1251 TXT and gives back the exact bytes', async () => {
    const fixtures = [
      { name: 'Договор аренды.pdf', data: pdfFixture('PLAINTEXT-MARKER-PDF'), mime: 'application/pdf' },
      { name: 'claim.docx', data: docxFixture('Исковое заявление'), mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
      { name: 'письмо.txt', data: cp1251('Уважаемый арендодатель! Прошу расторгнуть договор.\r\n'), mime: 'text/plain; charset=windows-1251' },
    ];
    for (const f of fixtures) {
      const res = await upload(rt.url, '/api/documents', owner.token, f, { kind: 'contract' });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.document).toMatchObject({
        kind: 'contract', status: 'uploaded', mime_type: f.mime, size_bytes: f.data.length, version: 1,
        progress: { stage: 'stored', percent: 10 }, error: null,
      });
      const { res: got, bytes } = await download(res.body.document.id, owner.token);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toContain(f.mime.split(';')[0]);
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="${f.name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(f.name)}`);
      expect(sha256(bytes)).toBe(sha256(f.data));
      const versions = await request(rt.url, 'GET', `/api/documents/${res.body.document.id}/versions`, { token: owner.token });
      expect(versions.body.items).toEqual([expect.objectContaining({ version: 1, sha256: sha256(f.data), size_bytes: f.data.length })]);
    }
  });

  it('keeps only ciphertext at rest', async () => {
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'a.pdf', data: pdfFixture('PLAINTEXT-MARKER-AT-REST') });
    const [object] = objectsOf(res.body.document.id);
    const raw = fs.readFileSync(object!);
    expect(raw.length).toBeGreaterThan(res.body.document.size_bytes);
    expect(raw.includes('PLAINTEXT-MARKER-AT-REST'), 'the marker').toBe(false);
    // The header with its version: four bytes alone turn up in 200 KB of ciphertext about once in 20,000 runs.
    expect(raw.includes('%PDF-1.4\n'), 'the PDF header').toBe(false);
  });

  it('masks personal data in the title and keeps the list searchable by the masked title', async () => {
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'scan.pdf', data: pdfFixture('x') }, { title: 'Претензия, тел. +7 916 123-45-67' });
    expect(res.body.document.title).not.toContain('916');
    expect(res.body.document.title).toMatch(/\[PHONE_1\]/);
    const list = await request(rt.url, 'GET', `/api/documents?q=${encodeURIComponent('Претензия')}`, { token: owner.token });
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([res.body.document.id]);
    const none = await request(rt.url, 'GET', '/api/documents?q=916', { token: owner.token });
    expect(none.body.items).toEqual([]);
  });

  it('masks a file name whose words are joined by underscores or hyphens, in the title made from it and in the name shown', async () => {
    const name = 'Иванов_Иван_Иванович_паспорт_4510_123456.pdf';
    const res = await upload(rt.url, '/api/documents', owner.token, { name, data: pdfFixture('x') });
    expect(res.status).toBe(202);
    const { id, title } = res.body.document;
    const stored = () => Model.knex()('documents').where({ id }).first('title', 'filename');
    const { filename } = await stored();
    for (const shown of [title, filename]) {
      for (const value of ['Иванов', 'Иван ', 'Иванович', '4510', '123456']) expect(shown).not.toContain(value);
    }
    expect(title).toMatch(/^\[PERSON_1\] паспорт \[PASSPORT_1\]$/);
    expect(filename).toBe(`${title}.pdf`);
    const card = await upload(rt.url, `/api/documents/${id}/versions`, owner.token, { name: 'Карта_4276_3800_1234_5679.pdf', data: pdfFixture('y') });
    expect(card.status).toBe(202);
    expect((await stored()).filename).toBe('Карта [CARD_1].pdf');
    // Words joined by hyphens come apart too; the extension stays.
    const hyphens = await upload(rt.url, `/api/documents/${id}/versions`, owner.token, { name: 'Договор-аренды-Петрова-Анна-Сергеевна.docx', data: docxFixture('Договор') });
    expect(hyphens.status).toBe(202);
    expect((await stored()).filename).toBe('Договор аренды [PERSON_2].docx');
    const named = await upload(rt.url, '/api/documents', owner.token, { name: 'Петрова-Анна-Сергеевна.pdf', data: pdfFixture('z') });
    expect(named.body.document.title).toBe('[PERSON_1]');
    // The download keeps the name as uploaded.
    const got = await fetch(`${rt.url}/api/documents/${id}/download?version=1`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(got.headers.get('content-disposition')).toContain(encodeURIComponent(name));
  });

  it('keeps earlier versions downloadable', async () => {
    const v1 = pdfFixture('VERSION-ONE');
    const v2 = docxFixture('Вторая редакция');
    const created = await upload(rt.url, '/api/documents', owner.token, { name: 'lease.pdf', data: v1 });
    const next = await upload(rt.url, `/api/documents/${created.body.document.id}/versions`, owner.token, { name: 'lease.docx', data: v2 });
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    expect(next.body.document).toMatchObject({ id: created.body.document.id, version: 2, size_bytes: v2.length, progress: { stage: 'stored', percent: 10, version: 2 } });
    expect(sha256((await download(created.body.document.id, owner.token)).bytes)).toBe(sha256(v2));
    expect(sha256((await download(created.body.document.id, owner.token, '?version=1')).bytes)).toBe(sha256(v1));
    expect((await download(created.body.document.id, owner.token, '?version=3')).res.status).toBe(404);
    const versions = await request(rt.url, 'GET', `/api/documents/${created.body.document.id}/versions`, { token: owner.token });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('closes the stored object after a HEAD or a download the client gave up on', async () => {
    // Two chunks of the envelope at least, so the object is still open after the first.
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'big.pdf', data: pdfFixture('big', 900 * 1024) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const url = `${rt.url}/api/documents/${res.body.document.id}/download`;
    const headers = { authorization: `Bearer ${owner.token}` };
    for (let i = 0; i < 5; i++) expect((await fetch(url, { method: 'HEAD', headers })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const given = new AbortController();
      const got = await fetch(url, { headers, signal: given.signal });
      await got.body!.getReader().read();
      given.abort();
    }
    await expect.poll(openObjects).toBe(0);
  });

  it('opens nothing for a download that fails before it reads: its audit entry could not be written', async () => {
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'audited.pdf', data: pdfFixture('audited') });
    const id = res.body.document.id;
    const { schema } = rt.t;
    // The audit log refuses downloads, as a full or broken disk would.
    await Model.knex().raw(`CREATE FUNCTION "${schema}".refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$`);
    await Model.knex().raw(`CREATE TRIGGER refuse_download_audit BEFORE INSERT ON "${schema}".audit_logs FOR EACH ROW
      WHEN (NEW.action = 'documents.download') EXECUTE FUNCTION "${schema}".refuse_audit()`);
    try {
      for (let i = 0; i < 5; i++) {
        const { res: refused } = await download(id, owner.token);
        expect(refused.status).toBe(500);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
      }
      await expect.poll(openObjects).toBe(0);
    } finally {
      await Model.knex().raw(`DROP TRIGGER refuse_download_audit ON "${schema}".audit_logs`);
    }
    expect((await download(id, owner.token)).res.status).toBe(200);
  });
});

describe('refusals leave nothing behind', () => {
  const refused = async (file: { name: string; data: Buffer }, status: number, code: string) => {
    const before = await rows();
    const res = await upload(rt.url, '/api/documents', owner.token, file);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    expect(await rows()).toEqual(before);
    return res;
  };
  const objectCount = () => filesUnder(filesDir()).length;

  it('answers 413 past UPLOAD_MAX_MB, readable by the client, with no object and no row', async () => {
    const before = objectCount();
    await refused({ name: 'big.pdf', data: pdfFixture('BIG', 3 * 1024 * 1024) }, 413, 'payload_too_large');
    expect(objectCount()).toBe(before);
    expect(filesUnder(filesDir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('answers 415 for an EXE named .pdf and for a PDF named .docx', async () => {
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(0x40), Buffer.from('PE\x00\x00', 'latin1'), Buffer.alloc(2048, 1)]);
    exe.writeUInt32LE(0x40 + 14, 0x3c);
    const before = objectCount();
    await refused({ name: 'invoice.pdf', data: exe }, 415, 'unsupported_media_type');
    await refused({ name: 'contract.docx', data: pdfFixture('x') }, 415, 'unsupported_media_type');
    await refused({ name: 'notes.txt', data: Buffer.from('text\u0000with a NUL', 'utf8') }, 415, 'unsupported_media_type');
    await refused({ name: 'invoice', data: exe }, 415, 'unsupported_media_type');
    expect(objectCount()).toBe(before);
  });

  it('takes a file whose name has no extension by its content, and gives it back under that name', async () => {
    const text = Buffer.from('Договор хранения вещей.\n');
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'README', data: text });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.document).toMatchObject({ mime_type: 'text/plain; charset=utf-8', size_bytes: text.length });
    const scan = await upload(rt.url, '/api/documents', owner.token, { name: 'IMG_0042', data: pdfFixture('x') });
    expect([scan.status, scan.body.document?.mime_type]).toEqual([202, 'application/pdf']);
    const download = await fetch(`${rt.url}/api/documents/${res.body.document.id}/download`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(download.headers.get('content-disposition')).toContain('filename="README"');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(text);
  });

  it('answers 403 to an account blocked while its file came in, and keeps nothing of it', async () => {
    const late = await registerUser(rt.url, 'blocked-mid-upload');
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: late.token })).status).toBe(200); // held active by this node's cache
    // The block committed (an erasure begins with one); this node has not heard of it yet.
    await Model.knex()('users').where({ id: late.id }).update({ status: 'blocked' });
    const before = objectCount();
    const res = await upload(rt.url, '/api/documents', late.token, { name: 'late.pdf', data: pdfFixture('x') });
    expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    expect(await Model.knex()('documents').where({ user_id: late.id })).toHaveLength(0);
    expect(objectCount()).toBe(before);
  });

  it('answers 422 for an empty file', async () => {
    const res = await refused({ name: 'empty.pdf', data: Buffer.alloc(0) }, 422, 'validation_failed');
    expect(res.body.errors).toEqual([{ path: 'body.file', message: 'the file is empty' }]);
  });

  it('refuses zip bombs: too many entries, a huge declared size, a huge ratio', async () => {
    const before = objectCount();
    const many = Array.from({ length: 5001 }, (_, i) => ({ name: `word/media/${i}.xml`, data: Buffer.from('<a/>') }));
    await refused({ name: 'many.docx', data: docxFixture('x', many) }, 413, 'payload_too_large');
    await refused({ name: 'declared.docx', data: docxFixture('x', [{ name: 'word/bomb.xml', data: Buffer.from('<a/>'), declaredSize: 300 * 1024 * 1024 }]) }, 413, 'payload_too_large');
    await refused({ name: 'ratio.docx', data: docxFixture('x', [{ name: 'word/zeros.xml', data: Buffer.alloc(50 * 1024 * 1024) }]) }, 413, 'payload_too_large');
    await refused({ name: 'plain.docx', data: zipFixture([{ name: 'readme.txt', data: Buffer.from('not a document') }]) }, 415, 'unsupported_media_type');
    expect(objectCount()).toBe(before);
  });
});

describe('integrity', () => {
  it('never sends bytes of a tampered object: a later chunk aborts the response, the first one is a 500', async () => {
    const original = pdfFixture('TAMPER', 300 * 1024);
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 't.pdf', data: original });
    const [object] = objectsOf(res.body.document.id);
    const raw = fs.readFileSync(object!);

    const later = Buffer.from(raw);
    later[200 * 1024]! ^= 0x01; // inside the fourth 64 KiB chunk
    fs.writeFileSync(object!, later);
    const got = await fetch(`${rt.url}/api/documents/${res.body.document.id}/download`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(got.status).toBe(200);
    const received: Buffer[] = [];
    const reader = got.body!.getReader();
    await expect((async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received.push(Buffer.from(value));
      }
    })()).rejects.toThrow();
    const prefix = Buffer.concat(received);
    expect(prefix.length).toBeLessThan(original.length);
    expect(original.subarray(0, prefix.length).equals(prefix)).toBe(true);

    const first = Buffer.from(raw);
    first[100]! ^= 0x01;
    fs.writeFileSync(object!, first);
    const broken = await download(res.body.document.id, owner.token);
    expect(broken.res.status).toBe(500);
    expect(JSON.parse(broken.bytes.toString())).toMatchObject({ code: 'internal_error' });

    fs.writeFileSync(object!, raw.subarray(0, raw.length - 64 * 1024 - 16)); // whole chunks cut off the end
    const cut = await fetch(`${rt.url}/api/documents/${res.body.document.id}/download`, { headers: { authorization: `Bearer ${owner.token}` } });
    await expect(cut.arrayBuffer()).rejects.toThrow();
  });
});

describe('ownership and delete', () => {
  it("answers 404 for another user's document on every route", async () => {
    const mine = await upload(rt.url, '/api/documents', owner.token, { name: 'own.pdf', data: pdfFixture('OWN') });
    const id = mine.body.document.id;
    for (const [method, p] of [['GET', `/api/documents/${id}`], ['GET', `/api/documents/${id}/versions`], ['GET', `/api/documents/${id}/download`], ['DELETE', `/api/documents/${id}`]]) {
      const res = await request(rt.url, method!, p!, { token: other.token });
      expect(res.status, `${method} ${p}`).toBe(404);
    }
    const version = await upload(rt.url, `/api/documents/${id}/versions`, other.token, { name: 'x.pdf', data: pdfFixture('X') });
    expect(version.status).toBe(404);
    expect(objectsOf(id)).toHaveLength(1);
    const list = await request(rt.url, 'GET', '/api/documents', { token: other.token });
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(id);
  });

  it('hides a deleted document at once and destroys its objects and rows within seconds', async () => {
    const created = await upload(rt.url, '/api/documents', owner.token, { name: 'gone.pdf', data: pdfFixture('GONE') });
    const id = created.body.document.id;
    await upload(rt.url, `/api/documents/${id}/versions`, owner.token, { name: 'gone.pdf', data: pdfFixture('GONE-2') });
    expect(objectsOf(id)).toHaveLength(2);
    expect((await request(rt.url, 'DELETE', `/api/documents/${id}`, { token: owner.token })).status).toBe(204);
    expect((await request(rt.url, 'GET', `/api/documents/${id}`, { token: owner.token })).status).toBe(404);
    expect((await download(id, owner.token)).res.status).toBe(404);
    const list = await request(rt.url, 'GET', '/api/documents', { token: owner.token });
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(id);
    await expect.poll(() => objectsOf(id).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await Model.knex()('documents').where({ id })).length, { timeout: 10_000 }).toBe(0);
    expect(await Model.knex()('document_versions').where({ document_id: id })).toEqual([]);
    expect(await Model.knex()('pii_vaults').where({ scope_type: 'document', scope_id: id })).toEqual([]);
  });
});
