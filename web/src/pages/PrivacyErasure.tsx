/**
 * "Удалить аккаунт": the consequences first, then the password and an explicit "I understand".
 * The API ends every session at once, so the page signs out as soon as the request is taken.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, dropTokens } from '../lib/api';
import { useT } from '../lib/i18n';
import { useSession } from '../lib/session';

const CONSEQUENCES = ['priv_erase1', 'priv_erase2', 'priv_erase3', 'priv_erase4', 'priv_erase5', 'priv_erase6'];

export function AccountErasure() {
  const t = useT();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/privacy/erasure', { json: { password } });
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invalid_password' ? t('priv_wrongPassword') : (err as Error).message);
      setBusy(false);
      return;
    }
    // The erasure has ended the sessions on the server already: a sign-out it did not hear changes nothing.
    await signOut().catch(dropTokens);
  };
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
