/** The codes of the built-in law library; articles open from search and citations. */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useCount, useT } from '../lib/i18n';
import { useFormat } from './BillingCommon';

interface Code {
  code: string;
  title: string;
  edition_date: string;
  articles: number;
}

export function LawLibraryPage() {
  const t = useT();
  const count = useCount();
  const f = useFormat();
  const [codes, setCodes] = useState<Code[] | null>(null);
  useEffect(() => {
    void api<{ items: Code[] }>('/api/law').then((r) => setCodes(r.items));
  }, []);
  if (!codes) return <p className="muted">{t('loading')}</p>;
  return (
    <div className="law-library">
      <h1>{t('lawLibrary')}</h1>
      <ul>
        {codes.map((c) => (
          <li key={c.code}>{c.title} · {count(c.articles, 'articles')} · {t('edition')} {f.day(c.edition_date)}</li>
        ))}
      </ul>
    </div>
  );
}
