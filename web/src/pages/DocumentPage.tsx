/** One document: its live status, the masked text, the analysis with risks linked to their clauses, versions, download and delete. */
import { useEffect, useState } from 'react';
import { Markdown } from '../components/Markdown';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link, navigate } from '../lib/router';
import { useSocketEvent } from '../lib/socket';
import { DocumentAnalysis, type Analysis, type AnalysisStatus } from './DocumentAnalysis';
import { newer, Progress, type DocumentRow } from './Documents';
import { downloadFile } from '../lib/download';
import { errorText } from '../lib/problem-text';

type Doc = DocumentRow & { analysis: Analysis | null; analysis_status: AnalysisStatus | null };
interface Version {
  version: number;
  size_bytes: number;
  created_at: string;
}

const download = (id: string, version: number) => downloadFile(`/api/documents/${id}/download?version=${version}`, 'document');

export function DocumentPage({ id }: { id: string }) {
  const t = useT();
  const [doc, setDoc] = useState<Doc | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(errorText(err));
  // The analyze answer can arrive after the live event of its own run's end.
  const update = (next: Doc) => setDoc((cur) => newer(cur, next));

  useEffect(() => {
    void api<Doc>(`/api/documents/${id}`).then(update, fail);
    void api<{ items: Version[] }>(`/api/documents/${id}/versions`).then((v) => setVersions(v.items), fail);
  }, [id]);
  useEffect(() => {
    if (doc?.status === 'ready') void api<{ text: string }>(`/api/documents/${id}/text`).then((r) => setText(r.text), fail);
  }, [id, doc?.status, doc?.version]);
  useSocketEvent<{ document: Doc }>('document.updated', ({ document }) => document.id === id && update(document), [id]);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!doc) return <p className="muted">{t('loading')}</p>;
  const remove = async () => {
    if (!confirm(t('confirmDelete'))) return;
    await api(`/api/documents/${id}`, { method: 'DELETE' }).then(() => navigate('/documents'), fail);
  };
  return (
    <div className="document">
      <Link to="/documents">← {t('back')}</Link>
      <h1>{doc.title}</h1>
      <p><Progress doc={doc} /></p>
      <p className="actions">
        <button type="button" onClick={() => void download(id, doc.version).catch(fail)}>{t('download')}</button>
        {doc.status === 'ready' && <button type="button" onClick={() => void api<{ document: Doc }>(`/api/documents/${id}/analyze`, { json: {} }).then((r) => update(r.document), fail)}>{t('analyze')}</button>}
        <button type="button" className="danger" onClick={() => void remove()}>{t('delete')}</button>
      </p>
      {(doc.analysis || doc.analysis_status) && <DocumentAnalysis analysis={doc.analysis} status={doc.analysis_status} textVersion={doc.version} />}
      <section>
        <h2>{t('versions')}</h2>
        <ul>{versions.map((v) => <li key={v.version}>v{v.version} · {(v.size_bytes / 1024).toFixed(1)} KB · {new Date(v.created_at).toLocaleString()} <button type="button" className="link" onClick={() => void download(id, v.version).catch(fail)}>{t('download')}</button></li>)}</ul>
      </section>
      {text !== null && (
        <section>
          <h2>{t('text')}</h2>
          {/* Paragraphs as stored (a blank line between them), numbered from 1 as the analysis names them ("абз. N"). */}
          <div className="doc-text">{text.split('\n\n').map((p, i) => (
            <div key={i} id={`p-${i + 1}`}>{p.split('\n').map((line, j) => <Markdown key={j} text={line} />)}</div>
          ))}</div>
        </section>
      )}
    </div>
  );
}
