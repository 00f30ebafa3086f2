/**
 * A DOCX with every personal value replaced in place, formatting kept. Word splits a
 * paragraph's text over runs (`<w:r>`, each with its own bold, italics, font) and a value can
 * span several of them. So each paragraph's text is put together from its `<w:t>` pieces
 * (tabs and breaks included, as extraction reads it), masked whole with the document's
 * registry, and written back: the placeholder goes into the first piece the value touches,
 * the rest of the value is cut from the others; run properties are never touched. A table
 * row with text in several cells is masked as one text, as extraction reads it
 * (table-rows.ts), and each cell keeps its own part. Deleted (`w:delText`) and field-code
 * (`w:instrText`) text are masked the same way, revision and comment authors become
 * `[PERSON_N]`, pictures' alt text, hyperlink tooltips and simple fields' codes are masked.
 * The rewritten text of every paragraph must equal its masked text, else the export fails
 * (closed). The package's other parts: see
 * masked-docx-props.ts (properties, people, variables, customXml data stores) and
 * masked-pictures.ts (pictures, embedded objects, macros).
 */
import { AlignmentError, replacedSpans } from './mask-export-align.js';
import { rewriteZip } from './mask-export-zip.js';
import { dropDocVars, emptyCustomProps, emptyDataStore, maskAppProps, maskCoreProps, maskPeople } from './masked-docx-props.js';
import { contentTypes, neutralPart } from './masked-pictures.js';
import { TableRows } from './table-rows.js';
import { escapeXml, unescapeXml } from './xml.js';
import { readZipEntry } from './zip.js';

export interface DocxMasker {
  /** Masks free text with the document's registry (same placeholders as the stored text). */
  text(value: string): string;
  /** The placeholder of a value known to be a person's name (authors). */
  person(name: string): string;
}

/** Inflated size allowed for one XML part (as extraction allows for word/document.xml). */
const PART_BYTES = 50 * 1024 * 1024;

/** The main document, its headers, notes and comments, and the same in the glossary (building blocks). */
const WORD_PART = /^word\/(?:glossary\/)?(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/;
const RELS_PART = /^word\/(?:glossary\/)?_rels\/[^/]+\.rels$/;
/**
 * Free text in attributes: alt text of pictures and shapes (DrawingML `descr`/`title`, VML
 * `alt`/`o:title`), hyperlinks' tooltips (`w:hyperlink`, DrawingML `a:hlinkClick`), a simple
 * field's code (`w:fldSimple w:instr`, as `HYPERLINK "mailto:…"`), a content control's list
 * items (`w:listItem`) and a legacy form field's default, help and status text (their `w:val`).
 */
const ATTRIBUTE_TEXT = /\s(?:descr|title|alt|o:title|w:tooltip|tooltip|w:instr|w:displayText|w:value)="([^"]*)"|<w:(?:default|helpText|statusText)\b[^>]*?\sw:val="([^"]*)"/dg;
/**
 * Charts and SmartArt diagrams: Word draws their text from the part itself (DrawingML runs
 * `a:t`, a chart's cached labels and values `c:v`/`cx:v`), not from the body or the emptied
 * workbook behind a chart.
 */
const DRAWING_PART = /^word\/(?:charts|diagrams)\/[^/]+\.xml$/;
const DRAWING_TEXT = /<(a:t|c:v|cx:v)(?:\s[^>]*)?>([^<]*)<\/\1>/dg;
/**
 * Parts Word pours into the body as they are (`w:altChunk`: HTML, MHT, RTF or plain text):
 * their text cannot be masked in place, so the export refuses them instead of copying them.
 */
const CHUNK_TYPES = new Set(['text/html', 'application/xhtml+xml', 'message/rfc822', 'application/rtf', 'text/rtf', 'text/plain']);
/** A date content control's full date (a birth date whose shown text is masked): dropped, it is optional. */
const CONTROL_DATE = /\sw:fullDate="[^"]*"/g;
const DATA_STORE = /^customXml\/item\d+\.xml$/;

type Rewrite = (xml: string, masker: DocxMasker) => string;

const XML_PARTS: Record<string, Rewrite> = {
  'docProps/core.xml': maskCoreProps,
  'docProps/app.xml': maskAppProps,
  'docProps/custom.xml': emptyCustomProps,
  'word/people.xml': maskPeople,
  'word/settings.xml': dropDocVars,
};

function rewriteOf(name: string): Rewrite | undefined {
  if (WORD_PART.test(name)) return (xml, masker) => maskCaptured(maskWordXml(xml, masker), ATTRIBUTE_TEXT, masker.text).replace(CONTROL_DATE, '');
  if (RELS_PART.test(name)) return (xml, masker) => maskCaptured(xml, /\sTarget="([^"]*)"/dg, masker.text);
  if (DRAWING_PART.test(name)) return (xml, masker) => maskCaptured(maskCaptured(xml, DRAWING_TEXT, masker.text), ATTRIBUTE_TEXT, masker.text);
  if (DATA_STORE.test(name)) return emptyDataStore;
  return XML_PARTS[name];
}

/** The DOCX holds a part whose text cannot be masked in place (an embedded HTML or RTF chunk). */
export class UnmaskablePartError extends Error {
  override name = 'UnmaskablePartError';
}

export function maskDocx(docx: Buffer, masker: DocxMasker): Buffer {
  const typeOf = contentTypes(readZipEntry(docx, '[Content_Types].xml', PART_BYTES)?.toString('utf8') ?? '');
  return rewriteZip(docx, PART_BYTES, (name) => {
    const type = typeOf(name);
    if (type && CHUNK_TYPES.has(type.split(';')[0]!.trim())) throw new UnmaskablePartError(`${type} inside the document (an embedded chunk)`);
    const neutral = neutralPart(name, type);
    if (neutral) return neutral;
    const rewrite = rewriteOf(name);
    return rewrite && ((xml) => Buffer.from(rewrite(xml.toString('utf8'), masker), 'utf8'));
  });
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * A piece of a paragraph's text: the content of a text element, a tab or break element, or
 * (join) the boundary between a row's cells or a cell's paragraphs, which has no XML.
 */
interface Piece {
  kind: 'text' | 'break' | 'join';
  text: string;
  /** Text: the content's range in the XML; break: the element's. */
  start: number;
  end: number;
  /** Text: where the open tag's `>` is, and whether it already preserves spaces. */
  tagClose?: number;
  preserves?: boolean;
}

type Family = 'text' | 'del' | 'instr';
type Group = Record<Family, Piece[]>;

const FAMILY: Record<string, Family> = { 'w:t': 'text', 'w:delText': 'del', 'w:instrText': 'instr' };
const TOKEN = /<w:p(?:\s[^>]*)?\/>|<w:p(?:\s[^>]*)?>|<\/w:p>|<(w:t|w:delText|w:instrText)(\s[^>]*)?>([^<]*)<\/\1>|<w:(tab|br|cr)\/>|\sw:(?:author|initials)="([^"]*)"|<(\/?)w:(tr|tc)(?:\s[^>]*?)?(\/?)>/g;

const newGroup = (): Group => ({ text: [], del: [], instr: [] });
const hasText = (pieces: Piece[]) => pieces.some((p) => p.text.trim() !== '');

/** The paragraphs of a row (or a cell) as one, `separator` between those with text, family by family. */
function joinGroups(groups: Group[], separator: string): Group {
  const joined = newGroup();
  for (const family of Object.keys(joined) as Family[]) {
    for (const pieces of groups.map((g) => g[family]).filter(hasText)) {
      if (joined[family].length) joined[family].push({ kind: 'join', text: separator, start: -1, end: -1 });
      joined[family].push(...pieces);
    }
  }
  return joined;
}

export function maskWordXml(xml: string, masker: DocxMasker): string {
  const rows = new TableRows<Group>({ hasText: (g) => Object.values(g).some(hasText), join: joinGroups });
  const open: Group[] = [newGroup()]; // the bottom one holds text outside any paragraph
  const edits: Edit[] = [];
  for (const m of xml.matchAll(TOKEN)) {
    const [whole, element, attrs = '', content, breakKind, author, closing, tableElement, selfClosing] = m;
    const group = open.at(-1)!;
    if (tableElement) {
      if (selfClosing) continue;
      if (tableElement === 'tc') {
        if (!closing) rows.openCell();
      } else if (closing) rows.closeRow();
      else rows.openRow();
    } else if (whole.startsWith('<w:p') && !whole.endsWith('/>')) open.push(newGroup());
    else if (whole === '</w:p>') {
      if (open.length > 1) rows.paragraph(open.pop()!);
    } else if (element) {
      const start = m.index + whole.length - content!.length - `</${element}>`.length;
      group[FAMILY[element]!].push({
        kind: 'text', text: unescapeXml(content!), start, end: start + content!.length,
        tagClose: start - 1, preserves: /xml:space="preserve"/.test(attrs),
      });
    } else if (breakKind) {
      group.text.push({ kind: 'break', text: breakKind === 'tab' ? '\t' : '\n', start: m.index, end: m.index + whole.length });
    } else if (author) {
      const start = m.index + whole.indexOf('"') + 1;
      edits.push({ start, end: start + author.length, text: escapeXml(masker.person(unescapeXml(author))) });
    }
  }
  for (const group of [...rows.done(), ...open]) {
    for (const pieces of Object.values(group)) edits.push(...maskPieces(pieces, masker));
  }
  return applyEdits(xml, edits);
}

/** Masks one paragraph's pieces as one text; returns the edits that write the result back. */
function maskPieces(pieces: Piece[], masker: DocxMasker): Edit[] {
  const original = pieces.map((p) => p.text).join('');
  if (!original) return [];
  const masked = masker.text(original);
  if (masked === original) return [];
  const spans = replacedSpans(original, masked);
  const offsets: number[] = [];
  pieces.reduce((at, p) => (offsets.push(at), at + p.text.length), 0);
  // The placeholder goes into the first text piece the value touches.
  const home = spans.map((s) => pieces.findIndex((p, i) => p.kind === 'text' && offsets[i]! < s.end && offsets[i]! + p.text.length > s.start));

  const edits: Edit[] = [];
  let rewritten = '';
  pieces.forEach((p, i) => {
    const from = offsets[i]!;
    const to = from + p.text.length;
    let out = '';
    let cur = from;
    spans.forEach((s, k) => {
      if (s.end <= from || s.start >= to) return;
      out += original.slice(cur, Math.max(s.start, from));
      if (home[k] === i) out += s.placeholder;
      cur = Math.min(s.end, to);
    });
    out += original.slice(cur, to);
    rewritten += out;
    // A join is a cell's or paragraph's boundary: it stays, and a value across it is cut on both sides.
    if (out === p.text || p.kind === 'join') return;
    if (p.kind === 'break') edits.push({ start: p.start, end: p.end, text: '' });
    else {
      edits.push({ start: p.start, end: p.end, text: escapeXml(out) });
      if (!p.preserves && out !== out.trim()) edits.push({ start: p.tagClose!, end: p.tagClose!, text: ' xml:space="preserve"' });
    }
  });
  if (rewritten !== masked) throw new AlignmentError('a paragraph could not be rewritten to its masked text');
  return edits;
}

/**
 * Masks the text `pattern` (flags `dg`) captures wherever it occurs: attribute values (link
 * targets: `mailto:` addresses) or element contents. The text is the last group that took
 * part (an earlier one may name the element).
 */
function maskCaptured(xml: string, pattern: RegExp, mask: (value: string) => string): string {
  const edits: Edit[] = [];
  for (const m of xml.matchAll(pattern)) {
    const group = m.findLastIndex((g, i) => i > 0 && g !== undefined);
    const value = m[group]!;
    const masked = mask(unescapeXml(value));
    if (masked === unescapeXml(value)) continue;
    const [start, end] = m.indices![group]!;
    edits.push({ start, end, text: escapeXml(masked) });
  }
  return applyEdits(xml, edits);
}

function applyEdits(xml: string, edits: Edit[]): string {
  if (!edits.length) return xml;
  // Later edits first, so earlier positions stay valid; an insertion before a replacement at the same place.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = xml;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
