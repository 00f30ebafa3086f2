/**
 * Context words that tell what a bare number is. A checksum alone is not enough: about one random
 * 10-, 13-, 15- or 16-digit string in ten passes one by chance, so most identifiers are reported
 * only when a keyword of their kind is close before them.
 */

export type ContextKind =
  | 'inn'
  | 'snils'
  | 'ogrn'
  | 'card'
  | 'account'
  | 'bik'
  | 'passport'
  | 'division'
  | 'phone'
  | 'oms'
  | 'birth'
  | 'ip'
  | 'plate'
  /** Non-personal registries and legal references: a number right after one of these is theirs. */
  | 'other';

/** Lowercase keyword stems; a keyword must start a word (not be preceded by a letter). */
const KEYWORDS: ReadonlyArray<readonly [string, ContextKind]> = [
  ['инн', 'inn'], ['инн/кпп', 'inn'], ['inn', 'inn'], ['налогоплательщик', 'inn'],
  ['снилс', 'snils'], ['страхов', 'snils'], ['пенсионн', 'snils'], ['snils', 'snils'],
  ['огрн', 'ogrn'], ['ogrn', 'ogrn'], ['государственный регистрационный номер', 'ogrn'],
  ['карт', 'card'], ['card', 'card'], ['visa', 'card'], ['mastercard', 'card'], ['maestro', 'card'],
  ['р/с', 'account'], ['р/сч', 'account'], ['р\\с', 'account'], ['к/с', 'account'], ['к/сч', 'account'],
  ['л/с', 'account'], ['расчетн', 'account'], ['расчётн', 'account'], ['корр', 'account'],
  ['кор. сч', 'account'], ['лицев', 'account'], ['счет', 'account'], ['счёт', 'account'], ['сч.', 'account'],
  ['account', 'account'], ['iban', 'account'],
  ['бик', 'bik'], ['bic', 'bik'],
  ['паспорт', 'passport'], ['серия', 'passport'], ['серии', 'passport'], ['серией', 'passport'],
  ['загран', 'passport'], ['passport', 'passport'], ['удостоверяющ', 'passport'],
  ['код подразделения', 'division'], ['кодом подразделения', 'division'], ['к/п', 'division'],
  ['тел', 'phone'], ['phone', 'phone'], ['моб', 'phone'], ['сотов', 'phone'], ['звон', 'phone'],
  ['whatsapp', 'phone'], ['ватсап', 'phone'], ['вацап', 'phone'], ['telegram', 'phone'], ['факс', 'phone'],
  ['fax', 'phone'], ['viber', 'phone'], ['вайбер', 'phone'],
  ['омс', 'oms'], ['полис', 'oms'], ['медицинского страхования', 'oms'],
  ['рожд', 'birth'], ['родил', 'birth'], ['д.р.', 'birth'], ['born', 'birth'], ['birth', 'birth'], ['dob', 'birth'],
  ['ip', 'ip'], ['айпи', 'ip'], ['хост', 'ip'], ['host', 'ip'], ['сервер', 'ip'],
  ['госномер', 'plate'], ['гос. номер', 'plate'], ['гос.номер', 'plate'], ['г/н', 'plate'], ['грз', 'plate'],
  ['регистрационный знак', 'plate'], ['номерной знак', 'plate'], ['автомобил', 'plate'], ['транспортн', 'plate'],
  ['кпп', 'other'], ['окпо', 'other'], ['октмо', 'other'], ['окато', 'other'], ['оквэд', 'other'],
  ['окфс', 'other'], ['окопф', 'other'], ['окогу', 'other'], ['дело', 'other'], ['дела', 'other'],
  ['статья', 'other'], ['статьи', 'other'], ['ст.', 'other'], ['пункт', 'other'], ['п.', 'other'],
  ['часть', 'other'], ['ч.', 'other'], ['закон', 'other'], ['фз', 'other'], ['сумм', 'other'],
  ['руб', 'other'], ['кадастров', 'other'], ['договор', 'other'], ['№ а', 'other'],
  ['заказ', 'other'], ['накладн', 'other'], ['исх', 'other'], ['вх.', 'other'], ['трек', 'other'],
  ['артикул', 'other'], ['штрих', 'other'], ['инв.', 'other'], ['лот', 'other'], ['размер', 'other'],
  ['стоимост', 'other'], ['цен', 'other'], ['итого', 'other'], ['верси', 'other'], ['version', 'other'],
];

/** Short keywords that are also the start of unrelated words ("Омск", "делать"). */
const WHOLE_WORD = new Set(['inn', 'омс', 'дело', 'дела', 'фз', 'ip', 'dob', 'лот', 'исх']);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const KIND_OF = new Map(KEYWORDS);

interface TrieNode {
  next: Map<string, TrieNode>;
  /** A keyword ends here; for WHOLE_WORD ones, it must also end a word. */
  end?: 'any' | 'word';
}

/** Alternation of the keywords factored into a trie: the regex engine then branches on one character at a time. */
function trieSource(node: TrieNode): string {
  // Longer continuations first, then the end: the longest keyword wins ("инн/кпп" over "инн").
  const alts = [...node.next].map(([ch, child]) => escapeRegex(ch) + trieSource(child));
  if (node.end !== undefined) alts.push(node.end === 'word' ? '(?![a-zа-яё])' : '');
  return alts.length === 1 ? (alts[0] as string) : `(?:${alts.join('|')})`;
}

/** All keywords in one regex over the lowercased text. A keyword starts a word; the short ones in WHOLE_WORD also end one. */
const KEYWORD_RE = ((): RegExp => {
  const root: TrieNode = { next: new Map() };
  for (const k of KIND_OF.keys()) {
    let node = root;
    for (const ch of k) {
      let child = node.next.get(ch);
      if (child === undefined) node.next.set(ch, (child = { next: new Map() }));
      node = child;
    }
    node.end = WHOLE_WORD.has(k) ? 'word' : 'any';
  }
  // The leading class of first characters lets the regex engine skip most positions quickly.
  const firsts = [...root.next.keys()].map(escapeRegex).join('');
  return new RegExp(`(?=[${firsts}])(?<![a-zа-яё])${trieSource(root)}`, 'g');
})();

/** Latin, Latin-1 and Cyrillic letters; enough for word boundaries in Russian legal text. */
export function isLetterCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 0x400 && code <= 0x52f) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
}

export interface ContextHit {
  kind: ContextKind;
  /** Index of the keyword in the text. */
  start: number;
  /** Index in the text just after the keyword. */
  end: number;
}

/** Longest keyword, in characters. */
const MAX_KEYWORD = Math.max(...[...KIND_OF.keys()].map((k) => k.length));
/** Keywords are looked for per block of the text, and only in blocks some detector asks about. */
const BLOCK = 512;

/**
 * Keywords of the blocks of a text looked at so far (the blocks before its numbers, dates and
 * plates), shared by all detectors of one scan; the memo keeps the last text only.
 */
let memo: { lower: string; blocks: Array<ContextHit[] | undefined> } | undefined;

/** Keywords starting in block b of `lower`, in order. */
function blockHits(lower: string, b: number): ContextHit[] {
  if (memo?.lower !== lower) memo = { lower, blocks: [] };
  let hits = memo.blocks[b];
  if (hits !== undefined) return hits;
  hits = [];
  const from = b * BLOCK;
  // Starting MAX_KEYWORD before the block keeps the scan in step with one over the whole text (a
  // keyword may hold another at a word start inside: "инн/кпп"). A keyword starting in the block
  // ends at most MAX_KEYWORD characters after it (WHOLE_WORD looks one further).
  const offset = Math.max(0, from - MAX_KEYWORD);
  const part = lower.slice(offset, from + BLOCK + MAX_KEYWORD + 1);
  KEYWORD_RE.lastIndex = 0;
  for (let m = KEYWORD_RE.exec(part); m !== null; m = KEYWORD_RE.exec(part)) {
    const start = offset + m.index;
    if (start >= from + BLOCK) break;
    if (start >= from) hits.push({ kind: KIND_OF.get(m[0]) as ContextKind, start, end: start + m[0].length });
  }
  memo.blocks[b] = hits;
  return hits;
}

/** Per kind, a regex of its keywords anywhere (no word boundaries): a superset of its hits. */
const KIND_STEMS = new Map<ContextKind, RegExp>();
for (const kind of new Set(KIND_OF.values())) {
  const words = KEYWORDS.filter(([, k]) => k === kind).map(([w]) => escapeRegex(w));
  KIND_STEMS.set(kind, new RegExp(words.join('|')));
}

/** False when the text holds no keyword of this kind: one quick test before a detector's own scan. */
export function mayHaveKind(lower: string, kind: ContextKind): boolean {
  return (KIND_STEMS.get(kind) as RegExp).test(lower);
}

/**
 * False when no keyword of this kind lies in `[to - width, to)`: a test of those few characters
 * alone, cheaper than contextBefore (which finds the keywords of a whole block of the text).
 */
export function mayHaveKindBefore(lower: string, to: number, width: number, kind: ContextKind): boolean {
  return (KIND_STEMS.get(kind) as RegExp).test(lower.slice(Math.max(0, to - width), to));
}

/** Drops the memo, so a scanned text is not kept alive after its scan. */
export function forgetKeywords(): void {
  memo = undefined;
}

/** Keywords lying wholly in `[to - width, to)` of `lower` (the lowercased text), nearest first. */
export function contextBefore(lower: string, to: number, width = 40): ContextHit[] {
  const from = Math.max(0, to - width);
  const out: ContextHit[] = [];
  if (to <= from) return out;
  for (let b = Math.floor((to - 1) / BLOCK); b >= 0 && b >= Math.floor(from / BLOCK); b--) {
    const hits = blockHits(lower, b);
    // Hits do not overlap, so they are sorted by end too: binary search for the first ending after `to`.
    let lo = 0;
    let hi = hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((hits[mid] as ContextHit).end <= to) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      const h = hits[i] as ContextHit;
      if (h.start < from) return out;
      out.push(h);
    }
  }
  return out;
}

/** Kinds in proximity order, cut at the first non-personal keyword (it claims what follows it). */
function contextKinds(lower: string, to: number, width = 40): ContextKind[] {
  return kindsOf(contextBefore(lower, to, width));
}

/** Whether contextKinds holds `kind`; a quick test of the window first spares the block search mostly. */
export function hasContextKind(lower: string, to: number, kind: ContextKind, width = 40): boolean {
  return mayHaveKindBefore(lower, to, width, kind) && contextKinds(lower, to, width).includes(kind);
}

export function kindsOf(hits: readonly ContextHit[]): ContextKind[] {
  const kinds: ContextKind[] = [];
  for (const h of hits) {
    if (h.kind === 'other') break;
    if (!kinds.includes(h.kind)) kinds.push(h.kind);
  }
  return kinds;
}

/** Lowercases without changing length, so offsets stay valid (a few characters grow when lowercased). */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const l = (text[i] as string).toLowerCase();
    out += l.length === 1 ? l : text[i];
  }
  return out;
}

/** The nearest keyword kind before `to`, or null; unlike contextKinds it reports 'other' too. */
export function nearestKind(lower: string, to: number, width = 40): ContextKind | null {
  return contextBefore(lower, to, width)[0]?.kind ?? null;
}
