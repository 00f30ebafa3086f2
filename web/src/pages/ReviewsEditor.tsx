/**
 * The lawyer's editor of one review: the assistant's answer on the left, the corrected answer
 * on the right with a live Markdown preview, then the verdict and a comment for the user.
 * Everything is masked: placeholders stay placeholders, the user sees their own data.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Markdown } from '../components/Markdown';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { Deadlines, ReviewFacts, StatusBadge, SubjectView, useReview, type Review, type Subject, type Verdict } from './ReviewsCommon';
import { ReviewActions } from './ReviewsWorkspace';
import { errorText } from '../lib/problem-text';

const VERDICTS: Verdict[] = ['approved', 'corrected', 'rejected'];

export function ReviewsEditorPage({ id }: { id: string }) {
  const t = useT();
  const { user } = useSession();
  const { review, subject, error, setReview } = useReview(id);

  if (error) return <div className="reviews"><Link to="/lawyer">← {t('rv_workspace')}</Link><p role="alert" className="error">{error}</p></div>;
  if (!review || !subject) return <div className="reviews"><p className="muted">{t('loading')}</p></div>;
  const lost = review.lawyer?.id !== user?.id;

  return (
    <div className="reviews review-editor" data-review-id={review.id}>
      <Link to="/lawyer">← {t('rv_workspace')}</Link>
      <h1>{t('rv_review')} <StatusBadge status={review.status} /></h1>
      <p><ReviewFacts review={review} /></p>
      <p><Deadlines review={review} /></p>
      {review.comment && <p><b>{t('rv_requesterComment')}:</b> {review.comment}</p>}
      {lost ? <p className="banner" role="status">{t('rv_lost')}</p> : <ReviewActions review={review} onChange={setReview} onGone={() => navigate('/lawyer')} />}
      {review.result ? <Done review={review} subject={subject} /> : <Editor review={review} subject={subject} editable={!lost && review.status === 'in_progress'} onDone={setReview} />}
    </div>
  );
}

function Editor({ review, subject, editable, onDone }: { review: Review; subject: Subject; editable: boolean; onDone: (r: Review) => void }) {
  const t = useT();
  const original = subject.type === 'message' ? subject.answer ?? '' : '';
  const [draft, setDraft] = useState(original);
  const [verdict, setVerdict] = useState<Verdict>('approved');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(original), [original]);
  const changed = draft.trim() !== original.trim() && draft.trim() !== '';

  const edit = (text: string) => {
    setDraft(text);
    // Editing the answer is what "corrected" means; the lawyer may still pick another verdict.
    if (verdict === 'approved' && text.trim() !== original.trim()) setVerdict('corrected');
  };
  const complete = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (verdict === 'corrected' && !changed) return setError(t('rv_needCorrection'));
    if (!comment.trim()) return setError(t('rv_needComment'));
    setBusy(true);
    try {
      const body = { verdict, comment: comment.trim(), ...(verdict !== 'approved' && changed ? { corrected_content: draft.trim() } : {}) };
      onDone((await api<{ review: Review }>(`/api/reviews/${review.id}/complete`, { json: body })).review);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="editor" onSubmit={(e) => void complete(e)}>
      <div className="editor-columns">
        <div className="editor-original"><SubjectView subject={subject} /></div>
        <div className="editor-draft">
          <label>{t('rv_editAnswer')}
            <textarea name="corrected" value={draft} readOnly={!editable} onChange={(e) => edit(e.target.value)} rows={14} />
          </label>
          <p className="muted small">{t('rv_placeholdersHint')}</p>
          <h3>{t('rv_preview')}</h3>
          <div className="message lawyer preview" data-preview="corrected"><Markdown text={draft} /></div>
        </div>
      </div>
      {!editable && <p className="muted">{t('rv_acceptFirst')}</p>}
      <fieldset className="verdicts" disabled={!editable}>
        <legend>{t('rv_verdict')}</legend>
        {VERDICTS.map((v) => (
          <label key={v}><input type="radio" name="verdict" value={v} checked={verdict === v} onChange={() => setVerdict(v)} /> {t(`rv_verdict_${v}`)}</label>
        ))}
      </fieldset>
      <label>{t('rv_comment')}<textarea name="comment" value={comment} maxLength={4000} readOnly={!editable} onChange={(e) => setComment(e.target.value)} /></label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={!editable || busy}>{t('rv_complete')}</button>
    </form>
  );
}

/** A completed review, read-only: what the lawyer concluded beside what they checked. */
function Done({ review, subject }: { review: Review; subject: Subject }) {
  const t = useT();
  const result = review.result!;
  return (
    <div className="editor-columns">
      <div className="editor-original"><SubjectView subject={subject} /></div>
      <section className="review-result">
        <h2>{t('rv_result')}: {t(`rv_verdict_${result.verdict}`)}</h2>
        {result.comment && <Markdown text={result.comment} />}
        {result.corrected_content && <div className="message lawyer"><Markdown text={result.corrected_content} /></div>}
        {review.rating && <p>{t('rv_userRating')}: {review.rating.score}/5{review.rating.comment && ` — ${review.rating.comment}`}</p>}
      </section>
    </div>
  );
}
