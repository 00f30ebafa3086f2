/**
 * Answers the browser sees from the network around the service, made with Playwright routing:
 * one refusal as the service or a proxy in front of it gives (an expired token's 401, a rate
 * limit, a server away), and two requests sent at the same moment as two tabs would.
 */
import type { BrowserContext, Page, Request } from 'playwright-core';

const CODES: Record<number, string> = { 401: 'unauthorized', 429: 'rate_limited', 503: 'unavailable' };

/** The API request of `method` whose path ends with `path` (e.g. `/api/chats`, `/stop`). */
export const apiCall = (method: string, path: string | RegExp) => (req: Request) =>
  req.method() === method && (typeof path === 'string' ? new URL(req.url()).pathname.endsWith(path) : path.test(new URL(req.url()).pathname));

/** The next request that `matches` is answered with a problem of `status`; the others go through. */
export async function refuseOnce(target: Page | BrowserContext, matches: (req: Request) => boolean, status: number, headers: Record<string, string> = {}): Promise<void> {
  let done = false;
  await target.route('**/api/**', async (route) => {
    if (done || !matches(route.request())) return route.fallback();
    done = true;
    const code = CODES[status] ?? 'error';
    await route.fulfill({ status, headers, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: code, status, detail: `refused by the test (${code})`, code }) });
  });
}

/**
 * Holds each request to `pattern` until another one arrives (then both go) or `ms` pass: two
 * tabs that send theirs at about the same time reach the service together, however their
 * requests happen to be spaced; a client that sends one only after the other's answer waits `ms`.
 */
export async function sendInPairs(context: BrowserContext, pattern: string, ms = 3_000): Promise<void> {
  let waiting: (() => void) | null = null;
  await context.route(pattern, async (route) => {
    const paired = waiting;
    if (paired) {
      waiting = null;
      paired();
    } else {
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          if (waiting === release) waiting = null;
          resolve();
        };
        const timer = setTimeout(release, ms);
        waiting = release;
      });
    }
    await route.continue();
  });
}
