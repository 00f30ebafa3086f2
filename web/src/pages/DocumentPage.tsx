/** One document: its live status, the masked text, the analysis with risks linked to their clauses, versions, download and delete. */
import { useEffect, useState } from 'react';
import { Markdown } from '../components/Markdown';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link, navigate } from '../lib/router';
import { useSocketEvent } from '../lib/socket';
import { Progress, type DocumentRow } from './Documents';
import { downloadFile } from '../lib/download';

interface Locator {
  page?: number;
  paragraph?: number;
  clause?: string;
}
interface Analysis {
  summary: string;
  parties: string[];
  key_terms: Array<{ term: string; value: string; locator?: Locator }>;
  risks: Array<{ severity: 'low' | 'medium' | 'high'; text: string; locator?: Locator }>;
}
type Doc = DocumentRow & { analysis: Analysis | null };
interface Version {
  version: number;
  size_bytes: number;
  created_at: string;
}

const where = (l?: Locator) => [l?.clause && `п. ${l.clause}`, l?.page && `стр. ${l.page}`, l?.paragraph && `абз. ${l.paragraph}`].filter(Boolean).join(', ');
const anchor = (l?: Locator) => (l?.paragraph ? `#p-${l.paragraph}` : '');

const download = (id: string, version: number) => downloadFile(`/api/documents/${id}/download?version=${version}`, 'document');

export function DocumentPage({ id }: { id: string }) {
  const t = useT();
  const [doc, setDoc] = useState<Doc | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(err instanceof Error ? err.message : String(err));

  useEffect(() => {
    void api<Doc>(`/api/documents/${id}`).then(setDoc, fail);
    void api<{ items: Version[] }>(`/api/documents/${id}/versions`).then((v) => setVersions(v.items), fail);
  }, [id]);
  useEffect(() => {
    if (doc?.status === 'ready') void api<{ text: string }>(`/api/documents/${id}/text`).then((r) => setText(r.text), fail);
  }, [id, doc?.status, doc?.version]);
  useSocketEvent<{ document: Doc }>('document.updated', ({ document }) => document.id === id && setDoc(document), [id]);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!doc) return <p className="muted">{t('loading')}</p>;
  const remove = async () => {
    if (!confirm(t('confirmDelete'))) return;
    await api(`/api/documents/${id}`, { method: 'DELETE' }).then(() => navigate('/documents'), fail);
  };
  return (
    <main className="document">
      <Link to="/documents">← {t('back')}</Link>
      <h1>{doc.title}</h1>
      <p><Progress doc={doc} /></p>
      <p className="actions">
        <button type="button" onClick={() => void download(id, doc.version).catch(fail)}>{t('download')}</button>
        {doc.status === 'ready' && <button type="button" onClick={() => void api<Doc>(`/api/documents/${id}/analyze`, { json: {} }).then(setDoc, fail)}>{t('analyze')}</button>}
        <button type="button" className="danger" onClick={() => void remove()}>{t('delete')}</button>
      </p>
      {doc.analysis && (
        <section className="analysis">
          <h2>{t('analysis')}</h2>
          <h3>{t('summary')}</h3>
          <Markdown text={doc.analysis.summary} />
          <h3>{t('parties')}</h3>
          <ul>{doc.analysis.parties.map((p) => <li key={p}><Markdown text={p} /></li>)}</ul>
          <h3>{t('keyTerms')}</h3>
          <ul>{doc.analysis.key_terms.map((k, i) => <li key={i}><b>{k.term}</b>: {k.value} <a href={anchor(k.locator)}>{where(k.locator)}</a></li>)}</ul>
          <h3>{t('risks')}</h3>
          <ul>{doc.analysis.risks.map((r, i) => <li key={i} className={`risk ${r.severity}`}>{r.text} <a href={anchor(r.locator)}>{where(r.locator)}</a></li>)}</ul>
        </section>
      )}
      <section>
        <h2>{t('versions')}</h2>
        <ul>{versions.map((v) => <li key={v.version}>v{v.version} · {(v.size_bytes / 1024).toFixed(1)} KB · {new Date(v.created_at).toLocaleString()} <button type="button" className="link" onClick={() => void download(id, v.version).catch(fail)}>{t('download')}</button></li>)}</ul>
      </section>
      {text !== null && (
        <section>
          <h2>{t('text')}</h2>
          <div className="doc-text">{text.split('\n').map((p, i) => <div key={i} id={`p-${i + 1}`}><Markdown text={p} /></div>)}</div>
        </section>
      )}
    </main>
  );
}
