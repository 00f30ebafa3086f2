/**
 * The payment providers' checkout pages, for a browser test: the fakes hand out confirmation
 * URLs on hosts that do not exist (yoomoney.test, checkout.stripe.test), so the page's
 * requests there are answered here with a small checkout page. "Оплатить" / "Отказаться"
 * change the payment at the fake, deliver the provider's webhook to the API, and send the
 * browser back to the return URL, as the real providers do.
 */
import type { Page, Route } from 'playwright-core';
import { WEBHOOK_SECRET, type startFakePayments } from '../../helpers/billing.js';

type Fakes = Awaited<ReturnType<typeof startFakePayments>>;

/** The provider's page: its two links repeat the page's own URL (and so the payment's id) with the choice. */
function checkoutPage(title: string, url: URL): string {
  const choice = (action: string) => {
    const to = new URL(url);
    to.searchParams.set('do', action);
    return to.href.replaceAll('&', '&amp;');
  };
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1><p><a href="${choice('pay')}">Оплатить</a></p><p><a href="${choice('decline')}">Отказаться</a></p></body></html>`;
}

async function expectAccepted(sent: Promise<{ status: number; body: string }>): Promise<void> {
  const { status, body } = await sent;
  if (status !== 200) throw new Error(`the API refused the webhook: ${status} ${body}`);
}

/** Answers the fake checkout pages for `page`; `apiUrl` receives the webhooks. */
export async function serveCheckout(page: Page, fakes: Fakes, apiUrl: string): Promise<void> {
  const back = (route: Route, to: string) => route.fulfill({ status: 302, headers: { location: to } });

  await page.route('https://yoomoney.test/**', async (route) => {
    const url = new URL(route.request().url());
    const id = url.searchParams.get('orderId')!;
    const action = url.searchParams.get('do');
    if (!action) return route.fulfill({ contentType: 'text/html', body: checkoutPage('ЮKassa: оплата', url) });
    if (action === 'pay') fakes.yookassa.succeed(id);
    else fakes.yookassa.cancel(id);
    await expectAccepted(fakes.yookassa.sendNotification(`${apiUrl}/api/payments/webhook/yookassa`, fakes.yookassa.notification(id)));
    const returnUrl = (fakes.yookassa.createRequest(id).confirmation as { return_url: string }).return_url;
    return back(route, returnUrl);
  });

  await page.route('https://checkout.stripe.test/**', async (route) => {
    const url = new URL(route.request().url());
    const id = url.pathname.split('/').pop()!;
    const action = url.searchParams.get('do');
    if (!action) return route.fulfill({ contentType: 'text/html', body: checkoutPage('Stripe Checkout', url) });
    const session = action === 'pay' ? fakes.stripe.completeSession(id).session : fakes.stripe.expireSession(id);
    const type = action === 'pay' ? 'checkout.session.completed' : 'checkout.session.expired';
    await expectAccepted(fakes.stripe.sendWebhook(`${apiUrl}/api/payments/webhook/stripe`, fakes.stripe.event(type, session), { secret: WEBHOOK_SECRET }));
    return back(route, (action === 'pay' ? session.success_url : session.cancel_url)!);
  });
}
