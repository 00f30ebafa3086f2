/**
 * Lawyer review end to end over HTTP and Socket.IO: a user, three lawyers and an admin.
 * Routing by specialization and load, the lawyer's work on the masked subject, a correction
 * that joins the chat live, decline and reroute, cancel freeing a slot, a deleted document's
 * open review cancelled with its slot freed, classification without a label, the monthly
 * allowance, bad input, and the admins' report.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, sleep, waitFor, type Client } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { account, answered, lawyer, requestReview, reviewAs, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let user: Session;
let other: Session;
let admin: Session;
let labourA: Session; // labour + housing, capacity 2
let labourB: Session; // labour, capacity 1
let family: Session; // family, capacity 1
let userSocket: Client;

const db = () => Model.knex();
const post = (token: string, path: string, json: unknown = {}) => request(rt.url, 'POST', path, { token, json });
const tokenOf = (id: string) => [labourA, labourB, family].find((l) => l.id === id)!.token;
const profileOf = async (s: Session) => (await request(rt.url, 'GET', '/api/lawyers/me', { token: s.token })).body;

beforeAll(async () => {
  rt = await startTestRuntime('reviews-flow', { env: { AI_CACHE_TTL_SECONDS: '0' } });
  await setPlanLimits('free', { reviews_per_month: 12, messages_per_day: 100 });
  user = await account(rt.url, 'user');
  other = await account(rt.url, 'user', 'other');
  admin = await account(rt.url, 'admin');
  labourA = await lawyer(rt.url, 'labour-a', { specializations: ['labour', 'housing'], capacity: 2 });
  labourB = await lawyer(rt.url, 'labour-b', { specializations: ['labour'], capacity: 1 });
  family = await lawyer(rt.url, 'family', { specializations: ['family'], capacity: 1 });
  userSocket = await connect(rt.url, user.token);
});

afterAll(async () => {
  userSocket?.close();
  await rt?.close();
});

describe('lawyer review', () => {
  it('lists the specializations and keeps each lawyer profile', async () => {
    const res = await request(rt.url, 'GET', '/api/lawyers/specializations', { token: user.token });
    expect(res.body.items.map((s: any) => s.code)).toEqual(expect.arrayContaining(
      ['civil', 'housing', 'labour', 'family', 'consumer', 'administrative', 'corporate', 'tax', 'inheritance', 'criminal', 'land']));
    expect(await profileOf(labourA)).toMatchObject({ user_id: labourA.id, specializations: ['labour', 'housing'], capacity: 2, accepting: true, active_reviews: 0, avg_rating: null });
    const bad = await request(rt.url, 'PUT', '/api/lawyers/me', { token: labourA.token, json: { specializations: ['astrology'], capacity: 2, accepting: true } });
    expect([bad.status, bad.body.code]).toEqual([422, 'validation_failed']);
    expect((await profileOf(labourA)).specializations).toEqual(['labour', 'housing']);
  });

  it('routes by specialization and load, shows the lawyer only the masked subject, and a correction joins the chat live', async () => {
    const first = await answered(rt.url, user.token, 'Меня, Иванова Петра Сергеевича, уволили без предупреждения. Что делать?');
    const requested = await requestReview(rt.url, user.token, first.answerId, { specialization: 'labour', comment: 'Перезвоните мне: +7 916 123-45-67' });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    expect(requested.body.review).toMatchObject({ subject: { type: 'message', id: first.answerId }, urgency: 'standard', specialization: 'labour', sla: { breached: false } });
    expect(requested.body.review.comment).toContain('[PHONE_1]');
    expect(requested.body.review.comment).not.toContain('916');
    const firstAssigned = await reviewWhen(rt.url, user.token, requested.body.review.id, 'assigned', (r) => r.status === 'assigned');

    // Two more labour reviews: the second goes to the lawyer with no load, the third to the one with room.
    const second = await answered(rt.url, user.token, 'Работодатель не платит зарплату второй месяц.');
    const r2 = (await requestReview(rt.url, user.token, second.answerId, { specialization: 'labour' })).body.review;
    const secondAssigned = await reviewWhen(rt.url, user.token, r2.id, 'assigned', (r) => r.status === 'assigned');
    expect(new Set([firstAssigned.lawyer.id, secondAssigned.lawyer.id])).toEqual(new Set([labourA.id, labourB.id]));
    const third = await answered(rt.url, user.token, 'Можно ли уволить во время больничного?');
    const r3 = (await requestReview(rt.url, user.token, third.answerId, { specialization: 'labour' })).body.review;
    expect((await reviewWhen(rt.url, user.token, r3.id, 'assigned', (r) => r.status === 'assigned')).lawyer.id).toBe(labourA.id);
    expect([(await profileOf(labourA)).active_reviews, (await profileOf(labourB)).active_reviews]).toEqual([2, 1]);

    // The assigned lawyer reads the masked subject; nobody else but the requester and admins sees it.
    const holder = tokenOf(firstAssigned.lawyer.id);
    const seen = await request(rt.url, 'GET', `/api/reviews/${requested.body.review.id}`, { token: holder });
    expect(seen.status).toBe(200);
    expect(seen.body.subject.type).toBe('message');
    expect(seen.body.subject.question).toContain('[PERSON_1]');
    expect(seen.body.subject.question).not.toMatch(/Иванов|Петр|Пётр/);
    expect(seen.body.subject.answer).toEqual(expect.any(String));
    expect(JSON.stringify(seen.body)).not.toContain(user.email);
    const notHolder = firstAssigned.lawyer.id === labourA.id ? labourB : labourA;
    for (const outsider of [notHolder, family, other]) {
      expect((await request(rt.url, 'GET', `/api/reviews/${requested.body.review.id}`, { token: outsider.token })).status).toBe(404);
    }
    expect((await request(rt.url, 'GET', `/api/reviews/${requested.body.review.id}`, { token: admin.token })).status).toBe(200);
    expect((await post(notHolder.token, `/api/reviews/${requested.body.review.id}/accept`)).status).toBe(404);

    // Completing needs an accept first; accepting twice is a conflict.
    expect((await post(holder, `/api/reviews/${requested.body.review.id}/complete`, { verdict: 'approved', comment: 'Верно.' })).status).toBe(409);
    const accepted = await post(holder, `/api/reviews/${requested.body.review.id}/accept`);
    expect([accepted.status, accepted.body.review.status]).toEqual([200, 'in_progress']);
    expect((await post(holder, `/api/reviews/${requested.body.review.id}/accept`)).status).toBe(409);
    const noContent = await post(holder, `/api/reviews/${requested.body.review.id}/complete`, { verdict: 'corrected', comment: 'Есть ошибка.' });
    expect(noContent.status).toBe(422);

    const completed = await post(holder, `/api/reviews/${requested.body.review.id}/complete`, {
      verdict: 'corrected', comment: 'Срок обращения в суд — месяц.',
      corrected_content: 'Обратитесь в суд в течение месяца (ст. 392 ТК РФ). Позвоните мне: 8 (903) 555-44-33.',
    });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body.review).toMatchObject({ status: 'completed', result: { verdict: 'corrected', comment: 'Срок обращения в суд — месяц.' } });
    expect(completed.body.review.result.corrected_content).not.toContain('555');
    const live = await waitFor('the lawyer message over the socket', () => userSocket.of('message.created').find((e) => e.message.sender === 'lawyer'));
    expect(live).toMatchObject({ chat_id: first.chatId, message: { sender: 'lawyer', status: 'completed' } });
    expect(live.message.content).toContain('ст. 392 ТК РФ');
    expect(live.message.content).not.toContain('555');
    const messages = (await request(rt.url, 'GET', `/api/chats/${first.chatId}/messages`, { token: user.token })).body.items;
    expect(messages.at(-1)).toMatchObject({ id: live.message.id, sender: 'lawyer' });
    expect(userSocket.of('review.updated').some((e) => e.review.id === requested.body.review.id && e.review.status === 'completed')).toBe(true);

    // Rating once, after completion; it feeds the lawyer's average.
    expect((await post(user.token, `/api/reviews/${r2.id}/rate`, { score: 5 })).status).toBe(409);
    const rated = await post(user.token, `/api/reviews/${requested.body.review.id}/rate`, { score: 4, comment: 'Спасибо' });
    expect([rated.status, rated.body.review.rating]).toEqual([200, { score: 4, comment: 'Спасибо' }]);
    expect((await post(user.token, `/api/reviews/${requested.body.review.id}/rate`, { score: 5 })).status).toBe(409);
    expect((await post(user.token, `/api/reviews/${requested.body.review.id}/rate`, { score: 6 })).status).toBe(422);
    const holderSession = [labourA, labourB].find((l) => l.id === firstAssigned.lawyer.id)!;
    expect(await profileOf(holderSession)).toMatchObject({ avg_rating: 4 });

    // Clean up the others: the requester cancels them, which frees both lawyers.
    for (const id of [r2.id, r3.id]) expect((await post(user.token, `/api/reviews/${id}/cancel`)).body.review).toMatchObject({ id, status: 'cancelled' });
    expect((await post(user.token, `/api/reviews/${r2.id}/cancel`)).status).toBe(409);
    expect([(await profileOf(labourA)).active_reviews, (await profileOf(labourB)).active_reviews]).toEqual([0, 0]);
  });

  it('reroutes a declined review to another lawyer, never back to the one who declined', async () => {
    const subject = await answered(rt.url, user.token, 'Как расторгнуть трудовой договор по соглашению сторон?');
    const id = (await requestReview(rt.url, user.token, subject.answerId, { specialization: 'labour' })).body.review.id;
    const assigned = await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    const first = assigned.lawyer.id;
    const declined = await post(tokenOf(first), `/api/reviews/${id}/decline`, { reason: 'Конфликт интересов' });
    expect(declined.status).toBe(200);
    expect(declined.body.review).toMatchObject({ id, subject: { type: 'message', id: subject.answerId } });
    const rerouted = await reviewWhen(rt.url, user.token, id, 'rerouted', (r) => r.status === 'assigned' && r.lawyer.id !== first);
    expect([labourA.id, labourB.id]).toContain(rerouted.lawyer.id);
    expect((await request(rt.url, 'GET', `/api/reviews/${id}`, { token: tokenOf(first) })).status).toBe(404);
    const list = (await request(rt.url, 'GET', '/api/reviews', { token: tokenOf(first) })).body.items;
    expect(list.map((r: any) => r.id)).not.toContain(id);

    // The second one declines too: nobody else has labour, so it waits as pending.
    expect((await post(tokenOf(rerouted.lawyer.id), `/api/reviews/${id}/decline`, { reason: 'Нет времени' })).status).toBe(200);
    const pending = await reviewWhen(rt.url, user.token, id, 'pending', (r) => r.status === 'pending');
    expect(pending.lawyer).toBeNull();
    const passes = await db()('review_passes').where({ review_id: id }).orderBy('created_at');
    expect(passes.map((p: any) => [p.lawyer_id, p.kind])).toEqual([[first, 'declined'], [rerouted.lawyer.id, 'declined']]);
    expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
  });

  it('routes the oldest pending review when a slot frees', async () => {
    const q = async (text: string) => (await requestReview(rt.url, user.token, (await answered(rt.url, user.token, text)).answerId, { specialization: 'family' })).body.review.id;
    const heldSubject = await answered(rt.url, user.token, 'Как подать на развод?');
    const held = (await requestReview(rt.url, user.token, heldSubject.answerId, { specialization: 'family' })).body.review.id;
    await reviewWhen(rt.url, user.token, held, 'assigned', (r) => r.status === 'assigned' && r.lawyer.id === family.id);
    const older = await q('Как взыскать алименты?');
    const newer = await q('Как определить место жительства ребёнка?');
    await new Promise((r) => setTimeout(r, 300));
    expect((await reviewAs(rt.url, user.token, older)).status).toBe('pending');
    expect((await post(family.token, `/api/reviews/${held}/accept`)).status).toBe(200);
    expect((await post(family.token, `/api/reviews/${held}/complete`, { verdict: 'approved', comment: 'Ответ верный.' })).status).toBe(200);
    // An approval joins the chat too, as the lawyer's comment.
    const chat = (await request(rt.url, 'GET', `/api/chats/${heldSubject.chatId}/messages`, { token: user.token })).body.items;
    expect(chat.at(-1)).toMatchObject({ sender: 'lawyer', content: 'Ответ верный.', meta: { verdict: 'approved', reviewed_message_id: heldSubject.answerId } });
    await reviewWhen(rt.url, user.token, older, 'the oldest pending assigned', (r) => r.status === 'assigned' && r.lawyer.id === family.id);
    expect((await reviewAs(rt.url, user.token, newer)).status).toBe('pending');
    for (const id of [older, newer]) await post(user.token, `/api/reviews/${id}/cancel`);
  });

  it('shows a document under review to its lawyer, and nothing of it once the owner deletes it', async () => {
    const up = await upload(rt.url, '/api/documents', user.token, { name: 'lease.txt', data: Buffer.from('Договор найма жилого помещения.\nНаниматель вносит плату ежемесячно.\n') });
    expect((await settledDocument(rt.url, user.token, up.body.document.id)).status).toBe('ready');
    const requested = await post(user.token, `/api/reviews/documents/${up.body.document.id}/request`, { specialization: 'housing' });
    expect([requested.status, requested.body.review?.subject]).toEqual([202, { type: 'document', id: up.body.document.id }]);
    const id = requested.body.review.id;
    await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    const seen = (await request(rt.url, 'GET', `/api/reviews/${id}`, { token: labourA.token })).body.subject;
    expect(seen).toMatchObject({ type: 'document', title: 'lease' });
    expect(seen.text).toContain('Наниматель вносит плату');

    expect((await request(rt.url, 'DELETE', `/api/documents/${up.body.document.id}`, { token: user.token })).status).toBe(204);
    const after = (await request(rt.url, 'GET', `/api/reviews/${id}`, { token: user.token }));
    if (after.status === 200) expect(after.body.subject).toEqual({ type: 'document', title: null, version: 1, text: null });
    else expect(after.status).toBe(404); // the destroy job already took the review with the document
  });

  it("cancels an open review of a document its owner deletes: the lawyer's slot comes back and the next review takes it", async () => {
    const owner = await account(rt.url, 'user', 'doc-owner');
    const heir = await lawyer(rt.url, 'inheritance', { specializations: ['inheritance'], capacity: 1 });
    const [ownerSocket, heirSocket] = [await connect(rt.url, owner.token), await connect(rt.url, heir.token)];
    const readyDocument = async (name: string, text: string) => {
      const up = await upload(rt.url, '/api/documents', owner.token, { name, data: Buffer.from(text) });
      expect((await settledDocument(rt.url, owner.token, up.body.document.id)).status).toBe('ready');
      return up.body.document.id as string;
    };
    const reviewOf = async (documentId: string) => (await post(owner.token, `/api/reviews/documents/${documentId}/request`, { specialization: 'inheritance' })).body.review.id as string;
    const will = await readyDocument('will.txt', 'Завещание. Всё имущество завещаю сыну.\n');
    const held = await reviewOf(will);
    await reviewWhen(rt.url, owner.token, held, 'assigned', (r) => r.status === 'assigned' && r.lawyer.id === heir.id);
    expect((await post(heir.token, `/api/reviews/${held}/accept`)).status).toBe(200);
    // The lawyer's only slot is taken: a second review waits.
    const waiting = await reviewOf(await readyDocument('deed.txt', 'Договор дарения квартиры.\n'));
    await sleep(300);
    expect((await reviewAs(rt.url, owner.token, waiting)).status).toBe('pending');

    expect((await request(rt.url, 'DELETE', `/api/documents/${will}`, { token: owner.token })).status).toBe(204);
    // Ended as a cancel ends it, both told; then gone with the document.
    for (const socket of [ownerSocket, heirSocket]) {
      const told = await waitFor('review.updated cancelled', () => socket.of('review.updated').find((e) => e.review.id === held && e.review.status === 'cancelled'));
      expect(told.review).toMatchObject({ subject: { type: 'document', id: will }, lawyer: { id: heir.id } });
    }
    expect((await request(rt.url, 'GET', `/api/reviews/${held}`, { token: owner.token })).status).toBe(404);
    expect(await db()('audit_logs').where({ action: 'review.cancelled', target_id: held }).select('meta')).toEqual([{ meta: { from: 'in_progress', via: 'documents.delete' } }]);
    // The slot came back, and the waiting review is routed to it.
    await reviewWhen(rt.url, owner.token, waiting, 'assigned to the freed lawyer', (r) => r.status === 'assigned' && r.lawyer.id === heir.id);
    expect((await profileOf(heir)).active_reviews).toBe(1);
    expect((await post(owner.token, `/api/reviews/${waiting}/cancel`)).status).toBe(200);
    expect((await profileOf(heir)).active_reviews).toBe(0);
    ownerSocket.close();
    heirSocket.close();
  });

  it('classifies a review without a specialization from its masked question (rules when no AI answers)', async () => {
    const subject = await answered(rt.url, user.token, 'Бывший муж не платит алименты на ребёнка. Куда обращаться?');
    const id = (await requestReview(rt.url, user.token, subject.answerId)).body.review.id;
    const routed = await reviewWhen(rt.url, user.token, id, 'classified and assigned', (r) => r.status === 'assigned');
    expect(routed).toMatchObject({ specialization: 'family', lawyer: { id: family.id } });
    await post(user.token, `/api/reviews/${id}/cancel`);
  });

  it("refuses a review of another user's answer, of a question, twice at once, and past the plan's allowance", async () => {
    const subject = await answered(rt.url, other.token, 'Как оспорить штраф ГИБДД?');
    expect((await requestReview(rt.url, user.token, subject.answerId)).status).toBe(404);
    expect((await requestReview(rt.url, other.token, subject.questionId)).status).toBe(409);
    expect((await requestReview(rt.url, other.token, subject.answerId, { specialization: 'tax', urgency: 'soon' })).status).toBe(422);
    const before = await db()('lawyer_reviews').where({ requester_id: other.id }).count({ n: '*' });
    expect(Number(before[0]?.n)).toBe(0);

    // Under an Idempotency-Key a repeat gets the stored answer, in the contract's shape, and requests nothing more.
    const once = () => request(rt.url, 'POST', `/api/reviews/messages/${subject.answerId}/request`, { token: other.token, json: { specialization: 'administrative' }, headers: { 'Idempotency-Key': 'review-once-1' } });
    const first = await once();
    expect(first.status).toBe(202);
    expect(first.body.review).toMatchObject({ subject: { type: 'message', id: subject.answerId }, specialization: 'administrative' });
    const replayed = await once();
    expect([replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([202, 'true']);
    expect(replayed.body).toEqual(first.body);
    expect((await requestReview(rt.url, other.token, subject.answerId)).status).toBe(409);

    // The plan's `reviews_per_month` is a per-period limit: past it, 402 naming the plan that lifts it.
    await setPlanLimits('free', { reviews_per_month: 1 });
    const next = await answered(rt.url, other.token, 'Ещё вопрос про штраф.');
    const refused = await requestReview(rt.url, other.token, next.answerId);
    await setPlanLimits('free', { reviews_per_month: 12 });
    expect([refused.status, refused.body.code]).toEqual([402, 'quota_exceeded']);
    expect(refused.body.detail).toMatch(/free plan allows 1 .*the pro plan allows 5/);
    const me = (await request(rt.url, 'GET', '/api/subscriptions/me', { token: other.token })).body;
    expect(me).toMatchObject({ subscription: null, plan: { code: 'free' }, usage: { reviews_this_period: 1 } });
    expect(Number((await db()('lawyer_reviews').where({ requester_id: other.id }).count({ n: '*' }))[0]?.n)).toBe(1);
  });

  it('reports totals, breaches, medians and per-lawyer figures to admins only', async () => {
    expect((await request(rt.url, 'GET', '/api/admin/reports/reviews', { token: user.token })).status).toBe(403);
    expect((await request(rt.url, 'GET', '/api/admin/reports/reviews?from=0000-01-01', { token: admin.token })).status).toBe(400);
    const report = (await request(rt.url, 'GET', '/api/admin/reports/reviews', { token: admin.token })).body;
    const rows = await db()('lawyer_reviews');
    expect(report.total).toBe(rows.length);
    expect(report.completed).toBe(rows.filter((r: any) => r.status === 'completed').length);
    expect(report.completed).toBe(2);
    expect(report.sla_breached).toBe(0);
    expect(report.median_first_response_s).toBeGreaterThanOrEqual(0);
    expect(report.median_resolution_s).toBeGreaterThanOrEqual(report.median_first_response_s);
    const rated = report.by_lawyer.find((l: any) => l.avg_rating !== null);
    expect(rated).toMatchObject({ completed: 1, breached: 0, avg_rating: 4 });
    expect(report.by_lawyer.find((l: any) => l.lawyer_id === family.id)).toMatchObject({ completed: 1, avg_rating: null });
    const future = (await request(rt.url, 'GET', '/api/admin/reports/reviews?from=2999-01-01', { token: admin.token })).body;
    expect(future).toMatchObject({ total: 0, completed: 0, median_resolution_s: null, by_lawyer: [] });
  });
});
