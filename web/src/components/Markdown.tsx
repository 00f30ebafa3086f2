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
import { useLang, useT } from '../lib/i18n';

const NONE: Record<string, string> = {};
// Where there is a DOM (the browser); rendering on a server (the component tests) relies on markup.ts alone.
const sanitize = DOMPurify.isSupported ? (html: string) => DOMPurify.sanitize(html) : undefined;

/** The personal-data types a placeholder names (API.md), each with its name in `i18n/chat.ts`. */
const PII_TYPES = ['PERSON', 'PHONE', 'EMAIL', 'INN', 'SNILS', 'OGRN', 'OGRNIP', 'PASSPORT', 'CARD', 'BANK_ACCOUNT', 'BIK', 'OMS_POLICY', 'VEHICLE_PLATE', 'BIRTH_DATE', 'ADDRESS', 'IP_ADDRESS'];

/** Placeholder names in the interface's language, one object per language. */
function useLabels(): Record<string, string> {
  const { lang } = useLang();
  const t = useT();
  // Made again when the language changes (`t` is a new function each render, its strings are not).
  return useMemo(() => Object.fromEntries(PII_TYPES.map((type) => [type, t(`pii_${type}`)])), [lang]);
}

const Block = memo(function Block({ text, citations, values, labels }: { text: string; citations: ReadonlySet<number>; values: Record<string, string>; labels: Record<string, string> }) {
  const html = useMemo(() => renderAnswer(text, { citations, values, labels }, sanitize), [text, citations, values, labels]);
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
});

export function Markdown({ text, citations = [], onCite, values = NONE }: { text: string; citations?: number[]; onCite?: (n: number) => void; values?: Record<string, string> }) {
  const citeKey = citations.join(',');
  // One set while the numbers are the same, so unchanged blocks are not rendered again.
  const cited = useMemo(() => new Set(citeKey ? citeKey.split(',').map(Number) : []), [citeKey]);
  const blocks = useMemo(() => splitBlocks(text), [text]);
  const labels = useLabels();
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const cite = (e.target as HTMLElement).closest<HTMLElement>('[data-cite]');
    if (cite && onCite) onCite(Number(cite.dataset.cite));
  };
  return (
    <div className="markdown" onClick={onClick}>
      {blocks.map((block, i) => <Block key={i} text={block} citations={cited} values={values} labels={labels} />)}
    </div>
  );
}
