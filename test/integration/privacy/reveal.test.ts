/**
 * An owner sees their own values behind the placeholders of their chat or document, restored
 * from the sealed registry; nobody else does, every reveal is audited, and nothing caches it.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byActor } from '../../../core/audit.js';
import { ask, newChat, storedReply } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('reveal');
});
afterAll(async () => rt?.close());

describe('reveal', () => {
  it("restores the owner's own values of a chat and a document, for the owner only, audited and not cached", async () => {
    const owner = await registerUser(rt.url, 'revealer');
    const other = await registerUser(rt.url, 'stranger');
    const chat = await newChat(rt.url, owner.token);
    const asked = await ask(rt.url, owner.token, chat, 'Меня зовут Ковалёва Дарина Игоревна, телефон +7 916 777-88-99. Могу ли я уволиться?');
    await storedReply(rt.url, owner.token, chat, asked.reply.id);
    const messages = (await request(rt.url, 'GET', `/api/chats/${chat}/messages`, { token: owner.token })).body.items;
    const question = messages.find((m: { sender: string }) => m.sender === 'user').content as string;
    const tokens = question.match(/\[[A-Z_]+_\d+\]/g) ?? [];
    expect(tokens.length).toBeGreaterThanOrEqual(2);

    const res = await request(rt.url, 'GET', `/api/chats/${chat}/reveal`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.values(res.body.values)).toEqual(expect.arrayContaining(['Ковалёва Дарина Игоревна', '+7 916 777-88-99']));
    for (const token of tokens) expect(res.body.values[token]).toBeDefined();
    expect((await request(rt.url, 'GET', `/api/chats/${chat}/reveal`, { token: other.token })).status).toBe(404);

    const up = await upload(rt.url, '/api/documents', owner.token, { name: 'договор.txt', data: Buffer.from('Арендатор: Петров Иван Сергеевич, тел. +7 903 123-45-67.\n'), type: 'text/plain' });
    await settledDocument(rt.url, owner.token, up.body.document.id);
    const doc = await request(rt.url, 'GET', `/api/documents/${up.body.document.id}/reveal`, { token: owner.token });
    expect(Object.values(doc.body.values)).toEqual(expect.arrayContaining(['Петров Иван Сергеевич']));
    expect((await request(rt.url, 'GET', `/api/documents/${up.body.document.id}/reveal`, { token: other.token })).status).toBe(404);

    const audited = await Model.knex()('audit_logs').whereRaw(...byActor(owner.id)).whereIn('action', ['chat.revealed', 'document.revealed']).pluck('action');
    expect(audited.sort()).toEqual(['chat.revealed', 'document.revealed']);
  }, 60_000);
});
