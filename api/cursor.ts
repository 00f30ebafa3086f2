/** Opaque keyset cursors: base64url JSON of the last row's sort key. A bad cursor is a 400. */
import { z } from 'zod';
import { problems } from '../core/http/problem.js';

const cursorSchema = z.object({ t: z.iso.datetime({ offset: true }), id: z.uuid() });
export type Cursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw problems.badRequest('invalid cursor', 'validation_failed');
  }
}
