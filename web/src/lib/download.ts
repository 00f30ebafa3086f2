/** Saves a file the API serves to the signed-in user: a plain link cannot carry the bearer token. */
import { ApiError, getAccessToken } from './api';

export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${getAccessToken()}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(res.status, body.code ?? 'download_failed', body.detail ?? res.statusText);
  }
  const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name ? decodeURIComponent(name) : fallbackName });
  a.click();
  URL.revokeObjectURL(url);
}
