/**
 * OCR with Tesseract (`-l rus+eng`) for scans: images (PNG, JPEG, TIFF) and the PDF pages
 * that have an image but no text layer. Everything goes over pipes (`tesseract stdin stdout`;
 * `pdftoppm` renders one page to stdout), so the decrypted bytes never touch disk. Bounded:
 * at most `OCR_LIMITS.pages` pages, a time limit per page, a pixel cap per page.
 */
import { IngestError, type OcrProgress } from './extract-common.js';
import { imagePixels } from './image-size.js';
import { convert, runTool, ToolError } from './tool.js';

export const OCR_LIMITS = {
  pages: 200,
  pageTimeoutMs: 120_000,
  /** Render resolution of a scanned PDF page, lowered for pages so large that it would pass `pixels`. */
  dpi: 300,
  /** Pixels of one page: a decompression bomb must not reach the OCR engine. */
  pixels: 80_000_000,
  /** Text Tesseract may print for one page. */
  pageTextBytes: 1024 * 1024,
};

// Tesseract starts a thread per core by default; the documents pool already runs one job per core.
const TESSERACT_ENV = { OMP_THREAD_LIMIT: '1' };
const LANGUAGES = ['rus', 'eng'];
const POPPLER = 'poppler-utils';

const unavailable = (why: string) => new IngestError('ocr_unavailable', `OCR is not available on this server: ${why}`);

/** Fails with `ocr_unavailable` unless tesseract runs and has the Russian and English data. */
async function checkTesseract(): Promise<void> {
  let listed: string;
  try {
    listed = (await runTool('tesseract', ['--list-langs'], undefined, { timeoutMs: 10_000, maxBytes: 64 * 1024 }, TESSERACT_ENV)).toString('utf8');
  } catch (err) {
    throw unavailable(err instanceof ToolError && err.reason === 'missing' ? 'tesseract is not installed (tesseract-ocr)' : 'tesseract does not run');
  }
  const langs = new Set(listed.split(/\s+/));
  const missing = LANGUAGES.filter((l) => !langs.has(l));
  if (missing.length) throw unavailable(`tesseract has no language data for ${missing.join(', ')} (tesseract-ocr-${missing[0]})`);
}

async function tesseract(image: Buffer, pages: number, dpi?: number): Promise<string> {
  const args = ['stdin', 'stdout', '-l', LANGUAGES.join('+'), ...(dpi ? ['--dpi', String(dpi)] : [])];
  try {
    const limits = { timeoutMs: OCR_LIMITS.pageTimeoutMs * pages, maxBytes: OCR_LIMITS.pageTextBytes * pages };
    return (await runTool('tesseract', args, image, limits, TESSERACT_ENV)).toString('utf8');
  } catch (err) {
    if (err instanceof ToolError && err.reason === 'missing') throw unavailable('tesseract is not installed (tesseract-ocr)');
    throw new IngestError('ocr_failed', err instanceof ToolError ? `the scan could not be recognised: ${err.message}` : 'the scan could not be recognised');
  }
}

/** The text of each page of an image; a multi-page TIFF is one Tesseract run, its pages split at form feeds. */
export async function ocrImage(type: 'png' | 'jpeg' | 'tiff', bytes: Buffer, progress: OcrProgress): Promise<string[]> {
  const { pages, pixels } = imagePixels(type, bytes);
  if (pages > OCR_LIMITS.pages) throw new IngestError('too_many_pages', `the scan has ${pages} pages; OCR reads at most ${OCR_LIMITS.pages}`);
  if (pixels > OCR_LIMITS.pixels) throw new IngestError('image_too_large', `a page has ${pixels} pixels; OCR reads at most ${OCR_LIMITS.pixels}`);
  await checkTesseract();
  await progress(0, pages);
  const text = (await tesseract(bytes, pages)).split('\f');
  if (text.length > 1 && !text.at(-1)!.trim()) text.pop();
  await progress(pages, pages);
  return text;
}

/** Page number to its size in points, from `pdfinfo`. */
async function pageSizes(pdf: Buffer, last: number): Promise<Map<number, [number, number]>> {
  const info = (await convert('pdfinfo', POPPLER, ['-f', '1', '-l', String(last), '-'], pdf)).toString('utf8');
  return new Map([...info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), [Number(m[2]), Number(m[3])]]));
}

/** The pages that hold at least one image, from `pdfimages -list`. */
export async function pagesWithImages(pdf: Buffer): Promise<Set<number>> {
  const list = (await convert('pdfimages', POPPLER, ['-list', '-'], pdf)).toString('utf8');
  return new Set([...list.matchAll(/^\s*(\d+)\s+\d+\s+\S+\s+\d+\s+\d+/gm)].map((m) => Number(m[1])));
}

/** Renders each of `pages` (1-based) with pdftoppm and recognises it; the text by page number. */
export async function ocrPdfPages(pdf: Buffer, pages: number[], progress: OcrProgress): Promise<Map<number, string>> {
  if (pages.length > OCR_LIMITS.pages) throw new IngestError('too_many_pages', `the PDF has ${pages.length} scanned pages; OCR reads at most ${OCR_LIMITS.pages}`);
  await checkTesseract();
  const sizes = await pageSizes(pdf, Math.max(...pages));
  const texts = new Map<number, string>();
  await progress(0, pages.length);
  for (const [i, page] of pages.entries()) {
    const [w, h] = sizes.get(page) ?? [612, 792];
    // The resolution that keeps the page within the pixel cap (a poster-sized page gets fewer dots per inch).
    const dpi = Math.max(Math.min(OCR_LIMITS.dpi, Math.floor(Math.sqrt(OCR_LIMITS.pixels / ((w / 72) * (h / 72))))), 1);
    // A grey PGM: one byte a pixel, nothing to compress or decompress.
    const image = await convert('pdftoppm', POPPLER, ['-f', String(page), '-l', String(page), '-r', String(dpi), '-gray', '-singlefile', '-'], pdf, { timeoutMs: OCR_LIMITS.pageTimeoutMs, maxBytes: OCR_LIMITS.pixels + 1024 });
    texts.set(page, await tesseract(image, 1, dpi));
    await progress(i + 1, pages.length);
  }
  return texts;
}
