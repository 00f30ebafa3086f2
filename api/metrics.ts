/**
 * `GET /metrics` (Prometheus text). Open to a scraper on loopback; from anywhere else it asks
 * for `METRICS_TOKEN` as a Bearer token, and is refused when none is set. A request relayed by
 * a proxy on the same host carries forwarding headers and does not count as loopback.
 */
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from '../core/telemetry/metrics.js';
import { problems } from './problem.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function allowed(req: IncomingMessage, token: string | undefined): boolean {
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  if (!forwarded && LOOPBACK.has(req.socket.remoteAddress ?? '')) return true;
  // Any METRICS_TOKEN, not only a token68; the scheme's name in any letter case, as for the API.
  const given = /^Bearer +(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !given) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface MetricsResponse {
  status: 200 | 401 | 403;
  headers: Record<string, string>;
  body: string;
}

const NO_STORE = { 'cache-control': 'no-store' };

/** The answer to a /metrics request, on the API (Koa) or on the workers' METRICS_PORT. */
export async function metricsResponse(req: IncomingMessage, token: string | undefined): Promise<MetricsResponse> {
  if (!allowed(req, token)) {
    const refused = { 'content-type': 'application/problem+json', ...NO_STORE };
    // With a token set, the right one opens them: ask for it. Without one, nothing can.
    if (token) return { status: 401, headers: { ...refused, 'www-authenticate': 'Bearer realm="metrics"' }, body: JSON.stringify(problems.unauthorized('metrics are open on loopback; elsewhere send METRICS_TOKEN as a Bearer token')) };
    return { status: 403, headers: refused, body: JSON.stringify(problems.forbidden('metrics are open on loopback only: METRICS_TOKEN is not set')) };
  }
  return { status: 200, headers: { 'content-type': registry.contentType, ...NO_STORE }, body: await registry.metrics() };
}

/** A bare /metrics server for a process without the API (`start:workers`, on METRICS_PORT). */
export async function startMetricsServer(port: number, host: string, token: string | undefined): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problems.notFound()));
      return;
    }
    metricsResponse(req, token).then(
      (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
