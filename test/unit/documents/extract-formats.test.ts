/** Text from RTF, ODT, DOC and scans (OCR), and the clear codes when a converter is missing. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, IngestError } from '../../../core/documents/extract.js';
import { OCR_LIMITS } from '../../../core/documents/ocr.js';
import { DOC_TYPES } from '../../../core/documents/types.js';
import { cyrillicPdf, docFixture, odtFixture, rasterize, rasterizeGrey, scannedPdf, tiffFixture, zipFixture } from '../../helpers/documents.js';

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => (err instanceof IngestError ? err.code : String(err)));
const texts = async (mime: string, bytes: Buffer) => (await extractText(mime, bytes)).paragraphs.map((p) => p.text);

describe('RTF', () => {
  it('decodes \\\'hh in the \\ansicpg code page and \\uN with its fallback, and skips tables, info and \\* groups', async () => {
    const rtf = Buffer.concat([
      Buffer.from('{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}{\\stylesheet{\\s0 Normal;}}{\\info{\\author \\\'c8\\\'e2\\\'e0\\\'ed}}\n', 'latin1'),
      Buffer.from('{\\*\\generator Writer;}\\pard\\plain \\f0 \\\'d1\\\'f2\\\'e0\\\'f2\\\'fc\\\'ff 1. \\\'cf\\\'f0\\\'e5\\\'e4\\\'ec\\\'e5\\\'f2\\par\n', 'latin1'),
      Buffer.from('\\uc1 \\u1040?\\u1088?\\u1077?\\u1085?\\u1076?\\u1072? {\\b \\u1082\\\'ea\\u1074\\\'e2.} 5\\tab \\{x\\}\\line next\\par}', 'latin1'),
    ]);
    expect(await texts(DOC_TYPES.rtf.mime, rtf)).toEqual(['Статья 1. Предмет', 'Аренда кв. 5\t{x}\nnext']);
  });

  it('takes a font with \\fcharset204 as Windows-1251 even when the document says 1252', async () => {
    const rtf = Buffer.concat([Buffer.from('{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman\\fcharset0 Times;}{\\f1\\fswiss\\fcharset204 Arial;}}\\pard The \\f1 ', 'latin1'), Buffer.from("\\'c4\\'ee\\'e3\\'ee\\'e2\\'ee\\'f0", 'latin1'), Buffer.from('\\f0  caf\\\'e9\\par}', 'latin1')]);
    expect(await texts(DOC_TYPES.rtf.mime, rtf)).toEqual(['The Договор café']);
  });

  it('keeps list numbers, so numbered clauses keep their numbers', async () => {
    const rtf = Buffer.from('{\\rtf1\\ansi{\\*\\listtable{\\list\\listid1}}\\pard{\\listtext 1.\\tab}Price\\par{\\pntext\\f0 2.\\tab}{\\*\\pn\\pnlvlbody{\\pntxta .}}Term\\par}', 'latin1');
    expect(await texts(DOC_TYPES.rtf.mime, rtf)).toEqual(['1.\tPrice', '2.\tTerm']);
  });

  it('skips \\bin data and pictures', async () => {
    const rtf = Buffer.concat([Buffer.from('{\\rtf1\\ansi Before {\\pict\\pngblip 89504e47}{\\*\\objdata \\bin4 ', 'latin1'), Buffer.from([0x7b, 0x7d, 0x5c, 0x00]), Buffer.from('} after\\par}', 'latin1')]);
    expect(await texts(DOC_TYPES.rtf.mime, rtf)).toEqual(['Before after']);
  });
});

describe('ODT', () => {
  it('reads text:p and text:h with text:s, text:tab and text:line-break, leaving out comments', async () => {
    const body = '<text:h text:outline-level="1">Статья&#160;1. Предмет</text:h><text:p text:style-name="P1">Цена<text:s text:c="3"/>100<text:tab/>руб.<text:line-break/>НДС &amp; сборы<office:annotation><text:p>комментарий</text:p></office:annotation></text:p><text:p/><text:list><text:list-item><text:p>пункт <text:span>списка</text:span></text:p></text:list-item></text:list>';
    expect(await texts(DOC_TYPES.odt.mime, odtFixture(body))).toEqual(['Статья 1. Предмет', 'Цена 100\tруб.\nНДС & сборы', 'пункт списка']);
  });

  it('fails a content.xml that inflates past the cap with archive_limits', async () => {
    const bomb = zipFixture([{ name: 'mimetype', data: Buffer.from(DOC_TYPES.odt.mime) }, { name: 'content.xml', data: Buffer.alloc(51 * 1024 * 1024, 0x20), declaredSize: 1000 }]);
    expect(await failure(extractText(DOC_TYPES.odt.mime, bomb))).toBe('archive_limits');
  });
});

describe('DOC (catdoc)', () => {
  it('reads Word 97 Unicode text and 8-bit Windows-1251 text', async () => {
    expect(await texts(DOC_TYPES.doc.mime, docFixture(['Договор поставки', 'Поставщик передаёт товар.'], 'utf16'))).toEqual(['Договор поставки', 'Поставщик передаёт товар.']);
    expect(await texts(DOC_TYPES.doc.mime, docFixture(['Акт приёма', 'Стороны подписали акт.'], 'cp1251'))).toEqual(['Акт приёма', 'Стороны подписали акт.']);
  });
});

// Tesseract takes seconds a page, more on a loaded machine.
describe('OCR', { timeout: 120_000 }, () => {
  const LINES = ['Договор аренды квартиры', 'Арендатор обязуется вносить плату', 'Rent is due monthly'];
  const pdf = cyrillicPdf(LINES);

  it('recognises Russian and English in PNG, JPEG and TIFF, reporting progress per page', async () => {
    for (const format of ['png', 'jpeg', 'tiff'] as const) {
      const steps: Array<[number, number]> = [];
      const out = await extractText(DOC_TYPES[format].mime, rasterize(pdf, format), async (done, total) => void steps.push([done, total]));
      expect(out.pages, format).toBe(1);
      expect(out.paragraphs.map((p) => p.text).join('\n'), format).toBe(LINES.join('\n'));
      expect(out.paragraphs.every((p) => p.page === 1)).toBe(true);
      expect(steps).toEqual([[0, 1], [1, 1]]);
    }
  });

  it('reads a multi-page TIFF page by page, and refuses one with more pages than the limit', async () => {
    const pages = ['Первая страница договора', 'Вторая страница договора'];
    const tiff = tiffFixture(pages.map((line) => rasterizeGrey(cyrillicPdf([line]))));
    const out = await extractText(DOC_TYPES.tiff.mime, tiff);
    expect([out.pages, out.paragraphs]).toEqual([2, [{ text: pages[0], page: 1 }, { text: pages[1], page: 2 }]]);
    const dot = { width: 1, height: 1, pixels: Buffer.from([255]) };
    expect(await failure(extractText(DOC_TYPES.tiff.mime, tiffFixture(Array.from({ length: OCR_LIMITS.pages + 1 }, () => dot))))).toBe('too_many_pages');
  });

  it('recognises a scanned PDF page by page, reporting each page', async () => {
    const pages = ['Первая страница договора', 'Вторая страница договора'];
    const steps: Array<[number, number]> = [];
    const out = await extractText(DOC_TYPES.pdf.mime, scannedPdf(pages.map((line) => rasterize(cyrillicPdf([line]), 'jpeg'))), async (done, total) => void steps.push([done, total]));
    expect([out.pages, out.paragraphs]).toEqual([2, [{ text: pages[0], page: 1 }, { text: pages[1], page: 2 }]]);
    expect(steps).toEqual([[0, 2], [1, 2], [2, 2]]);
  });

  it('reads a text PDF from its text layer without OCR, and a scanned PDF through OCR', async () => {
    let calls = 0;
    const text = await extractText(DOC_TYPES.pdf.mime, pdf, async () => void calls++);
    expect([text.paragraphs.map((p) => p.text).join('\n'), calls]).toEqual([LINES.join('\n'), 0]);
    const scan = await extractText(DOC_TYPES.pdf.mime, scannedPdf(rasterize(pdf, 'jpeg')), async () => void calls++);
    expect(scan.paragraphs.map((p) => [p.page, p.text])).toEqual([[1, LINES.join('\n')]]);
    expect(calls).toBe(2);
  });

  it('refuses an image that declares more pixels than the cap, before decoding it', async () => {
    const png = rasterize(pdf, 'png');
    png.writeUInt32BE(100_000, 16);
    png.writeUInt32BE(100_000, 20);
    expect(await failure(extractText(DOC_TYPES.png.mime, png))).toBe('image_too_large');
  });
});

describe('a missing converter', { timeout: 60_000 }, () => {
  // A PATH holding everything but the tool under test: the code finds converters on PATH.
  const saved = process.env.PATH;
  let bin: string;
  const pathWithout = (tool: string) => {
    fs.rmSync(bin, { recursive: true, force: true });
    fs.mkdirSync(bin);
    for (const t of ['pdftotext', 'pdfinfo', 'pdfimages', 'pdftoppm', 'tesseract', 'catdoc'].filter((t) => t !== tool)) fs.symlinkSync(`/usr/bin/${t}`, path.join(bin, t));
    process.env.PATH = bin;
  };
  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'path-'));
  });
  afterAll(() => {
    process.env.PATH = saved;
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('fails a scan with ocr_unavailable without tesseract, and a DOC or PDF with extract_unavailable without its converter', async () => {
    const pdf = cyrillicPdf(['Договор']);
    try {
      pathWithout('tesseract');
      expect(await failure(extractText(DOC_TYPES.png.mime, rasterize(pdf, 'png')))).toBe('ocr_unavailable');
      expect(await failure(extractText(DOC_TYPES.pdf.mime, scannedPdf(rasterize(pdf, 'jpeg'))))).toBe('ocr_unavailable');
      expect((await extractText(DOC_TYPES.pdf.mime, pdf)).paragraphs).toEqual([{ text: 'Договор', page: 1 }]); // a text layer needs no OCR
      pathWithout('catdoc');
      expect(await failure(extractText(DOC_TYPES.doc.mime, docFixture(['Текст'], 'utf16')))).toBe('extract_unavailable');
      pathWithout('pdftotext');
      expect(await failure(extractText(DOC_TYPES.pdf.mime, pdf))).toBe('extract_unavailable');
    } finally {
      process.env.PATH = saved;
    }
  });
});
