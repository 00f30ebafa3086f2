/** What the plan pages share: the API's shapes and how money, sizes and dates read. */
import { localeOf, useLang } from '../lib/i18n';

export interface Money {
  amount: number; // minor units (kopecks, cents)
  currency: string;
}
export interface Limits {
  messages_per_day: number;
  documents_per_month: number;
  storage_mb: number;
  reviews_per_month: number;
}
export interface Plan {
  code: string;
  name: string;
  price: Money;
  interval: string;
  limits: Limits;
}
export type ProviderName = 'yookassa' | 'stripe';
export interface Me {
  subscription: { id: string; plan_code: string; status: string; provider: string; price: { amount: number; currency: string }; current_period_end: string | null; cancel_at_period_end: boolean } | null;
  plan: Plan;
  usage: { messages_today: number; documents_this_period: number; storage_mb: number; reviews_this_period: number; period_end: string };
}
export interface Payment {
  id: string;
  provider: string;
  kind: 'initial' | 'renewal';
  status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled' | 'refunded';
  amount: Money;
  confirmation_url: string | null;
  created_at: string;
}

/** The payment the browser left to pay, so the return page knows which one to follow. */
export const PENDING_PAYMENT_KEY = 'billing.pendingPayment';
export const isOpen = (p: Payment) => p.status === 'pending' || p.status === 'waiting_for_capture';

export function useFormat() {
  const { lang } = useLang();
  const locale = localeOf(lang);
  return {
    money: (m: Money) => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency, maximumFractionDigits: m.amount % 100 ? 2 : 0 }).format(m.amount / 100),
    date: (iso: string) => new Date(iso).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric' }),
    /** A calendar day (`YYYY-MM-DD`, an edition date) as written there, the same day in every time zone. */
    day: (ymd: string) => new Date(`${ymd}T00:00:00Z`).toLocaleDateString(locale, { timeZone: 'UTC' }),
    dateTime: (iso: string) => new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    size: (mb: number) => (mb >= 1024 ? `${+(mb / 1024).toFixed(1)} ${lang === 'ru' ? 'ГБ' : 'GB'}` : `${+mb.toFixed(1)} ${lang === 'ru' ? 'МБ' : 'MB'}`),
  };
}

