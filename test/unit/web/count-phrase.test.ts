/** Numbers with the word that agrees with them: Russian one|few|many, English one|other. */
import { describe, expect, it } from 'vitest';
import { countPhrase } from '../../../web/src/lib/i18n';

describe('countPhrase', () => {
  it('puts the Russian word in the form its number takes', () => {
    const forms = 'статья|статьи|статей';
    expect([1, 2, 4, 5, 11, 12, 21, 22, 142, 243, 529, 1727].map((n) => countPhrase('ru', n, forms))).toEqual([
      '1 статья', '2 статьи', '4 статьи', '5 статей', '11 статей', '12 статей', '21 статья', '22 статьи', '142 статьи', '243 статьи', '529 статей', '1\u00a0727 статей',
    ]);
    expect(countPhrase('ru', 1, 'проверка юристом в месяц|проверки юристом в месяц|проверок юристом в месяц')).toBe('1 проверка юристом в месяц');
  });

  it('puts the English word in the singular for one only', () => {
    expect([0, 1, 2].map((n) => countPhrase('en', n, 'article|articles'))).toEqual(['0 articles', '1 article', '2 articles']);
  });
});
