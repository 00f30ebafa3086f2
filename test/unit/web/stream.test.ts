/** How the chat page assembles a streaming reply from its events (web/src/chat/stream.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendMissing, applyDelta, applyStarted, follow, followInFlight, resumePoint, settle, shownText, upsertMessage, type DeltaEvent, type Live } from '../../../web/src/chat/stream';
import type { Message } from '../../../web/src/chat/types';

const ID = 'r1';
const delta = (seq: number, text: string, attempt = 1, message_id = ID): DeltaEvent => ({ message_id, seq, delta: text, attempt });

/** Applies deltas one after another; answers the final state and the seqs after which a gap was seen. */
function run(live: Live, events: DeltaEvent[]) {
  const gaps: number[] = [];
  for (const e of events) {
    const out = applyDelta(live, e);
    if (out.gap) gaps.push(e.seq);
    live = out.live;
  }
  return { live, gaps };
}

const reply = (over: Partial<Message>): Message => ({ id: ID, chat_id: 'c', sender: 'assistant', status: 'streaming', ...over });

describe('a streaming reply', () => {
  it('joins deltas in seq order', () => {
    const { live, gaps } = run(follow({}, ID), [delta(1, 'Срок '), delta(2, 'давности '), delta(3, 'три года')]);
    expect(live[ID]).toEqual({ attempt: 1, seq: 3, text: 'Срок давности три года' });
    expect(gaps).toEqual([]);
  });

  it('drops a delta it already shows (a replay after rejoining), unchanged', () => {
    const before = run({}, [delta(1, 'а'), delta(2, 'б')]).live;
    const out = applyDelta(before, delta(2, 'б'));
    expect(out).toEqual({ live: before, gap: false });
    expect(out.live).toBe(before);
    expect(applyDelta(before, delta(1, 'а')).live[ID]!.text).toBe('аб');
  });

  it('refuses a delta after a gap and asks to resume from the last seq it shows', () => {
    const { live, gaps } = run({}, [delta(1, 'а'), delta(3, 'в')]);
    expect(gaps).toEqual([3]);
    expect(live[ID]).toEqual({ attempt: 1, seq: 1, text: 'а' });
    expect(resumePoint(live)).toEqual({ after_seq: 1, attempt: 1 });
    // The replay brings 2 and 3 again, in order.
    expect(run(live, [delta(2, 'б'), delta(3, 'в')]).live[ID]!.text).toBe('абв');
  });

  it('starts over on a newer attempt and ignores the superseded one', () => {
    let live = run({}, [delta(1, 'старый '), delta(2, 'ответ')]).live;
    live = applyStarted(live, { message_id: ID, attempt: 2 });
    expect(live[ID]).toEqual({ attempt: 2, seq: 0, text: '' });
    expect(applyStarted(live, { message_id: ID, attempt: 2 })).toBe(live); // a replayed start changes nothing
    const out = run(live, [delta(3, ' хвост', 1), delta(1, 'новый', 2)]);
    expect(out.live[ID]).toEqual({ attempt: 2, seq: 1, text: 'новый' });
    expect(out.gaps).toEqual([]);
  });

  it("takes a newer attempt's first delta without its start, and sees a gap when that delta is not the first", () => {
    const live = run({}, [delta(1, 'а'), delta(2, 'б')]).live;
    expect(applyDelta(live, delta(1, 'в', 2)).live[ID]).toEqual({ attempt: 2, seq: 1, text: 'в' });
    expect(applyDelta(live, delta(2, 'г', 2))).toEqual({ live, gap: true });
  });

  it('resumes from the least advanced reply, and from 0 for a reply found in flight with nothing seen', () => {
    const two = run(follow({}, 'r2'), [delta(1, 'а'), delta(2, 'б'), delta(3, 'в'), delta(1, 'x', 2, 'r2')]).live;
    expect(resumePoint(two)).toEqual({ after_seq: 1, attempt: 2 });
    expect(resumePoint(follow(two, 'r3'))).toEqual({ after_seq: 0 });
    expect(resumePoint({})).toEqual({ after_seq: 0 });
  });

  it('recovers the whole answer whatever is lost or repeated on the way, by resuming after each gap', () => {
    // The server keeps every delta; the socket loses some and repeats some; after a gap the
    // page rejoins and the server replays everything after the resume point, as chat:join does.
    const pieces = fc.array(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 40 });
    const fate = fc.array(fc.constantFrom('deliver', 'lose', 'repeat'), { minLength: 40, maxLength: 40 });
    fc.assert(fc.property(pieces, fate, (texts, fates) => {
      const server = texts.map((t, i) => delta(i + 1, t));
      let live = follow({}, ID);
      const queue = server.flatMap((e, i) => (fates[i] === 'lose' ? [] : fates[i] === 'repeat' ? [e, e] : [e]));
      let resumes = 0;
      for (let i = 0; i < queue.length; i++) {
        const out = applyDelta(live, queue[i]!);
        live = out.live;
        if (out.gap && resumes++ < 100) queue.splice(i + 1, 0, ...server.filter((e) => e.seq > resumePoint(live).after_seq));
      }
      // The last deltas may be lost with no later one to reveal the gap: reply.completed carries the text then.
      const shown = live[ID]!;
      expect(shown.text).toBe(server.slice(0, shown.seq).map((e) => e.delta).join(''));
      const lastDelivered = Math.max(0, ...server.filter((_, i) => fates[i] !== 'lose').map((e) => e.seq));
      expect(shown.seq).toBeGreaterThanOrEqual(lastDelivered);
    }));
  });
});

describe('the messages of the page', () => {
  it('keeps what streamed of replies still in flight and drops the ended ones', () => {
    const live = run(follow({}, 'gone'), [delta(1, 'часть')]).live;
    const next = followInFlight(live, [reply({}), reply({ id: 'gone', status: 'completed' }), reply({ id: 'new', status: 'queued' })]);
    expect(next).toEqual({ [ID]: { attempt: 1, seq: 1, text: 'часть' }, new: { attempt: 0, seq: 0, text: '' } });
    expect(settle(next, ID)).toEqual({ new: { attempt: 0, seq: 0, text: '' } });
    expect(settle(next, 'unknown')).toBe(next);
  });

  it('merges a completed reply over the one shown, and shows the stored text once it ended', () => {
    const live = run({}, [delta(1, 'Частичный ')]).live;
    const list = [reply({ id: 'q', sender: 'user', status: 'completed', content: 'Вопрос' }), reply({})];
    expect(shownText(list[1]!, live)).toBe('Частичный ');
    const stopped = reply({ status: 'completed', content: 'Частичный ', meta: { stopped: true } });
    const merged = upsertMessage(list, stopped);
    expect(merged).toHaveLength(2);
    expect(merged[1]).toMatchObject({ status: 'completed', meta: { stopped: true } });
    expect(shownText(merged[1]!, settle(live, ID))).toBe('Частичный ');
    expect(upsertMessage(list, reply({ id: 'other' }))).toHaveLength(3);
  });

  it('keeps an ended reply ended when its announcement as queued arrives late', () => {
    const done = reply({ status: 'completed', content: 'Ответ' });
    const late = upsertMessage([done], reply({ status: 'queued' }));
    expect(late).toEqual([done]);
    expect(shownText(late[0]!, {})).toBe('Ответ');
    // Forward it moves: a queued reply announced again, then started, then completed.
    const queued = reply({ status: 'queued' });
    expect(upsertMessage([queued], reply({ status: 'streaming' }))[0]).toMatchObject({ status: 'streaming' });
    expect(upsertMessage([queued], done)[0]).toMatchObject({ status: 'completed', content: 'Ответ' });
  });

  it('adds a sent question and its reply once, even when a load brought them first', () => {
    const question = reply({ id: 'q', sender: 'user', status: 'pending' });
    const loaded = [question, reply({ status: 'streaming' })];
    expect(appendMissing(loaded, question, reply({ status: 'queued' }))).toBe(loaded);
    expect(appendMissing([], question, reply({ status: 'queued' })).map((m) => m.id)).toEqual(['q', ID]);
  });
});
