/**
 * "Скачать мои данные": a job builds the ZIP; its progress arrives as `privacy.updated`. The
 * request's id is remembered per account, so a reload still follows it and offers the file.
 */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useCount, useT } from '../lib/i18n';
import { useSession } from '../lib/session';
import { useSocketEvent } from '../lib/socket';
import { useFormat } from './BillingCommon';
import { errorText } from '../lib/problem-text';
import { downloadFile } from '../lib/download';

export interface PrivacyRequest {
  id: string;
  type: 'export' | 'erasure';
  status: 'queued' | 'running' | 'ready' | 'completed' | 'failed';
  progress: Record<string, unknown>;
  expires_at: string | null;
  error: { code: string; detail: string } | null;
}

const STEPS = ['chats', 'documents', 'files'] as const;

const saveZip = (id: string) => downloadFile(`/api/privacy/requests/${id}/download`, 'my-data.zip');

export function DataExport() {
  const t = useT();
  const count = useCount();
  const f = useFormat();
  const { user } = useSession();
  const key = `privacy.export.${user?.id}`;
  const [request, setRequest] = useState<PrivacyRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = (err: unknown) => setError(errorText(err));

  useEffect(() => {
    const id = localStorage.getItem(key);
    if (id) void api<{ request: PrivacyRequest }>(`/api/privacy/requests/${id}`).then((r) => setRequest(r.request), () => localStorage.removeItem(key));
  }, [key]);
  useSocketEvent<{ request: PrivacyRequest }>('privacy.updated', ({ request: r }) => {
    if (r.type === 'export') setRequest((cur) => (cur?.id === r.id ? r : cur));
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const { request: r } = await api<{ request: PrivacyRequest }>('/api/privacy/export', { json: {} });
      localStorage.setItem(key, r.id);
      setRequest(r);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    setBusy(true);
    setError(null);
    await saveZip(request!.id).catch(fail);
    setBusy(false);
  };
  const working = request?.status === 'queued' || request?.status === 'running';
  const expired = request?.expires_at ? new Date(request.expires_at) < new Date() : false;
  return (
    <section aria-labelledby="export">
      <h2 id="export">{t('priv_export')}</h2>
      <p>{t('priv_exportHint')}</p>
      {request && !expired && (
        <div className="export-state" role="status" data-status={request.status}>
          <b>{t(`priv_req_${request.status}`)}</b>
          {working && <progress aria-label={t(`priv_req_${request.status}`)} />}
          <ul className="steps">
            {STEPS.filter((s) => typeof request.progress[s] === 'number').map((s) => <li key={s}>✓ {count(request.progress[s] as number, `priv_step_${s}`)}</li>)}
          </ul>
          {request.error && <p className="error">{request.error.detail}</p>}
          {request.status === 'ready' && (
            <p>
              <button type="button" disabled={busy} onClick={() => void download()}>{t('priv_exportDownload')}</button>
              {request.expires_at && <span className="muted"> {t('priv_exportUntil')} {f.dateTime(request.expires_at)}</span>}
            </p>
          )}
        </div>
      )}
      {!working && <button type="button" className={request?.status === 'ready' ? 'secondary' : ''} disabled={busy} onClick={() => void start()}>{t(request ? 'priv_exportAgain' : 'priv_exportStart')}</button>}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
