import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DlpError, mask, PlaceholderRegistry, restore, Vault } from '../../../core/dlp/index.js';

const TEXT = 'Истец Иванов Иван Иванович, тел. +7 (916) 123-45-67, ИНН 7707083893. Повторно: 8-916-123-45-67, ИНН 7707083893, e-mail Ivan@Mail.ru и ivan@mail.ru.';

describe('replace', () => {
  it('gives the same value the same placeholder however it is written', () => {
    const { masked, by_type } = mask(TEXT);
    expect(masked).toBe(
      'Истец [PERSON_1], тел. [PHONE_1], ИНН [INN_1]. Повторно: [PHONE_1], ИНН [INN_1], e-mail [EMAIL_1] и [EMAIL_1].',
    );
    expect(by_type).toEqual({ PERSON: 1, PHONE: 2, INN: 2, EMAIL: 2 });
  });

  it('keeps numbering across messages through a persisted registry', () => {
    const first = mask('тел. +7 (916) 123-45-67', { registry: new PlaceholderRegistry() });
    const registry = PlaceholderRegistry.fromJSON(JSON.parse(JSON.stringify(first.registry.toJSON())));
    const second = mask('тел. 89161234567 или +7 (495) 111-22-33', { registry });
    expect(second.masked).toBe('тел. [PHONE_1] или [PHONE_2]');
  });

  it('links names in different grammatical cases', () => {
    expect(mask('Истец Петров Пётр Петрович. Ответчик возразил Петрову Петру Петровичу.').masked).toBe(
      'Истец [PERSON_1]. Ответчик возразил [PERSON_1].',
    );
  });
});

describe('partial', () => {
  it('keeps only the last 4 digits of numeric identifiers', () => {
    const { masked } = mask('карта 2200 1234 5678 9019, тел. +7 (916) 123-45-67, СНИЛС 112-233-445 95', { operator: 'partial' });
    expect(masked).toBe('карта **** **** **** 9019, тел. +* (***) ***-45-67, СНИЛС ***-***-*45 95');
  });
});

describe('hash', () => {
  it('links equal values under one key and differs under another', () => {
    const a = mask('ИНН 7707083893', { operator: 'hash', hashKey: 'k1' }).masked;
    const b = mask('ИНН: 7707083893', { operator: 'hash', hashKey: 'k1' }).masked;
    const c = mask('ИНН 7707083893', { operator: 'hash', hashKey: 'k2' }).masked;
    expect(a).toMatch(/^ИНН \[INN_[0-9a-f]{16}\]$/);
    expect(b.slice(-22)).toBe(a.slice(-22));
    expect(c).not.toBe(a);
    expect(() => mask('ИНН 7707083893', { operator: 'hash' })).toThrow(DlpError);
  });
});

describe('pseudonymize and restore', () => {
  it('restores the exact text, with the registry sealed in a vault in between', () => {
    const vault = new Vault(randomBytes(32));
    const { masked, registry } = mask(TEXT, { operator: 'pseudonymize' });
    expect(masked).not.toMatch(/\d{4}|Иванов|mail\.ru/);
    expect(masked).toContain('[PHONE_1]');
    expect(masked).toContain('[PHONE_1.2]');
    const sealed = vault.seal(registry.toJSON(), 'chat-1');
    const reopened = PlaceholderRegistry.fromJSON(vault.open(sealed, 'chat-1'));
    expect(restore(masked, reopened)).toBe(TEXT);
  });

  it('round-trips any mix of identifiers and filler', () => {
    const pieces = ['ИНН 7707083893', 'тел. +7 (916) 123-45-67', 'a.b@c.ru', 'СНИЛС 112-233-445 95', 'Иванов И.И.', 'карта 2200 1234 5678 9019', ' ', ', ', 'ст. 15 ГК РФ', 'д'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.string({ maxLength: 8 }), (parts, noise) => {
        const text = parts.join(' ') + noise;
        const { masked, registry } = mask(text, { operator: 'pseudonymize' });
        expect(restore(masked, registry)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('restores from a plain mapping and leaves unknown tokens alone', () => {
    expect(restore('Звоните [PHONE_1], не [PHONE_9]', { '[PHONE_1]': '+7 916 000-00-00' })).toBe('Звоните +7 916 000-00-00, не [PHONE_9]');
  });
});

describe('Vault', () => {
  it('refuses a wrong key, a wrong context and tampered data', () => {
    const key = randomBytes(32);
    const sealed = new Vault(key).seal({ a: 'секрет' }, 'chat-1');
    expect(new Vault(key).open(sealed, 'chat-1')).toEqual({ a: 'секрет' });
    expect(() => new Vault(randomBytes(32)).open(sealed, 'chat-1')).toThrow(DlpError);
    expect(() => new Vault(key).open(sealed, 'chat-2')).toThrow(DlpError);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => new Vault(key).open(tampered, 'chat-1')).toThrow(DlpError);
    expect(() => new Vault(randomBytes(16))).toThrow(DlpError);
    expect(sealed).not.toContain('секрет');
  });
});
