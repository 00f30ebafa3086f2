/** The chat (in the first load), documents and law articles (loaded on first visit). */
import { lazy } from 'react';
import { page } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';
import { ChatPage } from '../pages/Chat';

const DocumentsPage = lazy(() => import('../pages/Documents').then((m) => ({ default: m.DocumentsPage })));
const DocumentPage = lazy(() => import('../pages/DocumentPage').then((m) => ({ default: m.DocumentPage })));
const LawArticlePage = lazy(() => import('../pages/LawArticle').then((m) => ({ default: m.LawArticlePage })));

export const routes: AppRoute[] = [
  { path: '/', render: () => <ChatPage />, nav: { label: 'chats', order: 10 } },
  { path: '/chats/:id', render: (p) => <ChatPage chatId={p.id} /> },
  { path: '/documents', render: () => page(<DocumentsPage />), nav: { label: 'documents', order: 20 } },
  { path: '/documents/:id', render: (p) => page(<DocumentPage id={p.id!} />) },
  { path: '/law/:code/:article', render: (p) => page(<LawArticlePage code={p.code!} article={p.article!} />) },
];
