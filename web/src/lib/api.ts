/**
 * The API client. The access token lives in memory only; the refresh token in an httpOnly
 * cookie the page cannot read (`X-Refresh-Cookie: 1`), spent with the double-submit CSRF
 * header. A 401 refreshes once and retries. One refresh at a time, in this tab and across the
 * browser's tabs (they share the cookie, and the server takes a spent one as stolen). Only the
 * server's no (401, 403, or no cookie left) ends the session; a busy or unreachable server keeps
 * it and answers a retryable error.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors: Array<{ path: string; message: string }> = [],
    /** Seconds to wait before trying again, from `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(detail);
  }
}

/** What a failed fetch (no answer at all) becomes. */
export const offline = () => new ApiError(0, 'network_error', 'the server could not be reached; try again');

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

/** Renews the session in `seconds`; a renewal the server could not make then is tried again 10 s later. */
function renewIn(seconds: number): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh().catch((err: unknown) => renewIn((err instanceof ApiError && err.retryAfter) || 10)), seconds * 1000);
}

/** Keeps the session: a new access token shortly before this one expires. */
export function acceptTokens(tokens: { access_token: string; expires_in: number }): void {
  accessToken = tokens.access_token;
  renewIn(Math.max(5, tokens.expires_in - 30));
  listeners.forEach((fn) => fn(true));
}

export function dropTokens(): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  listeners.forEach((fn) => fn(false));
}

/**
 * The browser's tabs sign out together: after a sign-out in one, another would keep its access
 * token (minutes) and stay signed in, which on a shared computer is the next person's.
 */
const tabs = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('legal-ai-session');
tabs?.addEventListener('message', (e: MessageEvent) => {
  if (e.data === 'signed-out' && accessToken) dropTokens();
});

/** The longest `Retry-After` a refresh waits out before answering the caller. */
const RETRY_AFTER_WAITED_S = 5;
const retryAfterOf = (res: Response) => Number(res.headers.get('retry-after')) || undefined;
/** An answer that says "not now" rather than "no": try again later. */
const busy = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Renews the session from the cookie: true with a new access token, false when the session is
 * over (then signed out here too); throws an ApiError, keeping the session, when the server is
 * busy (429, waited out once when short) or away (5xx, no answer).
 */
export function refresh(): Promise<boolean> {
  refreshing ??= acrossTabs(() => renewFromCookie(true)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Runs `fn` while no other tab of this browser runs it (Web Locks; without them, this tab's
 * single flight is all there is). The cookie is read inside: a tab that waited spends the one
 * the previous holder was given, never the one that holder already spent.
 */
function acrossTabs<T>(fn: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? navigator.locks.request('session-refresh', fn) : fn();
}

async function renewFromCookie(mayWait: boolean): Promise<boolean> {
  const csrf = csrfToken();
  if (!csrf) {
    dropTokens(); // signed out in another tab, or the cookie is gone: nothing can renew this session
    return false;
  }
  let res: Response;
  try {
    res = await fetch('/api/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-refresh-cookie': '1', 'x-csrf-token': csrf },
      body: '{}',
    });
  } catch {
    throw offline();
  }
  if (res.ok) {
    acceptTokens(await res.json());
    return true;
  }
  if (busy(res.status)) {
    const wait = retryAfterOf(res);
    if (mayWait && res.status === 429 && wait !== undefined && wait <= RETRY_AFTER_WAITED_S) {
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return renewFromCookie(false);
    }
    throw await problemOf(res);
  }
  dropTokens(); // 401 (spent, expired, revoked, blocked), 403 or any other refusal: the session is over
  return false;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string; errors?: ApiError['errors'] };
  return new ApiError(res.status, body.code ?? 'error', body.detail ?? body.title ?? res.statusText, body.errors ?? [], retryAfterOf(res));
}

/**
 * Sends a request with the access token current at each try: after a 401 the session is renewed
 * once and the request sent again. A request that got no answer is an `offline()` error.
 */
export async function withSession(send: (token: string | null) => Promise<Response>): Promise<Response> {
  const attempt = () => send(accessToken).catch((err: unknown) => {
    throw err instanceof DOMException && err.name === 'AbortError' ? err : offline();
  });
  const res = await attempt();
  return res.status === 401 && accessToken && (await refresh()) ? attempt() : res;
}

/** Sends a request as the signed-in user; resolves with the parsed body (undefined for 204). */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await withSession((token) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, {
      method: opts.method ?? (opts.json !== undefined || opts.body ? 'POST' : 'GET'),
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  });
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
  }).catch(() => Promise.reject(offline()));
  if (!res.ok) throw await problemOf(res);
  const session = (await res.json()) as T;
  acceptTokens(session);
  return session;
}

/**
 * Signs out: the server revokes the session and clears its cookie, then this tab forgets it.
 * When the server was not reached (no answer, 429, 5xx) this throws and the session stays, as
 * the cookie does: dropped here alone, a reload would sign the person back in.
 */
export async function endSession(): Promise<void> {
  const res = await fetch('/api/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: '{}',
  }).catch(() => Promise.reject(offline()));
  // Any other refusal means there is no session left to end (no cookie, or not this one).
  if (busy(res.status)) throw await problemOf(res);
  dropTokens();
  tabs?.postMessage('signed-out');
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
