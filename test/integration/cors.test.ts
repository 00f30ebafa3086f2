/**
 * A client on another origin (CORS_ORIGINS): it may call the API with its bearer token and read
 * the headers it needs from the answers, a download's file name among them; other origins get
 * no CORS grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../helpers/documents.js';
import { settledDocument } from '../helpers/ingest.js';
import { registerUser } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const ORIGIN = 'https://app.example';
let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('cors', { env: { CORS_ORIGINS: ORIGIN } });
});
afterAll(async () => rt?.close());

const exposed = (res: Response) => (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);

describe('CORS', () => {
  it('grants the allowed origin its preflight and lets it read a download\'s file name', async () => {
    const user = await registerUser(rt.url, 'cors');
    const preflight = await fetch(`${rt.url}/api/documents`, {
      method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, ORIGIN]);

    const doc = (await upload(rt.url, '/api/documents', user.token, { name: 'contract.txt', data: Buffer.from('Договор аренды\n') })).body.document;
    await settledDocument(rt.url, user.token, doc.id);
    const download = await fetch(`${rt.url}/api/documents/${doc.id}/download`, { headers: { origin: ORIGIN, authorization: `Bearer ${user.token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    expect(exposed(download)).toEqual(expect.arrayContaining(['content-disposition', 'location', 'retry-after', 'x-request-id']));
  });

  it('grants nothing to another origin', async () => {
    const res = await fetch(`${rt.url}/api/health`, { headers: { origin: 'https://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
