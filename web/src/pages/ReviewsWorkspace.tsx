/**
 * The lawyer's workspace: their profile (what they take and how much at once) and the queue of
 * reviews assigned to them with the deadlines, accept or decline; kept live by `review.updated`
 * (a review lost to the accept deadline leaves the queue) and `review.reminder`.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { allPages, api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useSocketEvent } from '../lib/socket';
import { Deadlines, isOpen, ReviewFacts, StatusBadge, upsertReview, useDate, useSpecializations, type Review } from './ReviewsCommon';
import { errorText } from '../lib/problem-text';

interface Lawyer {
  specializations: string[];
  capacity: number;
  accepting: boolean;
  active_reviews: number;
  avg_rating: number | null;
}

export function ReviewsWorkspacePage() {
  const t = useT();
  const { user } = useSession();
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const date = useDate();
  useEffect(() => {
    allPages<Review>('/api/reviews').then(setReviews, (err: unknown) => setError(errorText(err)));
  }, []);
  const held = useRef<Review[] | null>(null);
  held.current = reviews;
  useSocketEvent<{ review: Review }>('review.updated', ({ review }) => {
    if (review.lawyer?.id === user?.id) return setReviews((list) => upsertReview(list ?? [], review));
    // No longer ours (lost to the accept deadline, or rerouted): it leaves the queue.
    if (held.current?.some((r) => r.id === review.id && isOpen(r))) setNotice(t('rv_lost'));
    setReviews((list) => (list ?? []).filter((r) => r.id !== review.id));
  }, [user?.id]);
  useSocketEvent<{ review: Review }>('review.reminder', ({ review }) => setNotice(`${t('rv_reminder')}: ${date(review.status === 'assigned' && review.sla.accept_due ? review.sla.accept_due : review.sla.resolution_due)}`));

  const queue = reviews?.filter(isOpen) ?? [];
  const done = reviews?.filter((r) => !isOpen(r)) ?? [];
  return (
    <div className="reviews workspace">
      <h1>{t('rv_workspace')}</h1>
      <Profile />
      {notice && <p className="banner" role="status">{notice} <button type="button" className="link" onClick={() => setNotice(null)}>{t('close')}</button></p>}
      <section aria-labelledby="rv-queue">
        <h2 id="rv-queue">{t('rv_queue')}</h2>
        {error && <p role="alert" className="error">{error}</p>}
        {!reviews && !error && <p className="muted">{t('loading')}</p>}
        {reviews && queue.length === 0 && <p className="muted">{t('rv_emptyQueue')}</p>}
        <ul className="review-list">
          {queue.map((r) => <QueueItem key={r.id} review={r} onChange={(x) => setReviews((list) => upsertReview(list ?? [], x))} onGone={(id) => setReviews((list) => (list ?? []).filter((x) => x.id !== id))} />)}
        </ul>
      </section>
      {done.length > 0 && (
        <section aria-labelledby="rv-done">
          <h2 id="rv-done">{t('rv_done')}</h2>
          <ul className="review-list">
            {done.map((r) => (
              <li key={r.id} data-review-id={r.id}>
                <Link to={`/lawyer/reviews/${r.id}`}>{t(`rv_subject_${r.subject.type}`)}</Link> <StatusBadge status={r.status} />
                {r.result && <span className="muted"> · {t(`rv_verdict_${r.result.verdict}`)}</span>}
                {r.rating && <span className="muted"> · {r.rating.score}/5</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function QueueItem({ review, onChange, onGone }: { review: Review; onChange: (r: Review) => void; onGone: (id: string) => void }) {
  const t = useT();
  return (
    <li data-review-id={review.id}>
      <div><Link to={`/lawyer/reviews/${review.id}`}>{t(`rv_subject_${review.subject.type}`)}</Link> <StatusBadge status={review.status} /></div>
      <div><ReviewFacts review={review} /></div>
      <div><Deadlines review={review} /></div>
      {review.comment && <p>{review.comment}</p>}
      <ReviewActions review={review} onChange={onChange} onGone={() => onGone(review.id)} open />
    </li>
  );
}

/** Accept an assigned review; decline an open one with a reason (it then goes to another lawyer). */
export function ReviewActions({ review, onChange, onGone, open = false }: { review: Review; onChange: (r: Review) => void; onGone: () => void; open?: boolean }) {
  const t = useT();
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const accept = () => api<{ review: Review }>(`/api/reviews/${review.id}/accept`, { json: {} }).then((r) => onChange(r.review), (err: unknown) => setError(errorText(err)));
  const decline = async (e: FormEvent) => {
    e.preventDefault();
    await api<{ review: Review }>(`/api/reviews/${review.id}/decline`, { json: { reason: reason.trim() } }).then(onGone, (err: unknown) => setError(errorText(err)));
  };
  if (!isOpen(review)) return null;
  return (
    <>
      <p className="actions">
        {review.status === 'assigned' && <button type="button" onClick={() => void accept()}>{t('rv_accept')}</button>}
        {open && <Link to={`/lawyer/reviews/${review.id}`}>{t('rv_open')}</Link>}
        {!declining && <button type="button" className="link" onClick={() => setDeclining(true)}>{t('rv_decline')}</button>}
      </p>
      {declining && (
        <form className="decline-form" onSubmit={(e) => void decline(e)}>
          <label>{t('rv_declineReason')}<textarea name="reason" required maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} /></label>
          <p className="actions">
            <button type="submit" className="danger" disabled={!reason.trim()}>{t('rv_declineConfirm')}</button>
            <button type="button" className="link" onClick={() => setDeclining(false)}>{t('close')}</button>
          </p>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </>
  );
}

function Profile() {
  const t = useT();
  const names = useSpecializations();
  const [form, setForm] = useState<Lawyer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // No profile yet (capacity 0): suggest taking three reviews at a time.
    api<Lawyer>('/api/lawyers/me').then((p) => setForm(p.capacity ? p : { ...p, capacity: 3, accepting: true }), (err: unknown) => setError(errorText(err)));
  }, []);
  if (!form) return error ? <p role="alert" className="error">{error}</p> : <p className="muted">{t('loading')}</p>;

  const toggle = (code: string, on: boolean) => setForm({ ...form, specializations: on ? [...form.specializations, code] : form.specializations.filter((c) => c !== code) });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(null);
    if (form.specializations.length === 0) return setError(t('rv_needSpecialization'));
    setBusy(true);
    try {
      setForm(await api<Lawyer>('/api/lawyers/me', { method: 'PUT', json: { specializations: form.specializations, capacity: form.capacity, accepting: form.accepting } }));
      setSaved(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="lawyer-profile card" onSubmit={(e) => void save(e)} aria-labelledby="rv-profile">
      <h2 id="rv-profile">{t('rv_profile')}</h2>
      <p className="muted">{t('rv_load')}: {form.active_reviews} / {form.capacity}{form.avg_rating !== null && ` · ${t('rv_avgRating')}: ${form.avg_rating}`}</p>
      <fieldset className="specializations">
        <legend>{t('rv_specializations')}</legend>
        {Object.entries(names).map(([code, name]) => (
          <label key={code}><input type="checkbox" name="specialization" value={code} checked={form.specializations.includes(code)} onChange={(e) => toggle(code, e.target.checked)} /> {name}</label>
        ))}
        <button type="button" className="link" onClick={() => setForm({ ...form, specializations: Object.keys(names) })}>{t('rv_selectAll')}</button>
      </fieldset>
      <label>{t('rv_capacity')}<input type="number" name="capacity" min={1} max={100} required value={form.capacity} onChange={(e) => setForm({ ...form, capacity: Number(e.target.value) })} /></label>
      <label className="consent"><input type="checkbox" name="accepting" checked={form.accepting} onChange={(e) => setForm({ ...form, accepting: e.target.checked })} /> {t('rv_accepting')}</label>
      {error && <p role="alert" className="error">{error}</p>}
      {saved && <p role="status" className="ok">{t('rv_saved')}</p>}
      <button type="submit" disabled={busy}>{t('rv_save')}</button>
    </form>
  );
}
