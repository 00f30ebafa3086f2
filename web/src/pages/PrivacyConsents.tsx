/** Consents per purpose, granted and withdrawn here; processing is withdrawn only by erasure. */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { useFormat } from './BillingCommon';
import { errorText } from '../lib/problem-text';

interface Consent {
  purpose: 'processing' | 'ai_providers_abroad' | 'marketing';
  granted: boolean;
  version: string | null;
  updated_at: string | null;
}

export function Consents() {
  const t = useT();
  const f = useFormat();
  const [items, setItems] = useState<Consent[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void api<{ items: Consent[] }>('/api/privacy/consents').then((r) => setItems(r.items), (err) => setError(errorText(err))), []);

  const set = async (purpose: Consent['purpose'], granted: boolean) => {
    setBusy(purpose);
    setError(null);
    try {
      setItems((await api<{ items: Consent[] }>('/api/privacy/consents', { json: { purpose, granted } })).items);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const state = (c: Consent) => {
    if (!c.updated_at) return t('priv_never');
    return `${t(c.granted ? 'priv_granted' : 'priv_withdrawn')} ${t('priv_since')} ${f.date(c.updated_at)}${c.version ? ` (${t('priv_version')} ${c.version})` : ''}`;
  };
  return (
    <section aria-labelledby="consents">
      <h2 id="consents">{t('priv_consents')}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {!items && !error && <p className="muted">{t('loading')}</p>}
      <ul className="consents">
        {items?.map((c) => (
          <li key={c.purpose} data-purpose={c.purpose} data-granted={String(c.granted)}>
            <div>
              <b>{t(`priv_purpose_${c.purpose}`)}</b> — <span className={c.granted ? 'ok' : 'muted'}>{state(c)}</span>
              <p className="muted">{t(`priv_purposeHint_${c.purpose}`)}</p>
            </div>
            {c.purpose !== 'processing' && (
              <button type="button" className={c.granted ? 'secondary' : ''} disabled={busy === c.purpose} onClick={() => void set(c.purpose, !c.granted)}>
                {t(c.granted ? 'priv_withdraw' : 'priv_grant')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
