/**
 * Names written in Latin letters inside Russian (or English) text: a foreign party to a contract
 * ("John Smith"), a Russian name as in a passport ("IVANOV IVAN IVANOVICH"), initials ("J. Smith",
 * "Ivanov I.I."), a title ("Mr. Brown"). Knowledge comes from dict/latin-names.txt and
 * dict/latin-words.gz (general sources, bench/dlp/build-latin-names.ts), never from evaluation data.
 *
 * Capitalized Latin words next to each other (one space; a dot and a space after an initial) make
 * a run; a common English word or a title splits it. A piece of a run is a person when it has two
 * to four words and a patronymic or a first name among them with no unknown word before it (a
 * weak first name, also a common word like Will or Lada, only beside a surname, a patronymic or
 * initials); or one word with initials before it, or after it when it is a surname; or one to
 * three words after a title (then any capitalized words). "Jordan River", "Lada Granta",
 * "Skoda Octavia", "Appendix A." and "Microsoft Teams" are no one. A found name's surname alone
 * elsewhere in the text is that person too.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DetectedEntity } from '../types.js';
import { OPENING_QUOTES, isOrganisationWord } from './context.js';

const enum Cls { First, WeakFirst, Surname, WeakSurname, Patronymic, Unknown, Initial }

const FIRST = new Map<string, boolean>(); // lowercase name → strong
const SURNAMES = new Map<string, boolean>();
{
  let target = FIRST;
  for (const line of readFileSync(new URL('./dict/latin-names.txt', import.meta.url), 'utf8').split('\n')) {
    if (line.startsWith('#')) continue;
    if (line === '= surnames') target = SURNAMES;
    else for (const w of line.split(' ')) if (w) target.set(w.replace(/^\?/, '').toLowerCase(), !w.startsWith('?'));
  }
}
const WORDS = new Set(gunzipSync(readFileSync(new URL('./dict/latin-words.gz', import.meta.url))).toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')));
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'lord', 'lady', 'mister', 'madam', 'herr', 'frau', 'mme', 'mlle', 'monsieur', 'madame', 'signor', 'signora', 'senor', 'señor', 'señora']);

/** Russian surnames and patronymics as they are spelled in Latin (Ivanov, Petrovskaya, Shevchenko, Ivanovich). */
const SURNAME_SHAPE = /(?:[^aeiouy](?:ov|ova|ev|eva|yov|yova|iov|iova)|sk(?:iy|ii|y|aya|aia)|enko|shvili|dze|[^aeiou](?:in|ina|yn|yna)|[^aeiou](?:yan|ian)|(?:yuk|iuk|chuk))$/;
const PATRONYMIC_SHAPE = /(?:ovich|evich|ovna|evna|ichna)$/;

const WORD = /[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*/g;
/** Words are letters of WORD only: capitalized is a first letter that lowercasing changes (John, IVANOV, J). */
const isCap = (w: string) => w[0] !== (w[0] as string).toLowerCase();
const letterOrDigit = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

interface Token { start: number; end: number; cls: Cls | 'word' | 'title' }

function classify(word: string): Cls | 'word' | 'title' {
  const lower = word.toLowerCase();
  if (TITLES.has(lower)) return 'title';
  if (word.length === 1) return Cls.Initial;
  const parts = lower.split(/['’-]/);
  const strong = (map: Map<string, boolean>) => (map.has(lower) ? map.get(lower) : parts.length > 1 && parts.every((p) => map.has(p)) ? parts.every((p) => map.get(p)) : undefined);
  const first = strong(FIRST);
  if (first !== undefined) return first ? Cls.First : Cls.WeakFirst;
  if (lower.length >= 7 && PATRONYMIC_SHAPE.test(lower)) return Cls.Patronymic;
  const surname = strong(SURNAMES);
  if (surname !== undefined) return surname ? Cls.Surname : Cls.WeakSurname;
  if (WORDS.has(lower) || WORDS.has(lower.replace(/'s$|s$/, ''))) return 'word';
  return lower.length >= 5 && SURNAME_SHAPE.test(parts[parts.length - 1] as string) ? Cls.Surname : Cls.Unknown;
}

/** Capitalized Latin words and initials, each with what the gap before it allows (joined to the one before or not). */
function tokens(text: string): Array<Token & { joined: boolean }> {
  const out: Array<Token & { joined: boolean }> = [];
  let prevEnd = -1;
  let prevInitial = false;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    const start = m.index;
    let end = start + m[0].length;
    const word = m[0];
    if (!isCap(word) || letterOrDigit(text[start - 1]) || letterOrDigit(text[end])) {
      prevEnd = -1;
      continue;
    }
    const cls = classify(word);
    if (cls === Cls.Initial || cls === 'title') {
      if (text[end] === '.') end++;
      else if (cls === Cls.Initial) {
        prevEnd = -1; // a lone capital letter without a dot is no initial (Exhibit A)
        continue;
      }
    }
    const gap = prevEnd >= 0 ? text.slice(prevEnd, start) : undefined;
    const joined = gap === ' ' || gap === '\u00A0' || (prevInitial && gap === '');
    out.push({ start, end, cls, joined });
    prevEnd = end;
    prevInitial = cls === Cls.Initial || cls === 'title';
  }
  return out;
}

const COMPANY_AFTER = /^(?:,? (?:Inc|LLC|Ltd|Co|Corp|GmbH|AG|plc|LLP|LP|S\.A\.)\b| ?&)/;

/**
 * Whether the words around a piece make it a company's or a product's name: quoted («Morgan
 * Stanley»), after an organisation word (банк Morgan Stanley), before a company form or an
 * ampersand (Morgan Stanley & Co, Harley Davidson, Inc.).
 */
function companyAround(text: string, start: number, end: number): boolean {
  if (OPENING_QUOTES.has(text.charCodeAt(start - 1))) return true;
  if (COMPANY_AFTER.test(text.slice(end, end + 8))) return true;
  let from = start - 1;
  if (text[from] !== ' ' && text[from] !== '\u00A0') return false;
  while (from > 0 && /\p{L}/u.test(text[from - 1] as string)) from--;
  return isOrganisationWord(text.slice(from, start - 1).toLowerCase());
}

/** Whether a piece of a run (no common word or title inside) names a person. */
function isPerson(piece: Token[], titled: boolean): boolean {
  const cls = piece.map((t) => t.cls as Cls);
  const words = cls.filter((c) => c !== Cls.Initial);
  if (words.length === 0 || words.length > 4) return false;
  if (titled) return words.length <= 3 && cls[0] !== Cls.Initial;
  const has = (...c: Cls[]) => cls.some((x) => c.includes(x));
  if (words.length === 1) {
    if (!has(Cls.Initial)) return false;
    // J. Smith, I.I. Ivanov; Smith J. only when Smith is a surname (not Appendix A.).
    return cls[0] === Cls.Initial || words[0] === Cls.Surname || words[0] === Cls.WeakSurname;
  }
  // A patronymic or a first name beside anything but a weak first name (Jordan River, Lada Vesta
  // are no one), where an unknown word before the first name is a maker, not a surname (Skoda
  // Octavia; Smith John and Ivanov Ivan have theirs in the dictionary or in shape); a weak first
  // name beside a surname, a patronymic or initials (Will Smith, not Lada Granta).
  if (cls.includes(Cls.Patronymic)) return true;
  const first = cls.indexOf(Cls.First);
  if (first >= 0 && !cls.slice(0, first).includes(Cls.Unknown) && cls.some((c, i) => i !== first && c !== Cls.WeakFirst)) return true;
  return has(Cls.WeakFirst) && has(Cls.Surname, Cls.WeakSurname, Cls.Patronymic, Cls.Initial);
}

export function detectLatinPersons(text: string): DetectedEntity[] {
  if (!/[A-Z]/.test(text)) return [];
  const found: DetectedEntity[] = [];
  const all = tokens(text);
  // Lowercase surnames (any word of a found name but a first name, a patronymic or an initial).
  const surnames = new Set<string>();
  let piece: Token[] = [];
  let titled = false;
  const close = () => {
    const start = piece[0]?.start ?? 0;
    const end = piece[piece.length - 1]?.end ?? 0;
    if (piece.length > 0 && isPerson(piece, titled) && !companyAround(text, start, end)) {
      found.push({ type: 'PERSON', start, end, score: 0.85 });
      for (const t of piece) if (SURNAME_CLASSES.has(t.cls as Cls)) surnames.add(text.slice(t.start, t.end).toLowerCase());
    }
    piece = [];
    titled = false;
  };
  for (const t of all) {
    if (!t.joined) close();
    // After a title any capitalized word is a name (Dr House, Ms Jane Doe), up to three.
    if (t.cls === 'word' && titled && piece.length < 3) t.cls = Cls.Unknown;
    if (t.cls === 'word' || t.cls === 'title') {
      // A name that a common word goes on from names that thing (Victoria Park, Morgan Stanley
      // Bank), unless the word is a role or a form's label (John Smith Director, ... Title: CEO)
      // or the name has a patronymic.
      if (t.cls === 'word' && t.joined && !LABELS.has(text.slice(t.start, t.end).toLowerCase()) && !piece.some((p) => p.cls === Cls.Patronymic)) piece = [];
      const wasTitle = t.cls === 'title';
      close();
      titled = wasTitle;
      continue;
    }
    piece.push(t);
  }
  close();
  return surnames.size > 0 ? withLaterMentions(text, all, found, surnames) : found;
}

const SURNAME_CLASSES = new Set<Cls>([Cls.Surname, Cls.WeakSurname, Cls.Unknown]);

/** Words after a name that say what the person is, not what the name names. */
const LABELS = new Set([
  'director', 'manager', 'ceo', 'cfo', 'coo', 'cto', 'president', 'chairman', 'chairwoman', 'secretary', 'officer', 'partner', 'founder',
  'attorney', 'counsel', 'lawyer', 'notary', 'witness', 'agent', 'representative', 'employee', 'employer', 'contractor', 'consultant',
  'buyer', 'seller', 'lessor', 'lessee', 'landlord', 'tenant', 'customer', 'client', 'guarantor', 'borrower', 'lender', 'owner',
  'title', 'position', 'date', 'signature', 'signed', 'name', 'address', 'phone', 'email', 'passport', 'tel',
]);

/** "John Smith ... Smith agrees", "IVANOV IVAN IVANOVICH, далее IVANOV": a found surname alone elsewhere is the same person. */
function withLaterMentions(text: string, all: Token[], found: DetectedEntity[], surnames: Set<string>): DetectedEntity[] {
  const more: DetectedEntity[] = [];
  let f = 0;
  for (const t of all) {
    while (f < found.length && (found[f] as DetectedEntity).end <= t.start) f++;
    const inside = f < found.length && (found[f] as DetectedEntity).start <= t.start;
    if (!inside && t.cls !== Cls.Initial && t.cls !== 'title' && surnames.has(text.slice(t.start, t.end).toLowerCase())) {
      more.push({ type: 'PERSON', start: t.start, end: t.end, score: 0.8 });
    }
  }
  return more.length === 0 ? found : found.concat(more).sort((a, b) => a.start - b.start);
}
