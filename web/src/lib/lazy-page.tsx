/**
 * Pages loaded on their first visit: a route part names its pages with `lazyPage`, so their code
 * is a chunk of its own and the first load of the app (the chat) carries none of it. The shell
 * (App.tsx) shows that the page is loading while its chunk arrives, and what failed if it cannot.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** A page's code could not be fetched: typically an open tab after a deploy asking for a chunk that is gone. */
export class ChunkLoadError extends Error {}

/** The props of a page component (`never` for what is not one, so a wrong name does not compile). */
type PropsOf<T> = T extends ComponentType<infer P> ? P : never;

/** `lazyPage(() => import('../pages/Billing'), 'BillingPage')`: that export, loaded when first shown. */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): LazyExoticComponent<ComponentType<PropsOf<M[K]>>> {
  return lazy(async () => {
    const module = await load().catch((err: unknown) => {
      throw new ChunkLoadError(err instanceof Error ? err.message : String(err));
    });
    return { default: module[name] as ComponentType<PropsOf<M[K]>> };
  });
}
