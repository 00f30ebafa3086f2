/**
 * The zipped office formats, read in memory: DOCX (`word/document.xml`) and ODT
 * (`content.xml`). The part is inflated through `readZipEntry` with a cap, since an archive
 * can lie about its sizes. A table row with text in several cells is one paragraph
 * (table-rows.ts), so masking sees a label beside its value.
 */
import { EXTRACT_LIMITS, IngestError } from './extract-common.js';
import { textRows } from './table-rows.js';
import { unescapeXml } from './xml.js';
import { readZipEntry, ZipEntryError } from './zip.js';

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

/**
 * A paragraph per `<w:p>` (its runs of text, tabs and line breaks in document order), or per
 * table row. An empty paragraph is often `<w:p w:rsidR="…"/>`: read as one, lest it run on to
 * the next paragraph over the cell and row boundaries between them.
 */
export function docxParagraphs(bytes: Buffer): string[] {
  const body = part(bytes, 'word/document.xml', 'DOCX');
  const rows = textRows();
  for (const [token, closing, element, selfClosing] of body.matchAll(/<w:p(?:\s[^>]*)?\/>|<w:p[\s>][\s\S]*?<\/w:p>|<(\/?)w:(tr|tc)(?:\s[^>]*?)?(\/?)>/g)) {
    if (!element) {
      rows.paragraph([...token.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:(tab|br|cr)\/>/g)]
        .map((m) => (m[2] === 'tab' ? '\t' : m[2] ? '\n' : unescapeXml(m[1]!))).join(''));
    } else if (!selfClosing) {
      if (element === 'tc') {
        if (!closing) rows.openCell();
      } else if (closing) rows.closeRow();
      else rows.openRow();
    }
  }
  return rows.done();
}

/** ODT elements whose text is not body text: comments, deleted text kept for tracking. */
const ODT_SKIPPED = new Set(['office:annotation', 'text:tracked-changes']);

/**
 * A paragraph per `<text:p>` and `<text:h>` of the body, or per table row; `<text:s text:c="N"/>`
 * is N spaces, `<text:tab/>` a tab, `<text:line-break/>` a line break. A paragraph inside another
 * (a text box anchored in it) comes out on its own, before the one that holds it.
 */
export function odtParagraphs(bytes: Buffer): string[] {
  const xml = part(bytes, 'content.xml', 'ODT');
  const body = xml.indexOf('<office:body');
  const rows = textRows();
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
      if (selfClosing) rows.paragraph('');
      else if (closing) rows.paragraph(open.pop() ?? '');
      else open.push('');
      continue;
    }
    if (tag === 'table:table-row' && !selfClosing) {
      if (closing) rows.closeRow();
      else rows.openRow();
      continue;
    }
    if ((tag === 'table:table-cell' || tag === 'table:covered-table-cell') && !closing) {
      rows.openCell();
      continue;
    }
    if (!open.length || closing) continue;
    if (tag === 'text:s') open[open.length - 1] += ' '.repeat(Math.min(Number(/text:c="(\d+)"/.exec(attrs!)?.[1] ?? 1), 1000));
    else if (tag === 'text:tab') open[open.length - 1] += '\t';
    else if (tag === 'text:line-break') open[open.length - 1] += '\n';
  }
  return rows.done();
}
