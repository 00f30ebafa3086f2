/**
 * The chat: a list of conversations and one conversation. Answers stream token by token over
 * Socket.IO; an answer survives switching chats, a reload and a dropped network, because the
 * page rejoins with `after_seq` (the server replays what it missed) and reads stored answers.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Markdown } from '../components/Markdown';
import { allPages, api, ApiError } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link, navigate } from '../lib/router';
import { getSocket, useSocketEvent } from '../lib/socket';

interface Chat {
  id: string;
  title: string;
  updated_at: string;
}

interface Citation {
  n: number;
  source: { type: 'law'; code: string; article: string; title: string } | { type: 'document'; id: string; title: string; version: number };
  quote: string;
}

interface Message {
  id: string;
  chat_id: string;
  sender: 'user' | 'assistant' | 'lawyer' | 'system';
  content?: string | null;
  status: 'pending' | 'queued' | 'streaming' | 'completed' | 'failed';
  meta?: { degraded?: boolean; citations?: Citation[]; error?: { code: string; detail?: string } };
}

/** What has streamed of a reply so far: its text and the last `seq` joined to it. */
type Live = Record<string, { text: string; seq: number }>;

const inFlight = (m: Message) => m.sender === 'assistant' && (m.status === 'queued' || m.status === 'streaming');

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
  liveRef.current = live;
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [online, setOnline] = useState(true);
  const [source, setSource] = useState<Citation | null>(null);
  const [requested, setRequested] = useState<Set<string>>(new Set());
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [readyDocs, setReadyDocs] = useState<Array<{ id: string; title: string }>>([]);
  const [attached, setAttached] = useState<string[]>([]);
  const bottom = useRef<HTMLDivElement>(null);

  /** Follows the chat; `after_seq` is the last delta of the reply in flight that this page holds. */
  const join = useCallback(() => {
    const seqs = Object.values(liveRef.current).map((l) => l.seq);
    getSocket().emit('chat:join', { chat_id: chatId, after_seq: seqs.length ? Math.max(...seqs) : 0 });
  }, [chatId]);

  /**
   * The stored messages, then following the chat. Also after a reconnect and whenever an event
   * shows that one was missed (a masked question arrives only as `message.created`, which a
   * socket that was not yet connected never saw). A reply in flight keeps what has streamed.
   */
  const cancelled = useRef(false);
  const load = useCallback(async () => {
    const items = await allPages<Message>(`/api/chats/${chatId}/messages`);
    if (cancelled.current) return;
    setMessages(items);
    const next: Live = Object.fromEntries(items.filter(inFlight).map((m) => [m.id, liveRef.current[m.id] ?? { text: '', seq: 0 }]));
    liveRef.current = next;
    setLive(next);
    join();
  }, [chatId, join]);
  const messagesRef = useRef<Message[]>([]);
  messagesRef.current = messages;

  useEffect(() => {
    cancelled.current = false;
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

  // The owner's own values, once asked for; fetched again as new placeholders arrive.
  const revealing = values !== null;
  useEffect(() => {
    if (revealing) void api<{ values: Record<string, string> }>(`/api/chats/${chatId}/reveal`).then((r) => setValues(r.values));
  }, [revealing, chatId, messages.length]);
  useEffect(() => {
    void allPages<{ id: string; title: string }>('/api/documents?status=ready').then(setReadyDocs);
  }, []);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' }); // newer browsers return a promise: not a clean-up
  }, [messages, live]);

  const upsert = (m: Message) => setMessages((list) => (list.some((x) => x.id === m.id) ? list.map((x) => (x.id === m.id ? { ...x, ...m } : x)) : [...list, m]));

  useSocketEvent<{ chat_id: string; message: Message }>('message.created', (p) => p.chat_id === chatId && upsert(p.message), [chatId]);
  useSocketEvent<{ chat_id: string; message_id: string }>('reply.started', (p) => {
    if (p.chat_id !== chatId) return;
    setMessages((list) => list.map((m) => (m.id === p.message_id ? { ...m, status: 'streaming' } : m)));
  }, [chatId]);
  useSocketEvent<{ chat_id: string; message_id: string; seq: number; delta: string }>('reply.delta', (p) => {
    if (p.chat_id !== chatId) return;
    const cur = liveRef.current[p.message_id] ?? { text: '', seq: 0 };
    if (p.seq <= cur.seq) return; // a replay of what is already shown
    if (p.seq > cur.seq + 1) return join(); // a gap: ask for what is missing
    const next = { ...liveRef.current, [p.message_id]: { text: cur.text + p.delta, seq: p.seq } };
    liveRef.current = next;
    setLive(next);
  }, [chatId, join]);
  useSocketEvent<{ chat_id: string; message: Message }>('reply.completed', (p) => {
    if (p.chat_id !== chatId) return;
    upsert(p.message);
    const { [p.message.id]: _done, ...rest } = liveRef.current;
    liveRef.current = rest;
    setLive(rest);
    onActivity();
    if (messagesRef.current.some((m) => m.sender === 'user' && m.status === 'pending')) void load();
  }, [chatId]);
  useSocketEvent<{ chat_id: string; message_id: string; error: { code: string; detail?: string } }>('reply.failed', (p) => {
    if (p.chat_id !== chatId) return;
    setMessages((list) => list.map((m) => (m.id === p.message_id ? { ...m, status: 'failed', meta: { ...m.meta, error: p.error } } : m)));
  }, [chatId]);

  const send = async (content: string) => {
    setError(null);
    try {
      const { message, reply } = await api<{ message: Message; reply: Message }>(`/api/chats/${chatId}/messages`, {
        json: { content, ...(attached.length ? { document_ids: attached } : {}) }, headers: { 'idempotency-key': crypto.randomUUID() },
      });
      setAttached([]);
      const next = { ...liveRef.current, [reply.id]: { text: '', seq: 0 } };
      liveRef.current = next;
      setLive(next);
      setMessages((list) => [...list, message, { ...reply, chat_id: chatId, sender: 'assistant' }]);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content) return;
    setDraft('');
    void send(content);
  };

  const askLawyer = async (id: string) => {
    try {
      await api(`/api/reviews/messages/${id}/request`, { json: {} });
      setRequested(new Set([...requested, id]));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const questionOf = (reply: Message) => {
    const i = messages.findIndex((m) => m.id === reply.id);
    return messages.slice(0, i).reverse().find((m) => m.sender === 'user')?.content ?? '';
  };

  return (
    <section className="conversation">
      {!online && <p className="banner" role="status">{t('reconnecting')}</p>}
      <p className="toolbar">
        <button type="button" className="link" onClick={() => setValues(revealing ? null : {})}>{revealing ? t('hideMine') : t('showMine')}</button>
      </p>
      <div className="messages">
        {messages.map((m) => {
          const streamed = live[m.id];
          const text = m.status === 'completed' || m.status === 'failed' ? m.content ?? '' : streamed?.text ?? '';
          const citations = m.meta?.citations ?? [];
          return (
            <article key={m.id} className={`message ${m.sender}`} data-status={m.status} data-message-id={m.id}>
              {m.sender === 'user'
                ? <Markdown text={m.content ?? '…'} values={values ?? undefined} />
                : <Markdown text={text} values={values ?? undefined} citations={citations.map((c) => c.n)} onCite={(n) => setSource(citations.find((c) => c.n === n) ?? null)} />}
              {m.sender === 'assistant' && inFlight(m) && <p className="muted">{m.status === 'queued' && !text ? t('queued') : t('streaming')}</p>}
              {m.meta?.degraded && <p className="badge warn">{t('degraded')}</p>}
              {m.status === 'failed' && (
                <p className="error">{t('failed')}{m.meta?.error ? `: ${m.meta.error.detail ?? m.meta.error.code}` : ''} <button type="button" onClick={() => void send(questionOf(m))}>{t('retry')}</button></p>
              )}
              {m.sender === 'assistant' && m.status === 'completed' && (
                <button type="button" className="link" disabled={requested.has(m.id)} onClick={() => void askLawyer(m.id)}>
                  {requested.has(m.id) ? t('reviewRequested') : t('askLawyer')}
                </button>
              )}
            </article>
          );
        })}
        <div ref={bottom} />
      </div>
      {source && (
        <aside className="source" role="dialog" aria-label={t('sources')}>
          <button type="button" className="link" onClick={() => setSource(null)}>{t('close')}</button>
          <h3>[{source.n}] {source.source.title}</h3>
          <blockquote>{source.quote}</blockquote>
          {source.source.type === 'law'
            ? <Link to={`/law/${source.source.code}/${source.source.article}`}>{t('openArticle')}</Link>
            : <Link to={`/documents/${source.source.id}`}>{t('openDocument')}</Link>}
        </aside>
      )}
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
        <textarea name="question" value={draft} placeholder={t('askPlaceholder')} onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) submit(e); }} />
        <button type="submit">{t('send')}</button>
      </form>
    </section>
  );
}
