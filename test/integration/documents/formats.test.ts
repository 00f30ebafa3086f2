/**
 * Upload by every accepted type, through the real API to `ready`, and the text the owner reads
 * back: PDF, DOCX, DOC, RTF, ODT, TXT (UTF-8 and Windows-1251), and scans through OCR (PNG,
 * JPEG, TIFF, an image-only PDF) with the `ocr` progress stage; a scan fails with
 * `ocr_unavailable` when tesseract is not on the PATH.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- event payloads and bodies are whatever the server sent */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitFor, type Client } from '../../e2e/chat/harness.js';
import { cp1251, cyrillicPdf, docFixture, docxFixture, odtFixture, rasterize, scannedPdf, upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const LINES = ['Договор аренды квартиры', 'Арендатор обязуется вносить плату', 'Rent is due monthly'];
const TEXT = LINES.join('\n');

let rt: TestRuntime;
let owner: Awaited<ReturnType<typeof registerUser>>;
let socket: Client;

beforeAll(async () => {
  rt = await startTestRuntime('docformats');
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
  socket = await connect(rt.url, owner.token);
});
afterAll(async () => {
  socket?.close();
  await rt?.close();
});

/** `\'hh` in Windows-1251 for the first line, `\uN` for the second. */
function rtf(): Buffer {
  const hex = (s: string) => [...cp1251(s)].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\'${b.toString(16)}`)).join('');
  const unicode = (s: string) => [...s].map((c) => (c.charCodeAt(0) < 0x80 ? c : `\\u${c.charCodeAt(0)}?`)).join('');
  return Buffer.from(`{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0 Arial;}}{\\info{\\title x}}\\pard ${hex(LINES[0]!)}\\par ${unicode(LINES[1]!)}\\par ${LINES[2]}\\par}`, 'latin1');
}

const pdf = cyrillicPdf(LINES);
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const FILES: Array<{ name: string; data: Buffer; mime: string; scan?: boolean }> = [
  { name: 'lease.pdf', data: pdf, mime: 'application/pdf' },
  { name: 'lease.docx', data: docxFixture(LINES.map(xml).join('</w:t></w:r></w:p><w:p><w:r><w:t>')), mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  { name: 'lease.doc', data: docFixture(LINES, 'utf16'), mime: 'application/msword' },
  { name: 'lease.rtf', data: rtf(), mime: 'application/rtf' },
  { name: 'lease.odt', data: odtFixture(LINES.map((l) => `<text:p>${xml(l)}</text:p>`).join('')), mime: 'application/vnd.oasis.opendocument.text' },
  { name: 'lease-utf8.txt', data: Buffer.from(LINES.join('\n')), mime: 'text/plain' },
  { name: 'lease-1251.txt', data: cp1251(LINES.join('\r\n')), mime: 'text/plain' },
  { name: 'scan.png', data: rasterize(pdf, 'png'), mime: 'image/png', scan: true },
  { name: 'scan.jpg', data: rasterize(pdf, 'jpeg'), mime: 'image/jpeg', scan: true },
  { name: 'scan.tiff', data: rasterize(pdf, 'tiff'), mime: 'image/tiff', scan: true },
  { name: 'scan.pdf', data: scannedPdf(rasterize(pdf, 'jpeg')), mime: 'application/pdf', scan: true },
];

const updatesOf = (id: string) => socket.of('document.updated').map((d: any) => d.document).filter((d: any) => d.id === id);

// Four scans go through Tesseract: seconds each, more on a loaded machine.
describe('upload by every accepted type', { timeout: 180_000 }, () => {
  it('takes each type to ready with its text, and scans through the ocr stage', async () => {
    const uploaded = [];
    for (const file of FILES) {
      const res = await upload(rt.url, '/api/documents', owner.token, file);
      expect(res.status, `${file.name}: ${JSON.stringify(res.body)}`).toBe(202);
      expect(res.body.document.mime_type.split(';')[0], file.name).toBe(file.mime);
      uploaded.push({ file, id: res.body.document.id as string });
    }
    for (const { file, id } of uploaded) {
      const doc = await settledDocument(rt.url, owner.token, id);
      expect(doc, `${file.name}: ${JSON.stringify(doc)}`).toMatchObject({ status: 'ready', error: null });
      const text = await request(rt.url, 'GET', `/api/documents/${id}/text`, { token: owner.token });
      // Paragraph breaks differ by format (a PDF block keeps its lines, a DOCX has a paragraph a line).
      expect(text.body.text.replace(/\n+/g, '\n'), file.name).toBe(TEXT);

      const events = await waitFor(`${file.name}: the ready event`, () => (updatesOf(id).some((d: any) => d.status === 'ready') ? updatesOf(id) : undefined));
      const percents = events.map((d: any) => d.progress.percent);
      expect(percents, file.name).toEqual([...percents].sort((a, b) => a - b));
      const stages = [...new Set(events.map((d: any) => d.progress.stage))];
      expect(stages.slice(0, 3), file.name).toEqual(file.scan ? ['extracting', 'ocr', 'masking'] : ['extracting', 'masking', 'indexing']);
      expect(stages.at(-1)).toBe('ready');
      // OCR moves the percent on within its stage (before the first page, after the last).
      const ocr = events.filter((d: any) => d.progress.stage === 'ocr').map((d: any) => d.progress.percent);
      if (file.scan) expect(ocr.length, file.name).toBeGreaterThanOrEqual(2);
      expect(new Set(ocr).size, file.name).toBe(ocr.length);
    }
  });

  it('takes text with NUL and out-of-range characters to ready, without them', async () => {
    const files = [
      { name: 'nul.rtf', data: Buffer.from(`{\\rtf1\\ansi\\pard ${LINES[2]}\\u0 \\par}\0\0`, 'latin1') },
      { name: 'nul.docx', data: docxFixture([`${xml(LINES[0]!)}&#0;`, `${xml(LINES[1]!)}&#x110000;`]) },
    ];
    for (const file of files) {
      const res = await upload(rt.url, '/api/documents', owner.token, file);
      expect(res.status, `${file.name}: ${JSON.stringify(res.body)}`).toBe(202);
      const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
      expect(doc, `${file.name}: ${JSON.stringify(doc)}`).toMatchObject({ status: 'ready', error: null });
      const text = (await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token })).body.text;
      expect(text.replace(/\n+/g, '\n'), file.name).toBe(file.name.endsWith('.rtf') ? LINES[2] : `${LINES[0]}\n${LINES[1]}\ufffd`);
    }
  });

  it('fails a scan with ocr_unavailable when tesseract is not installed', async () => {
    // Converters are found on PATH: this one lacks tesseract (and everything else).
    const png = rasterize(pdf, 'png');
    const saved = process.env.PATH;
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-tesseract-'));
    process.env.PATH = empty;
    try {
      const res = await upload(rt.url, '/api/documents', owner.token, { name: 'scan.png', data: png });
      expect(res.status).toBe(202);
      const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
      expect(doc).toMatchObject({ status: 'failed', error: { code: 'ocr_unavailable' } });
      expect(doc.error.detail).toMatch(/tesseract/);
    } finally {
      process.env.PATH = saved;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
