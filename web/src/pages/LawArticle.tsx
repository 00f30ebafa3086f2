/** An article of the built-in law library, as a citation opens it. */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { errorText } from '../lib/problem-text';
import { useFormat } from './BillingCommon';

interface Article {
  code: string;
  article: string;
  title: string;
  text: string;
  edition_date: string;
}

export function LawArticlePage({ code, article }: { code: string; article: string }) {
  const t = useT();
  const f = useFormat();
  const [found, setFound] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api<Article>(`/api/law/${encodeURIComponent(code)}/${encodeURIComponent(article)}`).then(setFound, (err: unknown) => {
      // An article number that is not one (`/law/gk/99999x`) is as absent as one that is not there.
      const gone = t('lawArticleNotFound');
      setError(errorText(err, { not_found: gone, validation_failed: gone }));
    });
  }, [code, article]);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!found) return <p className="muted">{t('loading')}</p>;
  return (
    <div className="law-article">
      <button type="button" className="link" onClick={() => history.back()}>← {t('back')}</button>
      <h1>{found.title}</h1>
      <p className="muted">{t(`law_${found.code}`)} · {t('edition')} {f.day(found.edition_date)}</p>
      {found.text.split('\n').map((p, i) => <p key={i}>{p}</p>)}
    </div>
  );
}
