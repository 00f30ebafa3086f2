/**
 * The chat's messages as the page renders them (react-dom/server: no DOM needed): a reply in
 * flight with its Stop button, a stopped one with its partial answer, sanitised markdown and
 * the blocks a growing answer is rendered in.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MessageView, type MessageActions } from '../../../web/src/chat/MessageView';
import type { Message } from '../../../web/src/chat/types';
import { Markdown } from '../../../web/src/components/Markdown';

const none: MessageActions = { onStop: () => undefined, onRetry: () => undefined, onAskLawyer: () => undefined, onCite: () => undefined };
const reply = (over: Partial<Message>): Message => ({ id: 'r1', chat_id: 'c1', sender: 'assistant', status: 'streaming', ...over });
const view = (m: Message, text: string, stopping = false) =>
  renderToStaticMarkup(<MessageView m={m} text={text} stopping={stopping} reviewRequested={false} actions={none} />);

describe('a reply in the conversation', () => {
  it('while it streams: the text so far and a Stop button, disabled once pressed', () => {
    const html = view(reply({}), 'Сначала направьте претензию');
    expect(html).toContain('Сначала направьте претензию');
    expect(html).toMatch(/<button type="button" class="stop">Стоп<\/button>/);
    expect(html).not.toContain('Ответ остановлен');
    expect(view(reply({}), 'Сначала', true)).toMatch(/<button type="button" class="stop" disabled="">Останавливаю…<\/button>/);
    expect(view(reply({ status: 'queued' }), '')).toContain('В очереди…');
  });

  it('once stopped: the partial answer marked as stopped, Retry, no Stop and no lawyer review', () => {
    const html = view(reply({ status: 'completed', content: 'Сначала направьте', meta: { stopped: true } }), 'Сначала направьте');
    expect(html).toContain('data-stopped="true"');
    expect(html).toContain('Сначала направьте');
    expect(html).toContain('<span class="badge">Ответ остановлен</span>');
    expect(html).toContain('>Повторить</button>');
    expect(html).not.toContain('class="stop"');
    expect(html).not.toContain('Спросить юриста');
  });

  it('a completed answer: its citations as buttons, a marker without a citation as text', () => {
    const citations = [{ n: 1, quote: 'Работодатель обязан', source: { type: 'law' as const, code: 'tk', article: '180', title: 'Статья 180' } }];
    const html = view(reply({ status: 'completed', content: 'Предупредить заранее [1], см. также [2].', meta: { citations } }), 'Предупредить заранее [1], см. также [2].');
    expect(html).toContain('data-cite="1"');
    expect(html).toContain('см. также [2].');
    expect(html).toContain('Спросить юриста');
    expect(html).not.toContain('class="stop"');
  });

  it('a failed one says why and offers Retry', () => {
    const html = view(reply({ status: 'failed', meta: { error: { code: 'ai_unavailable', detail: 'no AI provider could answer' } } }), '');
    expect(html).toContain('Ответ не получен: сервис ИИ сейчас не ответил, попробуйте ещё раз');
    expect(html).toContain('>Повторить</button>');
  });
});

describe('the markdown of an answer', () => {
  it('renders no live script, handler or javascript: link that the answer carries', () => {
    const html = renderToStaticMarkup(<Markdown text={'<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[жми](javascript:alert(1))'} />);
    expect(html).not.toMatch(/<(script|img)\b/i);
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('жми');
  });

  it('is one element per block, each holding what rendering the block alone gives', () => {
    const html = renderToStaticMarkup(<Markdown text={'## Итог\n\nУважаемая [PERSON_1], ответ [1].\n\n- раз\n- два'} citations={[1]} values={{ '[PERSON_1]': 'Дарина' }} />);
    const blocks = html.match(/<div><(h2|p|ul)>/g);
    expect(blocks).toEqual(['<div><h2>', '<div><p>', '<div><ul>']);
    expect(html).toContain('<span class="chip revealed" title="[PERSON_1]">Дарина</span>');
    expect(html).toContain('data-cite="1"');
  });
});
