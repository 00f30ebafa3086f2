/**
 * A table too wide for a phone scrolls sideways inside this box rather than the page. The box
 * is focusable, so the keyboard can scroll it too, and named for screen readers.
 */
import type { ReactNode } from 'react';

export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}
