// Browser test of the client portal, end to end: headless Chromium (Debian's,
// driven by playwright-core) against a real `wlportal serve` with an SMTP
// sink and a fake Stripe on loopback. An agency sets up and activates a
// branded portal in its dashboard; a new client opens
// {slug}.portal.localhost, sees the brand, signs up, confirms the address
// from the mail in the sink, creates an API key, buys credits, is sent to
// the fake Stripe checkout page, which "pays" (sends the signed webhook as
// Stripe does) and redirects back; the client sees the new balance and the
// purchase in the credit history; the agency's users table and purchases
// list show it. Screenshots go to tests/e2e/artifacts/portal-*.png.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts, rgb } from './browser.mjs';
import { startServer, createOrg, sql } from '../integration/lib.mjs';
import { fakeStripeSelling } from '../integration/fake_stripe.mjs';
import { startSmtpSink, links } from '../integration/smtp_sink.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const AGENCY_PASSWORD = 'agency-pass-123';
const SECRET_KEY = 'sk_test_' + 'PortalE2eSecretKey4242';
const WEBHOOK_SECRET = 'whsec_' + 'PortalE2eWebhookSecret7';
const PRICE = 'price_PortalE2e12345';
const PRODUCT = 'prod_PortalE2e12345';
const SLUG = 'bright-calls';
const PRIMARY = '#1E3A8A';
const ACCENT = '#FDE047';
const CLIENT = 'dana@clinic.test';
const CLIENT_PASSWORD = 'dana-password-2026';

describe('the client portal in a browser, sign-up to purchase', { timeout: 300_000 }, () => {
  let srv, fake, sink, agency, browser, context, page, client;
  const seenHtml = [];

  before(async () => {
    fake = await fakeStripeSelling({ secretKey: SECRET_KEY, priceId: PRICE, productId: PRODUCT,
      unitAmount: 4000, currency: 'eur' });
    sink = await startSmtpSink();
    srv = await startServer({ env: { WLPORTAL_WEB_DIR: path.join(root, 'web'),
      WLPORTAL_STRIPE_API: fake.url, WLPORTAL_SMTP_URL: sink.url } });
    fake.setWebhook(SECRET_KEY, `${srv.url}/api/webhooks/stripe/${SLUG}`, WEBHOOK_SECRET);
    agency = createOrg(srv, { name: 'Bright Agency', email: 'owner@bright.test',
      password: AGENCY_PASSWORD, minutes: 500 });
    ({ browser, context, page } = await launchBrowser());
    page.setDefaultTimeout(20_000);
    client = await context.newPage();
    client.setDefaultTimeout(20_000);
    for (const p of [page, client]) {
      p.on('response', async (r) => {
        if ((r.headers()['content-type'] || '').includes('text/html')) {
          try { seenHtml.push(await r.text()); } catch { /* redirects have no body */ }
        }
      });
    }
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    await fake?.close();
    await sink?.close();
  });

  const shot = (p, name) => p.screenshot({ path: path.join(artifacts, `portal-${name}.png`), fullPage: true });
  const url = (p) => `${srv.url}${p}`;
  const portalUrl = (p) => `http://${SLUG}.portal.localhost:${srv.port}${p}`;
  const submit = (p, selector) => Promise.all([p.waitForNavigation(), p.click(selector)]);

  it('the agency sets up its branded portal and activates it in the dashboard', async () => {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', 'owner@bright.test');
    await page.fill('input[name=password]', AGENCY_PASSWORD);
    await submit(page, 'button[type=submit]');
    await page.goto(url('/dashboard/whitelabel'));
    await page.fill('input[name=company_name]', 'Bright Calls');
    await page.fill('input[name=logo_url]', `${srv.url}/static/sample-logo.svg`);
    await page.fill('input[name=primary_color]', PRIMARY);
    await page.fill('input[name=accent_color]', ACCENT);
    await submit(page, '#branding-form button[type=submit]');
    await page.fill('input[name=slug]', SLUG);
    await submit(page, '#portal form[action$="/portal"] button');
    await page.fill('input[name=package_credits]', '100');
    await page.fill('input[name=package_price_cents]', '4000');
    await page.selectOption('select[name=package_currency]', 'EUR');
    await submit(page, '#package-form button[type=submit]');
    await page.fill('input[name=stripe_publishable_key]', 'pk_test_PortalE2ePublishable1');
    await page.fill('input[name=stripe_secret_key]', SECRET_KEY);
    await page.fill('input[name=stripe_product_id]', PRODUCT);
    await page.fill('input[name=stripe_price_id]', PRICE);
    await page.fill('input[name=stripe_webhook_secret]', WEBHOOK_SECRET);
    await submit(page, '#stripe button[type=submit]');
    await page.check('#active-toggle', { force: true });
    const [resp] = await submit(page, '#activate button[type=submit]');
    assert.equal(resp.status(), 200, await page.content());
    assert.equal(await page.textContent('#portal-status'), 'Active');
    await shot(page, '01-agency-active');
  });

  it('a new client opens the portal host and sees the brand', async () => {
    const r = await client.goto(portalUrl('/'));
    assert.equal(r.status(), 200);
    assert.equal(await client.title(), 'Bright Calls');
    assert.equal((await client.textContent('#portal-name')).trim(), 'Bright Calls');
    assert.equal(await client.$eval('#portal-bar', (e) => getComputedStyle(e).backgroundColor), rgb(PRIMARY));
    // white text on the dark primary colour, dark text on the light accent
    assert.equal(await client.$eval('#portal-bar', (e) => getComputedStyle(e).color), 'rgb(255, 255, 255)');
    assert.equal(await client.$eval('#nav-signup', (e) => getComputedStyle(e).color), 'rgb(17, 24, 39)');
    assert.equal(await client.$eval('#nav-signup', (e) => getComputedStyle(e).backgroundColor), rgb(ACCENT));
    assert.equal(await client.textContent('#package-price'), '€40.00');
    assert.doesNotMatch(await client.content(), /wlportal/i);
    await shot(client, '02-landing');
  });

  it('signs up and lands on the dashboard, logged in', async () => {
    await client.click('#cta-signup');
    await client.waitForURL(portalUrl('/signup'));
    assert.equal(await client.title(), 'Sign up · Bright Calls');
    // a mismatched confirmation is refused and keeps the address
    await client.fill('input[name=email]', CLIENT);
    await client.fill('input[name=password]', CLIENT_PASSWORD);
    await client.fill('input[name=confirm]', 'something else entirely');
    await submit(client, '#signup-submit');
    assert.match(await client.textContent('main'), /The two passwords are not the same/);
    assert.equal(await client.inputValue('input[name=email]'), CLIENT);
    await shot(client, '03-signup-error');
    await client.fill('input[name=password]', CLIENT_PASSWORD);
    await client.fill('input[name=confirm]', CLIENT_PASSWORD);
    await submit(client, '#signup-submit');
    assert.equal(client.url(), portalUrl('/dashboard'));
    assert.equal(await client.textContent('#client-email'), CLIENT);
    assert.equal(await client.textContent('#balance'), '0');
    assert.ok(await client.isVisible('#verify-banner'));
    const cookie = (await context.cookies(portalUrl('/'))).find((c) => c.name === 'wl_portal');
    assert.ok(cookie?.httpOnly, 'the portal session cookie is HttpOnly');
    assert.equal(cookie.domain, `${SLUG}.portal.localhost`, 'host-only');
    // the platform's own host does not see it
    assert.equal((await context.cookies(url('/'))).find((c) => c.name === 'wl_portal'), undefined);
    await shot(client, '04-dashboard-new');
  });

  it('confirms the address from the mail in the sink', async () => {
    const mail = await sink.waitFor(CLIENT);
    assert.match(mail.headers.from, /Bright Calls/);
    const link = links(mail).find((l) => l.includes('/verify?token='));
    assert.ok(link?.startsWith(portalUrl('/verify?token=')), mail.body);
    await client.goto(link);
    await shot(client, '05-verify');
    await submit(client, '#verify-submit');
    assert.match(await client.textContent('#portal-message'), /confirmed/);
    await submit(client, '#portal-next');
    assert.equal(client.url(), portalUrl('/dashboard'));
    assert.equal(await client.isVisible('#verify-banner'), false);
  });

  it('creates an API key, shown once', async () => {
    await client.fill('#api-keys input[name=name]', 'Clinic CRM');
    await submit(client, '#key-create');
    const key = (await client.textContent('#new-key')).trim();
    assert.match(key, /^wlp_/);
    await shot(client, '06-api-key');
    await submit(client, '#portal-next');
    assert.ok(!(await client.content()).includes(key), 'the key is not shown again');
    assert.match(await client.textContent('#keys'), /Clinic CRM/);
  });

  it('buys credits: fake Stripe checkout pays, sends the webhook and redirects back to the new balance', async () => {
    await submit(client, '#buy-credits');
    assert.ok(client.url().startsWith(`${fake.url}/c/pay/cs_test_`), client.url());
    assert.equal(await client.textContent('#amount'), '40.00 EUR');
    assert.equal(await client.textContent('#email'), CLIENT);
    await shot(client, '07-stripe-checkout');
    await submit(client, '#pay');
    assert.ok(client.url().startsWith(portalUrl('/success?session_id=cs_test_')), client.url());
    assert.equal(fake.deliveries.at(-1).status, 200, JSON.stringify(fake.deliveries.at(-1)));
    // the webhook arrived before the redirect: the page shows the balance
    assert.match(await client.textContent('main'), /100 credits were added/);
    assert.equal(await client.textContent('#balance'), '100');
    await shot(client, '08-success');
    await client.goto(portalUrl('/dashboard'));
    assert.equal(await client.textContent('#balance'), '100');
    assert.match(await client.textContent('#history'), /Purchase[\s\S]*\+100/);
    await shot(client, '09-dashboard-after-purchase');
  });

  it("the agency's users table and purchases list show the client and the purchase", async () => {
    await page.goto(url('/dashboard/users'));
    const row = page.locator('tr', { hasText: CLIENT });
    assert.match(await row.locator('.verified-cell').textContent(), /verified/);
    assert.doesNotMatch(await row.locator('.verified-cell').textContent(), /not verified/);
    assert.equal((await row.locator('.balance-cell').textContent()).trim(), '100');
    assert.equal((await row.locator('.purchases-cell').textContent()).trim(), '1');
    assert.match(await row.locator('.login-cell').textContent(), /UTC/);
    await shot(page, '10-agency-users');
    await page.goto(url('/dashboard/purchases'));
    const p = page.locator('tr[id^=purchase-]', { hasText: CLIENT });
    assert.match(await p.textContent(), /40\.00 EUR/);
    assert.match(await p.textContent(), /paid/);
    await shot(page, '11-agency-purchases');
    assert.equal(sql(srv, `SELECT COUNT(*) FROM purchases WHERE status = 'paid'`).trim(), '1');
  });

  it('logs out; no page ever showed a Stripe secret, and the log holds no token', async () => {
    await submit(client, '#portal-logout');
    assert.equal(client.url(), portalUrl('/login?done=logout'));
    const r = await client.goto(portalUrl('/dashboard'));
    assert.equal(r.status(), 200);
    assert.equal(client.url(), portalUrl('/login'));
    for (const html of seenHtml) {
      assert.ok(!html.includes(SECRET_KEY) && !html.includes(WEBHOOK_SECRET), 'no secret on any page');
    }
    assert.doesNotMatch(srv.stderr, /token=|sk_test_PortalE2e/);
  });
});
