/**
 * Documents: drag-and-drop upload with the bytes' progress, then the ingest stages live
 * (`document.updated`), and the list with statuses.
 */
import { useCallback, useEffect, useState, type DragEvent } from 'react';
import { allPages, problemOf, withSession } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSocketEvent } from '../lib/socket';
import { errorText } from '../lib/problem-text';

export interface DocumentRow {
  id: string;
  title: string;
  status: 'uploaded' | 'processing' | 'ready' | 'failed';
  mime_type: string;
  size_bytes: number;
  version: number;
  progress: { stage: string; percent: number };
  error: { code: string; detail?: string } | null;
  created_at: string;
  updated_at: string;
}

/** The later of two states of a document: answers and live events can arrive out of order. */
export const newer = <T extends DocumentRow>(cur: T | null | undefined, next: T): T => (cur && cur.updated_at > next.updated_at ? cur : next);

/**
 * XHR rather than fetch: only it reports upload progress. Its answer is made a Response, so the
 * upload renews an expired session and reads a refusal (JSON or not) as every request does.
 */
async function uploadFile(file: File, onProgress: (percent: number) => void): Promise<DocumentRow> {
  const key = crypto.randomUUID();
  const res = await withSession((token) => new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/documents');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('idempotency-key', key);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      const retryAfter = xhr.getResponseHeader('retry-after');
      resolve(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: retryAfter ? { 'retry-after': retryAfter } : {} }));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  }));
  if (res.status !== 202) throw await problemOf(res);
  return ((await res.json()) as { document: DocumentRow }).document;
}

export function Progress({ doc }: { doc: DocumentRow }) {
  const t = useT();
  if (doc.status === 'failed') return <span className="error">{t('status_failed')}: {doc.error?.detail ?? doc.error?.code}</span>;
  if (doc.status === 'ready') return <span className="ok">{t('status_ready')}</span>;
  return (
    <span className="progress">
      <progress max={100} value={doc.progress.percent} aria-label={t(`stage_${doc.progress.stage}`)} />
      <span data-stage={doc.progress.stage}>{t(`stage_${doc.progress.stage}`)} {doc.progress.percent}%</span>
    </span>
  );
}

export function DocumentsPage() {
  const t = useT();
  const [docs, setDocs] = useState<DocumentRow[]>([]);
  const [uploads, setUploads] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const load = useCallback(async () => setDocs(await allPages<DocumentRow>('/api/documents')), []);
  useEffect(() => void load(), [load]);
  useSocketEvent<{ document: DocumentRow }>('document.updated', ({ document }) =>
    setDocs((list) => (list.some((d) => d.id === document.id) ? list.map((d) => (d.id === document.id ? newer(d, document) : d)) : [document, ...list])));

  const send = async (files: FileList | null) => {
    setError(null);
    for (const file of Array.from(files ?? [])) {
      try {
        const doc = await uploadFile(file, (p) => setUploads((u) => ({ ...u, [file.name]: p })));
        setDocs((list) => (list.some((d) => d.id === doc.id) ? list : [doc, ...list]));
      } catch (err) {
        setError(`${file.name}: ${errorText(err, { validation_failed: t('doc_uploadInvalid') })}`);
      } finally {
        setUploads(({ [file.name]: _done, ...rest }) => rest);
      }
    }
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void send(e.dataTransfer.files);
  };

  return (
    <div className="documents">
      <h1>{t('documents')}</h1>
      {/* The whole zone is the file input's label: a drop target, and by keyboard (Tab, then Enter or Space) the file picker. */}
      <label className={`dropzone ${over ? 'over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={drop}>
        {t('upload')}
        <span className="choose" aria-hidden="true">{t('chooseFile')}</span>
        <input type="file" name="file" className="visually-hidden" onChange={(e) => {
          void send(e.target.files);
          e.target.value = ''; // the same file may be chosen again
        }} />
      </label>
      {Object.entries(uploads).map(([name, p]) => (
        <p key={name} className="progress">{t('uploading')} {name} <progress max={100} value={p} /> {p}%</p>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      {docs.length === 0 && <p className="muted">{t('noDocuments')}</p>}
      <table>
        <tbody>
          {docs.map((d) => (
            <tr key={d.id} data-document-id={d.id} data-status={d.status}>
              <td><Link to={`/documents/${d.id}`}>{d.title}</Link></td>
              <td>v{d.version}</td>
              <td><Progress doc={d} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
