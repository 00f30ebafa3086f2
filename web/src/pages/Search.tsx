/** One search box over the caller's documents and the built-in codes; each hit opens its article or document. */
import { useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { errorText } from '../lib/problem-text';

type Source = { type: 'document'; id: string; title: string; version: number } | { type: 'law'; code: string; article: string; title: string };
interface Hit {
  source: Source;
  chunk_id: string;
  text: string;
}
const SCOPES = ['all', 'documents', 'law'] as const;

export const sourceLink = (s: Source) => (s.type === 'law' ? `/law/${s.code}/${s.article}` : `/documents/${s.id}`);

export function SearchPage() {
  const t = useT();
  const [query, setQuery] = useState(new URLSearchParams(location.search).get('q') ?? '');
  const [scope, setScope] = useState<(typeof SCOPES)[number]>('all');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!query.trim()) return;
    setError(null);
    try {
      setHits((await api<{ items: Hit[] }>('/api/ai/search', { json: { query: query.trim(), scope, limit: 20 } })).items);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="search">
      <h1>{t('search')}</h1>
      <form onSubmit={submit} className="search-box" role="search">
        <input name="q" type="search" aria-label={t('search')} value={query} placeholder={t('searchPlaceholder')} onChange={(e) => setQuery(e.target.value)} />
        <select name="scope" aria-label={t('searchIn')} value={scope} onChange={(e) => setScope(e.target.value as (typeof SCOPES)[number])}>
          {SCOPES.map((s) => <option key={s} value={s}>{t(`searchScope_${s}`)}</option>)}
        </select>
        <button type="submit">{t('search')}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {hits?.length === 0 && <p className="muted">{t('nothingFound')}</p>}
      <ol className="hits">
        {hits?.map((h) => (
          <li key={h.chunk_id}>
            <Link to={sourceLink(h.source)}>{h.source.title}</Link>
            <p>{h.text.length > 400 ? `${h.text.slice(0, 400)}…` : h.text}</p>
          </li>
        ))}
      </ol>
    </div>
  );
}
