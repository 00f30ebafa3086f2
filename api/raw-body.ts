/** The request body as bytes, for routes that must verify exactly what was sent (webhook signatures). */
import type { IncomingMessage } from 'node:http';
import { problems } from './problem.js';

export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw problems.payloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
