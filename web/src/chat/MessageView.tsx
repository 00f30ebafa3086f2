/**
 * One message of the conversation: its text as markdown, and what can be done with it. A reply
 * in flight says so and can be stopped; a stopped one keeps its partial answer, says it was
 * stopped and can be asked again, as a failed one can (a reply: a failed question has no Retry
 * of its own, and one that was never masked has no text to ask again).
 */
import { Markdown } from '../components/Markdown';
import { useT } from '../lib/i18n';
import { inFlight, type Citation, type Message } from './types';

/** Why a reply failed, by its code (core/chat/failures.ts): the AI's refusal, its other failures, the masking, the account. */
function failureKey(code: string): string {
  if (code === 'ai_bad_request') return 'replyFailed_refused';
  if (code.startsWith('ai_')) return 'replyFailed_ai';
  return ['dlp_failed', 'account_blocked'].includes(code) ? `replyFailed_${code}` : 'replyFailed_other';
}

export interface MessageActions {
  onStop(id: string): void;
  onRetry(reply: Message): void;
  /** Whether Retry can ask the reply's question again (its text is known); unset: it can. */
  canRetry?(reply: Message): boolean;
  onAskLawyer(id: string): void;
  onCite(c: Citation): void;
}

export function MessageView({ m, text, values, stopping, reviewRequested, actions }: {
  m: Message;
  /** What to show: the stored content, or what has streamed so far. */
  text: string;
  values?: Record<string, string>;
  stopping: boolean;
  reviewRequested: boolean;
  actions: MessageActions;
}) {
  const t = useT();
  const citations = m.meta?.citations ?? [];
  const live = inFlight(m);
  const retry = m.sender === 'assistant' && (actions.canRetry?.(m) ?? true)
    ? <button type="button" onClick={() => actions.onRetry(m)}>{t('retry')}</button>
    : null;
  return (
    <article className={`message ${m.sender}`} data-status={m.status} data-message-id={m.id} {...(m.meta?.stopped ? { 'data-stopped': 'true' } : {})}>
      {m.sender === 'lawyer' && (
        <p className="sender">{t('fromLawyer')}{m.meta?.verdict ? ` · ${t(`rv_verdict_${m.meta.verdict}`)}` : ''}</p>
      )}
      {m.sender === 'user'
        ? <Markdown text={m.content ?? '…'} values={values} />
        : <Markdown text={text} values={values} citations={citations.map((c) => c.n)} onCite={(n) => { const c = citations.find((x) => x.n === n); if (c) actions.onCite(c); }} />}
      {live && (
        <p className="muted">
          {m.status === 'queued' && !text ? t('queued') : t('streaming')}{' '}
          <button type="button" className="stop" disabled={stopping} onClick={() => actions.onStop(m.id)}>{stopping ? t('stopping') : t('stop')}</button>
        </p>
      )}
      {m.meta?.degraded && <p className="badge warn">{t('degraded')}</p>}
      {m.meta?.stopped && (
        <p><span className="badge">{t('stopped')}</span> {retry}</p>
      )}
      {m.status === 'failed' && (
        <p className="error">{t('failed')}{m.meta?.error ? `: ${t(failureKey(m.meta.error.code))}` : ''} {retry}</p>
      )}
      {m.sender === 'assistant' && m.status === 'completed' && !m.meta?.stopped && (
        <button type="button" className="link" disabled={reviewRequested} onClick={() => actions.onAskLawyer(m.id)}>
          {reviewRequested ? t('reviewRequested') : t('askLawyer')}
        </button>
      )}
    </article>
  );
}
