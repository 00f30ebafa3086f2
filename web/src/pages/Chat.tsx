/**
 * The chat: a list of conversations and one conversation. Answers stream token by token over
 * Socket.IO; an answer survives switching chats, a reload and a dropped network, because the
 * page rejoins with `after_seq` (the server replays what it missed) and reads stored answers.
 * How a reply is assembled from its events is web/src/chat/stream.ts; a reply in flight can
 * be stopped, and keeps what had streamed.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { MessageView } from '../chat/MessageView';
import { SourceDialog } from '../chat/SourceDialog';
import { appendMissing, applyDelta, applyStarted, follow, followInFlight, resumePoint, settle, shownText, upsertMessage, type DeltaEvent, type Live, type StartedEvent } from '../chat/stream';
import { inFlight, type Citation, type Message } from '../chat/types';
import { allPages, api, ApiError } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link, navigate } from '../lib/router';
import { getSocket, useSocketEvent } from '../lib/socket';
import { errorText } from '../lib/problem-text';

interface Chat {
  id: string;
  title: string;
  updated_at: string;
}

export function ChatPage({ chatId }: { chatId?: string }) {
  const t = useT();
  const [chats, setChats] = useState<Chat[]>([]);
  const loadChats = useCallback(async () => setChats(await allPages<Chat>('/api/chats')), []);
  useEffect(() => void loadChats(), [loadChats]);

  const newChat = async () => {
    const chat = await api<Chat>('/api/chats', { json: {} });
    await loadChats();
    navigate(`/chats/${chat.id}`);
  };

  return (
    <div className="chat-layout">
      <aside className="chat-list">
        <button type="button" onClick={() => void newChat()}>{t('newChat')}</button>
        {chats.length === 0 && <p className="muted">{t('noChats')}</p>}
        <nav>
          {chats.map((c) => (
            <Link key={c.id} to={`/chats/${c.id}`} className={c.id === chatId ? 'active' : ''}>{c.title}</Link>
          ))}
        </nav>
      </aside>
      {chatId ? <Conversation key={chatId} chatId={chatId} onActivity={loadChats} /> : <p className="muted center">{t('pickChat')}</p>}
    </div>
  );
}

function Conversation({ chatId, onActivity }: { chatId: string; onActivity: () => void }) {
  const t = useT();
  const [messages, setMessages] = useState<Message[]>([]);
  const [live, setLive] = useState<Live>({});
  const liveRef = useRef<Live>({});
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [online, setOnline] = useState(true);
  const [source, setSource] = useState<Citation | null>(null);
  const [requested, setRequested] = useState<Set<string>>(new Set());
  const [stopping, setStopping] = useState<Set<string>>(new Set());
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [readyDocs, setReadyDocs] = useState<Array<{ id: string; title: string }>>([]);
  const [attached, setAttached] = useState<string[]>([]);
  const bottom = useRef<HTMLDivElement>(null);

  /** A change to what streamed that shows at once (a reply followed, restarted or ended). */
  const setLiveNow = useCallback((next: Live) => {
    liveRef.current = next;
    setLive(next);
  }, []);
  /** Deltas show once per frame, however many arrived in it: a fast stream costs one render a frame. */
  const frame = useRef(0);
  const setLiveSoon = (next: Live) => {
    liveRef.current = next;
    frame.current ||= requestAnimationFrame(() => {
      frame.current = 0;
      setLive(liveRef.current);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  /** Follows the chat, asking for what this page has not seen of the replies in flight. */
  const resuming = useRef(false);
  const join = useCallback(() => {
    getSocket().emit('chat:join', { chat_id: chatId, ...resumePoint(liveRef.current) });
  }, [chatId]);

  /**
   * The stored messages, then following the chat. Also after a reconnect and whenever an event
   * shows that one was missed (a masked question arrives only as `message.created`, which a
   * socket that was not yet connected never saw). A reply in flight keeps what has streamed.
   */
  const cancelled = useRef(false);
  const [missing, setMissing] = useState(false);
  const load = useCallback(async () => {
    let items: Message[];
    try {
      items = await allPages<Message>(`/api/chats/${chatId}/messages`);
    } catch (err) {
      if (cancelled.current) return;
      // Not the caller's, gone, or not a chat id at all: said so, not shown as an empty chat.
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setMissing(true);
      else setError(errorText(err));
      return;
    }
    if (cancelled.current) return;
    setMessages(items);
    setLiveNow(followInFlight(liveRef.current, items));
    resuming.current = false;
    join();
  }, [chatId, join, setLiveNow]);
  const messagesRef = useRef<Message[]>([]);
  messagesRef.current = messages;

  // The answers already sent to a lawyer, so their button says so after a reload too: read once
  // per chat opened, not at every reload of its messages (a reconnect, a missed event).
  useEffect(() => {
    let stale = false;
    void allPages<{ subject: { type: string; id: string }; status: string }>('/api/reviews').then((reviews) => {
      if (!stale) setRequested(new Set(reviews.filter((r) => r.subject.type === 'message' && r.status !== 'cancelled').map((r) => r.subject.id)));
    }, () => undefined);
    return () => void (stale = true);
  }, [chatId]);

  useEffect(() => {
    cancelled.current = false;
    setMissing(false);
    void load();
    const s = getSocket();
    const up = () => {
      setOnline(true);
      void load();
    };
    const down = () => setOnline(false);
    s.on('connect', up);
    s.on('disconnect', down);
    return () => {
      cancelled.current = true;
      s.off('connect', up);
      s.off('disconnect', down);
      s.emit('chat:leave', { chat_id: chatId });
    };
  }, [chatId, load]);

  // The owner's own values, once asked for; fetched again as new placeholders arrive. An answer
  // that arrives after "hide" (or after a newer ask) is dropped: it would show them again.
  const revealing = values !== null;
  useEffect(() => {
    if (!revealing) return;
    const asked = new AbortController();
    api<{ values: Record<string, string> }>(`/api/chats/${chatId}/reveal`, { signal: asked.signal }).then(
      (r) => !asked.signal.aborted && setValues(r.values),
      (err: unknown) => !asked.signal.aborted && setError(errorText(err)),
    );
    return () => asked.abort();
  }, [revealing, chatId, messages.length]);
  useEffect(() => {
    void allPages<{ id: string; title: string }>('/api/documents?status=ready').then(setReadyDocs);
  }, []);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' }); // newer browsers return a promise: not a clean-up
  }, [messages, live]);

  const upsert = (m: Message) => setMessages((list) => upsertMessage(list, m));

  useSocketEvent<{ chat_id: string; message: Message }>('message.created', (p) => p.chat_id === chatId && upsert(p.message), [chatId]);
  useSocketEvent<{ chat_id: string } & StartedEvent>('reply.started', (p) => {
    if (p.chat_id !== chatId) return;
    setMessages((list) => list.map((m) => (m.id === p.message_id && inFlight(m) ? { ...m, status: 'streaming' } : m)));
    setLiveNow(applyStarted(liveRef.current, p));
  }, [chatId]);
  useSocketEvent<{ chat_id: string } & DeltaEvent>('reply.delta', (p) => {
    if (p.chat_id !== chatId) return;
    const { live: next, gap } = applyDelta(liveRef.current, p);
    if (gap) {
      // Ask once for what is missing; the replay brings it in order.
      if (!resuming.current) join();
      resuming.current = true;
    } else if (next !== liveRef.current) {
      resuming.current = false;
      setLiveSoon(next);
    }
  }, [chatId, join]);
  useSocketEvent<{ chat_id: string; message: Message }>('reply.completed', (p) => {
    if (p.chat_id !== chatId) return;
    setLiveNow(settle(liveRef.current, p.message.id));
    // Every join replays the replies that ended lately: one already shown as ended is no news
    // (loading for it joins again, which replays it again, for as long as a question is pending).
    const shown = messagesRef.current.find((m) => m.id === p.message.id);
    if (shown && !inFlight(shown)) return;
    upsert(p.message);
    onActivity();
    if (messagesRef.current.some((m) => m.sender === 'user' && m.status === 'pending')) void load();
  }, [chatId]);
  useSocketEvent<{ chat_id: string; message_id: string; error: { code: string; detail?: string } }>('reply.failed', (p) => {
    if (p.chat_id !== chatId) return;
    setMessages((list) => list.map((m) => (m.id === p.message_id ? { ...m, status: 'failed', meta: { ...m.meta, error: p.error } } : m)));
    setLiveNow(settle(liveRef.current, p.message_id));
  }, [chatId]);

  /** Asks `content`; false when it was not taken (the caller may give it back to the composer). */
  const send = async (content: string): Promise<boolean> => {
    setError(null);
    try {
      const { message, reply } = await api<{ message: Message; reply: Message }>(`/api/chats/${chatId}/messages`, {
        json: { content, ...(attached.length ? { document_ids: attached } : {}) }, headers: { 'idempotency-key': crypto.randomUUID() },
      });
      setAttached([]);
      setLiveNow(follow(liveRef.current, reply.id));
      setMessages((list) => appendMissing(list, message, { ...reply, chat_id: chatId, sender: 'assistant' }));
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content) return;
    setDraft('');
    // Not taken (a limit, a conflict, no network): the question goes back, unless another is being typed.
    void send(content).then((taken) => taken || setDraft((typed) => typed || content));
  };

  /** Stops a reply; it ends with what has streamed (`reply.completed` says so, or this answer for a queued one). */
  const stop = async (id: string) => {
    setStopping((s) => new Set(s).add(id));
    try {
      const { message } = await api<{ message: Message }>(`/api/chats/${chatId}/messages/${id}/stop`, { method: 'POST' });
      if (!inFlight(message)) {
        upsert(message);
        setLiveNow(settle(liveRef.current, id));
      }
    } catch (err) {
      // 409: it ended meanwhile; the stored message says how. Else it may be pressed again.
      if (err instanceof ApiError && err.status === 409) void load();
      else setError(errorText(err));
      setStopping((s) => {
        const rest = new Set(s);
        rest.delete(id);
        return rest;
      });
    }
  };

  const askLawyer = async (id: string) => {
    try {
      await api(`/api/reviews/messages/${id}/request`, { json: {} });
      setRequested(new Set([...requested, id]));
    } catch (err) {
      // 409: one is open already (asked in another tab): the button says so.
      if (err instanceof ApiError && err.status === 409) setRequested(new Set([...requested, id]));
      setError(errorText(err, { conflict: t('reviewAlreadyOpen') }));
    }
  };

  /** The text of the question a reply answers; empty when it was never masked (the raw text is not kept). */
  const questionOf = (reply: Message) => {
    const i = messages.findIndex((m) => m.id === reply.id);
    return messages.slice(0, i).reverse().find((m) => m.sender === 'user')?.content ?? '';
  };

  /** Archives the chat (its messages are kept): it leaves the list, and the page goes back to it. */
  const archive = async () => {
    if (!confirm(t('confirmArchive'))) return;
    try {
      await api(`/api/chats/${chatId}`, { method: 'DELETE' });
      onActivity();
      navigate('/');
    } catch (err) {
      setError(errorText(err));
    }
  };

  const actions = {
    onStop: (id: string) => void stop(id),
    onRetry: (m: Message) => void send(questionOf(m)),
    canRetry: (m: Message) => questionOf(m) !== '',
    onAskLawyer: (id: string) => void askLawyer(id),
    onCite: setSource,
  };

  if (missing) {
    return (
      <section className="conversation">
        <h1>{t('chatNotFound')}</h1>
        <p>{t('chatNotFoundHint')} <Link to="/">{t('backToChats')}</Link></p>
      </section>
    );
  }

  return (
    <section className="conversation">
      <h1 className="visually-hidden">{t('chat')}</h1>
      {!online && <p className="banner" role="status">{t('reconnecting')}</p>}
      <p className="toolbar">
        <button type="button" className="link" onClick={() => setValues(revealing ? null : {})}>{revealing ? t('hideMine') : t('showMine')}</button>{' '}
        <button type="button" className="link" onClick={() => void archive()}>{t('archiveChat')}</button>
      </p>
      <div className="messages">
        {messages.map((m) => (
          <MessageView key={m.id} m={m} text={shownText(m, live)} values={values ?? undefined} stopping={stopping.has(m.id)} reviewRequested={requested.has(m.id)} actions={actions} />
        ))}
        <div ref={bottom} />
      </div>
      {source && <SourceDialog source={source} onClose={() => setSource(null)} />}
      {error && <p role="alert" className="error">{error}</p>}
      {readyDocs.length > 0 && (
        <p className="attach">
          {t('attach')}:{' '}
          {readyDocs.map((d) => (
            <label key={d.id}>
              <input type="checkbox" checked={attached.includes(d.id)} onChange={(e) => setAttached(e.target.checked ? [...attached, d.id] : attached.filter((x) => x !== d.id))} /> {d.title}
            </label>
          ))}
        </p>
      )}
      <form className="composer" onSubmit={submit}>
        <textarea name="question" aria-label={t('question')} value={draft} placeholder={t('askPlaceholder')} onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) submit(e); }} />
        <button type="submit">{t('send')}</button>
      </form>
    </section>
  );
}
