/**
 * A page of the app: a path pattern, what it renders, and its place in the header's menu.
 * Each part of the app lists its pages in `web/src/routes/<part>.tsx` (export `routes`);
 * App collects them, so parts added side by side do not edit one shared file.
 */
import type { ReactNode } from 'react';
import type { User } from './session';

export interface AppRoute {
  /** `/documents/:id`; patterns must not overlap (the first that matches wins). */
  path: string;
  render(params: Record<string, string>): ReactNode;
  /** In the header: an i18n key, who sees it (everyone signed in when unset), and where. */
  nav?: { label: string; roles?: Array<User['role']>; order: number };
}
