/**
 * `GET /api/plans` names the payment providers this server has keys for, so a client offers
 * only those: here YooKassa alone, and Stripe answers 503 as the contract says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeYooKassa, type FakeYooKassa } from '../../helpers/fake-providers/yookassa.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let yookassa: FakeYooKassa;

beforeAll(async () => {
  yookassa = await startFakeYooKassa();
  rt = await startTestRuntime('billprov', { env: { YOOKASSA_SHOP_ID: yookassa.shopId, YOOKASSA_SECRET_KEY: yookassa.secretKey, YOOKASSA_API_URL: yookassa.apiUrl } });
});

afterAll(async () => {
  await rt?.close();
  await yookassa?.close();
});

describe('payment providers', () => {
  it('lists only the configured provider with the plans; the other one is unavailable', async () => {
    const plans = await request(rt.url, 'GET', '/api/plans');
    expect(plans.status).toBe(200);
    expect(plans.body.providers).toEqual(['yookassa']);
    expect(plans.body.items.length).toBeGreaterThan(0);

    const user = await registerUser(rt.url, 'prov');
    const stripe = await request(rt.url, 'POST', '/api/subscriptions', { token: user.token, json: { plan_code: 'pro', provider: 'stripe', return_url: 'https://app.example/billing/return' } });
    expect([stripe.status, stripe.body.code]).toEqual([503, 'payments_unavailable']);
  });
});
