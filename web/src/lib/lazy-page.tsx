/**
 * Pages loaded on their first visit: a route part names its pages with `lazyPage`, so their code
 * is a chunk of its own and the first load of the app (the chat) carries none of it. The shell
 * (App.tsx) shows that the page is loading while its chunk arrives.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** The props of a page component (`never` for what is not one, so a wrong name does not compile). */
type PropsOf<T> = T extends ComponentType<infer P> ? P : never;

/** `lazyPage(() => import('../pages/Billing'), 'BillingPage')`: that export, loaded when first shown. */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): LazyExoticComponent<ComponentType<PropsOf<M[K]>>> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<PropsOf<M[K]>> }));
}
