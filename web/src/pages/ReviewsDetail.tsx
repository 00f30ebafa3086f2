/**
 * One lawyer request as its requester sees it: the masked question and answer, the status and
 * deadlines live, the lawyer's conclusion, cancel while it is open, and a rating once it is done.
 */
import { useState, type FormEvent } from 'react';
import { Markdown } from '../components/Markdown';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { Deadlines, isOpen, ReviewFacts, StatusBadge, SubjectView, useReview, type Review } from './ReviewsCommon';
import { errorText } from '../lib/problem-text';

export function ReviewsDetailPage({ id }: { id: string }) {
  const t = useT();
  const { user } = useSession();
  const { review, subject, error, setReview } = useReview(id);
  const [actionError, setActionError] = useState<string | null>(null);
  const mine = user?.role === 'user'; // only the requester may cancel or rate; admins only look

  if (error) return <div className="reviews"><p role="alert" className="error">{error}</p></div>;
  if (!review || !subject) return <div className="reviews"><p className="muted">{t('loading')}</p></div>;

  const cancel = async () => {
    if (!confirm(t('rv_confirmCancel'))) return;
    setActionError(null);
    await api<{ review: Review }>(`/api/reviews/${id}/cancel`, { json: {} }).then((r) => setReview(r.review), (err: unknown) => setActionError(errorText(err)));
  };

  return (
    <div className="reviews review-page" data-review-id={review.id}>
      <Link to="/reviews">← {t('rv_myReviews')}</Link>
      <h1>{t('rv_review')} <StatusBadge status={review.status} /></h1>
      <p><ReviewFacts review={review} /></p>
      <p><Deadlines review={review} /></p>
      {review.comment && <p><b>{t('rv_yourComment')}:</b> {review.comment}</p>}
      {actionError && <p role="alert" className="error">{actionError}</p>}
      {mine && isOpen(review) && (
        <p className="actions"><button type="button" className="danger" onClick={() => void cancel()}>{t('rv_cancel')}</button></p>
      )}
      {isOpen(review) && <p className="muted">{t('rv_waiting')}</p>}
      {review.result && <Result review={review} />}
      {mine && review.status === 'completed' && (review.rating ? <Rating review={review} /> : <RateForm id={id} onRated={setReview} />)}
      <SubjectView subject={subject} />
    </div>
  );
}

function Result({ review }: { review: Review }) {
  const t = useT();
  const result = review.result!;
  return (
    <section className="review-result" aria-label={t('rv_result')}>
      <h2>{t('rv_result')}: <span className={`verdict ${result.verdict}`}>{t(`rv_verdict_${result.verdict}`)}</span></h2>
      {result.comment && <><h3>{t('rv_lawyerComment')}</h3><Markdown text={result.comment} /></>}
      {result.corrected_content && (
        <>
          <h3>{t('rv_correctedAnswer')}</h3>
          <div className="message lawyer" data-result="corrected"><Markdown text={result.corrected_content} /></div>
          {review.subject.type === 'message' && <p className="muted">{t('rv_correctedInChat')}</p>}
        </>
      )}
    </section>
  );
}

function Rating({ review }: { review: Review }) {
  const t = useT();
  return (
    <p className="review-rating" data-rated={review.rating!.score}>
      {t('rv_yourRating')}: <span aria-hidden="true">{'★'.repeat(review.rating!.score)}{'☆'.repeat(5 - review.rating!.score)}</span> {review.rating!.score} {t('rv_stars')}
      {review.rating!.comment && <> — {review.rating!.comment}</>}
    </p>
  );
}

function RateForm({ id, onRated }: { id: string; onRated: (r: Review) => void }) {
  const t = useT();
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onRated((await api<{ review: Review }>(`/api/reviews/${id}/rate`, { json: { score, ...(comment.trim() ? { comment: comment.trim() } : {}) } })).review);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rate-form card" onSubmit={submit}>
      <fieldset className="stars">
        <legend>{t('rv_rate')}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className={n <= score ? 'on' : ''}>
            <input type="radio" name="score" value={n} checked={score === n} onChange={() => setScore(n)} />
            <span aria-hidden="true">★</span><span className="visually-hidden">{n} {t('rv_stars')}</span>
          </label>
        ))}
      </fieldset>
      <label>{t('rv_rateComment')}<textarea name="rating_comment" value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} /></label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy || score === 0}>{t('rv_sendRating')}</button>
    </form>
  );
}
