/**
 * Two questions of one chat masked at the same moment share the chat's placeholder registry
 * without a lock held across the masking: whichever saves second finds the registry changed,
 * masks again with the newer one, and no number is handed out twice or lost.
 */
import { randomBytes } from 'node:crypto';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskUserMessage } from '../../../core/chat/mask-message.js';
import { createSealer } from '../../../core/chat/seal.js';
import type { Emitter } from '../../../core/emitter.js';
import { Vault } from '../../../core/dlp/index.js';
import { readRegistry } from '../../../core/pii-vault.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ask } from '../../e2e/chat/harness.js';

const key = randomBytes(32);
let rt: TestRuntime;
// The API only: the questions stay pending until this test masks them.
beforeAll(async () => {
  rt = await startTestRuntime('registryrace', { mode: 'api', env: { ENCRYPTION_KEY: key.toString('base64') } });
});
afterAll(() => rt?.close());

// Socket events are not what this test is about.
const emitter = { to: () => ({ emit: () => true }) } as unknown as Emitter;
const deps = () => ({ db: Model.knex(), emitter, sealer: createSealer(key), encryptionKey: key });

describe('masking two questions of one chat at once', () => {
  it('gives a shared value one placeholder and each other value its own, and keeps them all', async () => {
    const user = await registerUser(rt.url, 'race');
    for (let round = 0; round < 3; round++) {
      const chat = (await request(rt.url, 'POST', '/api/chats', { token: user.token, json: {} })).body.id as string;
      const texts = ['Мой телефон +7 916 111-22-33, жены +7 903 000-11-22', 'Мой телефон +7 916 111-22-33, брата +7 905 444-55-66'];
      const asked = [];
      for (const text of texts) asked.push({ text, ...(await ask(rt.url, user.token, chat, text)) });
      const { secret } = await Model.knex()('user_keys').where({ user_id: user.id }).first('secret');
      await Promise.all(asked.map(({ text, message, reply }) =>
        maskUserMessage(deps(), { message_id: message.id, reply_id: reply.id, chat_id: chat, user_id: user.id, sealed: createSealer(key).seal(text, message.id, secret) })));
      // No worker answers here: the replies are closed so that the next round is not over the in-flight limit.
      await Model.knex()('messages').whereIn('id', asked.map((a) => a.reply.id)).update({ status: 'failed' });

      const stored = await Model.knex()('messages').whereIn('id', asked.map((a) => a.message.id)).select('id', 'content', 'status');
      const contentOf = (id: string) => stored.find((m: { id: string }) => m.id === id)!.content as string;
      const [a, b] = asked.map(({ message }) => contentOf(message.id).match(/\[PHONE_\d\]/g)!);
      expect(stored.every((m: { status: string }) => m.status === 'completed')).toBe(true);
      expect(a![0]).toBe(b![0]);
      expect(new Set([a![0], a![1], b![1]]).size).toBe(3);
      const registry = await readRegistry(Model.knex(), new Vault(key), { type: 'chat', id: chat, owner: user.id });
      expect(registry.toJSON().entries.filter(([type]) => type === 'PHONE').map(([, , n]) => n).sort()).toEqual([1, 2, 3]);
    }
  });
});
