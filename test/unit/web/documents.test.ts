/** A document's state on its pages: answers and live events applied in any order leave the latest. */
import { describe, expect, it } from 'vitest';
import { newer, type DocumentRow } from '../../../web/src/pages/Documents';

const doc = (updated_at: string, status: DocumentRow['status']): DocumentRow => ({
  id: 'd1', title: 'Договор', status, mime_type: 'text/plain', size_bytes: 1, version: 1,
  progress: { stage: status, percent: 0 }, error: null, created_at: '2026-12-01T10:00:00.000Z', updated_at,
});

describe('newer', () => {
  const queued = doc('2026-12-01T10:00:01.000Z', 'processing');
  const done = doc('2026-12-01T10:00:02.500Z', 'ready');

  it('keeps the later state when an older answer arrives after a live event', () => {
    expect(newer(done, queued)).toBe(done);
  });
  it('takes the later state, and the first one there is', () => {
    expect(newer(queued, done)).toBe(done);
    expect(newer(null, queued)).toBe(queued);
  });
});
