export { startFakeOpenAI } from './openai.js';
export { startFakeAnthropic } from './anthropic.js';
export { startFakeYandex } from './yandex.js';
export { fakeProviderEnv, type FakeSet } from './env.js';
export { DEFAULT_TEXT, fakeEmbedding, splitText, type FakeProvider, type FakeProviderOptions, type FakeStep, type RecordedRequest } from './fake-server.js';
