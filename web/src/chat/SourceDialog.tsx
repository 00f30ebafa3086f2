/**
 * The passage a citation points at, as a non-modal dialog: it takes the focus when it opens,
 * Escape or the close button shuts it, and the focus goes back to the citation that opened it.
 */
import { useEffect, useId, useRef } from 'react';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { citationHref } from './citations';
import type { Citation } from './types';

export function SourceDialog({ source, onClose }: { source: Citation; onClose(): void }) {
  const t = useT();
  const titleId = useId();
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    return () => opener?.focus();
  }, [source]);
  return (
    <div className="source" role="dialog" aria-labelledby={titleId}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
      <button ref={closeButton} type="button" className="link" onClick={onClose}>{t('close')}</button>
      <h2 id={titleId}>[{source.n}] {source.source.title}</h2>
      <blockquote>{source.quote}</blockquote>
      <Link to={citationHref(source)}>{source.source.type === 'law' ? t('openArticle') : t('openDocument')}</Link>
    </div>
  );
}
