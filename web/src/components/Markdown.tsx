/**
 * An answer as markdown, sanitised (DOMPurify) before it reaches the page. Placeholders such
 * as `[PERSON_1]` become chips (showing the owner's own value once revealed); citation markers
 * `[n]` become buttons that open their source.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo, type MouseEvent } from 'react';

const PLACEHOLDER = /\[([A-Z][A-Z_]{1,19})_(\d{1,9})(?:\.\d{1,9})?\]/g;
const CITATION = /\[(\d{1,3})\](?!\()/g;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(markdown: string, citations: Set<number>, values: Record<string, string>): string {
  const html = DOMPurify.sanitize(marked.parse(markdown, { async: false, gfm: true, breaks: true }));
  // Only text between tags is rewritten, so attributes and code stay as they are.
  return html.replace(/>([^<]+)</g, (_, text: string) => `>${text
    .replace(PLACEHOLDER, (token: string, type: string, n: string) => {
      const value = values[token];
      return value === undefined
        ? `<span class="chip" title="${type}">${type.toLowerCase()} ${n}</span>`
        : `<span class="chip revealed" title="${token}">${escape(value)}</span>`;
    })
    .replace(CITATION, (m, n: string) => (citations.has(Number(n)) ? `<button type="button" class="cite" data-cite="${n}">${n}</button>` : m))}<`);
}

const NONE: Record<string, string> = {};

export function Markdown({ text, citations = [], onCite, values = NONE }: { text: string; citations?: number[]; onCite?: (n: number) => void; values?: Record<string, string> }) {
  const html = useMemo(() => render(text, new Set(citations), values), [text, citations, values]);
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const cite = (e.target as HTMLElement).closest<HTMLElement>('[data-cite]');
    if (cite && onCite) onCite(Number(cite.dataset.cite));
  };
  return <div className="markdown" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
