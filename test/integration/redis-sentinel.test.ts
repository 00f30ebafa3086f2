/**
 * The service through Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME), nothing on
 * REDIS_URL: it asks the sentinel for the master and answers a chat message over Socket.IO;
 * its keys are on that master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, following, newChat } from '../e2e/chat/harness.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser } from '../helpers/http.js';
import { onNode, startRedisSentinel, type RedisTopology } from '../helpers/redis-servers.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const ANSWER = 'Договор аренды можно расторгнуть досрочно по соглашению сторон.';
const MASTER_NAME = 'legal-ai';

let sentinel: RedisTopology;
let openai: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  sentinel = await startRedisSentinel(MASTER_NAME);
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 3 } });
  rt = await startTestRuntime('redissentinel', {
    env: { ...fakeProviderEnv({ openai }), REDIS_URL: undefined, REDIS_SENTINELS: sentinel.seeds, REDIS_SENTINEL_NAME: MASTER_NAME },
  });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await openai?.close();
  await sentinel?.stop();
});

describe('through Redis Sentinel', () => {
  it('answers a chat message over Socket.IO, with its queues on the master the sentinel names', async () => {
    const user = await registerUser(rt.url, 'sentinel');
    const chatId = await newChat(rt.url, user.token);
    const done = await following(rt.url, user.token, chatId, async (client) => {
      const { reply } = await ask(rt.url, user.token, chatId, 'Как расторгнуть договор аренды?');
      return client.first('reply.completed', reply.id);
    });
    expect(done.message.content).toBe(ANSWER);
    const [, keys] = (await onNode(sentinel.ports[0]!, 'SCAN', '0', 'MATCH', `${rt.t.prefix}:*`, 'COUNT', '10000')) as [string, string[]];
    expect(keys).toEqual(expect.arrayContaining([`${rt.t.prefix}:ai:meta`, expect.stringMatching(/:reply-stream:/)]));
  });
});
