/** The chat, documents and law articles. */
import type { AppRoute } from '../lib/routes';
import { ChatPage } from '../pages/Chat';
import { DocumentPage } from '../pages/DocumentPage';
import { DocumentsPage } from '../pages/Documents';
import { LawArticlePage } from '../pages/LawArticle';

export const routes: AppRoute[] = [
  { path: '/', render: () => <ChatPage />, nav: { label: 'chats', order: 10 } },
  { path: '/chats/:id', render: (p) => <ChatPage chatId={p.id} /> },
  { path: '/documents', render: () => <DocumentsPage />, nav: { label: 'documents', order: 20 } },
  { path: '/documents/:id', render: (p) => <DocumentPage id={p.id!} /> },
  { path: '/law/:code/:article', render: (p) => <LawArticlePage code={p.code!} article={p.article!} /> },
];
