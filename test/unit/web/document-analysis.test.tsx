/**
 * A document's analysis as the page renders it (react-dom/server): each place names its
 * paragraph as a reader counts (from 1) and links to that paragraph of the text shown, only
 * when the analysis read the version whose text is shown.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DocumentAnalysis, type Analysis } from '../../../web/src/pages/DocumentAnalysis';

const analysis: Analysis = {
  version: 1,
  summary: 'Договор аренды.',
  parties: [{ name: 'Арендатор', role: 'снимает', locator: { paragraph: 0 } }],
  key_terms: [],
  risks: [{ severity: 'low', text: 'Срок не указан', locator: { paragraph: 2, clause: 'Статья 2' } }],
};
const view = (textVersion: number) => renderToStaticMarkup(<DocumentAnalysis analysis={analysis} status={null} textVersion={textVersion} />);

describe("an analysis's places", () => {
  it('link to the paragraph of the text shown, counted from 1, the first one too', () => {
    const html = view(1);
    expect(html).toContain('<a href="#p-1">абз. 1</a>');
    expect(html).toContain('<a href="#p-3">п. Статья 2, абз. 3</a>');
  });

  it('do not link into a later version, and say which version they name', () => {
    const html = view(2);
    expect(html).not.toContain('href="#p-');
    expect(html).toContain('абз. 3');
    expect(html).toContain('версии 1');
  });
});
