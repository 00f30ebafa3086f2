/**
 * The requester's lawyer requests: what each is about, its status and deadlines, kept live by
 * `review.updated`. (Each row reads its subject: a requester has a few reviews a month.)
 */
import { useEffect, useState } from 'react';
import { allPages, api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSocketEvent } from '../lib/socket';
import { Deadlines, ReviewFacts, StatusBadge, upsertReview, type Review, type Subject } from './ReviewsCommon';
import { errorText } from '../lib/problem-text';

export function ReviewsMinePage() {
  const t = useT();
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    allPages<Review>('/api/reviews').then(setReviews, (err: unknown) => setError(errorText(err)));
  }, []);
  useSocketEvent<{ review: Review }>('review.updated', ({ review }) => setReviews((list) => upsertReview(list ?? [], review)));

  return (
    <div className="reviews">
      <h1>{t('rv_myReviews')}</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!reviews && !error && <p className="muted">{t('loading')}</p>}
      {reviews?.length === 0 && <p className="muted">{t('rv_noReviews')}</p>}
      <ul className="review-list">
        {reviews?.map((r) => (
          <li key={r.id} data-review-id={r.id}>
            <div>
              <Link to={`/reviews/${r.id}`}>{t(`rv_subject_${r.subject.type}`)}</Link> <StatusBadge status={r.status} />
              {r.rating && <span className="muted"> · {t('rv_yourRating')}: {r.rating.score}/5</span>}
            </div>
            <Snippet id={r.id} />
            <div><ReviewFacts review={r} /></div>
            <div><Deadlines review={r} /></div>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What the request is about: the start of the question (or the document's title). */
function Snippet({ id }: { id: string }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    api<{ subject: Subject }>(`/api/reviews/${id}`).then(
      ({ subject }) => setText((subject.type === 'message' ? subject.question : subject.title) ?? null),
      () => setText(null), // the row still links to the page, which shows the problem
    );
  }, [id]);
  if (!text) return null;
  return <p className="snippet">{text.length > 160 ? `${text.slice(0, 160)}…` : text}</p>;
}
