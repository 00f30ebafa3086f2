/** The chat (in the first load), documents and law articles (loaded on first visit). */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';
import { ChatPage } from '../pages/Chat';

const DocumentsPage = lazyPage(() => import('../pages/Documents'), 'DocumentsPage');
const DocumentPage = lazyPage(() => import('../pages/DocumentPage'), 'DocumentPage');
const LawArticlePage = lazyPage(() => import('../pages/LawArticle'), 'LawArticlePage');

export const routes: AppRoute[] = [
  { path: '/', render: () => <ChatPage />, nav: { label: 'chats', order: 10 } },
  { path: '/chats/:id', render: (p) => <ChatPage chatId={p.id} /> },
  { path: '/documents', render: () => <DocumentsPage />, nav: { label: 'documents', order: 20 } },
  { path: '/documents/:id', render: (p) => <DocumentPage id={p.id!} /> },
  { path: '/law/:code/:article', render: (p) => <LawArticlePage code={p.code!} article={p.article!} /> },
];
