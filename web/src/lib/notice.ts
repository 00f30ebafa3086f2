/**
 * A word for the sign-in page from a page that signs out (the account erased): kept in the tab's
 * sessionStorage, since signing out replaces the page that knew it.
 */
import { useEffect, useState } from 'react';

const KEY = 'auth.notice';

export type Notice = 'erased' | 'erasing';

export function leaveNotice(notice: Notice): void {
  sessionStorage.setItem(KEY, notice);
}

/** The notice left for this page, shown once: taken when the page has shown it. */
export function useNotice(): Notice | null {
  const [notice] = useState(() => sessionStorage.getItem(KEY) as Notice | null);
  useEffect(() => sessionStorage.removeItem(KEY), []);
  return notice;
}
