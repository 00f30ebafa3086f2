/** The caller's payments, newest first; an unpaid one keeps its link to the provider's page. */
import { useT } from '../lib/i18n';
import { isOpen, PENDING_PAYMENT_KEY, useFormat, type Payment } from './BillingCommon';

export function PaymentHistory({ payments }: { payments: Payment[] }) {
  const t = useT();
  const f = useFormat();
  return (
    <section aria-labelledby="payments">
      <h2 id="payments">{t('bill_payments')}</h2>
      {payments.length === 0 ? <p className="muted">{t('bill_noPayments')}</p> : (
        <table className="payments">
          <thead>
            <tr><th scope="col">{t('bill_date')}</th><th scope="col">{t('bill_what')}</th><th scope="col">{t('bill_amount')}</th><th scope="col">{t('bill_via')}</th><th scope="col">{t('bill_status')}</th></tr>
          </thead>
          <tbody>
            {payments.map((p) => (
              <tr key={p.id} data-payment-id={p.id} data-status={p.status}>
                <td>{f.dateTime(p.created_at)}</td>
                <td>{t(`bill_kind_${p.kind}`)}</td>
                <td>{f.money(p.amount)}</td>
                <td>{p.provider === 'yookassa' ? 'ЮKassa' : p.provider === 'stripe' ? 'Stripe' : p.provider}</td>
                <td>
                  {t(`bill_pay_${p.status}`)}
                  {isOpen(p) && p.confirmation_url && <> · <a href={p.confirmation_url} onClick={() => sessionStorage.setItem(PENDING_PAYMENT_KEY, p.id)}>{t('bill_payNow')}</a></>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
