/** "Мои данные": consents, the export of everything held, and the account's erasure. */
import { useT } from '../lib/i18n';
import { Consents } from './PrivacyConsents';
import { AccountErasure } from './PrivacyErasure';
import { DataExport } from './PrivacyExport';

export function PrivacyPage() {
  const t = useT();
  return (
    <div className="privacy">
      <h1>{t('priv_title')}</h1>
      <Consents />
      <DataExport />
      <AccountErasure />
    </div>
  );
}
