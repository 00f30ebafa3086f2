/**
 * RTF to paragraphs. A reader of the RTF 1.9 syntax, enough for text: control words and
 * symbols, groups, `\'hh` bytes decoded in the font's charset (`\fcharset`) or the document's
 * `\ansicpg` (Russian files often say 1252 and mean 1251 through a charset-204 font), `\uN`
 * with its `\ucN` fallback skipped, `\bin` data skipped, and the destinations that hold no
 * body text (font and colour tables, styles, info, pictures, headers, footnotes, `\*` groups)
 * left out. List numbers (`\listtext`, `\pntext`) are kept: a clause's number is its heading.
 */
import { TextDecoder } from 'node:util';

/** Destinations whose text is not the document's. */
const SKIPPED = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'themedata', 'colorschememapping', 'datastore',
  'latentstyles', 'listtable', 'listoverridetable', 'revtbl', 'rsidtbl', 'generator', 'xmlnstbl', 'filetbl',
  'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf', 'footnote', 'fldinst', 'pntxta', 'pntxtb',
]);

/** Windows code pages of the RTF font charsets (0, the ANSI charset, means the document's `\ansicpg`). */
const CHARSET_CODEPAGE: Record<number, number> = {
  77: 10000, 128: 932, 129: 949, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258, 177: 1255, 178: 1256, 186: 1257, 204: 1251, 222: 874, 238: 1250,
};

const SYMBOLS: Record<string, string> = {
  tab: '\t', line: '\n', emdash: '\u2014', endash: '\u2013', bullet: '\u2022', lquote: '\u2018', rquote: '\u2019',
  ldblquote: '\u201c', rdblquote: '\u201d', emspace: ' ', enspace: ' ', qmspace: ' ', cell: '\t',
};
const BREAKS = new Set(['par', 'row', 'sect', 'page']);

interface GroupState {
  skip: boolean;
  /** Inside the font table: `\fN` there defines font N. */
  fontTable: boolean;
  font: number | undefined;
  /** How many fallback characters follow a `\uN`. */
  uc: number;
}

const decoders = new Map<number, TextDecoder>();
function decoder(codepage: number): TextDecoder {
  let d = decoders.get(codepage);
  if (!d) {
    try {
      d = new TextDecoder(codepage === 10000 ? 'macintosh' : codepage === 932 ? 'shift_jis' : codepage === 936 ? 'gbk' : codepage === 949 ? 'euc-kr' : codepage === 950 ? 'big5' : `windows-${codepage}`);
    } catch {
      d = new TextDecoder('windows-1252');
    }
    decoders.set(codepage, d);
  }
  return d;
}

/** The paragraphs of an RTF document, in order (empty ones included; the caller drops them). */
export function rtfParagraphs(bytes: Buffer): string[] {
  const src = bytes.toString('latin1');
  const paragraphs: string[] = [];
  const fonts = new Map<number, number>();
  let ansiCodepage = 1252;
  let defaultFont: number | undefined;
  let state: GroupState = { skip: false, fontTable: false, font: undefined, uc: 1 };
  const stack: GroupState[] = [];
  let text = '';
  let pending: number[] = []; // \'hh bytes, decoded together (a double-byte charset needs pairs)
  let fallback = 0; // characters still to skip after a \uN
  let definingFont: number | undefined;

  const codepage = () => {
    const charset = fonts.get(state.font ?? defaultFont ?? -1);
    return (charset && CHARSET_CODEPAGE[charset]) || ansiCodepage;
  };
  const flush = () => {
    if (pending.length) text += decoder(codepage()).decode(Buffer.from(pending));
    pending = [];
  };
  const emit = (s: string) => {
    if (state.skip) return;
    flush();
    text += s;
  };
  const endParagraph = () => {
    flush();
    paragraphs.push(text);
    text = '';
  };

  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '{') {
      flush();
      stack.push(state);
      state = { ...state };
      i++;
      fallback = 0;
      // `{\*\dest ...}`: a destination a reader may ignore when it does not know it.
      if (src.startsWith('\\*', i)) state.skip = true;
      continue;
    }
    if (ch === '}') {
      flush();
      state = stack.pop() ?? state;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      i++;
      continue;
    }
    if (ch !== '\\') {
      i++;
      if (fallback > 0) fallback--;
      else if (ch.charCodeAt(0) < 0x80) emit(ch);
      else if (!state.skip) pending.push(ch.charCodeAt(0)); // a raw 8-bit byte: in the code page, like \'hh
      continue;
    }
    // A control symbol: a backslash and one character that is not a letter.
    const next = src[i + 1];
    if (next === undefined) break;
    if (!/[a-zA-Z]/.test(next)) {
      i += 2;
      if (next === "'") {
        const byte = parseInt(src.slice(i, i + 2), 16);
        i += 2;
        if (fallback > 0) fallback--;
        else if (!state.skip && !Number.isNaN(byte)) pending.push(byte);
        continue;
      }
      if (fallback > 0) {
        fallback--;
        continue;
      }
      if (next === '\\' || next === '{' || next === '}') emit(next);
      else if (next === '~') emit('\u00a0');
      else if (next === '_') emit('-');
      else if (next === '\r' || next === '\n') {
        if (!state.skip) endParagraph();
      }
      continue; // \- (optional hyphen), \* (handled at the group), \| and others add nothing
    }
    // A control word: letters, an optional signed number, and one optional space.
    const m = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(src.slice(i + 1, i + 48))!;
    i += 1 + m[0].length;
    const word = m[1]!;
    const param = m[2] === undefined ? undefined : Number(m[2]);
    if (word === 'bin') {
      i += Math.max(param ?? 0, 0); // binary data: skipped whole
      continue;
    }
    if (word === 'u' && param !== undefined) {
      if (!state.skip) emit(String.fromCharCode(param < 0 ? param + 65536 : param));
      fallback = state.uc;
      continue;
    }
    if (fallback > 0) {
      fallback--;
      continue;
    }
    if (word === 'uc') state.uc = Math.max(param ?? 1, 0);
    else if (word === 'ansicpg' && param) ansiCodepage = param;
    else if (word === 'deff') defaultFont = param;
    else if (word === 'fonttbl') Object.assign(state, { skip: true, fontTable: true });
    else if (word === 'f' && state.fontTable) definingFont = param;
    else if (word === 'f') {
      flush();
      state.font = param;
    } else if (word === 'fcharset' && state.fontTable && definingFont !== undefined && param !== undefined) fonts.set(definingFont, param);
    else if (word === 'plain') {
      flush();
      state.font = undefined;
    } else if (SKIPPED.has(word)) state.skip = true;
    else if (BREAKS.has(word)) {
      if (!state.skip) endParagraph();
    } else if (word in SYMBOLS) emit(SYMBOLS[word]!);
  }
  endParagraph();
  return paragraphs;
}
