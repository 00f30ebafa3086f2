/**
 * A form whose labels and values sit in neighbouring table cells («Дата рождения | 01.02.1980»):
 * a DOCX and an ODT go through ingestion, embedding and analysis against a fake OpenAI, and the
 * DOCX through the masked export. The values reach none of document_texts, document_chunks,
 * the provider (vectors and analysis) or the exported file; each row is one paragraph, its
 * cells apart by a tab.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bodies are whatever the server sent */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipEntry } from '../../../core/documents/zip.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { odtFixture, upload, zipFixture } from '../../helpers/documents.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';

const ROWS = [['Анкета клиента'], ['Дата рождения', '01.02.1980'], ['Расчётный счёт', '40817810099910004312']];
const RAW = ['01.02.1980', '40817810099910004312', '0099910004312'];
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

let openai: FakeProvider;
let rt: TestRuntime;
let db: pg.Client;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  rt = await startTestRuntime('tablerows', { env: { ...fakeProviderEnv({ openai }), EMBEDDINGS_PROVIDER: 'openai', LAW_AUTOIMPORT: 'false', AI_MAX_RETRIES: '0' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await rt?.close();
  await openai?.close();
});

const wp = (text: string) => `<w:p><w:pPr/><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;

/** A title paragraph, then a table: a row per label and value, each cell its own paragraph. */
function formDocx(): Buffer {
  const types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  const rows = ROWS.slice(1).map((cells) => `<w:tr><w:trPr/>${cells.map((c) => `<w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"/></w:tcPr>${wp(c)}</w:tc>`).join('')}</w:tr>`).join('');
  const body = `${wp(ROWS[0]![0]!)}<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid>${rows}</w:tbl><w:p/>`;
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`;
  return zipFixture([{ name: '[Content_Types].xml', data: Buffer.from(types) }, { name: 'word/document.xml', data: Buffer.from(doc) }]);
}

function formOdt(): Buffer {
  const rows = ROWS.slice(1).map((cells) => `<table:table-row>${cells.map((c) => `<table:table-cell office:value-type="string"><text:p>${c}</text:p></table:table-cell>`).join('')}</table:table-row>`).join('');
  const table = `<table:table xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" table:name="T1"><table:table-column table:number-columns-repeated="2"/>${rows}</table:table>`;
  return odtFixture(`<text:p>${ROWS[0]![0]}</text:p>${table}`);
}

async function ready(file: { name: string; data: Buffer }): Promise<any> {
  const res = await upload(rt.url, '/api/documents', owner.token, file);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
  expect(doc, JSON.stringify(doc)).toMatchObject({ status: 'ready' });
  return doc;
}

async function stored(id: string): Promise<{ text: string; chunks: Array<{ text: string; embedded: boolean }> }> {
  const text = await db.query(`SELECT text FROM "${rt.t.schema}".document_texts WHERE document_id = $1`, [id]);
  const chunks = await db.query(`SELECT text, embedding IS NOT NULL AS embedded FROM "${rt.t.schema}".document_chunks WHERE document_id = $1 ORDER BY ord`, [id]);
  return { text: text.rows.map((r) => r.text).join('\n'), chunks: chunks.rows };
}

async function analysed(id: string): Promise<any> {
  expect((await request(rt.url, 'POST', `/api/documents/${id}/analyze`, { token: owner.token })).status).toBe(202);
  return waitFor(`analysis of ${id}`, async () => {
    const doc = (await request(rt.url, 'GET', `/api/documents/${id}`, { token: owner.token })).body;
    return doc.analysis_status?.status === 'queued' ? undefined : doc;
  }, 30_000);
}

describe('a form in a table', () => {
  it('masks each value with the label in the cell beside it: stored text, chunks, vectors and analysis', async () => {
    openai.reset();
    openai.setDefault({ kind: 'text', text: JSON.stringify({ summary: 'Анкета клиента.', parties: [], key_terms: [], risks: [] }) });
    for (const file of [{ name: 'form.docx', data: formDocx() }, { name: 'form.odt', data: formOdt() }]) {
      const doc = await ready(file);
      const { text, chunks } = await waitFor(`${file.name}: chunks embedded`, async () => {
        const now = await stored(doc.id);
        return now.chunks.length && now.chunks.every((c) => c.embedded) ? now : undefined;
      }, 30_000);
      for (const raw of RAW) expect(JSON.stringify({ text, chunks }), file.name).not.toContain(raw);
      // A row is one paragraph, its cells apart by a tab; the title stays a paragraph of its own.
      expect(text, file.name).toMatch(/^Анкета клиента\n\nДата рождения\t\[BIRTH_DATE_\d+\]\n\nРасчётный счёт\t\[BANK_ACCOUNT_\d+\]$/);
      expect((await analysed(doc.id)).analysis_status, file.name).toMatchObject({ status: 'ready' });
    }
    const sent = openai.requests.map((r) => r.raw).join('\n');
    expect(openai.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(2);
    expect(sent).toContain('[BIRTH_DATE_');
    for (const raw of RAW) expect(sent).not.toContain(raw);
  });

  it('masks the values in the masked DOCX export too', async () => {
    const doc = await ready({ name: 'export.docx', data: formDocx() });
    expect((await request(rt.url, 'POST', `/api/documents/${doc.id}/mask`, { token: owner.token })).status).toBe(202);
    const done = await waitFor('the export', async () => {
      const now = (await request(rt.url, 'GET', `/api/documents/${doc.id}`, { token: owner.token })).body;
      return now.masked?.status === 'queued' ? undefined : now;
    }, 30_000);
    expect(done.masked, JSON.stringify(done.masked)).toMatchObject({ status: 'ready' });
    const res = await fetch(`${rt.url}/api/documents/${doc.id}/masked`, { headers: { authorization: `Bearer ${owner.token}` } });
    const xml = readZipEntry(Buffer.from(await res.arrayBuffer()), 'word/document.xml', 1 << 20)!.toString('utf8');
    for (const raw of RAW) expect(xml).not.toContain(raw);
    // Each placeholder stays in its own cell; the table is kept.
    expect(xml).toMatch(/<w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"\/><\/w:tcPr><w:p><w:pPr\/><w:r><w:t xml:space="preserve">\[BIRTH_DATE_\d+\]<\/w:t><\/w:r><\/w:p><\/w:tc>/);
    expect(xml.match(/<w:tc>/g)).toHaveLength(4);
  });
});
