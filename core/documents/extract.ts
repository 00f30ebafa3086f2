/**
 * Text extraction from a decrypted version held in memory (never written to disk). One entry,
 * `extractText`, by type: TXT in UTF-8 or Windows-1251; DOCX and ODT from their XML part;
 * RTF by our reader; DOC through `catdoc`; PDF through poppler's `pdftotext`, with OCR for
 * the pages that are scans; PNG, JPEG and TIFF through OCR. The result is paragraphs, each
 * with its page when the format has pages.
 */
import { IngestError, type Extracted, type OcrProgress, type Paragraph } from './extract-common.js';
import { docxParagraphs, odtParagraphs } from './extract-office.js';
import { rtfParagraphs } from './extract-rtf.js';
import { ocrImage, ocrPdfPages, pagesWithImages } from './ocr.js';
import { convert } from './tool.js';
import { DOC_TYPES } from './types.js';

export { IngestError, type Extracted, type OcrProgress, type Paragraph };

const SCANS: Record<string, 'png' | 'jpeg' | 'tiff'> = { [DOC_TYPES.png.mime]: 'png', [DOC_TYPES.jpeg.mime]: 'jpeg', [DOC_TYPES.tiff.mime]: 'tiff' };

/**
 * Control characters go (PostgreSQL's text refuses NUL, which RTF's `\u0`, XML's `&#0;` or a
 * converter's padding can give); whitespace runs collapse, to a tab when they hold one (table
 * cells stay apart, see table-rows.ts), and a paragraph never holds a blank line.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/g;
const clean = (s: string) => s.replace(CONTROL, '').replace(/[^\S\n]+/g, (run) => (run.includes('\t') ? '\t' : ' ')).replace(/[ \t]?\n\s*/g, '\n').trim();
const nonEmpty = (ps: Paragraph[]) => ps.map((p) => ({ ...p, text: clean(p.text) })).filter((p) => p.text);
const unpaged = (texts: string[]): Extracted => ({ paragraphs: nonEmpty(texts.map((text) => ({ text }))), pages: null });

/**
 * `ocr` is told before OCR starts and after every page, so a long scan shows progress; a
 * document that needs no OCR never calls it.
 */
export async function extractText(mime: string, bytes: Buffer, ocr: OcrProgress = async () => undefined): Promise<Extracted> {
  const type = mime.split(';')[0]!.trim();
  const scan = SCANS[type];
  if (scan) return fromPages(await ocrImage(scan, bytes, ocr));
  switch (type) {
    case DOC_TYPES.txt.mime: return unpaged(decodeText(bytes).split(/\r\n|\r|\n/));
    case DOC_TYPES.docx.mime: return unpaged(docxParagraphs(bytes));
    case DOC_TYPES.odt.mime: return unpaged(odtParagraphs(bytes));
    case DOC_TYPES.rtf.mime: return unpaged(rtfParagraphs(bytes));
    case DOC_TYPES.doc.mime: return unpaged(await docParagraphs(bytes));
    case DOC_TYPES.pdf.mime: return fromPdf(bytes, ocr);
  }
  throw new IngestError('unsupported_format', `text extraction from ${type} is not supported`);
}

/** UTF-8 when it decodes strictly, else Windows-1251 (the upload accepted nothing else as text). */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('windows-1251').decode(bytes);
  }
}

/**
 * Legacy Word through catdoc (Debian's `catdoc`, which reads Word 97+ UTF-16 text and takes
 * 8-bit Word 6/95 text as Windows-1251); a paragraph per line, as `-w` prints them.
 */
async function docParagraphs(bytes: Buffer): Promise<string[]> {
  const out = await convert('catdoc', 'catdoc', ['-w', '-s', 'cp1251', '-d', 'utf-8', '-'], bytes);
  return out.toString('utf8').split('\n');
}

/** Pages of text (pdftotext's or Tesseract's) into paragraphs: blocks between blank lines. */
function fromPages(pages: string[]): Extracted {
  const paragraphs = nonEmpty(pages.flatMap((page, i) => page.split(/\n[^\S\n]*\n/).map((block) => ({ text: block, page: i + 1 }))));
  if (!paragraphs.length) throw new IngestError('no_text', 'neither a text layer nor OCR found any text');
  return { paragraphs, pages: pages.length };
}

/** The text layer of every page; a page without one but with an image is a scan, and goes through OCR. */
async function fromPdf(pdf: Buffer, ocr: OcrProgress): Promise<Extracted> {
  const text = (await convert('pdftotext', 'poppler-utils', ['-layout', '-enc', 'UTF-8', '-', '-'], pdf)).toString('utf8');
  const pages = text.split('\f');
  if (pages.length > 1 && !pages.at(-1)!.trim()) pages.pop();
  const empty = pages.flatMap((page, i) => (page.trim() ? [] : [i + 1]));
  if (!empty.length) return fromPages(pages);
  const withImages = await pagesWithImages(pdf);
  const scanned = empty.filter((p) => withImages.has(p));
  if (scanned.length) {
    for (const [page, recognised] of await ocrPdfPages(pdf, scanned, ocr)) pages[page - 1] = recognised;
  }
  return fromPages(pages);
}
