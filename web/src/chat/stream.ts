/**
 * A reply as it streams, assembled from its events, per message id (the client's side of
 * "Crashes and restarts" in docs/architecture.md). Pure: the page keeps the state and acts on
 * what these functions answer.
 *
 * - `reply.started` of a newer attempt (a worker died, another restarted the answer) clears
 *   the text; a replayed one of the attempt shown changes nothing.
 * - `reply.delta` is appended only when it is the next `seq` of its attempt: a replay of what
 *   is shown is dropped; one after a gap is dropped too and asks to resume (`chat:join` with
 *   `after_seq`), so the server replays what is missing, in order.
 * - `reply.completed` ends it: the stored message is authoritative.
 */
import { inFlight, type Message } from './types';

export interface LiveReply {
  /** The attempt shown; 0 while none has been seen (a reply found in flight on opening the chat). */
  attempt: number;
  seq: number;
  text: string;
}

export type Live = Readonly<Record<string, LiveReply>>;

export interface StartedEvent {
  message_id: string;
  attempt?: number;
}

export interface DeltaEvent {
  message_id: string;
  seq: number;
  delta: string;
  attempt?: number;
}

const NOTHING: LiveReply = { attempt: 0, seq: 0, text: '' };

/** The replies in flight among `messages`, keeping what has streamed of those already followed. */
export function followInFlight(live: Live, messages: Message[]): Live {
  return Object.fromEntries(messages.filter(inFlight).map((m) => [m.id, live[m.id] ?? NOTHING]));
}

/** Starts following a reply that has streamed nothing yet (a question just sent). */
export function follow(live: Live, replyId: string): Live {
  return live[replyId] ? live : { ...live, [replyId]: NOTHING };
}

export function applyStarted(live: Live, e: StartedEvent): Live {
  const attempt = e.attempt ?? 1;
  if (attempt <= (live[e.message_id] ?? NOTHING).attempt) return live;
  return { ...live, [e.message_id]: { attempt, seq: 0, text: '' } };
}

/** The state after a delta, and whether deltas were missed (then: resume from `resumePoint`). */
export function applyDelta(live: Live, e: DeltaEvent): { live: Live; gap: boolean } {
  const shown = live[e.message_id] ?? NOTHING;
  const attempt = e.attempt ?? 1;
  if (attempt < shown.attempt) return { live, gap: false }; // a superseded attempt's
  const base = attempt > shown.attempt ? { attempt, seq: 0, text: '' } : shown;
  if (e.seq <= base.seq) return { live, gap: false }; // already shown
  if (e.seq > base.seq + 1) return { live, gap: true };
  return { live: { ...live, [e.message_id]: { attempt, seq: e.seq, text: base.text + e.delta } }, gap: false };
}

/** Stops following a reply that ended. */
export function settle(live: Live, replyId: string): Live {
  if (!(replyId in live)) return live;
  const { [replyId]: _ended, ...rest } = live;
  return rest;
}

/**
 * What `chat:join` asks to be replayed. The server takes one `after_seq` (and the attempt it
 * belongs to) for every reply of the chat, so it is the least advanced reply's: the others
 * get some deltas again, which are dropped, and none is missed.
 */
export function resumePoint(live: Live): { after_seq: number; attempt?: number } {
  const replies = Object.values(live);
  if (replies.length === 0) return { after_seq: 0 };
  const least = replies.reduce((a, b) => (b.seq < a.seq ? b : a));
  return least.attempt ? { after_seq: least.seq, attempt: least.attempt } : { after_seq: 0 };
}

/**
 * The list with `m` in place of the message of its id (merged over it), or added at the end.
 * A reply that ended stays ended: an announcement of it queued, arriving late, changes nothing.
 */
export function upsertMessage(list: Message[], m: Message): Message[] {
  if (!list.some((x) => x.id === m.id)) return [...list, m];
  return list.map((x) => (x.id !== m.id || (!inFlight(x) && inFlight(m)) ? x : { ...x, ...m }));
}

/** The list with those of `ms` it does not hold yet added at the end (a load may have brought them first). */
export function appendMissing(list: Message[], ...ms: Message[]): Message[] {
  return ms.reduce((l, m) => (l.some((x) => x.id === m.id) ? l : [...l, m]), list);
}

/** The text to show: what streamed while the reply is in flight, the stored content once it ended. */
export function shownText(m: Message, live: Live): string {
  return inFlight(m) ? live[m.id]?.text ?? '' : m.content ?? '';
}
