/**
 * The web client as the API serves it: pages get index.html under a strict CSP, hashed assets
 * are cached for good, and a file the build does not have is 404 rather than the app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../api/web-client.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('webclient');
});

afterAll(async () => {
  await rt?.close();
});

describe('the web client', () => {
  it('answers every page path with the app, and its assets with cache headers', async () => {
    for (const page of ['/', '/chats/3f1c0b8e-8a4f-4b8e-9a57-2f0d8c1e4a11', '/law/gk/445.1', '/law/gpk/123.16-1']) {
      const res = await fetch(`${rt.url}${page}`);
      expect([page, res.status, res.headers.get('content-type')]).toEqual([page, 200, 'text/html; charset=utf-8']);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    const asset = fs.readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const js = await fetch(`${rt.url}/assets/${asset}`);
    expect([js.status, js.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
  });

  it('answers 404 for a file the build does not have, not the app', async () => {
    for (const file of ['/favicon.ico', '/robots.txt', '/apple-touch-icon.png', '/assets/gone-0123abcd.js']) {
      const res = await fetch(`${rt.url}${file}`);
      expect([file, res.status]).toEqual([file, 404]);
      expect(res.headers.get('content-type')).not.toContain('text/html');
    }
  });
});
