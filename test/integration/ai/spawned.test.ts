import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeAnthropic, startFakeYandex, type FakeProvider } from '../../helpers/fake-providers/index.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/complete-from-env.ts', import.meta.url));
let anthropic: FakeProvider;
let yandex: FakeProvider;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  yandex = await startFakeYandex({ text: 'Ответ из YandexGPT.' });
});
afterAll(() => Promise.all([anthropic.close(), yandex.close()]));

it('a spawned process configured only through env reaches the fakes of the test process', async () => {
  anthropic.setDefault({ kind: 'error', status: 529 });
  const env = { ...process.env, ...fakeProviderEnv({ anthropic, yandex }), AI_MAX_RETRIES: '0' };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, 'Вопрос из другого процесса'], { env });
  expect(JSON.parse(stdout)).toMatchObject({ provider: 'yandex', text: 'Ответ из YandexGPT.' });
  expect(anthropic.calls).toBe(1);
  expect(yandex.requests[0]?.raw).toContain('Вопрос из другого процесса');
});
