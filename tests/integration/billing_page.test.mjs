// The dashboard's Settings > Billing page over plain HTTP (issue 12): the
// clear refusals of Add Credits (the platform's Stripe not configured;
// no billing information yet), a client organization seeing only its
// provider keys (billing information is its agency's: 403 on the form),
// an agency setting its client's provider key through the switcher's org
// field, the invoice PDF route refusing what is not the session's, and the
// invoices list paged 50 at a time with a link to the next page.
// Runs on SQLite and, with WLPORTAL_TEST_PG, PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, request, sql, api } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';

const PASSWORD = 'billing-page-123';

function csrfOf(html) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'a CSRF field');
  return m[1];
}

async function post(srv, cookie, path, fields) {
  return request(srv, 'POST', path, { headers: { Cookie: cookie, Origin: srv.url,
    'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

async function agencyIn(srv, name) {
  const email = `${name.toLowerCase().replace(/\W+/g, '')}@billing.test`;
  const org = createOrg(srv, { name, email, password: PASSWORD });
  const cookie = await loginSession(srv, email, PASSWORD);
  const csrf = csrfOf((await page(srv, cookie, '/dashboard/billing')).text);
  return { org, cookie, csrf };
}

describe('Settings > Billing without the platform\'s Stripe', { timeout: 120_000 }, () => {
  let srv, a;

  before(async () => {
    srv = await startServer();
    a = await agencyIn(srv, 'Unconfigured Agency');
  });
  after(async () => { await srv?.stop(); });

  it('says buying is not configured, on the page and when the form is sent anyway', async () => {
    const p = await page(srv, a.cookie, '/dashboard/billing');
    assert.equal(p.status, 200);
    assert.match(p.text, /id="checkout-off"[^>]*>Buying minutes is not configured on this platform/);
    const r = await post(srv, a.cookie, '/dashboard/billing/checkout', { csrf: a.csrf, minutes: '500' });
    assert.equal(r.status, 503, r.text.slice(0, 500));
    assert.match(r.text, /id="checkout-error"[^>]*>Buying minutes is not configured on this platform/);
  });
});

describe('Settings > Billing: refusals, client organizations, provider keys', { timeout: 120_000 }, () => {
  let srv, a, b, client;

  before(async () => {
    // configured, but nothing here reaches Stripe: every request is refused before
    srv = await startServer({ env: { WLPORTAL_PLATFORM_STRIPE_SECRET_KEY: 'sk_test_' + 'NeverCalled0123456789',
      WLPORTAL_STRIPE_API: 'http://127.0.0.1:9' } });
    a = await agencyIn(srv, 'Page Agency');
    b = await agencyIn(srv, 'Other Page Agency');
    client = createOrg(srv, { name: 'Page Client', parent: a.org.org_id });
  });
  after(async () => { await srv?.stop(); });

  it('Add Credits without billing information asks for it first; too few minutes are named', async () => {
    let r = await post(srv, a.cookie, '/dashboard/billing/checkout', { csrf: a.csrf, minutes: '500' });
    assert.equal(r.status, 422, r.text.slice(0, 500));
    assert.match(r.text, /id="checkout-error"[^>]*>[^<]*First enter your billing information/);
    r = await post(srv, a.cookie, '/dashboard/billing/checkout', { csrf: a.csrf, minutes: '99' });
    assert.equal(r.status, 422);
    assert.match(r.text, /id="err-minutes">Minutes must be a whole number from 100 to 1000000/);
    assert.match(r.text, /name="minutes"[^>]*value="99"/);
    r = await post(srv, a.cookie, '/dashboard/billing/checkout', { minutes: '500' });
    assert.equal(r.status, 403, 'no CSRF token');
    assert.equal(sql(srv, `SELECT COUNT(*) FROM purchases`).trim(), '0');
  });

  it('billing information: each complaint beside its field, nothing stored; then saved', async () => {
    let r = await post(srv, a.cookie, '/dashboard/billing/info', { csrf: a.csrf, company_name: '', address: 'Street 1',
      country: 'XX', vat_id: '' });
    assert.equal(r.status, 422);
    assert.match(r.text, /id="err-company_name">Company name is required/);
    assert.match(r.text, /id="err-country">Country must be an ISO 3166-1 alpha-2 code/);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM billing_info`).trim(), '0');
    r = await post(srv, a.cookie, '/dashboard/billing/info', { csrf: a.csrf, company_name: 'Page Agency B.V.',
      address: 'Street 1\r\n1000 AA Amsterdam', country: 'NL', vat_id: 'NL000099998B57' });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(r.headers.location, '/dashboard/billing?saved=info#billing-info');
    // the unticked checkbox: client invoices off
    assert.match(sql(srv, `SELECT vat_status || '|' || client_invoices FROM billing_info WHERE org_id = '${a.org.org_id}'`).trim(), /^format\|(0|f|false)$/);
    const p = await page(srv, a.cookie, '/dashboard/billing');
    assert.match(p.text, /id="vat-status">Format checked/);
    assert.match(p.text, /format checked; not confirmed with VIES/);
  });

  it('a client organization sees only its provider keys; the billing forms are its agency\'s', async () => {
    const p = await page(srv, a.cookie, `/dashboard/billing?org=${client.org_id}`);
    assert.equal(p.status, 200);
    assert.match(p.text, /Billing is your agency's/);
    assert.doesNotMatch(p.text, /id="billing-info-form"|id="checkout-form"/);
    assert.match(p.text, new RegExp(`name="org" value="${client.org_id}"`));
    const r = await post(srv, a.cookie, '/dashboard/billing/info', { csrf: a.csrf, org: client.org_id,
      company_name: 'X', address: 'Y', country: 'NL' });
    assert.equal(r.status, 403);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM billing_info WHERE org_id = '${client.org_id}'`).trim(), '0');
  });

  it("the agency sets its client's provider key through the org field; another agency cannot", async () => {
    let r = await post(srv, a.cookie, '/dashboard/billing/keys/deepgram', { csrf: a.csrf, org: client.org_id,
      api_key: 'dg_' + 'ClientPageKey0123456' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.location, `/dashboard/billing?org=${client.org_id}&saved=key#provider-keys`);
    assert.equal(sql(srv, `SELECT org_id FROM provider_keys WHERE provider = 'deepgram'`).trim(), client.org_id);
    const p = await page(srv, a.cookie, `/dashboard/billing?org=${client.org_id}`);
    assert.doesNotMatch(p.text, /ClientPageKey/);
    assert.match(p.text, /id="provider-deepgram">[\s\S]*?Key set/);
    r = await post(srv, b.cookie, '/dashboard/billing/keys/deepgram/remove', { csrf: b.csrf, org: client.org_id });
    assert.equal(r.status, 403, r.text.slice(0, 300));
    r = await post(srv, b.cookie, '/dashboard/billing/keys/deepgram/remove', { csrf: b.csrf });
    assert.equal(r.status, 404, 'b has no deepgram key of its own');
    r = await post(srv, a.cookie, '/dashboard/billing/keys/nosuch', { csrf: a.csrf, api_key: 'abcdefgh12345' });
    assert.equal(r.status, 422);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM provider_keys`).trim(), '1');
    r = await post(srv, a.cookie, '/dashboard/billing/keys/deepgram/remove', { csrf: a.csrf, org: client.org_id });
    assert.equal(r.status, 303);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM provider_keys`).trim(), '0');
  });

  it('the invoice PDF route answers only the session\'s own invoices', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000.pdf', 'not-a-pdf', '..%2F..%2Fetc.pdf']) {
      const r = await page(srv, b.cookie, `/dashboard/billing/invoices/${id}`);
      assert.equal(r.status, 404, id);
    }
    const anon = await request(srv, 'GET', '/dashboard/billing/invoices/00000000-0000-4000-8000-000000000000.pdf');
    assert.notEqual(anon.status, 200);
  });
});

describe('Settings > Billing: invoices 50 a page', { timeout: 180_000 }, () => {
  const KEY = 'sk_test_51Platform' + 'PagingKey0123456789';
  const WHSEC = 'whsec_' + 'PlatformPaging0123456';
  let srv, fake, a;

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: KEY });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url, WLPORTAL_PLATFORM_STRIPE_SECRET_KEY: KEY,
      WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET: WHSEC } });
    fake.setWebhook(KEY, `${srv.url}/api/webhooks/stripe`, WHSEC);
    a = await agencyIn(srv, 'Paging Agency');
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('51 invoices: the first page shows the newest 50 and links to the next, which has the oldest', async () => {
    const r = await api(srv, 'PUT', '/api/v1/billing-info', { key: a.org.api_key, body: {
      company_name: 'Paging Agency Inc.', address: '1 Main St', country: 'US' } });
    assert.equal(r.status, 200, r.text);
    for (let i = 0; i < 51; i++) {
      const c = await api(srv, 'POST', '/api/v1/billing/checkout', { key: a.org.api_key, body: { minutes: 100 } });
      assert.equal(c.status, 200, c.text);
      const { delivery } = await fake.pay(c.json.session_id);
      assert.equal(delivery.status, 200, delivery.body);
    }
    const year = new Date().getUTCFullYear();
    const first = await page(srv, a.cookie, '/dashboard/billing');
    const rows = (html) => [...html.matchAll(/<tr id="invoice-[^"]+"><td class="mono">(INV-[0-9-]+)<\/td>/g)].map((m) => m[1]);
    const one = rows(first.text);
    assert.equal(one.length, 50);
    assert.equal(one[0], `INV-${year}-000051`);
    assert.match(first.text, /<span class="badge badge-neutral">50\+<\/span>/);
    const next = /id="invoices-next" href="([^"]+)"/.exec(first.text);
    assert.ok(next, 'a link to the next page');
    const second = await page(srv, a.cookie, next[1].replace(/&amp;/g, '&').replace(/#.*/, ''));
    assert.deepEqual(rows(second.text), [`INV-${year}-000001`]);
    assert.doesNotMatch(second.text, /id="invoices-next"/);
    assert.match(second.text, /export/);
  });
});
