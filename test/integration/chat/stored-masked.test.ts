/**
 * Everything a person types that is stored is masked the same way, whatever the field: chat
 * titles like messages, and values the DLP check recognises without a keyword or a capital
 * letter. What the user reads back and what lies in the database are the masked text.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ask, storedReply } from '../../e2e/chat/harness.js';

let rt: TestRuntime;
let token: string;
beforeAll(async () => {
  rt = await startTestRuntime('storedmasked');
  token = (await registerUser(rt.url, 'masked')).token;
});
afterAll(() => rt?.close());

const everything = async (table: string) => JSON.stringify(await Model.knex()(table).select());

describe('what is stored is masked', () => {
  it('masks a chat title, with the placeholders the chat’s messages then share', async () => {
    const res = await request(rt.url, 'POST', '/api/chats', { token, json: { title: 'Петров Иван Сергеевич, тел. +7 916 123-45-67' } });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('[PERSON_1], тел. [PHONE_1]');
    // Digits alone could match a random id: the phone's own groups are the needle.
    expect(await everything('chats')).not.toMatch(/Петров|916 123|123-45-67/);

    const { message, reply } = await ask(rt.url, token, res.body.id, 'Петров Иван Сергеевич хочет уволиться, звонить +7 916 123-45-67');
    await storedReply(rt.url, token, res.body.id, reply.id);
    const question = (await Model.knex()('messages').where({ id: message.id }).first()) as { content: string };
    expect(question.content).toBe('[PERSON_1] хочет уволиться, звонить [PHONE_1]');
  });

  it.each([
    ['a full name in lower case', 'меня зовут иванов пётр сергеевич, как уволиться?', /иванов|пётр|сергеевич/],
    ['a passport number without the word', 'мои данные 4510 123456, что делать?', /4510|123456/],
  ])('masks %s', async (_what, text, leak) => {
    const chat = await request(rt.url, 'POST', '/api/chats', { token, json: {} });
    const { message, reply } = await ask(rt.url, token, chat.body.id, text);
    await storedReply(rt.url, token, chat.body.id, reply.id);
    const question = (await Model.knex()('messages').where({ id: message.id }).first()) as { content: string };
    expect(question.content).not.toMatch(leak);
    expect(question.content).toMatch(/\[(PERSON|PASSPORT)_1\]/);
  });

  it('stores a question with nothing to mask as asked, without touching the registry, whose placeholders the next ones keep', async () => {
    const chat = (await request(rt.url, 'POST', '/api/chats', { token, json: {} })).body.id as string; // a title would be masked with the registry
    const vaultOf = () => Model.knex()('pii_vaults').where({ scope_type: 'chat', scope_id: chat }).first() as Promise<{ sealed: string } | undefined>;
    const asked = async (text: string) => {
      const { message, reply } = await ask(rt.url, token, chat, text);
      await storedReply(rt.url, token, chat, reply.id);
      return ((await Model.knex()('messages').where({ id: message.id }).first()) as { content: string; status: string });
    };

    const plain = await asked('Можно ли расторгнуть договор аренды досрочно?');
    expect(plain).toMatchObject({ content: 'Можно ли расторгнуть договор аренды досрочно?', status: 'completed' });
    expect(await vaultOf()).toBeUndefined(); // no registry was needed, so none was written

    expect((await asked('Арендодатель Сидоров Павел Олегович против')).content).toBe('Арендодатель [PERSON_1] против');
    const sealed = (await vaultOf())!.sealed;
    expect((await asked('А если он не ответит на письмо?')).content).toBe('А если он не ответит на письмо?');
    expect((await vaultOf())!.sealed).toBe(sealed); // a question without values leaves the registry as it was
    expect((await asked('Сидоров Павел Олегович не отвечает')).content).toBe('[PERSON_1] не отвечает');
  });
});
