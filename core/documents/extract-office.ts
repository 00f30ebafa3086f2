/**
 * The zipped office formats, read in memory: DOCX (`word/document.xml`) and ODT
 * (`content.xml`). The part is inflated through `readZipEntry` with a cap, since an archive
 * can lie about its sizes.
 */
import { EXTRACT_LIMITS, IngestError } from './extract-common.js';
import { readZipEntry, ZipEntryError } from './zip.js';

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
  e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e.toLowerCase()]!);

function part(bytes: Buffer, name: string, format: string): string {
  let xml: Buffer | undefined;
  try {
    xml = readZipEntry(bytes, name, EXTRACT_LIMITS.xmlBytes);
  } catch (err) {
    if (err instanceof ZipEntryError && err.reason === 'too_large') throw new IngestError('archive_limits', err.message);
    throw new IngestError('extract_failed', `the ${format} does not open: ${(err as Error).message}`);
  }
  if (!xml) throw new IngestError('extract_failed', `the ${format} has no ${name}`);
  return xml.toString('utf8');
}

/** A paragraph per `<w:p>`: its runs of text, tabs and line breaks in document order. */
export function docxParagraphs(bytes: Buffer): string[] {
  const body = part(bytes, 'word/document.xml', 'DOCX');
  return [...body.matchAll(/<w:p[\s>][\s\S]*?<\/w:p>|<w:p\/>/g)].map(([p]) =>
    [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:(tab|br|cr)\/>/g)]
      .map((m) => (m[2] === 'tab' ? '\t' : m[2] ? '\n' : unescapeXml(m[1]!))).join(''));
}

/** ODT elements whose text is not body text: comments, deleted text kept for tracking. */
const ODT_SKIPPED = new Set(['office:annotation', 'text:tracked-changes']);

/**
 * A paragraph per `<text:p>` and `<text:h>` of the body; `<text:s text:c="N"/>` is N spaces,
 * `<text:tab/>` a tab, `<text:line-break/>` a line break. A paragraph inside another (a text
 * box anchored in it) comes out on its own, before the one that holds it.
 */
export function odtParagraphs(bytes: Buffer): string[] {
  const xml = part(bytes, 'content.xml', 'ODT');
  const body = xml.indexOf('<office:body');
  const paragraphs: string[] = [];
  const open: string[] = []; // the text of each paragraph being read, innermost last
  let skipped = 0;
  for (const m of xml.slice(Math.max(body, 0)).matchAll(/<(\/?)([\w.-]+:[\w.-]+)([^>]*?)(\/?)>|([^<]+)/g)) {
    const [, closing, tag, attrs, selfClosing, text] = m;
    if (text !== undefined) {
      if (open.length && !skipped) open[open.length - 1] += unescapeXml(text);
      continue;
    }
    if (ODT_SKIPPED.has(tag!)) {
      if (!selfClosing) skipped += closing ? -1 : 1;
      continue;
    }
    if (skipped) continue;
    if (tag === 'text:p' || tag === 'text:h') {
      if (selfClosing) paragraphs.push('');
      else if (closing) paragraphs.push(open.pop() ?? '');
      else open.push('');
      continue;
    }
    if (!open.length || closing) continue;
    if (tag === 'text:s') open[open.length - 1] += ' '.repeat(Math.min(Number(/text:c="(\d+)"/.exec(attrs!)?.[1] ?? 1), 1000));
    else if (tag === 'text:tab') open[open.length - 1] += '\t';
    else if (tag === 'text:line-break') open[open.length - 1] += '\n';
  }
  return paragraphs;
}
