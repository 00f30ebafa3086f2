/**
 * A request Node's HTTP parser refuses before Koa sees it (headers past 16 KB, a malformed
 * request line) is answered with a problem document like every other refusal; Node's own
 * answer is a bare status line with no body.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { HttpProblem } from './problem.js';

function refusalOf(code: string | undefined): HttpProblem {
  if (code === 'HPE_HEADER_OVERFLOW') return new HttpProblem(431, 'headers_too_large', 'Request Header Fields Too Large', 'the request line and headers may hold at most 16 KB');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new HttpProblem(408, 'request_timeout', 'Request Timeout', 'the request did not arrive in time');
  return new HttpProblem(400, 'bad_request', 'Bad Request', 'the request is not well-formed HTTP/1.1');
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // A connection reset or timed out has no one to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const problem = refusalOf(err.code);
    const body = JSON.stringify(problem);
    socket.end(`HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
