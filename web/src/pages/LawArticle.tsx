/** An article of the built-in law library, as a citation opens it. */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';

interface Article {
  code: string;
  article: string;
  title: string;
  text: string;
  edition_date: string;
}

export function LawArticlePage({ code, article }: { code: string; article: string }) {
  const t = useT();
  const [found, setFound] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api<Article>(`/api/law/${encodeURIComponent(code)}/${encodeURIComponent(article)}`).then(setFound, (e: Error) => setError(e.message));
  }, [code, article]);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!found) return <p className="muted">{t('loading')}</p>;
  return (
    <div className="law-article">
      <button type="button" className="link" onClick={() => history.back()}>← {t('back')}</button>
      <h1>{found.title}</h1>
      <p className="muted">{found.code.toUpperCase()} · {found.edition_date}</p>
      {found.text.split('\n').map((p, i) => <p key={i}>{p}</p>)}
    </div>
  );
}
