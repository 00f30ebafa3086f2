/**
 * The API client. The access token lives in memory only; the refresh token in an httpOnly
 * cookie the page cannot read (`X-Refresh-Cookie: 1`), spent with the double-submit CSRF
 * header. A 401 refreshes once (one refresh at a time for every caller) and retries.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(detail);
  }
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

export const getAccessToken = () => accessToken;
export const onSessionChange = (fn: (signedIn: boolean) => void) => {
  listeners.add(fn);
  return () => void listeners.delete(fn);
};

function csrfToken(): string {
  return document.cookie.split('; ').find((c) => c.startsWith('csrf_token='))?.slice('csrf_token='.length) ?? '';
}

/** Keeps the session: a new access token shortly before this one expires. */
export function acceptTokens(tokens: { access_token: string; expires_in: number }): void {
  accessToken = tokens.access_token;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(), Math.max(5, tokens.expires_in - 30) * 1000);
  listeners.forEach((fn) => fn(true));
}

export function dropTokens(): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  listeners.forEach((fn) => fn(false));
}

/** Silently renews the session from the cookie; false when there is none to renew. */
export function refresh(): Promise<boolean> {
  if (!csrfToken()) return Promise.resolve(false); // no session cookie to renew
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-refresh-cookie': '1', 'x-csrf-token': csrfToken() },
        body: '{}',
      });
      if (!res.ok) {
        dropTokens();
        return false;
      }
      acceptTokens(await res.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string; errors?: ApiError['errors'] };
  return new ApiError(res.status, body.code ?? 'error', body.detail ?? body.title ?? res.statusText, body.errors ?? []);
}

/** Sends a request as the signed-in user; resolves with the parsed body (undefined for 204). */
export async function api<T>(path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: opts.method ?? (opts.json !== undefined || opts.body ? 'POST' : 'GET'),
    headers,
    body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (res.status === 401 && !retried && accessToken && (await refresh())) return api<T>(path, opts, true);
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Signs in or up; the refresh token goes to the cookie. */
export async function startSession<T extends { access_token: string; expires_in: number }>(path: string, json: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-refresh-cookie': '1' },
    body: JSON.stringify(json),
  });
  if (!res.ok) throw await problemOf(res);
  const session = (await res.json()) as T;
  acceptTokens(session);
  return session;
}

export async function endSession(): Promise<void> {
  await fetch('/api/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: '{}',
  }).catch(() => undefined);
  dropTokens();
}

/** Every page of a list (`{items, next_cursor}`). */
export async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; next_cursor: string | null } = await api(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}
