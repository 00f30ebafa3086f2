/**
 * Chunks by the legal structure of Russian documents: a paragraph that opens a section,
 * chapter or article («Раздел I», «Глава 2», «Статья 15.1») or a numbered clause of a
 * contract («3.», «3.2.») starts a new chunk; otherwise paragraphs gather until the size
 * cap, and a paragraph past the cap alone is cut at sentence or word boundaries. A title line
 * stays with what follows it rather than forming a chunk of its own. Each chunk
 * keeps its heading path (the titles of the sections it sits under), which search weights
 * above the body.
 */
import type { Paragraph } from './extract.js';

export const CHUNK_CHARS = 1500;

export interface Locator {
  page?: number;
  /** Index (from 0) of the chunk's first paragraph in the document text. */
  paragraph: number;
  /** The innermost heading or clause the chunk opens under, e.g. "Статья 2" or "3.2". */
  clause?: string;
}

export interface Chunk {
  text: string;
  /** The titles the chunk sits under, outermost first, joined by « › ». */
  heading: string;
  locator: Locator;
}

/** A short title line is a heading's name; a clause that runs on is body text, not a title. */
const TITLE_CHARS = 160;
const HEADING_LEVEL: Record<string, number> = { раздел: 1, глава: 2, параграф: 3, '§': 3, статья: 4 };

/** Nesting depth of a heading: sections above chapters above articles above clauses (3 above 3.2). */
function levelOf(heading: string): number {
  const word = heading.split(' ')[0]!.toLowerCase();
  return HEADING_LEVEL[word] ?? 5 + (heading.match(/\./g)?.length ?? 0);
}

function titleOf(paragraph: string): string | undefined {
  const line = paragraph.split('\n')[0]!.trim();
  return line.length <= TITLE_CHARS ? line : undefined;
}

/**
 * A heading paragraph that is only a title: one short line whose words after the number name
 * something («3. Предмет договора», «Статья 15»), not a sentence («2. Арендатор вносит плату.»,
 * a clause with content of its own).
 */
function isTitleParagraph(text: string): boolean {
  const line = text.trim();
  if (line.includes('\n') || !titleOf(line)) return false;
  const marker = HEADING.exec(line) ?? CLAUSE.exec(line);
  return !/[.;:!?…]$/u.test(line.slice(marker?.[0].length ?? 0).trim());
}

const HEADING = /^(Раздел|Глава|Статья|Параграф|§)\s*([0-9IVXLCDM]+(?:\.[0-9]+)*)\.?(?=\s|$)/iu;
const CLAUSE = /^(\d{1,3}(?:\.\d{1,3})*)\.(?=\s)|^(\d{1,3}(?:\.\d{1,3})+)(?=\s)/u;

/** The heading or clause a paragraph opens with, if any. */
export function headingOf(text: string): string | undefined {
  const h = HEADING.exec(text);
  if (h) return `${h[1]![0]!.toUpperCase()}${h[1]!.slice(1).toLowerCase()} ${h[2]}`;
  const c = CLAUSE.exec(text);
  return c ? (c[1] ?? c[2]) : undefined;
}

/** Cuts a text past the cap at the last sentence end (else space) before it. */
function split(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > CHUNK_CHARS) {
    const head = rest.slice(0, CHUNK_CHARS);
    const sentence = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '), head.lastIndexOf('\n'));
    const cut = sentence > CHUNK_CHARS / 2 ? sentence + 1 : head.lastIndexOf(' ') > CHUNK_CHARS / 2 ? head.lastIndexOf(' ') : CHUNK_CHARS;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

export function chunkParagraphs(paragraphs: Paragraph[]): Chunk[] {
  const chunks: Chunk[] = [];
  // titlesOnly: the chunk holds nothing but title lines so far, the last at `level`; a title is
  // not left alone, but joins the heading it is under.
  let open: { texts: string[]; size: number; heading: string; locator: Locator; titlesOnly: boolean; level: number } | undefined;
  let clause: string | undefined;
  let path: Array<{ level: number; title?: string }> = [];
  const close = () => {
    if (open) chunks.push({ text: open.texts.join('\n\n'), heading: open.heading, locator: open.locator });
    open = undefined;
  };
  const headingPath = () => path.flatMap((h) => (h.title ? [h.title] : [])).join(' › ');
  const locatorAt = (p: Paragraph, index: number): Locator => ({ ...(p.page ? { page: p.page } : {}), paragraph: index, ...(clause ? { clause } : {}) });

  paragraphs.forEach((p, index) => {
    const heading = headingOf(p.text);
    const level = heading ? levelOf(heading) : 0;
    if (heading) {
      clause = heading;
      path = [...path.filter((h) => h.level < level), { level, title: titleOf(p.text) }];
      // Under the titles so far (3.1 under «3. Предмет»): the chunk goes on, located at it; a
      // sibling or an outer heading («2.» after «1.», «Глава 2» after «1.1.») opens a chunk of
      // its own, so each clause is found where it is.
      if (open?.titlesOnly && level > open.level) {
        open.heading = headingPath();
        open.locator = { ...open.locator, clause };
        open.level = level;
      } else {
        close();
      }
    }
    const isTitle = Boolean(heading) && isTitleParagraph(p.text);
    for (const piece of split(p.text)) {
      if (open && open.size + piece.length + 2 > CHUNK_CHARS) close();
      open ??= { texts: [], size: -2, heading: headingPath(), locator: locatorAt(p, index), titlesOnly: true, level };
      open.texts.push(piece);
      open.size += piece.length + 2;
      open.titlesOnly &&= isTitle;
    }
  });
  close();
  return chunks;
}
