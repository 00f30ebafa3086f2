/**
 * An answer as markdown, made safe (web/src/chat/markup.ts, then DOMPurify) before it reaches
 * the page. Placeholders such as `[PERSON_1]` become chips (showing the owner's own value once
 * revealed); citation markers `[n]` become buttons that open their source. Each block is
 * rendered on its own and kept while its text is unchanged, so an answer that grows by a
 * delta re-renders its last block only.
 */
import DOMPurify from 'dompurify';
import { memo, useMemo, type MouseEvent } from 'react';
import { renderAnswer, splitBlocks } from '../chat/markup';

const NONE: Record<string, string> = {};
// Where there is a DOM (the browser); rendering on a server (the component tests) relies on markup.ts alone.
const sanitize = DOMPurify.isSupported ? (html: string) => DOMPurify.sanitize(html) : undefined;

const Block = memo(function Block({ text, citations, values }: { text: string; citations: ReadonlySet<number>; values: Record<string, string> }) {
  const html = useMemo(() => renderAnswer(text, { citations, values }, sanitize), [text, citations, values]);
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
});

export function Markdown({ text, citations = [], onCite, values = NONE }: { text: string; citations?: number[]; onCite?: (n: number) => void; values?: Record<string, string> }) {
  const citeKey = citations.join(',');
  // One set while the numbers are the same, so unchanged blocks are not rendered again.
  const cited = useMemo(() => new Set(citeKey ? citeKey.split(',').map(Number) : []), [citeKey]);
  const blocks = useMemo(() => splitBlocks(text), [text]);
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const cite = (e.target as HTMLElement).closest<HTMLElement>('[data-cite]');
    if (cite && onCite) onCite(Number(cite.dataset.cite));
  };
  return (
    <div className="markdown" onClick={onClick}>
      {blocks.map((block, i) => <Block key={i} text={block} citations={cited} values={values} />)}
    </div>
  );
}
