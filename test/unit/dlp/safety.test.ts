import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADVERSARIAL } from '../../../bench/dlp/adversarial.js';
import { DETECTORS, DlpError, mask, scan } from '../../../core/dlp/index.js';

describe('adversarial input runs in linear time', () => {
  it.each(ADVERSARIAL)('1 MB: %s', (_name, make) => {
    const text = make();
    const t0 = performance.now();
    scan(text, { timeBudgetMs: 60_000 });
    // Well above the measured times (under 1 s alone, see npm run eval:dlp), far below what quadratic behaviour would take.
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('fails closed', () => {
  it('throws DlpError when a detector throws, and returns nothing', () => {
    const broken = [...DETECTORS, { name: 'broken', detect: () => { throw new Error('boom'); } }];
    expect(() => mask('ИНН 7707083893', { detectors: broken })).toThrow(expect.objectContaining({ name: 'DlpError', code: 'dlp_failed' }));
  });

  it('throws DlpError when the scan runs past its budget', () => {
    const slow = [{ name: 'slow', detect: () => { const end = performance.now() + 30; while (performance.now() < end); return []; } }];
    expect(() => scan('text', { detectors: slow, timeBudgetMs: 5 })).toThrow(expect.objectContaining({ code: 'dlp_timeout' }));
  });

  it('refuses a text over the size limit and a detector returning an invalid span', () => {
    expect(() => scan('x'.repeat(11), { maxLength: 10 })).toThrow(DlpError);
    const bad = [{ name: 'bad', detect: () => [{ type: 'EMAIL' as const, start: 0, end: 99, score: 1 }] }];
    expect(() => scan('short', { detectors: bad })).toThrow(expect.objectContaining({ code: 'dlp_failed' }));
  });
});

describe('no partial leaks', () => {
  const sep = fc.constantFrom(' ', '-', '\u00a0', ' - ');
  it('leaves no digit of a phone visible, whatever the separators', () => {
    fc.assert(
      fc.property(fc.constantFrom('+7', '8'), fc.stringMatching(/^9\d{9}$/), sep, sep, (prefix, rest, s1, s2) => {
        const phone = `${prefix}${s1}(${rest.slice(0, 3)})${s1}${rest.slice(3, 6)}${s2}${rest.slice(6, 8)}${s2}${rest.slice(8)}`;
        const { masked } = mask(`Звоните: ${phone}, спасибо`);
        expect(masked).toBe('Звоните: [PHONE_1], спасибо');
      }),
    );
  });

  it('masks a whole SNILS or card whatever the separators', () => {
    fc.assert(
      fc.property(sep, sep, (s1, s2) => {
        expect(mask(`СНИЛС 112${s1}233${s1}445${s2}95`).masked).toBe('СНИЛС [SNILS_1]');
        expect(mask(`карта 2200${s1}1234${s1}5678${s2}9019`).masked).toBe('карта [CARD_1]');
      }),
    );
  });

  it('reports offsets in UTF-16 code units', () => {
    const text = '😀 ИНН 7707083893';
    const [e] = scan(text).entities;
    expect(text.slice(e?.start, e?.end)).toBe('7707083893');
  });
});
