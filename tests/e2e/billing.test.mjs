// Browser test of Settings > Billing (issue 12): Chromium (Debian's, driven
// by playwright-core) against a real `wlportal serve` with the operator's
// Stripe played by the fake Stripe and a VIES-style service on loopback.
// An agency logs into the dashboard, has a malformed VAT ID refused beside
// its field, saves its billing information with a valid VAT ID and sees it
// confirmed with the time of the check, is refused fewer than 100 minutes,
// adds 500 minutes and is sent (303) to the fake Stripe checkout at the
// reverse-charge amount, pays there (the fake sends the signed webhook) and
// comes back to the return page with the minutes credited (an abandoned
// payment comes back to "cancelled"), finds the
// invoice in its list and downloads its PDF with its session, and sets a
// provider key that is never shown again.
// Screenshots go to tests/e2e/artifacts/billing-*.png.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts } from './browser.mjs';
import { startServer, createOrg, sql, dbBalanceSeconds } from '../integration/lib.mjs';
import { startFakeStripe } from '../integration/fake_stripe.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const PASSWORD = 'billing-pass-123';
const KEY = 'sk_test_51Platform' + 'BrowserKey0123456789';
const WHSEC = 'whsec_' + 'PlatformBrowser0123456';
const PROVIDER_KEY = 'sk-ant-' + 'BrowserByokKey0123456789';
const YEAR = new Date().getUTCFullYear();

// A VIES-style service that knows one valid number.
async function startVies(valid) {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const q = JSON.parse(raw);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ valid: `${q.countryCode}${q.vatNumber}` === valid }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/check`, close: () => new Promise((r) => server.close(r)) };
}

describe('Settings > Billing in a browser: billing information, Add Credits, invoices, provider keys', { timeout: 300_000 }, () => {
  let srv, fake, vies, agency, browser, page;
  const seenHtml = [];

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: KEY });
    vies = await startVies('DE123456789');
    srv = await startServer({ env: {
      WLPORTAL_WEB_DIR: path.join(root, 'web'),
      WLPORTAL_STRIPE_API: fake.url,
      WLPORTAL_PLATFORM_STRIPE_SECRET_KEY: KEY,
      WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET: WHSEC,
      WLPORTAL_SELLER_NAME: 'Voice Platform B.V.',
      WLPORTAL_SELLER_ADDRESS: 'Keizersgracht 1\n1015 CJ Amsterdam',
      WLPORTAL_SELLER_VAT_ID: 'NL123456789B01',
      WLPORTAL_VIES_URL: vies.url,
    } });
    fake.setWebhook(KEY, `${srv.url}/api/webhooks/stripe`, WHSEC);
    agency = createOrg(srv, { name: 'Berlin Calls', email: 'owner@berlin.test', password: PASSWORD, minutes: 0 });
    ({ browser, page } = await launchBrowser());
    page.setDefaultTimeout(20_000);
    page.on('response', async (r) => {
      if ((r.headers()['content-type'] || '').includes('text/html')) {
        try { seenHtml.push(await r.text()); } catch { /* redirects have no body */ }
      }
    });
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    await fake?.close();
    await vies?.close();
  });

  // Stripe comes back to the platform's own URL (localhost on this port):
  // the dashboard is used there so that the session cookie goes with it.
  const url = (p) => `http://localhost:${srv.port}${p}`;
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `billing-${name}.png`), fullPage: true });
  const submit = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  it('logs in and opens Billing from the navigation', async () => {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', 'owner@berlin.test');
    await page.fill('input[name=password]', PASSWORD);
    await submit('button[type=submit]');
    await submit('nav a[href^="/dashboard/billing"]');
    assert.equal(page.url(), url('/dashboard/billing'));
    assert.match(await page.textContent('#invoices-empty'), /No invoices yet/);
    assert.ok(await page.isVisible('#checkout-needs-info'));
    await shot('01-empty');
  });

  it('a malformed VAT ID is refused beside its field, the rest kept', async () => {
    await page.fill('input[name=company_name]', 'Berlin Calls GmbH');
    await page.fill('textarea[name=address]', 'Unter den Linden 1\n10117 Berlin');
    await page.selectOption('select[name=country]', 'DE');
    await page.fill('input[name=vat_id]', 'DE12');
    const [resp] = await submit('#billing-info-form button[type=submit]');
    assert.equal(resp.status(), 422);
    assert.match(await page.textContent('#err-vat_id'), /DE VAT IDs are DE \+ 9 digits/);
    assert.equal(await page.inputValue('input[name=company_name]'), 'Berlin Calls GmbH');
    assert.equal(await page.inputValue('select[name=country]'), 'DE');
    assert.equal(sql(srv, `SELECT COUNT(*) FROM billing_info`).trim(), '0');
    await shot('02-vat-refused');
  });

  it('saves billing information; VIES confirms the VAT ID and the check\'s time shows', async () => {
    await page.fill('input[name=vat_id]', 'DE 123 456 789');
    await submit('#billing-info-form button[type=submit]');
    assert.equal(page.url(), url('/dashboard/billing?saved=info#billing-info'), await page.textContent('main'));
    assert.match(await page.textContent('#flash'), /Billing information saved/);
    assert.match(await page.textContent('#vat-status'), /Valid/);
    assert.match(await page.textContent('#vat-check'), /confirmed by VIES \(checked \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)/);
    assert.equal(await page.inputValue('input[name=vat_id]'), 'DE123456789');
    assert.equal(sql(srv, `SELECT vat_status FROM billing_info WHERE org_id = '${agency.org_id}'`).trim(), 'valid');
    await shot('03-info-saved');
  });

  it('Add Credits: fewer than 100 minutes is refused; 500 go to Stripe Checkout with a 303', async () => {
    await page.fill('input[name=minutes]', '99');
    // the browser's own min check would stop the form: the server's is tested
    await page.$eval('input[name=minutes]', (e) => e.removeAttribute('min'));
    const [refused] = await submit('#add-credits-submit');
    assert.equal(refused.status(), 422);
    assert.match(await page.textContent('#err-minutes'), /Minutes must be a whole number from 100/);
    await page.fill('input[name=minutes]', '500');
    const redirects = [];
    page.on('response', (r) => { if (r.status() === 303) redirects.push(r.headers().location); });
    await submit('#add-credits-submit');
    assert.ok(page.url().startsWith(`${fake.url}/c/pay/cs_test_`), page.url());
    assert.ok(redirects.some((l) => l.startsWith(`${fake.url}/c/pay/cs_test_`)), JSON.stringify(redirects));
    // reverse charge: 500 × €0.07, no VAT
    assert.equal(await page.textContent('#amount'), '35.00 EUR');
    const req = fake.requestsTo('POST', '/v1/checkout/sessions').at(-1);
    assert.deepEqual(req.problems, []);
    assert.equal(req.form.client_reference_id, agency.org_id);
    await shot('04-stripe-checkout');
  });

  it('pays: the signed webhook credits the minutes and the return page says so', async () => {
    await submit('#pay');
    assert.equal(fake.deliveries.at(-1).status, 200, JSON.stringify(fake.deliveries.at(-1)));
    assert.ok(page.url().startsWith(url('/dashboard/billing/return?session_id=cs_test_')), page.url());
    assert.match(await page.textContent('#return-message'), /500 minutes were added/);
    assert.equal(await page.textContent('#balance'), '500');
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 500 * 60);
    await shot('05-returned');
  });

  it('finds the invoice in the list and downloads its PDF with the dashboard session', async () => {
    await submit('#back-to-billing');
    const row = page.locator('#invoices tbody tr').first();
    const text = await row.textContent();
    for (const want of [`INV-${YEAR}-000001`, '35.00', '0.00 (0%)', 'reverse_charge', 'Voice Platform B.V.']) {
      assert.ok(text.includes(want), `the row lacks ${want}: ${text}`);
    }
    const href = await row.locator('a.pdf-link').getAttribute('href');
    assert.match(href, /^\/dashboard\/billing\/invoices\/[0-9a-f-]+\.pdf$/);
    const res = await page.request.get(url(href));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const pdf = await res.body();
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
    // without the session: the log-in page, never the PDF
    const anon = await fetch(url(href), { redirect: 'manual' });
    assert.notEqual(anon.status, 200);
    await shot('06-invoice');
  });

  it('a payment abandoned on Stripe comes back to "cancelled", nothing credited', async () => {
    await page.goto(url('/dashboard/billing'));
    await page.fill('input[name=minutes]', '200');
    await submit('#add-credits-submit');
    assert.ok(page.url().startsWith(`${fake.url}/c/pay/cs_test_`), page.url());
    await submit('#cancel');
    assert.equal(page.url().replace(/#.*/, ''), url('/dashboard/billing/return?cancelled=1'));
    assert.match(await page.textContent('#return-message'), /Nothing was charged/);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 500 * 60);
    await submit('#back-to-billing');
    assert.equal(await page.locator('#invoices tbody tr').count(), 1);
  });

  it('sets a provider key: stored sealed, shown as set, never again in a page', async () => {
    await page.fill('#provider-anthropic input[name=api_key]', PROVIDER_KEY);
    await submit('#provider-anthropic button[type=submit]');
    assert.match(await page.textContent('#flash'), /Provider key saved/);
    assert.match(await page.textContent('#provider-anthropic .key-status'), /Key set/);
    assert.match(await page.textContent('#provider-openai .key-status'), /Not set/);
    assert.match(await page.textContent('#provider-keys'), /€0\.07 per minute/);
    const sealed = sql(srv, `SELECT key_sealed FROM provider_keys WHERE org_id = '${agency.org_id}' AND provider = 'anthropic'`).trim();
    assert.ok(sealed.length > 40 && !sealed.includes('BrowserByokKey'));
    // a short key is refused beside its provider
    await page.fill('#provider-openai input[name=api_key]', 'short');
    const [resp] = await submit('#provider-openai button[type=submit]');
    assert.equal(resp.status(), 422);
    assert.match(await page.textContent('#provider-openai .field-error'), /8 to 512 printable/);
    await shot('07-provider-key');
    for (const html of seenHtml) assert.ok(!html.includes('BrowserByokKey'), 'a page showed the provider key');
  });
});
