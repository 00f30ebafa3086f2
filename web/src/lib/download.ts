/** Saves a file the API serves to the signed-in user: a plain link cannot carry the bearer token. */
import { problemOf, withSession } from './api';

export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const res = await withSession((token) => fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
  if (!res.ok) throw await problemOf(res);
  const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name ? decodeURIComponent(name) : fallbackName });
  a.click();
  // The save starts after click() returns; revoked at once, some browsers (Firefox, Safari) find nothing to save.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
