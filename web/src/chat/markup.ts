/**
 * An answer's markdown as HTML that is safe to put in the page: raw HTML in the text is shown
 * as text, a link whose target is not http(s), mailto, tel or a path of this site (e.g.
 * `javascript:`) keeps only its text, and images show their description (nothing is fetched).
 * The browser also passes it through DOMPurify (components/Markdown.tsx). Then placeholders
 * such as `[PERSON_1]` become chips (the owner's own value once revealed), and a citation
 * marker `[n]` a button that opens its source, only when the answer has citation n.
 */
import { Marked } from 'marked';

const PLACEHOLDER = /\[([A-Z][A-Z_]{1,19})_(\d{1,9})(?:\.\d{1,9})?\]/g;
const CITATION = /\[(\d{1,3})\](?!\()/g;
const SAFE_SCHEME = /^(?:https?|mailto|tel):/i;

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const NAMED: Record<string, string> = { colon: ':', tab: '\t', newline: '\n' };
/** The character references a browser decodes in an attribute, as far as a scheme can hide in them. */
const decodeReferences = (s: string) => s.replace(/&(#\d+|#x[\da-f]+|colon|tab|newline);?/gi, (_, ref: string) => {
  const r = ref.toLowerCase();
  if (r[0] !== '#') return NAMED[r]!;
  const code = Number(r[1] === 'x' ? `0${r.slice(1)}` : r.slice(1));
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
});

/** Whether a link target may be followed: a safe scheme, or none (a path of this site). */
export function isSafeHref(href: string): boolean {
  // Browsers decode references ("javascript&#58;") and ignore control characters and spaces in a scheme ("java\tscript:").
  const plain = decodeReferences(href).replace(/[\p{Cc}\s]/gu, '');
  // Where a scheme would be, another reference is refused rather than guessed at.
  if (plain.split(/[/?#]/, 1)[0]!.includes('&')) return false;
  return !/^[a-z][a-z\d+.-]*:/i.test(plain) || SAFE_SCHEME.test(plain);
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    // `false`: marked's own rendering, which escapes the target and the title.
    link(token) {
      return isSafeHref(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image: ({ text }) => escapeHtml(text),
  },
});

export interface Decorations {
  /** The answer's citation numbers: only these markers become buttons. */
  citations?: ReadonlySet<number>;
  /** The owner's own values by placeholder, once revealed. */
  values?: Readonly<Record<string, string>>;
  /** A placeholder type's name in the interface's language (`PERSON` → `ФИО`); else the type. */
  labels?: Readonly<Record<string, string>>;
}

/** Chips and citation buttons, in the text between tags only (attributes and tags stay as they are). */
export function decorate(html: string, { citations = new Set(), values = {}, labels = {} }: Decorations): string {
  return html.replace(/>([^<]+)</g, (_, text: string) => `>${text
    .replace(PLACEHOLDER, (token: string, type: string, n: string) => {
      const value = values[token];
      return value === undefined
        ? `<span class="chip" title="${type}">${labels[type] ?? type.toLowerCase()} ${n}</span>`
        : `<span class="chip revealed" title="${token}">${escapeHtml(value)}</span>`;
    })
    .replace(CITATION, (marker, n: string) => (citations.has(Number(n)) ? `<button type="button" class="cite" data-cite="${n}">${n}</button>` : marker))}<`);
}

/** Markdown to safe HTML with chips and citations; `sanitize` runs between the two (DOMPurify in the browser). */
export function renderAnswer(markdown: string, decorations: Decorations = {}, sanitize: (html: string) => string = (html) => html): string {
  return decorate(sanitize(marked.parse(markdown, { async: false })), decorations);
}

/**
 * The markdown cut into blocks at blank lines, so a growing answer re-renders only its last
 * block. A cut is made only before a line that starts at the margin, outside a fenced code
 * block: an indented line after a blank one continues the block before it (a list item's
 * next paragraph), and a fence may hold blank lines.
 */
export function splitBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let blank = false;
  for (const line of markdown.split('\n')) {
    if (fence === null && blank && current.length > 0 && /^\S/.test(line)) {
      blocks.push(current.join('\n'));
      current = [];
    }
    current.push(line);
    if (fence === null) {
      fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1] ?? null;
    } else {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length) fence = null;
    }
    blank = line.trim() === '';
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}
