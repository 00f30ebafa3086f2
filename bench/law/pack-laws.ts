/**
 * Builds the shipped law library (core/law/data/codes.json.gz) from the russian-laws snapshot
 * (public domain; ../shared/datasets/russian-laws): HTML stripped, amendment notes dropped,
 * inserted articles numbered «123.1» and «123.16-1», the edition date read from each code's preamble, and
 * the four parts of the Civil Code joined into one code. Run: npx tsx bench/law/pack-laws.ts [dir]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { LAW_CODES, type PackedArticle, type PackedCode } from '../../core/law/codes.js';

interface RawArticle { title: string; clauses: string[]; comments?: string[] }
interface RawCode { preamble: string[]; sections: Array<{ title: string; chapters: Array<{ title: string; articles: RawArticle[] }> }> }

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', laquo: '«', raquo: '»', mdash: '—', ndash: '–' };

/** Inline HTML to plain text; a superscript after a number is an inserted number (8¹ → 8.1). */
export function cleanHtml(html: string): string {
  return html
    .replace(/(\d)<span class="W9"[^>]*>(\d+(?:-\d+)?)<\/span>/g, '$1.$2')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|\w+);/g, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e] ?? m))
    .replace(/[\u00a0\s]+/g, ' ')
    .trim();
}

/** Amendment notes («(В редакции ...)», «(Параграф утратил силу ...)») are editorial, not the law's text. */
const isNote = (text: string) => /^\(.*\)$/su.test(text) && /(в редакции|утратил|дополнен|исключен|введен|изменен|признан|приостановлен)/iu.test(text);

/** The latest date named in the «(В редакции ...)» note of the preamble, as YYYY-MM-DD. */
function editionDate(preamble: string[]): string {
  const note = preamble.map(cleanHtml).find((p) => /^\(В редакции/u.test(p)) ?? '';
  const dates = [...note.matchAll(/(\d{2})\.(\d{2})\.(\d{4})/g)].map((m) => `${m[3]}-${m[2]}-${m[1]}`).sort();
  if (!dates.length) throw new Error('no edition date in the preamble');
  return dates.at(-1)!;
}

const ARTICLE = /^Статья\s+(\d+(?:\.\d+(?:-\d+)?)*)\.?\s*(.*)$/u;

function pack(dir: string, code: (typeof LAW_CODES)[number]): PackedCode {
  const articles: PackedArticle[] = [];
  let edition = '0000-00-00';
  for (const file of code.files) {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, `${file}.json`), 'utf8')) as RawCode;
    const date = editionDate(raw.preamble);
    if (date > edition) edition = date;
    for (const section of raw.sections) {
      let chapter = '';
      for (const ch of section.chapters) {
        if (ch.title) chapter = cleanHtml(ch.title);
        for (const a of ch.articles) {
          const title = cleanHtml(a.title);
          const clauses = a.clauses.map(cleanHtml).filter((c) => c && !isNote(c));
          // The Constitution marks its chapters with an untitled stub article («ГЛАВА 1»).
          if (!title && clauses.length === 1 && /^ГЛАВА\s+\d+/u.test(clauses[0]!)) {
            chapter = clauses[0]!.replace(/^ГЛАВА/u, 'Глава');
            continue;
          }
          const m = ARTICLE.exec(title);
          if (!m) continue; // final and transitional provisions without an article number
          const repealed = !clauses.length || /^Утратил[аио]? силу/u.test(m[2] ?? '');
          articles.push({
            article: m[1]!,
            title: `Статья ${m[1]}${m[2] ? `. ${m[2].replace(/\.$/, '')}` : ''}`,
            section: cleanHtml(section.title),
            chapter,
            clauses: repealed ? ['Утратила силу.'] : clauses,
          });
        }
      }
    }
  }
  return { code: code.code, title: code.title, short_title: code.short_title, edition_date: edition, articles };
}

const dir = process.argv[2] ?? path.resolve(import.meta.dirname, '../../../shared/datasets/russian-laws');
const packed = LAW_CODES.map((c) => pack(dir, c));
const out = path.resolve(import.meta.dirname, '../../core/law/data/codes.json.gz');
fs.writeFileSync(out, zlib.gzipSync(JSON.stringify(packed), { level: 9 }));
for (const c of packed) console.log(`${c.code}\t${c.edition_date}\t${c.articles.length} articles`);
console.log(`${out}: ${(fs.statSync(out).size / 1024).toFixed(0)} KB`);
