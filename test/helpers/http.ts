/** A small JSON client for tests: what a real client would send and see. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { CONSENT_DOCUMENT } from '../../core/privacy/consent-document.js';
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  /** `raw`: a body sent as is (a string, bytes, or FormData for multipart). */
  opts: { token?: string; json?: unknown; headers?: Record<string, string>; raw?: string | Buffer | FormData } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | FormData | undefined = opts.raw;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}.${Date.now().toString(36)}.${process.pid}.${++counter}@example.test`;

export async function registerUser(base: string, tag = 'user') {
  const email = uniqueEmail(tag);
  const password = 'correct horse battery';
  const res = await request(base, 'POST', '/api/auth/register', { json: { email, password, name: 'Test', consent_version: CONSENT_DOCUMENT.version } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, id: res.body.user.id as string, token: res.body.access_token as string, refresh: res.body.refresh_token as string };
}
