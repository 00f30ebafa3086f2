/**
 * Turns a question in plain Russian into full-text query terms. PostgreSQL's `russian`
 * configuration gives each word its Snowball stem and drops stop words; on top of that, a
 * word derived from another one («расторжение» from «расторгнуть», «испытательный» from
 * «испытание») is also matched by its root as a prefix: the derivational suffix is cut off
 * and the consonant alternations of Russian word formation (ж/г/з/д, ч/к/т, щ/ст/ск, ш/х/с)
 * are tried both ways. Each term is a tsquery of its alternatives.
 */
import type { Db } from '../db/knex.js';
import { QUESTION_STEMS, THESAURUS } from './thesaurus.js';

/** Derivational suffixes of Snowball stems, longest first: verbal nouns, adjectives in -тельный, verbs in -ива-/-ова-. */
const SUFFIXES = ['ительн', 'тельн', 'ирован', 'ован', 'иван', 'ыван', 'ени', 'ани', 'нут', 'ен', 'ан', 'ива', 'ыва', 'ова', 'ну'];
/** Both ways: a noun's ж may be the verb's г (расторжение / расторгнуть), and the other way round. */
const ALTERNATIONS: Record<string, string[]> = {
  ж: ['г', 'з', 'д'], ч: ['к', 'т'], щ: ['ст', 'ск'], ш: ['х', 'с'],
  г: ['ж'], з: ['ж'], д: ['ж'], к: ['ч'], т: ['ч'], х: ['ш'], с: ['ш'],
};
/** Shorter roots match too much. */
const MIN_ROOT = 5;

export interface QueryTerm {
  /** The word as typed (lower case). */
  word: string;
  /** Its Snowball stem. */
  stem: string;
  /** Lexemes that match it exactly: the stem, and its other form when a vowel is fleeting. */
  exact: string[];
  /** Roots that match it as prefixes. */
  prefixes: string[];
  /** The law's phrase for it, as lexemes that must all occur. */
  phrase?: string[];
  /** tsquery text of all the above, as alternatives. */
  tsquery: string;
}

/** A fleeting vowel (задаток / задатка, отец / отца): both stems name the word. */
function fleetingVowel(stem: string): string[] {
  const m = /^(.{3,}[^аеёиоуыэюя])([оеё])([кцн])$/u.exec(stem);
  if (m) return [m[1]! + m[3]!];
  const n = /^(.{3,}[^аеёиоуыэюя])([кцн])$/u.exec(stem);
  return n && /[тдлрмпсвнкзб]$/u.test(n[1]!) ? [`${n[1]}о${n[2]}`] : [];
}

/** The law's words for an everyday one, as their stems (cached). */
const phraseCache = new Map<string, string[]>();
async function phraseLexemes(db: Db, phrase: string): Promise<string[]> {
  let lexemes = phraseCache.get(phrase);
  if (lexemes === undefined) {
    const { rows } = (await db.raw(`SELECT tsvector_to_array(to_tsvector('russian', ?)) AS l`, [phrase])) as { rows: Array<{ l: string[] }> };
    lexemes = rows[0]!.l;
    phraseCache.set(phrase, lexemes);
  }
  return lexemes;
}

/** Roots of a stem to match as prefixes (empty when the stem has no derivational suffix to cut). */
export function rootsOf(stem: string): string[] {
  const suffix = SUFFIXES.find((s) => stem.endsWith(s) && stem.length - s.length >= MIN_ROOT - 1);
  if (!suffix) return [];
  const root = stem.slice(0, -suffix.length);
  const last = root.at(-1)!;
  const variants = [root, ...(ALTERNATIONS[last] ?? []).map((alt) => root.slice(0, -1) + alt)];
  return [...new Set(variants)].filter((r) => r.length >= MIN_ROOT || (r.length === MIN_ROOT - 1 && ALTERNATIONS[last]));
}

const quote = (lexeme: string) => `'${lexeme.replace(/'/g, "''")}'`;

/** A word of the query with its lexemes, as `ts_debug('russian', …)` gives them (lexedWordsSql). */
export interface LexedWord {
  token: string;
  lexemes: string[];
}

/** Only the query's first characters are read. */
const QUERY_CHARS = 2000;

/**
 * SQL for the lexed words of a text expression, as a json array of LexedWord in text order
 * (stop words left out): a caller that runs a statement anyway (the reply stage reading its
 * turn) lexes the question in it, which saves the search a round trip. What
 * `ts_debug('russian', …)` gives, without calling it: ts_debug is an SQL function whose body
 * is planned again in every statement that calls it (about 1 ms). Each token of the
 * configuration's parser goes to the first dictionary mapped to its type that knows it.
 */
export const lexedWordsSql = (text: string) =>
  `(SELECT coalesce(json_agg(json_build_object('token', w.token, 'lexemes', w.lexemes) ORDER BY w.n), '[]'::json)
    FROM (SELECT p.n, p.token,
            (SELECT l.lexemes FROM (SELECT ts_lexize(m.mapdict::regdictionary, p.token) AS lexemes, m.mapseqno FROM pg_catalog.pg_ts_config_map m
               WHERE m.mapcfg = 'russian'::regconfig AND m.maptokentype = p.tokid) l
             WHERE l.lexemes IS NOT NULL ORDER BY l.mapseqno LIMIT 1) AS lexemes
          FROM ts_parse((SELECT cfgparser FROM pg_catalog.pg_ts_config WHERE oid = 'russian'::regconfig), left(${text}, ${QUERY_CHARS}))
            WITH ORDINALITY AS p (tokid, token, n)) w
    WHERE array_length(w.lexemes, 1) > 0)`;

/** The query's terms, in order, without stop words and repeats (at most `max`); `lexed`: the query already lexed (lexedWordsSql). */
export async function queryTerms(db: Db, query: string, max = 12, lexed?: LexedWord[]): Promise<QueryTerm[]> {
  const rows = lexed ?? ((await db.raw(`SELECT ${lexedWordsSql('?')} AS words`, [query])) as { rows: Array<{ words: LexedWord[] }> }).rows[0]!.words;
  const terms = new Map<string, QueryTerm>();
  for (const { token, lexemes } of rows) {
    const stem = lexemes[0]!;
    if (terms.has(stem) || QUESTION_STEMS.has(stem)) continue;
    const cyrillic = /^[а-яё]+$/u.test(stem);
    const exact = [stem, ...(cyrillic ? fleetingVowel(stem) : [])];
    const prefixes = cyrillic ? rootsOf(stem) : [];
    const phrase = THESAURUS[stem] ? await phraseLexemes(db, THESAURUS[stem]) : undefined;
    const alternatives = [...exact.map(quote), ...prefixes.map((r) => `${quote(r)}:*`), ...(phrase?.length ? [`(${phrase.map(quote).join(' & ')})`] : [])];
    terms.set(stem, {
      word: token.toLowerCase(), stem, exact, prefixes, ...(phrase?.length ? { phrase } : {}),
      tsquery: alternatives.length > 1 ? `(${alternatives.join(' | ')})` : alternatives[0]!,
    });
    if (terms.size >= max) break;
  }
  return [...terms.values()];
}
