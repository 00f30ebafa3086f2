/** Sign in and sign up. Sign-up shows the current consent document and records its version. */
import { useEffect, useState, type FormEvent } from 'react';
import { useT } from '../lib/i18n';
import { useNotice } from '../lib/notice';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { errorText } from '../lib/problem-text';

interface ConsentDocument {
  version: string;
  text: string;
}

export function AuthPage({ mode }: { mode: 'login' | 'register' }) {
  const t = useT();
  const session = useSession();
  const [form, setForm] = useState({ email: '', password: '', name: '' });
  const [consent, setConsent] = useState<ConsentDocument | null>(null);
  const [agreed, setAgreed] = useState(false);
  const [showConsent, setShowConsent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = useNotice();

  useEffect(() => {
    if (mode === 'register') void fetch('/api/privacy/consent-document').then(async (r) => setConsent(await r.json()));
  }, [mode]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (mode === 'register' && !agreed) return setError(t('consentRequired'));
    setBusy(true);
    try {
      if (mode === 'login') await session.signIn(form.email, form.password);
      else await session.signUp({ email: form.email, password: form.password, ...(form.name ? { name: form.name } : {}), consent_version: consent!.version });
    } catch (err) {
      setError(errorText(err, mode === 'login' ? { unauthorized: t('badLogin'), forbidden: t('accountBlocked') } : { conflict: t('emailTaken'), validation_failed: t('signUpInvalid') }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form onSubmit={submit} className="card">
        <h1>{t('appName')}</h1>
        {notice && <p role="status" className="notice ok">{t(`notice_${notice}`)}</p>}
        {mode === 'register' && (
          <label>{t('name')}<input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="name" /></label>
        )}
        <label>{t('email')}<input name="email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoComplete="email" /></label>
        <label>{t('password')}<input name="password" type="password" required minLength={mode === 'register' ? 8 : 1} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete={mode === 'login' ? 'current-password' : 'new-password'} /></label>
        {mode === 'register' && (
          <label className="consent">
            <input type="checkbox" name="consent" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
            <span>{t('consentPrefix')} <a href="/api/privacy/consent-document" onClick={(e) => { e.preventDefault(); setShowConsent(!showConsent); }}>{t('consentLink')}</a>{consent ? ` (${consent.version})` : ''}</span>
          </label>
        )}
        {showConsent && consent && <pre className="consent-text">{consent.text}</pre>}
        {error && <p role="alert" className="error">{error}</p>}
        {/* Sign-up records the consent document's version: not before it has arrived (a quick
            submit threw on the missing document, and no account was made). */}
        <button type="submit" disabled={busy || (mode === 'register' && !consent)}>{mode === 'login' ? t('signIn') : t('signUp')}</button>
        <Link to={mode === 'login' ? '/register' : '/login'}>{mode === 'login' ? t('noAccount') : t('haveAccount')}</Link>
      </form>
    </main>
  );
}
