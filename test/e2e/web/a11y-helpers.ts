/**
 * Accessibility and layout checks for the browser tests: axe's serious and critical findings,
 * horizontal scrolling, visible focus, and screenshots kept under test-results/screens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Git-ignored: every run writes the main pages here at both viewports. */
export const SCREENS_DIR = path.resolve('test-results/screens');

/** axe's serious and critical violations on the page as it is now, one readable line per element. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`));
}

// The functions run in the browser are strings: the tests' TypeScript has no DOM types.

/** How many pixels the page scrolls sideways (0 when it fits the window). */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate('Math.max(0, document.documentElement.scrollWidth - window.innerWidth)');

export async function saveScreen(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS_DIR, `${name}.png`) });
}

/**
 * Presses Tab until `target` has the focus, as a keyboard user would; fails after `max` presses.
 * Returns how many presses it took.
 */
export async function tabTo(page: Page, target: Locator, max = 40): Promise<number> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error('tabTo: the target is not on the page');
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (await handle.evaluate((el) => el === el.ownerDocument?.activeElement)) return presses;
  }
  const at = await page.evaluate('document.activeElement?.outerHTML.slice(0, 120)');
  throw new Error(`not reached with ${max} presses of Tab; the focus is on ${at}`);
}

/** Whether the focused element shows where the focus is: an outline or a focus ring (box-shadow). */
export const focusIsVisible = (page: Page): Promise<boolean> =>
  page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    // A visually hidden control (a file input) shows its focus on the label around it.
    const own = getComputedStyle(el);
    const hidden = own.clipPath !== 'none' || own.opacity === '0' || el.getBoundingClientRect().width <= 1;
    const style = getComputedStyle(hidden ? el.closest('label') ?? el : el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
  })()`);
