/** An answer's markdown made safe, with chips and citations (web/src/chat/markup.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decorate, isSafeHref, renderAnswer, splitBlocks } from '../../../web/src/chat/markup';
import { citationHref } from '../../../web/src/chat/citations';

describe('rendering an answer', () => {
  it('renders markdown', () => {
    const html = renderAnswer('Согласно **ст. 81 ТК РФ**:\n\n- первое\n- второе');
    expect(html).toContain('<strong>ст. 81 ТК РФ</strong>');
    expect(html).toMatch(/<ul>\s*<li>первое<\/li>\s*<li>второе<\/li>\s*<\/ul>/);
  });

  it('shows raw HTML of the answer as text, never as live elements', () => {
    for (const hostile of ['<script>alert(1)</script>', 'Текст <img src=x onerror="alert(1)"> ещё', '<iframe src="https://evil.example"></iframe>', '<a href="javascript:alert(1)">жми</a>']) {
      const html = renderAnswer(hostile);
      expect(html, hostile).not.toMatch(/<(script|img|iframe|a)\b/i);
      expect(html, hostile).toContain('&#60;');
    }
  });

  it('keeps only the text of a link to an unsafe target, and links to safe ones', () => {
    for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', 'javascript&#58;alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:msgbox(1)']) {
      const html = renderAnswer(`[жми](${target}) и <${target}>`);
      expect(html, target).not.toMatch(/<a\b/);
      expect(html, target).toContain('жми');
    }
    expect(renderAnswer('[закон](https://pravo.gov.ru/x)')).toContain('<a href="https://pravo.gov.ru/x">закон</a>');
    expect(renderAnswer('[статья](/law/tk/81)')).toContain('<a href="/law/tk/81">статья</a>');
    expect(isSafeHref('mailto:info@example.ru')).toBe(true);
    expect(isSafeHref(' javascript:alert(1)')).toBe(false);
    expect(isSafeHref('java\tscript:alert(1)')).toBe(false);
    expect(isSafeHref('javascript&#x3A;alert(1)')).toBe(false);
    expect(isSafeHref('javascript&colon;alert(1)')).toBe(false);
    expect(isSafeHref('&#106;avascript:alert(1)')).toBe(false);
    expect(isSafeHref('https://example.ru/?a=1&b=2')).toBe(true);
    expect(isSafeHref('&#99999999;x')).toBe(true); // not a character: no scheme, and no throw
  });

  it('shows an image as its description and fetches nothing', () => {
    const html = renderAnswer('![схема](https://tracker.example/p.png)');
    expect(html).not.toMatch(/<img\b/);
    expect(html).toContain('схема');
  });

  it('turns a marker into a citation button only when the answer has that citation', () => {
    const html = renderAnswer('Предупредить за два месяца [1]. Иначе [7].', { citations: new Set([1]) });
    expect(html).toContain('<button type="button" class="cite" data-cite="1">1</button>');
    expect(html).toContain('Иначе [7].');
    expect(html).not.toContain('data-cite="7"');
    // A link whose text is a number is a link, not a citation.
    expect(renderAnswer('[1](https://example.ru)', { citations: new Set([1]) })).not.toContain('data-cite');
  });

  it('shows placeholders as chips, and the owner\'s own values (escaped) once revealed', () => {
    const masked = renderAnswer('Уважаемая [PERSON_1], ваш телефон [PHONE_1].');
    expect(masked).toContain('<span class="chip" title="PERSON">person 1</span>');
    expect(masked).toContain('<span class="chip" title="PHONE">phone 1</span>');
    // In the interface's language when the page gives the names.
    expect(decorate('<p>[PERSON_1], [PHONE_2]</p>', { labels: { PERSON: 'ФИО', PHONE: 'телефон' } })).toBe('<p><span class="chip" title="PERSON">ФИО 1</span>, <span class="chip" title="PHONE">телефон 2</span></p>');
    const revealed = renderAnswer('Уважаемая [PERSON_1].', { values: { '[PERSON_1]': 'Ковалёва <b>Дарина</b>' } });
    expect(revealed).toContain('<span class="chip revealed" title="[PERSON_1]">Ковалёва &#60;b&#62;Дарина&#60;/b&#62;</span>');
  });

  it('leaves attributes alone: a placeholder in a link title stays as it is', () => {
    const html = renderAnswer('[ссылка](https://example.ru "[PERSON_1]")');
    expect(html).toContain('title="[PERSON_1]"');
  });

  it('runs the sanitizer between markdown and decoration', () => {
    const seen: string[] = [];
    const html = renderAnswer('[PERSON_1] [1]', { citations: new Set([1]) }, (h) => (seen.push(h), h.replace('<p>', '<p class="clean">')));
    expect(seen).toEqual(['<p>[PERSON_1] [1]</p>\n']);
    expect(html).toMatch(/^<p class="clean"><span class="chip"[^>]*>person 1<\/span> <button[^>]*data-cite="1"/);
  });
});

describe('citation links', () => {
  it('lead to the law article or to the document', () => {
    expect(citationHref({ n: 1, quote: 'q', source: { type: 'law', code: 'tk', article: '81', title: 'Статья 81' } })).toBe('/law/tk/81');
    expect(citationHref({ n: 2, quote: 'q', source: { type: 'document', id: 'd-1', title: 'Договор', version: 1 } })).toBe('/documents/d-1');
  });
});

describe('blocks of a growing answer', () => {
  it('cuts at blank lines, but not inside a fence or before an indented continuation', () => {
    const text = 'Первый абзац.\n\n```\nкод\n\nещё код\n```\n\n1. пункт\n\n   его продолжение\n\n## Итог';
    expect(splitBlocks(text)).toEqual(['Первый абзац.\n', '```\nкод\n\nещё код\n```\n', '1. пункт\n\n   его продолжение\n', '## Итог']);
  });

  it('renders each block as the whole answer would be rendered', () => {
    const text = '## Что делать\n\nСогласно **ст. 81** [1]:\n\n```\nпретензия\n\nсуд\n```\n\n1. первое\n2. второе\n\n> цитата';
    const opts = { citations: new Set([1]) };
    const strip = (html: string) => html.replace(/\s+/g, '');
    expect(strip(splitBlocks(text).map((b) => renderAnswer(b, opts)).join(''))).toBe(strip(renderAnswer(text, opts)));
  });

  it('loses and adds nothing', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '`', '~', '-', '1', '.') }), (text) => {
      expect(splitBlocks(text).join('\n')).toBe(text);
    }));
  });
});
