/**
 * Every page of the web client, lived in, at a desktop (1280×800) and a phone (390×844)
 * viewport: axe finds no serious or critical violation, nothing scrolls sideways, and the main
 * pages are saved as screenshots (test-results/screens, git-ignored).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../core/db/knex.js';
import { startFakePayments } from '../../helpers/billing.js';
import { horizontalOverflow, saveScreen, seriousViolations, VIEWPORTS, type ViewportName } from './a11y-helpers.js';
import { populate, type Fixtures } from './a11y-fixtures.js';
import { lawLibraryImported, startWebStack, type WebStack } from './harness.js';
import { operatorDb } from './reviews-helpers.js';

interface Visit {
  name: string;
  as: 'guest' | 'user' | 'lawyer' | 'admin';
  path: string | ((p: Fixtures['paths']) => string);
  /** Shown once the page has what it is about. */
  ready: string;
  /** Brings the page to the state checked (a dialog or a menu open, a search run). */
  then?: (page: Page) => Promise<void>;
  screen?: boolean;
  only?: ViewportName;
}

const VISITS: Visit[] = [
  { name: 'sign-in', as: 'guest', path: '/login', ready: 'main.auth form' },
  { name: 'sign-up', as: 'guest', path: '/register', ready: 'main.auth input[name=consent]' },
  { name: 'chat', as: 'user', path: (p) => p.chat, ready: 'article.message.assistant[data-status=completed] button.cite', screen: true },
  {
    name: 'chat-source', as: 'user', path: (p) => p.chat, ready: 'article.message.assistant[data-status=completed] button.cite',
    then: async (page) => {
      await page.click('article.message.assistant button.cite[data-cite="1"]');
      await page.waitForSelector('.source blockquote');
    },
  },
  {
    name: 'menu', as: 'user', path: '/documents', ready: 'tr[data-status=ready]', only: 'mobile',
    then: async (page) => {
      await page.click('header button[aria-controls=app-menu]');
      await page.locator('#app-menu').waitFor({ state: 'visible' });
    },
  },
  { name: 'documents', as: 'user', path: '/documents', ready: 'tr[data-status=ready]', screen: true },
  { name: 'document', as: 'user', path: (p) => p.document, ready: '.analysis[data-analysis=ready]', screen: true },
  {
    name: 'search', as: 'user', path: '/search', ready: 'input[name=q]',
    then: async (page) => {
      await page.fill('input[name=q]', 'расторжение трудового договора');
      await page.click('.search-box button[type=submit]');
      await page.waitForSelector('.hits li a');
    },
  },
  { name: 'law-library', as: 'user', path: '/law', ready: '.law-library li' },
  { name: 'law-article', as: 'user', path: (p) => p.article, ready: '.law-article h1' },
  { name: 'my-reviews', as: 'user', path: '/reviews', ready: '.review-list li[data-review-id] .snippet' },
  { name: 'my-review', as: 'user', path: (p) => p.review, ready: '.review-page [data-subject=answer]' },
  { name: 'billing', as: 'user', path: '/billing', ready: '.current-plan', screen: true },
  { name: 'billing-return', as: 'user', path: '/billing/return', ready: '.payment-outcome .notice' },
  { name: 'privacy', as: 'user', path: '/privacy', ready: 'li[data-purpose]' },
  { name: 'lawyer-workspace', as: 'lawyer', path: '/lawyer', ready: '.review-list li[data-review-id]', screen: true },
  { name: 'lawyer-editor', as: 'lawyer', path: (p) => p.editor, ready: '.review-editor .editor-original', screen: true },
  { name: 'admin-reports', as: 'admin', path: '/admin', ready: 'figure[data-chart] svg', screen: true },
  { name: 'admin-users', as: 'admin', path: '/admin/users', ready: 'tr[data-user-id]' },
  { name: 'admin-audit', as: 'admin', path: '/admin/audit', ready: 'tr[data-action]' },
  { name: 'admin-plans', as: 'admin', path: '/admin/plans', ready: 'form[data-plan]' },
];

let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stack: WebStack;
let db: Db;
let app: Fixtures;

beforeAll(async () => {
  fakes = await startFakePayments();
  stack = await startWebStack('weba11y', { ...fakes.env, LAW_AUTOIMPORT: 'true' });
  db = operatorDb(stack);
  await lawLibraryImported(stack.url);
  app = await populate(stack);
}, 360_000);
afterAll(async () => {
  await db?.destroy();
  await stack?.close();
  await fakes?.close();
}, 60_000);

/**
 * Opens the visit's page: loaded afresh the first time a page object is used at a viewport and
 * after a visit that changed its state (a menu or dialog left open); otherwise moved to in the
 * app, as a person clicking through it would, which spares reloading the app each time.
 */
async function open(page: Page, path: string, fresh: boolean): Promise<void> {
  if (fresh) await page.goto(stack.url + path);
  else await page.evaluate(`history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);
}

async function check(page: Page, visit: Visit, viewport: ViewportName, fresh: boolean): Promise<string[]> {
  await page.setViewportSize(VIEWPORTS[viewport]);
  await open(page, typeof visit.path === 'string' ? visit.path : visit.path(app.paths), fresh);
  await page.waitForSelector(visit.ready, { timeout: 15_000 });
  await visit.then?.(page);
  const problems = await seriousViolations(page);
  const overflow = await horizontalOverflow(page);
  if (overflow > 0) problems.push(`scrolls sideways by ${overflow}px`);
  if (visit.screen) await saveScreen(page, `${viewport}-${visit.name}`);
  return problems;
}

describe('accessibility and layout of every page', () => {
  it.each(Object.keys(VIEWPORTS) as ViewportName[])('%s: no serious or critical axe violation, no sideways scrolling', async (viewport) => {
    const problems: string[] = [];
    const settled = new Set<Page>(); // pages at this viewport whose state the last visit left as it found it
    for (const visit of VISITS.filter((v) => !v.only || v.only === viewport)) {
      const page = app[visit.as];
      // One page's failure is reported with the others, so a run lists everything to fix.
      try {
        problems.push(...(await check(page, visit, viewport, !settled.has(page))).map((p) => `${visit.name}: ${p}`));
        if (visit.then) settled.delete(page);
        else settled.add(page);
      } catch (err) {
        settled.delete(page);
        problems.push(`${visit.name}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
