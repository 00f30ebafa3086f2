/** What the requester's and the lawyer's review pages share: the shapes, deadlines, statuses, names. */
import { useEffect, useState } from 'react';
import { Markdown } from '../components/Markdown';
import { api } from '../lib/api';
import { localeOf, useLang, useT } from '../lib/i18n';
import { useSocketEvent } from '../lib/socket';
import { errorText } from '../lib/problem-text';

export type ReviewStatus = 'pending' | 'assigned' | 'in_progress' | 'completed' | 'cancelled';
export type Verdict = 'approved' | 'corrected' | 'rejected';

export interface Review {
  id: string;
  subject: { type: 'message' | 'document'; id: string };
  status: ReviewStatus;
  urgency: 'standard' | 'urgent';
  specialization: string | null;
  comment: string | null;
  lawyer: { id: string; name: string | null } | null;
  sla: { accept_due: string | null; resolution_due: string; breached: boolean };
  result: { verdict: Verdict; comment: string | null; corrected_content: string | null } | null;
  rating: { score: number; comment: string | null } | null;
  created_at: string;
  updated_at: string;
}

export type Subject =
  | { type: 'message'; question: string | null; answer: string | null }
  | { type: 'document'; title: string | null; version: number | null; text: string | null };

export const isOpen = (r: Review) => r.status === 'pending' || r.status === 'assigned' || r.status === 'in_progress';


/** Puts a changed review in its place in a list (newest first), or at the top when it is new. */
export const upsertReview = (list: Review[], r: Review) => (list.some((x) => x.id === r.id) ? list.map((x) => (x.id === r.id ? r : x)) : [r, ...list]);

/** Dates in the interface's language. */
export function useDate(): (iso: string) => string {
  const { lang } = useLang();
  return (iso) => new Date(iso).toLocaleString(localeOf(lang), { dateStyle: 'short', timeStyle: 'short' });
}

/** The time now, ticking every second while the component lives. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function useDuration(): (ms: number) => string {
  const t = useT();
  return (ms) => {
    const s = Math.floor(ms / 1000);
    const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
    if (d) return `${d} ${t('rv_d')} ${h} ${t('rv_h')}`;
    if (h) return `${h} ${t('rv_h')} ${m} ${t('rv_min')}`;
    return `${m} ${t('rv_min')} ${String(sec).padStart(2, '0')} ${t('rv_s')}`;
  };
}

/** "Answer by 12:30 · 2 h 5 min left", or how long ago it passed. */
export function Countdown({ due, label }: { due: string; label: 'rv_acceptDue' | 'rv_resolutionDue' }) {
  const t = useT();
  const now = useNow();
  const duration = useDuration();
  const date = useDate();
  const left = new Date(due).getTime() - now;
  return (
    <span className={`countdown ${left < 0 ? 'overdue' : ''}`} data-countdown={label}>
      {t(label)} {date(due)} · {left < 0 ? `${t('rv_overdue')} ${duration(-left)}` : `${t('rv_left')} ${duration(left)}`}
    </span>
  );
}

/** The deadlines that still matter for this review, and whether its SLA is already breached. */
export function Deadlines({ review }: { review: Review }) {
  const t = useT();
  if (!isOpen(review) && !review.sla.breached) return null;
  return (
    <span className="deadlines">
      {review.status === 'assigned' && review.sla.accept_due && <Countdown due={review.sla.accept_due} label="rv_acceptDue" />}
      {isOpen(review) && <Countdown due={review.sla.resolution_due} label="rv_resolutionDue" />}
      {review.sla.breached && <span className="badge breached">{t('rv_breached')}</span>}
    </span>
  );
}

export function StatusBadge({ status }: { status: ReviewStatus }) {
  const t = useT();
  return <span className={`badge status-${status}`} data-review-status={status}>{t(`rv_status_${status}`)}</span>;
}

let specializations: Promise<Record<string, string>> | undefined;

/** Code → name of the specializations (one request per page load). */
export function useSpecializations(): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    specializations ??= api<{ items: Array<{ code: string; name: string }> }>('/api/lawyers/specializations')
      .then((r) => Object.fromEntries(r.items.map((s) => [s.code, s.name])))
      .catch((err: unknown) => {
        specializations = undefined; // try again on the next page
        throw err;
      });
    let live = true;
    specializations.then((n) => live && setNames(n), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return names;
}

/** Small facts about a review: urgency, specialization, lawyer, when it was asked. */
export function ReviewFacts({ review }: { review: Review }) {
  const t = useT();
  const names = useSpecializations();
  const date = useDate();
  return (
    <span className="review-facts muted">
      {review.urgency === 'urgent' && <span className="badge warn">{t('rv_urgent')}</span>}
      {review.specialization && <span>{t('rv_specialization')}: {names[review.specialization] ?? review.specialization}</span>}
      {review.lawyer && <span>{t('rv_lawyer')}: {review.lawyer.name ?? '—'}</span>}
      <span>{t('rv_requested')}: {date(review.created_at)}</span>
    </span>
  );
}

/** A review with its masked subject, kept live by `review.updated`. */
export function useReview(id: string): { review: Review | null; subject: Subject | null; error: string | null; setReview(r: Review): void } {
  const [data, setData] = useState<{ review: Review; subject: Subject } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    api<{ review: Review; subject: Subject }>(`/api/reviews/${id}`).then(setData, (err: unknown) => setError(errorText(err)));
  }, [id]);
  const setReview = (review: Review) => setData((d) => (d ? { ...d, review } : d));
  useSocketEvent<{ review: Review }>('review.updated', ({ review }) => review.id === id && setReview(review), [id]);
  return { review: data?.review ?? null, subject: data?.subject ?? null, error, setReview };
}

/** What is reviewed, masked: the question with the assistant's answer, or the document's text. */
export function SubjectView({ subject }: { subject: Subject }) {
  const t = useT();
  if (subject.type === 'document') {
    return (
      <section className="review-subject">
        <h2>{t('rv_document')}{subject.title ? `: ${subject.title}` : ''}</h2>
        {subject.version !== null && <p className="muted">{t('rv_version')} {subject.version}</p>}
        <div className="doc-text"><Markdown text={subject.text ?? ''} /></div>
      </section>
    );
  }
  return (
    <section className="review-subject">
      <h2>{t('rv_question')}</h2>
      <div className="message user"><Markdown text={subject.question ?? '—'} /></div>
      <h2>{t('rv_answer')}</h2>
      <div className="message assistant" data-subject="answer"><Markdown text={subject.answer ?? '—'} /></div>
    </section>
  );
}
