/** Waiting for a document's ingestion to settle: tests that fingerprint the database need it quiet. */
/* eslint-disable @typescript-eslint/no-explicit-any -- the document is whatever the server sent */
import { waitFor } from '../e2e/chat/harness.js';
import { request } from './http.js';

export async function settledDocument(base: string, token: string, id: string): Promise<any> {
  return waitFor(`document ${id} settled`, async () => {
    const res = await request(base, 'GET', `/api/documents/${id}`, { token });
    return ['ready', 'failed'].includes(res.body.status) ? res.body : undefined;
  }, 30_000);
}
