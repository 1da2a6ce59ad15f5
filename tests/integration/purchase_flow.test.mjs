// Buy Credits end to end over HTTP, on the portal host as a browser sees
// it: a client of an agency's portal logs in, POST /buy creates a Checkout
// Session on the fake Stripe with the agency's key (every parameter checked
// by the fake) and sends the client there (303); the success page says
// "credits arriving" until the fake Stripe pays and sends the signed
// webhook, then shows the new balance; the agency's purchases list, events
// log and the purchase confirmation mail (queued in the outbox) follow.
// Stripe failing is a clear message to the client, without the key.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, request, sql, dbBalanceSeconds } from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

const SECRET = 'sk_test_51Buy' + 'PurchaseFlowKey0123456789';
const WHSEC = 'whsec_' + 'PurchaseFlowSigning0123';
const PRICE = 'price_BuyFlow123456';
const PRODUCT = 'prod_BuyFlow123456';
const SLUG = 'buyvoice';
const EMAIL = `buyer-${process.pid}@example.test`;
const PASSWORD = 'buyer-password-123';

function cookiesOf(res, jar) {
  for (const line of [].concat(res.headers['set-cookie'] ?? [])) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const v = pair.slice(eq + 1);
    if (v === '') jar.delete(pair.slice(0, eq)); else jar.set(pair.slice(0, eq), v);
  }
}
const csrfOf = (html) => /name="csrf" value="([^"]*)"/.exec(html)?.[1];

describe('Buy Credits through Stripe Checkout', { timeout: 180_000 }, () => {
  let srv, fake, agency, client, host;
  const jar = new Map();
  const texts = [];
  const portal = async (method, path, form) => {
    const headers = { Host: host, Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers.Origin = `http://${host}`;
      body = new URLSearchParams(form).toString();
    }
    const r = await request(srv, method, path, { headers, body });
    cookiesOf(r, jar);
    texts.push(r.text);
    return r;
  };

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: SECRET });
    fake.setPrice(SECRET, { id: PRICE, product: PRODUCT, unit_amount: 4000, currency: 'eur' });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    host = `${SLUG}.portal.localhost:${srv.port}`;
    fake.setWebhook(SECRET, `${srv.url}/api/webhooks/stripe/${SLUG}`, WHSEC);
    agency = createOrg(srv, { name: 'Buy Agency', email: 'owner@buy-agency.test', password: 'agency-password-1', minutes: 100 });
    client = createOrg(srv, { name: 'Buying Client', parent: agency.org_id, email: EMAIL, password: PASSWORD, minutes: 0 });
    const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: {
      company_name: 'Buy Voice', slug: SLUG,
      stripe: { publishable_key: 'pk_test_51BuyPublishable', secret_key: SECRET, product_id: PRODUCT,
        price_id: PRICE, webhook_secret: WHSEC },
      package: { credits: 100, price_cents: 4000, currency: 'EUR' }, active: true } });
    assert.equal(r.status, 200, r.text);
    const form = await portal('GET', '/login');
    assert.equal(form.status, 200, form.text.slice(0, 300));
    const login = await portal('POST', '/login', { csrf: csrfOf(form.text), email: EMAIL, password: PASSWORD });
    assert.equal(login.status, 303, login.text.slice(0, 300));
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  let sessionId;

  it('Buy Credits creates the Checkout Session with every parameter and sends the client to it', async () => {
    const home = await portal('GET', '/dashboard');
    assert.equal(home.status, 200, home.text.slice(0, 300));
    const attempt = /name="attempt" value="([^"]+)"/.exec(home.text)?.[1];
    assert.ok(attempt, 'the Buy form carries its attempt');
    const r = await portal('POST', '/buy', { csrf: csrfOf(home.text), attempt });
    assert.equal(r.status, 303, r.text.slice(0, 400));
    // the same form sent again (a double click, a reload) is the same session
    const again = await portal('POST', '/buy', { csrf: csrfOf(home.text), attempt });
    assert.equal(again.status, 303, again.text.slice(0, 400));
    assert.equal(again.headers.location, r.headers.location);
    const created = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal(created.length, 2);
    assert.equal(created[1].headers['idempotency-key'], created[0].headers['idempotency-key']);
    const req = created[0];
    assert.deepEqual(req.problems, []);
    assert.equal(req.headers.authorization, `Bearer ${SECRET}`);
    assert.ok(req.headers['idempotency-key']);
    assert.equal(req.form['line_items[0][price]'], PRICE);
    assert.equal(req.form.mode, 'payment');
    assert.equal(req.form.client_reference_id, client.org_id);
    assert.equal(req.form['metadata[org_id]'], client.org_id);
    assert.equal(req.form['metadata[user_id]'], client.user_id);
    assert.equal(req.form.customer_email, EMAIL);
    assert.equal(req.form.success_url, `http://${host}/success?session_id={CHECKOUT_SESSION_ID}`);
    assert.equal(req.form.cancel_url, `http://${host}/`);
    const session = [...fake.sessions.values()][0].session;
    sessionId = session.id;
    assert.match(sessionId, /^cs_test_/);
    assert.equal(r.headers.location, session.url);
    const p = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: agency.api_key });
    assert.equal(p.json.purchases.length, 1);
    assert.equal(p.json.purchases[0].status, 'pending');
    assert.equal(p.json.purchases[0].email, EMAIL);
  });

  it('the success page says the credits are arriving until the webhook, then shows the balance', async () => {
    let s = await portal('GET', `/success?session_id=${sessionId}`);
    assert.equal(s.status, 200, s.text.slice(0, 300));
    assert.match(s.text, /credits are arriving/);
    assert.match(s.text, /<title>[^<]*Buy Voice<\/title>/);
    const pay = await fetch(`${fake.url}/c/pay/${sessionId}?action=pay`, { redirect: 'manual' });
    assert.equal(pay.status, 303);
    assert.equal(pay.headers.get('location'), `http://${host}/success?session_id=${sessionId}`);
    assert.equal(fake.deliveries.at(-1).status, 200, fake.deliveries.at(-1).body);
    s = await portal('GET', `/success?session_id=${sessionId}`);
    assert.match(s.text, /100 credits were added/);
    assert.match(s.text, /id="balance">100</);
    assert.equal(dbBalanceSeconds(srv, client.org_id), 100 * 60);
    const p = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: agency.api_key });
    assert.equal(p.json.purchases.length, 1, 'the pending purchase became the paid one');
    assert.equal(p.json.purchases[0].status, 'paid');
    const ev = await api(srv, 'GET', '/api/v1/whitelabel/stripe-events', { key: agency.api_key });
    assert.equal(ev.json.events[0].outcome, 'credited');
    assert.equal(ev.json.events[0].org_id, client.org_id);
    const mail = sql(srv, `SELECT to_addr, from_name, subject FROM mail_outbox WHERE kind = 'purchase'`).trim();
    assert.equal(mail, `${EMAIL}|Buy Voice|Your purchase: 100 credits`);
    // paying again (Stripe's retry) changes nothing
    await fake.deliver(fake.sessions.get(sessionId).event, { secretKey: SECRET });
    assert.equal(dbBalanceSeconds(srv, client.org_id), 100 * 60);
  });

  it('the agency dashboard lists the purchase and the Stripe events', async () => {
    const cookie = await loginSession(srv, 'owner@buy-agency.test', 'agency-password-1');
    const p = await page(srv, cookie, '/dashboard/purchases');
    assert.equal(p.status, 200, p.text.slice(0, 300));
    const row = /<tr id="purchase-[^"]+">(.*?)<\/tr>/s.exec(p.text)?.[1] ?? '';
    assert.match(row, new RegExp(EMAIL.replace(/[.+]/g, '\\$&')));
    assert.match(row, /40\.00 EUR/);
    assert.match(row, />100</);
    assert.match(row, /paid/);
    // the users table counts the client's paid purchases
    const u = await page(srv, cookie, '/dashboard/users');
    const urow = new RegExp(`id="user-${client.user_id}"[\\s\\S]*?purchases-cell"[^>]*>(\\d+)<`).exec(u.text);
    assert.equal(urow?.[1], '1', u.text.slice(0, 300));
    const ua = await api(srv, 'GET', '/api/v1/whitelabel/users', { key: agency.api_key });
    assert.equal(ua.json.users.find((x) => x.user_id === client.user_id).purchases, 1);
    const e = await page(srv, cookie, '/dashboard/stripe-events');
    assert.equal(e.status, 200, e.text.slice(0, 300));
    assert.match(e.text, /checkout\.session\.completed/);
    assert.match(e.text, /credited/);
    assert.match(e.text, /duplicate/);
    assert.match(e.text, new RegExp(`/api/webhooks/stripe/${SLUG}`));
    texts.push(p.text, e.text);
  });

  it('a malformed session id is 404', async () => {
    const s = await portal('GET', '/success?session_id=..%2Fetc');
    assert.equal(s.status, 404);
  });

  it('a Stripe error or outage is a clear message, and nothing is charged or recorded', async () => {
    for (const [mode, msg] of [['server_error', /did not answer in time/], ['unauthorized', /refused to start the payment/]]) {
      fake.setMode(mode);
      const home = await portal('GET', '/dashboard');
      const r = await portal('POST', '/buy', { csrf: csrfOf(home.text) });
      assert.equal(r.status, 502, `${mode}: ${r.text.slice(0, 300)}`);
      assert.match(r.text, msg);
      assert.match(r.text, /Nothing was charged/);
    }
    fake.setMode('ok');
    const p = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: agency.api_key });
    assert.equal(p.json.purchases.length, 1);
    for (const t of texts) assert.ok(!t.includes(SECRET) && !t.includes(WHSEC), 'a secret in a page');
    assert.ok(!srv.stderr.includes(SECRET) && !srv.stderr.includes(WHSEC), 'a secret in the log');
  });
});
