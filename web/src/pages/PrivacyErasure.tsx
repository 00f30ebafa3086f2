/**
 * "Удалить аккаунт": the consequences first, then the password and an explicit "I understand".
 * The API ends every session at once but for this tab's open socket, on which the erasure's
 * steps arrive (`privacy.updated`); once it is completed, or the socket is closed, the tab
 * signs out and the sign-in page says what happened.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, dropTokens } from '../lib/api';
import { useT } from '../lib/i18n';
import { leaveNotice } from '../lib/notice';
import { useSession } from '../lib/session';
import { getSocket, useSocketEvent } from '../lib/socket';
import type { PrivacyRequest } from './PrivacyExport';
import { errorText } from '../lib/problem-text';

const CONSEQUENCES = ['priv_erase1', 'priv_erase2', 'priv_erase3', 'priv_erase4', 'priv_erase5', 'priv_erase6'];
/** The erasure's steps, in the order the server runs them (core/privacy/erase.ts). */
const STEPS = ['documents', 'redis', 'stripe', 'database', 'act'] as const;

export function AccountErasure() {
  const t = useT();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [request, setRequest] = useState<PrivacyRequest | null>(null);

  useSocketEvent<{ request: PrivacyRequest }>('privacy.updated', ({ request: r }) => {
    if (r.type === 'erasure') setRequest((cur) => (cur?.id === r.id ? r : cur));
  });
  const done = request?.status === 'completed';
  useEffect(() => {
    if (!request) return;
    // The erasure has ended the sessions on the server already: a sign-out it did not hear changes nothing.
    const leave = (notice: 'erased' | 'erasing') => {
      leaveNotice(notice);
      void signOut().catch(dropTokens);
    };
    if (done) return leave('erased');
    // Closed before the end (its token ran out, the server restarted): the erasure goes on without this tab.
    const s = getSocket();
    const closed = () => leave('erasing');
    s.on('disconnect', closed);
    return () => void s.off('disconnect', closed);
  }, [Boolean(request), done]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setRequest((await api<{ request: PrivacyRequest }>('/api/privacy/erasure', { json: { password } })).request);
    } catch (err) {
      setError(errorText(err, { invalid_password: t('priv_wrongPassword') }));
      setBusy(false);
    }
  };
  if (request) {
    return (
      <section className="erasure" aria-labelledby="erasure">
        <h2 id="erasure">{t('priv_erase')}</h2>
        <div className="export-state erasure-state" role="status" data-status={request.status}>
          <b>{t(done ? 'priv_erased' : 'priv_erasing')}</b>
          {!done && <progress aria-label={t('priv_erasing')} />}
          <ul className="steps">
            {STEPS.filter((s) => request.progress[s] !== undefined).map((s) => <li key={s}>✓ {t(`priv_erased_${s}`)}</li>)}
          </ul>
        </div>
      </section>
    );
  }
  return (
    <section className="erasure" aria-labelledby="erasure">
      <h2 id="erasure">{t('priv_erase')}</h2>
      <p>{t('priv_eraseIntro')}</p>
      <ul>{CONSEQUENCES.map((k) => <li key={k}>{t(k)}</li>)}</ul>
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>{t('priv_eraseOpen')}</button>
      ) : (
        <form onSubmit={submit} className="erasure-form">
          <label>{t('priv_erasePassword')}<input name="erase-password" type="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <label className="check"><input type="checkbox" name="erase-understand" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> {t('priv_eraseUnderstand')}</label>
          {error && <p role="alert" className="error">{error}</p>}
          <p className="actions">
            <button type="submit" className="danger" disabled={busy || !understood || !password}>{t(busy ? 'priv_erasing' : 'priv_eraseConfirm')}</button>
            <button type="button" className="secondary" disabled={busy} onClick={() => { setOpen(false); setPassword(''); setUnderstood(false); setError(null); }}>{t('priv_eraseCancel')}</button>
          </p>
        </form>
      )}
    </section>
  );
}
