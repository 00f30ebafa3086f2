/**
 * A DOCX with every personal value replaced in place, formatting kept. Word splits a
 * paragraph's text over runs (`<w:r>`, each with its own bold, italics, font) and a value can
 * span several of them. So each paragraph's text is put together from its `<w:t>` pieces
 * (tabs and breaks included, as extraction reads it), masked whole with the document's
 * registry, and written back: the placeholder goes into the first piece the value touches,
 * the rest of the value is cut from the others; run properties are never touched. Deleted
 * (`w:delText`) and field-code (`w:instrText`) text are masked the same way, revision and
 * comment authors become `[PERSON_N]`. The rewritten text of every paragraph must equal its
 * masked text, else the export fails (closed).
 */
import { AlignmentError, replacedSpans } from './mask-export-align.js';
import { rewriteZip } from './mask-export-zip.js';

export interface DocxMasker {
  /** Masks free text with the document's registry (same placeholders as the stored text). */
  text(value: string): string;
  /** The placeholder of a value known to be a person's name (authors). */
  person(name: string): string;
}

/** Inflated size allowed for one XML part (as extraction allows for word/document.xml). */
const PART_BYTES = 50 * 1024 * 1024;

const WORD_PART = /^word\/(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/;
const RELS_PART = /^word\/_rels\/[^/]+\.rels$/;
const CORE_PART = 'docProps/core.xml';

export function maskDocx(docx: Buffer, masker: DocxMasker): Buffer {
  return rewriteZip(docx, PART_BYTES, (name) => {
    if (WORD_PART.test(name)) return (xml) => Buffer.from(maskWordXml(xml.toString('utf8'), masker), 'utf8');
    if (RELS_PART.test(name)) return (xml) => Buffer.from(maskAttributes(xml.toString('utf8'), /\sTarget="([^"]*)"/g, masker.text), 'utf8');
    if (name === CORE_PART) return (xml) => Buffer.from(maskCoreProps(xml.toString('utf8'), masker), 'utf8');
    return undefined;
  });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
  e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e.toLowerCase()]!);
const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A piece of a paragraph's text: the content of a text element, or a tab or break element. */
interface Piece {
  kind: 'text' | 'break';
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
const TOKEN = /<w:p(?:\s[^>]*)?\/>|<w:p(?:\s[^>]*)?>|<\/w:p>|<(w:t|w:delText|w:instrText)(\s[^>]*)?>([^<]*)<\/\1>|<w:(tab|br|cr)\/>|\sw:(?:author|initials)="([^"]*)"/g;

export function maskWordXml(xml: string, masker: DocxMasker): string {
  const newGroup = (): Group => ({ text: [], del: [], instr: [] });
  const done: Group[] = [];
  const open: Group[] = [newGroup()]; // the bottom one holds text outside any paragraph
  const edits: Edit[] = [];
  for (const m of xml.matchAll(TOKEN)) {
    const [whole, element, attrs = '', content, breakKind, author] = m;
    const group = open.at(-1)!;
    if (whole.startsWith('<w:p') && !whole.endsWith('/>')) open.push(newGroup());
    else if (whole === '</w:p>') {
      if (open.length > 1) done.push(open.pop()!);
    } else if (element) {
      const start = m.index + whole.length - content!.length - `</${element}>`.length;
      group[FAMILY[element]!].push({
        kind: 'text', text: decode(content!), start, end: start + content!.length,
        tagClose: start - 1, preserves: /xml:space="preserve"/.test(attrs),
      });
    } else if (breakKind) {
      group.text.push({ kind: 'break', text: breakKind === 'tab' ? '\t' : '\n', start: m.index, end: m.index + whole.length });
    } else if (author) {
      const start = m.index + whole.indexOf('"') + 1;
      edits.push({ start, end: start + author.length, text: encode(masker.person(decode(author))) });
    }
  }
  for (const group of [...done, ...open]) {
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
    if (out === p.text) return;
    if (p.kind === 'break') edits.push({ start: p.start, end: p.end, text: '' });
    else {
      edits.push({ start: p.start, end: p.end, text: encode(out) });
      if (!p.preserves && out !== out.trim()) edits.push({ start: p.tagClose!, end: p.tagClose!, text: ' xml:space="preserve"' });
    }
  });
  if (rewritten !== masked) throw new AlignmentError('a paragraph could not be rewritten to its masked text');
  return edits;
}

/** Masks the values of one attribute wherever it occurs (link targets: `mailto:` addresses). */
function maskAttributes(xml: string, attribute: RegExp, mask: (value: string) => string): string {
  const edits: Edit[] = [];
  for (const m of xml.matchAll(attribute)) {
    const value = m[1]!;
    const masked = mask(decode(value));
    if (masked === decode(value)) continue;
    const start = m.index + m[0].indexOf('"') + 1;
    edits.push({ start, end: start + value.length, text: encode(masked) });
  }
  return applyEdits(xml, edits);
}

/** The document's author and last editor are people; its title and subject are free text. */
function maskCoreProps(xml: string, masker: DocxMasker): string {
  return xml.replace(/<(dc:creator|cp:lastModifiedBy|dc:title|dc:subject|dc:description|cp:keywords)(\s[^>]*)?>([^<]*)<\/\1>/g, (whole, tag: string, attrs = '', value: string) => {
    if (!value.trim()) return whole;
    const people = tag === 'dc:creator' || tag === 'cp:lastModifiedBy';
    const masked = people ? masker.person(decode(value)) : masker.text(decode(value));
    return `<${tag}${attrs}>${encode(masked)}</${tag}>`;
  });
}

function applyEdits(xml: string, edits: Edit[]): string {
  if (!edits.length) return xml;
  // Later edits first, so earlier positions stay valid; an insertion before a replacement at the same place.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = xml;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
