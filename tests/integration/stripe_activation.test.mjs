// Activation checks the Price with Stripe (the fake Stripe on loopback):
// turning the portal on, or changing its Stripe settings or package while
// it is on, fetches GET /v1/prices/{price_id} with the agency's secret key
// and refuses (422 naming stripe.price_id) a price that does not exist, is
// inactive, recurring, of another product, or costs another amount or
// currency than the package; a key Stripe refuses names stripe.secret_key;
// Stripe failing or unreachable refuses with that reason (503). Nothing
// changes on a refusal, and the key never shows. The API and the dashboard
// both say test or live mode.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, assertError, request } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';

const SECRET = 'sk_test_51Act' + 'ActivationKey0123456789';
const PRICE = 'price_Activate12345';
const PRODUCT = 'prod_Activate12345';
const PASSWORD = 'activation-pass-1';

const settings = (extra = {}) => ({
  company_name: 'Activate Voice', slug: 'activate-voice',
  stripe: { publishable_key: 'pk_test_51ActPublishable', secret_key: SECRET, product_id: PRODUCT,
    price_id: PRICE, webhook_secret: 'whsec_ActivationWebhook0123' },
  package: { credits: 100, price_cents: 4000, currency: 'EUR' },
  ...extra,
});

describe('activation checks the Stripe price', { timeout: 120_000 }, () => {
  let srv, fake, agency;
  const texts = [];
  const put = async (body) => {
    const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body });
    texts.push(r.text);
    return r;
  };
  const isActive = async () => (await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key })).json.active;
  const price = (over = {}) => fake.setPrice(SECRET, { id: PRICE, product: PRODUCT, unit_amount: 4000, currency: 'eur', ...over });

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: SECRET });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = createOrg(srv, { name: 'Activation Agency', email: 'owner@activation.test', password: PASSWORD, minutes: 10 });
    const r = await put(settings());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.stripe.mode, 'test');
    assert.equal(fake.requestsTo('GET', '/v1/prices').length, 0, 'an inactive portal asks Stripe nothing');
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('refuses, naming stripe.price_id, every price that cannot sell the package', async () => {
    const cases = [
      ['missing', () => fake.accounts.get(SECRET).prices.delete(PRICE), /no such price/],
      ['inactive', () => price({ active: false }), /not active|inactive/i],
      ['recurring', () => price({ type: 'recurring' }), /one.time|recurring/i],
      ['other product', () => price({ product: 'prod_SomethingElse1' }), /prod_SomethingElse1|product/],
      ['amount', () => price({ unit_amount: 5000 }), /5000/],
      ['currency', () => price({ currency: 'usd' }), /usd/i],
    ];
    for (const [what, arrange, msg] of cases) {
      arrange();
      const r = await put({ active: true });
      assertError(r, 422, 'validation_failed', what);
      assert.match(r.json.error.fields['stripe.price_id'], msg, `${what}: ${r.text}`);
      assert.equal(await isActive(), false, what);
    }
    const gets = fake.requestsTo('GET', `/v1/prices/${PRICE}`);
    assert.equal(gets.length, cases.length);
    for (const g of gets) {
      assert.equal(g.headers.authorization, `Bearer ${SECRET}`);
      assert.deepEqual(g.problems, []);
    }
  });

  it('a key Stripe refuses names stripe.secret_key; Stripe down or unreachable says so (503)', async () => {
    price();
    fake.setMode('unauthorized');
    let r = await put({ active: true });
    assertError(r, 422, 'validation_failed');
    assert.match(r.json.error.fields['stripe.secret_key'], /Stripe refused/);
    fake.setMode('server_error');
    r = await put({ active: true });
    assertError(r, 503, 'unavailable');
    assert.match(r.json.error.message, /could not be checked with Stripe/);
    fake.setMode('ok');
    assert.equal(await isActive(), false);
  });

  it('a price that sells the package activates; changing the package to another amount is then refused', async () => {
    price();
    let r = await put({ active: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.active, true);
    r = await put({ package: { credits: 100, price_cents: 3000, currency: 'EUR' } });
    assertError(r, 422, 'validation_failed');
    assert.match(r.json.error.fields['stripe.price_id'], /4000.*3000|3000.*4000/);
    r = await put({ company_name: 'Activate Voice Ltd' }); // no Stripe field: no question to Stripe
    assert.equal(r.status, 200, r.text);
    assert.equal((await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key })).json.package.price_cents, 4000);
    // deactivation never asks Stripe
    const before0 = fake.requestsTo('GET', '/v1/prices').length;
    r = await put({ active: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.requestsTo('GET', '/v1/prices').length, before0);
  });

  it('the dashboard refuses activation with the reason and says test mode plainly', async () => {
    price({ unit_amount: 4100 });
    const cookie = await loginSession(srv, 'owner@activation.test', PASSWORD);
    const s = await page(srv, cookie, '/dashboard/whitelabel');
    assert.equal(s.status, 200);
    assert.match(s.text, /Test mode/);
    const csrf = /name="csrf" value="([^"]*)"/.exec(s.text)[1];
    const r = await request(srv, 'POST', '/dashboard/whitelabel/activate', {
      headers: { Cookie: cookie, Origin: srv.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, active: '1' }).toString() });
    assert.equal(r.status, 422, r.text.slice(0, 400));
    assert.match(r.text, /4100/);
    assert.equal(await isActive(), false);
    price();
    const ok = await request(srv, 'POST', '/dashboard/whitelabel/activate', {
      headers: { Cookie: cookie, Origin: srv.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, active: '1' }).toString() });
    assert.equal(ok.status, 303, ok.text.slice(0, 400));
    assert.equal(await isActive(), true);
    texts.push(s.text, r.text);
  });

  it('Stripe unreachable refuses activation with that reason; the key never shows', async () => {
    await put({ active: false });
    await fake.close();
    const r = await put({ active: true });
    assertError(r, 503, 'unavailable');
    assert.match(r.json.error.message, /could not be reached/);
    assert.equal(await isActive(), false);
    for (const t of texts) assert.ok(!t.includes(SECRET), `the secret key in an answer: ${t.slice(0, 200)}`);
    assert.ok(!srv.stderr.includes(SECRET), 'the secret key in the log');
    fake = null;
  });
});
