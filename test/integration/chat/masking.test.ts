/** The masking stage's guarantee: e-mails, phones, cards, INN and SNILS never get through. */
import { describe, expect, it } from 'vitest';
import { maskChatText } from '../../../core/chat/masking.js';
import { createSealer } from '../../../core/chat/seal.js';
import { PlaceholderRegistry, Vault } from '../../../core/dlp/index.js';

const CASES: Array<[string, string]> = [
  ['EMAIL', 'пишите на ivan.petrov@mail.ru'],
  ['EMAIL', 'адрес: Мария_К@почта.рф'],
  ['PHONE', 'телефон +7 (916) 123-45-67'],
  ['PHONE', 'звоните 89161234567'],
  ['CARD', 'карта 4276 3800 1234 5678'], // fails the Luhn check: still masked
  ['CARD', 'карта 4111-1111-1111-1111'],
  ['INN', 'ИНН 7707083893'],
  ['INN', 'ИНН физлица 500100732259'],
  ['SNILS', 'СНИЛС 112-233-445 95'],
  ['SNILS', 'СНИЛС 11223344595'],
];

describe('maskChatText', () => {
  it.each(CASES)('masks %s in "%s"', (type, text) => {
    const { masked, byType } = maskChatText(text, new PlaceholderRegistry());
    expect(masked).not.toMatch(/\d{4}|@/);
    expect(masked).toContain(`[${type}_1]`);
    expect(byType[type]).toBe(1);
  });

  it('masks numbers written in square brackets, as the same numbers without them', () => {
    const { masked, byType } = maskChatText('Вот данные: [4111111111111111], [7707083893], [11223344595]', new PlaceholderRegistry());
    expect(masked).toBe('Вот данные: [[CARD_1]], [[INN_1]], [[SNILS_1]]');
    expect(byType).toMatchObject({ CARD: 1, INN: 1, SNILS: 1 });
  });

  it('keeps one placeholder per value across messages of a chat, and leaves legal references alone', () => {
    const registry = new PlaceholderRegistry();
    const a = maskChatText('Мой номер +7 916 123-45-67, статья 81 ТК РФ, дело № А40-12345/2023', registry);
    const b = maskChatText('Повторю: 8 916 123 45 67, а жены — +7 903 000-11-22', PlaceholderRegistry.fromJSON(registry.toJSON()));
    expect(a.masked).toBe('Мой номер [PHONE_1], статья 81 ТК РФ, дело № А40-12345/2023');
    expect(b.masked).toBe('Повторю: [PHONE_1], а жены — [PHONE_2]');
  });
});

describe('sealing', () => {
  it("round-trips, and refuses another message id, another key or another account's secret", () => {
    const key = Buffer.alloc(32, 7);
    const [mine, theirs] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const sealer = createSealer(key);
    const sealed = sealer.seal('Иванов, +7 916 123-45-67', 'm1', mine);
    expect(sealed).not.toContain('916');
    expect(sealer.open(sealed, 'm1', mine)).toBe('Иванов, +7 916 123-45-67');
    expect(() => sealer.open(sealed, 'm2', mine)).toThrow();
    expect(() => sealer.open(sealed, 'm1', theirs)).toThrow();
    expect(() => createSealer(Buffer.alloc(32, 8)).open(sealed, 'm1', mine)).toThrow();
    // The account's key, not the service's alone: without the secret it does not open.
    expect(() => new Vault(key).open(sealed, 'message:m1')).toThrow();
    // A job queued before accounts' keys sealed its text (with the service key) still opens.
    expect(sealer.open(new Vault(key).seal({ t: 'до обновления' }, 'message:m3'), 'm3', mine)).toBe('до обновления');
  });
});
