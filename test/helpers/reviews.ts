/** Lawyer-review fixtures, made through the API as clients would (roles set as an operator would). */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { User } from '../../core/db/models/index.js';
import { ask, newChat, storedReply, waitFor } from '../e2e/chat/harness.js';
import { registerUser, request } from './http.js';

export type Session = Awaited<ReturnType<typeof registerUser>>;

/** A new account with `role`, set before its first request (nothing cached yet). */
export async function account(base: string, role: 'user' | 'lawyer' | 'admin', tag: string = role): Promise<Session> {
  const s = await registerUser(base, tag);
  if (role !== 'user') await User.query().patch({ role }).where({ id: s.id });
  return s;
}

export async function lawyer(base: string, tag: string, profile: { specializations: string[]; capacity: number; accepting?: boolean }): Promise<Session> {
  const s = await account(base, 'lawyer', tag);
  const res = await request(base, 'PUT', '/api/lawyers/me', { token: s.token, json: { accepting: true, ...profile } });
  if (res.status !== 200) throw new Error(`profile not saved: ${res.status} ${JSON.stringify(res.body)}`);
  return s;
}

/** A completed assistant answer to `question` in a new chat of the user. */
export async function answered(base: string, token: string, question: string): Promise<{ chatId: string; answerId: string; questionId: string }> {
  const chatId = await newChat(base, token);
  const asked = await ask(base, token, chatId, question);
  const reply = await storedReply(base, token, chatId, asked.reply.id);
  if (reply.status !== 'completed') throw new Error(`no answer: ${JSON.stringify(reply)}`);
  return { chatId, answerId: reply.id, questionId: asked.message.id };
}

export const requestReview = (base: string, token: string, messageId: string, body: Record<string, unknown> = {}) =>
  request(base, 'POST', `/api/reviews/messages/${messageId}/request`, { token, json: body });

export async function reviewAs(base: string, token: string, id: string): Promise<any> {
  const res = await request(base, 'GET', `/api/reviews/${id}`, { token });
  return res.status === 200 ? res.body.review : undefined;
}

/** Waits until the requester sees the review pass `check`. */
export const reviewWhen = (base: string, token: string, id: string, what: string, check: (r: any) => boolean, timeoutMs = 15_000) =>
  waitFor(`review ${id}: ${what}`, async () => {
    const r = await reviewAs(base, token, id);
    return r && check(r) ? r : undefined;
  }, timeoutMs);
