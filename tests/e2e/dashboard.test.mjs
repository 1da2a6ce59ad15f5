// Browser test of the agency dashboard and the branded portal: Chromium
// (Debian's, driven by playwright-core) against a real `wlportal serve` on a
// temporary SQLite database. Logs in, fills the four whitelabel steps, sees
// the live preview and the margin calculator react (converting the EUR
// cost of a USD or GBP package at the rate it shows), is refused activation
// while Stripe fields are missing, activates, opens the portal on its own
// host name, allocates credits (once, even when the form is sent twice),
// uses the organization switcher, checks that the Stripe secret key never
// reaches a page, and that repeated wrong passwords wait (and say how long).
// A hostile page on another site cannot log the browser into an account of
// its choosing, and neither a portal host nor a custom domain serves the
// log-in form or the dashboard.
// Screenshots go to tests/e2e/artifacts/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts, rgb } from './browser.mjs';
import { startServer, createOrg, sql } from '../integration/lib.mjs';
import { fakeStripeSelling } from '../integration/fake_stripe.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const PASSWORD = 'agency-pass-123';
const SECRET_KEY = 'sk_test_' + 'S3cr3tK3yNeverShown42';
const WEBHOOK_SECRET = 'whsec_' + 'WebhookSecretNeverShown7';
const PRIMARY = '#0F766E';
const ACCENT = '#E11D48';
const CUSTOM_DOMAIN = 'portal.acme-example.com';

describe('dashboard and portal in a browser', { timeout: 300_000 }, () => {
  let srv, fake, agency, client1, client2, browser, context, page;
  const seenHtml = [];

  before(async () => {
    // activation checks the price with (the fake) Stripe
    fake = await fakeStripeSelling({ secretKey: SECRET_KEY, priceId: 'price_Price123456',
      productId: 'prod_Product12345', unitAmount: 4000, currency: 'eur' });
    srv = await startServer({ env: { WLPORTAL_WEB_DIR: path.join(root, 'web'), WLPORTAL_STRIPE_API: fake.url } });
    agency = createOrg(srv, { name: 'Acme Agency', email: 'owner@acme.test', password: PASSWORD, minutes: 500 });
    client1 = createOrg(srv, { name: 'Bright Dental', email: 'anna@bright.test', parent: agency.org_id, minutes: 12 });
    client2 = createOrg(srv, { name: 'Coastal Realty', email: 'bob@coastal.test', parent: agency.org_id, minutes: 3 });
    ({ browser, context, page } = await launchBrowser([
        // the agency's custom domain resolves to the test server
        `--host-resolver-rules=MAP ${CUSTOM_DOMAIN} 127.0.0.1`]));
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
  });

  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const url = (p) => `${srv.url}${p}`;

  async function login(email, password) {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  }

  it('sends a visitor without a session to the log-in page', async () => {
    const r = await page.goto(url('/dashboard/whitelabel'));
    assert.equal(r.status(), 200);
    assert.match(page.url(), /\/login\?next=%2Fdashboard%2Fwhitelabel$/);
    assert.equal(r.headers()['x-frame-options'], 'DENY');
    assert.match(r.headers()['content-security-policy'], /script-src 'self'/);
    await shot('01-login');
  });

  it('shows an error for a wrong password', async () => {
    await login('owner@acme.test', 'wrong-password');
    assert.match(await page.textContent('#login-error'), /do not match/);
    assert.equal(await page.inputValue('input[name=email]'), 'owner@acme.test');
    await shot('02-login-error');
  });

  it('logs in and shows the minutes balance', async () => {
    await login('owner@acme.test', PASSWORD);
    assert.match(page.url(), /\/dashboard$/);
    assert.match(await page.textContent('#balance'), /500/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'wl_session');
    assert.ok(session?.httpOnly, 'session cookie is HttpOnly');
    assert.equal(session.sameSite, 'Lax');
    await shot('03-dashboard');
  });

  it('step 1: branding with a live preview', async () => {
    await page.goto(url('/dashboard/whitelabel'));
    await page.fill('input[name=company_name]', 'Acme Calls');
    await page.fill('input[name=logo_url]', `${srv.url}/static/sample-logo.svg`);
    await page.fill('input[name=primary_color]', PRIMARY);
    await page.fill('input[name=accent_color]', ACCENT);
    // the preview follows what is typed, before saving
    assert.equal(await page.textContent('#pv-name'), 'Acme Calls');
    const bar = await page.$eval('#pv-bar', (e) => getComputedStyle(e).backgroundColor);
    const button = await page.$eval('#pv-button', (e) => getComputedStyle(e).backgroundColor);
    assert.equal(bar, rgb(PRIMARY));
    assert.equal(button, rgb(ACCENT));
    assert.equal(await page.$eval('#pv-logo', (e) => e.hidden), false);
    await Promise.all([page.waitForNavigation(), page.click('#branding-form button[type=submit]')]);
    assert.match(await page.textContent('#flash'), /Saved/);
    // after saving, the server renders the same colors (no script needed)
    assert.equal(await page.$eval('#pv-bar', (e) => getComputedStyle(e).backgroundColor), rgb(PRIMARY));
    assert.equal(await page.inputValue('input[name=company_name]'), 'Acme Calls');
  });

  it('refuses a bad color and keeps what was typed', async () => {
    await page.fill('input[name=company_name]', 'Acme Calls Typed');
    await page.fill('input[name=primary_color]', 'blue');
    await Promise.all([page.waitForNavigation(), page.click('#branding-form button[type=submit]')]);
    assert.match(await page.textContent('#err-primary_color'), /Primary color must be a hex color/);
    assert.equal(await page.inputValue('input[name=primary_color]'), 'blue');
    assert.equal(await page.inputValue('input[name=company_name]'), 'Acme Calls Typed');
    await shot('04-branding-error');
  });

  it('step 2: portal slug and custom domain', async () => {
    await page.goto(url('/dashboard/whitelabel'));
    await page.fill('input[name=slug]', 'acme-calls');
    await Promise.all([page.waitForNavigation(), page.click('#portal form[action$="/portal"] button')]);
    assert.equal(await page.textContent('#portal-url'), `http://acme-calls.portal.localhost:${srv.port}`);
    await page.fill('input[name=domain]', 'Portal.Acme-Example.com');
    await Promise.all([page.waitForNavigation(), page.click('text=Add Domain')]);
    assert.equal(await page.textContent('#domain-status'), 'pending');
    // both records: the CNAME, and the TXT that proves the domain is the agency's
    const row = (id) => page.$$eval(`#${id} td`, (tds) => tds.map(
      (t) => (t.querySelector('.select-all') ?? t).textContent.trim()));
    assert.deepEqual(await row('record-cname'), ['CNAME', 'portal', 'cname.localhost']);
    const txt = await row('record-txt');
    assert.deepEqual(txt.slice(0, 2), ['TXT', '_wlportal-challenge.portal.acme-example.com']);
    assert.match(txt[2], /^wlportal-verify=[0-9a-f]{32}$/);
    // each value has its copy button carrying exactly that value
    const copies = await page.$$eval('#dns-records button[data-copy]', (bs) => bs.map((b) => b.dataset.copy));
    assert.deepEqual(copies, ['portal', 'cname.localhost', '_wlportal-challenge.portal.acme-example.com', txt[2]]);
    assert.ok(await page.isVisible('#record-txt button[data-copy]'));
    await shot('03b-domain-records');
  });

  it('step 3 (partial) then activation is refused with the missing fields', async () => {
    await page.fill('input[name=stripe_publishable_key]', 'pk_test_PublishableKey1234');
    await page.fill('input[name=stripe_product_id]', 'prod_Product12345');
    await page.fill('input[name=stripe_price_id]', 'price_Price123456');
    await Promise.all([page.waitForNavigation(), page.click('#stripe button[type=submit]')]);
    assert.match(await page.textContent('#flash'), /Saved/);
    await page.check('#active-toggle', { force: true });
    const [resp] = await Promise.all([page.waitForNavigation(), page.click('#activate button[type=submit]')]);
    assert.equal(resp.status(), 422);
    const missing = await page.$$eval('#activation-missing li', (lis) => lis.map((l) => l.textContent));
    assert.deepEqual(missing, ['Stripe secret key']);
    assert.match(await page.textContent('#err-stripe_secret_key'), /Stripe secret key is required to activate the portal/);
    assert.equal(await page.textContent('#portal-status'), 'Inactive');
    await shot('05-activation-refused');
  });

  it('step 4: the margin calculator follows the prices typed', async () => {
    await page.goto(url('/dashboard/whitelabel'));
    await page.fill('input[name=package_credits]', '100');
    await page.fill('input[name=package_price_cents]', '4000');
    assert.equal(await page.textContent('#m-price'), '€40.00');
    assert.equal(await page.textContent('#m-cost'), '€7.00');
    assert.equal(await page.textContent('#m-profit'), '€33.00');
    assert.equal(await page.textContent('#m-margin'), '82.5%');
    assert.equal(await page.textContent('#price-money'), '€40.00');
    assert.equal(await page.isVisible('#m-warning'), false);
    await page.fill('input[name=package_price_cents]', '650');
    assert.equal(await page.textContent('#m-margin'), '-7.7%');
    assert.equal(await page.isVisible('#m-warning'), true);
    await page.fill('input[name=package_credits]', '3');
    await page.fill('input[name=package_price_cents]', '1');
    assert.equal(await page.textContent('#m-cost'), '€0.21');
    assert.equal(await page.textContent('#m-margin'), '-2000%');
    await page.fill('input[name=package_credits]', '100');
    await page.fill('input[name=package_price_cents]', '4000');
    assert.equal(await page.textContent('#m-rate'), 'none (priced in EUR)');
    // a USD package: the EUR cost converted at the operator's rate, shown
    await page.selectOption('select[name=package_currency]', 'USD');
    assert.equal(await page.textContent('#m-rate'), '1 EUR = 1.08 USD');
    assert.equal(await page.textContent('#m-price'), '$40.00');
    assert.equal(await page.textContent('#m-cost'), '$7.56');
    assert.match(await page.textContent('#m-cost-note'), /= €7\.00\)/);
    assert.equal(await page.textContent('#m-profit'), '$32.44');
    assert.equal(await page.textContent('#m-margin'), '81.1%');
    await page.fill('input[name=package_price_cents]', '750');
    assert.equal(await page.isVisible('#m-warning'), true, '$7.50 is below EUR 7.00 = $7.56');
    await page.selectOption('select[name=package_currency]', 'GBP');
    assert.equal(await page.textContent('#m-rate'), '1 EUR = 0.86 GBP');
    assert.equal(await page.textContent('#m-cost'), '£6.02');
    assert.equal(await page.isVisible('#m-warning'), false);
    await page.fill('input[name=package_price_cents]', '4000');
    await page.selectOption('select[name=package_currency]', 'USD');
    await Promise.all([page.waitForNavigation(), page.click('#package-form button[type=submit]')]);
    // computed by the server this time
    assert.equal(await page.textContent('#m-rate'), '1 EUR = 1.08 USD');
    assert.equal(await page.textContent('#m-cost'), '$7.56');
    assert.equal(await page.textContent('#m-margin'), '81.1%');
    await shot('06-package-usd');
    await page.selectOption('select[name=package_currency]', 'EUR');
    await Promise.all([page.waitForNavigation(), page.click('#package-form button[type=submit]')]);
    assert.equal(await page.textContent('#m-rate'), 'none (priced in EUR)');
    assert.equal(await page.textContent('#m-margin'), '82.5%');
    assert.equal(await page.inputValue('input[name=package_credits]'), '100');
    await shot('06-package');
  });

  it('step 3: secret keys are write-only, then the portal activates', async () => {
    await page.fill('input[name=stripe_secret_key]', SECRET_KEY);
    await page.fill('input[name=stripe_webhook_secret]', WEBHOOK_SECRET);
    await Promise.all([page.waitForNavigation(), page.click('#stripe button[type=submit]')]);
    assert.equal(await page.inputValue('input[name=stripe_secret_key]'), '');
    assert.match(await page.textContent('#stripe'), /set/);
    assert.match(await page.textContent('#webhook-url'), /\/api\/webhooks\/stripe\/acme-calls$/);
    await page.check('#active-toggle', { force: true });
    const [resp] = await Promise.all([page.waitForNavigation(), page.click('#activate button[type=submit]')]);
    assert.equal(resp.status(), 200);
    assert.equal(await page.textContent('#portal-status'), 'Active');
    assert.match(await page.textContent('#flash'), /live/);
    await shot('07-whitelabel-active');
  });

  it('serves the branded portal on its host name and at /p/{slug}/', async () => {
    const portal = await context.newPage();
    const r = await portal.goto(`http://acme-calls.portal.localhost:${srv.port}/`);
    assert.equal(r.status(), 200);
    assert.equal((await portal.textContent('#portal-name')).trim(), 'Acme Calls Typed'.replace(' Typed', ''));
    assert.equal(await portal.$eval('#portal-bar', (e) => getComputedStyle(e).backgroundColor), rgb(PRIMARY));
    assert.equal(await portal.textContent('#package-price'), '€40.00');
    assert.equal(await portal.textContent('#package-credits'), '100');
    // its buttons lead somewhere: sign-up and log-in of this portal
    assert.deepEqual(await portal.$$eval('main button, main a.btn', (b) => b.map((x) => x.getAttribute('href'))),
      ['/signup', '/login']);
    await portal.screenshot({ path: path.join(artifacts, '08-portal.png'), fullPage: true });
    await portal.setViewportSize({ width: 390, height: 844 });
    await portal.screenshot({ path: path.join(artifacts, '08-portal-phone.png'), fullPage: true });
    const r2 = await portal.goto(url('/p/acme-calls/'));
    assert.equal(r2.status(), 200);
    const r3 = await portal.goto(url('/p/nobody-here/'));
    assert.equal(r3.status(), 404);
    assert.match(await portal.textContent('h1'), /Portal not found/);
    const r4 = await portal.goto(`http://nobody-here.portal.localhost:${srv.port}/`);
    assert.equal(r4.status(), 404);
    await portal.close();
  });

  it('allocates credits once per form and shows the new balance', async () => {
    await page.goto(url('/dashboard/users'));
    const row = `#user-${client1.user_id}`;
    assert.equal((await page.textContent(`${row} .balance-cell`)).trim(), '12');
    const ref = await page.$eval(`${row} input[name=ref]`, (e) => e.value);
    const csrf = await page.$eval(`${row} input[name=csrf]`, (e) => e.value);
    await page.click(`${row} details.allocate summary`);
    await page.fill(`${row} input[name=credits]`, '25');
    await page.fill(`${row} input[name=description]`, 'Invoice #INV-2024-001');
    await Promise.all([page.waitForNavigation(), page.click(`${row} .allocate-form button[type=submit]`)]);
    assert.match(await page.textContent('#flash'), /Allocated 25 credits to anna@bright\.test\. New balance: 37 credits/);
    assert.equal((await page.textContent(`${row} .balance-cell`)).trim(), '37');
    await shot('09-users');
    // the same form sent again (a double click, a reload) changes nothing
    const again = await page.request.post(url(`/dashboard/users/${client1.user_id}/allocate`), {
      form: { csrf, ref, credits: '25', description: 'Invoice #INV-2024-001' }, maxRedirects: 0,
    });
    assert.equal(again.status(), 303);
    await page.goto(url('/dashboard/users'));
    assert.equal((await page.textContent(`${row} .balance-cell`)).trim(), '37');
    // without the CSRF token: refused
    const forged = await page.request.post(url(`/dashboard/users/${client1.user_id}/allocate`), {
      form: { ref: 'x1', credits: '25', description: 'forged' }, maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    // a bad amount is shown next to the form
    await page.click(`${row} details.allocate summary`);
    await page.fill(`${row} input[name=credits]`, '0');
    await page.fill(`${row} input[name=description]`, 'oops');
    const [resp] = await Promise.all([page.waitForNavigation(), page.click(`${row} .allocate-form button[type=submit]`)]);
    assert.equal(resp.status(), 422);
    assert.match(await page.textContent(`${row} .field-error`), /whole number of credits/);
    assert.equal(await page.inputValue(`${row} input[name=description]`), 'oops');
  });

  it('switches to a client organization and back', async () => {
    await page.goto(url('/dashboard'));
    const options = await page.$$eval('#org-switcher option', (o) => o.map((x) => x.textContent));
    assert.deepEqual(options, ['Acme Agency (agency)', 'Bright Dental', 'Coastal Realty']);
    await Promise.all([page.waitForNavigation(), page.selectOption('#org-switcher', client1.org_id)]);
    assert.match(page.url(), new RegExp(`org=${client1.org_id}`));
    assert.match(await page.textContent('.banner-info'), /You are viewing Bright Dental/);
    assert.match(await page.textContent('#balance'), /^37/);
    assert.match(await page.textContent('.stat-label'), /Credits balance/);
    await shot('10-switched');
    await Promise.all([page.waitForNavigation(), page.selectOption('#org-switcher', client2.org_id)]);
    assert.match(await page.textContent('#balance'), /^3/);
    await Promise.all([page.waitForNavigation(), page.selectOption('#org-switcher', '')]);
    assert.match(await page.textContent('#balance'), /^500/);
    // an org that is not one of ours is refused
    const other = createOrg(srv, { name: 'Someone Else' });
    const r = await page.goto(url(`/dashboard?org=${other.org_id}`));
    assert.equal(r.status(), 403);
  });

  it('looks right on a phone', async () => {
    // On a 390 px screen nothing scrolls sideways and the controls a user
    // needs are on screen and wide enough to tap.
    const fitsPhone = async (selectors) => {
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      for (const sel of selectors) {
        const box = await page.locator(sel).first().boundingBox();
        assert.ok(box, `${sel} is not visible`);
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `${sel} runs off the screen`);
        assert.ok(box.height >= 24 && box.width >= 24, `${sel} is too small to tap`);
      }
    };
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url('/dashboard/whitelabel'));
    await fitsPhone(['input[name=company_name]', 'button:has-text("Save branding")']);
    await shot('11-whitelabel-phone');
    await page.goto(url('/dashboard/users'));
    await fitsPhone(['summary:has-text("Allocate")']);
    await shot('12-users-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url('/dashboard/whitelabel'));
    await shot('13-whitelabel-full');
  });

  it('never shows the Stripe secret key or webhook secret in a page', async () => {
    await page.goto(url('/dashboard/whitelabel'));
    seenHtml.push(await page.content());
    assert.ok(seenHtml.length > 10);
    for (const html of seenHtml) {
      assert.ok(!html.includes(SECRET_KEY), 'secret key in a page');
      assert.ok(!html.includes('S3cr3tK3yNeverShown42'), 'secret key in a page');
      assert.ok(!html.includes(WEBHOOK_SECRET), 'webhook secret in a page');
    }
  });

  it('a client logging in sees its balance but no whitelabel', async () => {
    const ctx2 = await browser.newContext();
    const p2 = await ctx2.newPage();
    await p2.goto(url('/login'));
    const email = 'anna@bright.test';
    // the client's password was random: give it one through a fresh org instead
    const solo = createOrg(srv, { name: 'Solo Client', email: 'solo@client.test', password: 'solo-pass-123', parent: agency.org_id, minutes: 4 });
    assert.ok(solo.org_id && email);
    await p2.fill('input[name=email]', 'solo@client.test');
    await p2.fill('input[name=password]', 'solo-pass-123');
    await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
    assert.match(await p2.textContent('#balance'), /^4/);
    assert.equal(await p2.$$eval('a[href="/dashboard/whitelabel"]', (a) => a.length), 0);
    await p2.goto(url('/dashboard/whitelabel'));
    assert.match(await p2.textContent('main'), /you won't see this option/);
    await ctx2.close();
  });

  it('makes repeated wrong passwords wait, and says how long', async () => {
    const ctx3 = await browser.newContext();
    const p3 = await ctx3.newPage();
    let last;
    for (let i = 0; i < 6; i++) {
      await p3.goto(url('/login'));
      await p3.fill('input[name=email]', 'bob@coastal.test');
      await p3.fill('input[name=password]', `guess-${i}`);
      [last] = await Promise.all([p3.waitForNavigation(), p3.click('button[type=submit]')]);
      if (i < 5) assert.equal(last.status(), 401, `attempt ${i + 1}`);
    }
    assert.equal(last.status(), 429);
    assert.equal(last.headers()['retry-after'], '10');
    assert.match(await p3.textContent('#login-error'), /Too many failed log-in attempts\. .*try again in 10 seconds/);
    await p3.screenshot({ path: path.join(artifacts, '14-rate-limited.png'), fullPage: true });
    await ctx3.close();
  });

  it('a hostile page cannot log the browser into another account', async () => {
    createOrg(srv, { name: 'Evil Agency', email: 'attacker@evil.test', password: 'attacker-pass-1' });
    // another site (localhost is not 127.0.0.1) whose page posts the
    // attacker's credentials to our log-in form as soon as it loads
    const evil = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="post" action="${srv.url}/login">
        <input name="email" value="attacker@evil.test"><input name="password" value="attacker-pass-1">
        <input name="next" value="/dashboard"><input name="csrf" value="guessed"></form>
        <script>document.getElementById('f').submit()</script>`);
    });
    await new Promise((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const ctx4 = await browser.newContext();
    try {
      const p4 = await ctx4.newPage();
      // the victim has visited the log-in page before: its cookie exists
      await p4.goto(url('/login'));
      const [resp] = await Promise.all([
        p4.waitForNavigation({ url: (u) => u.href.startsWith(srv.url) }),
        p4.goto(`http://localhost:${evil.address().port}/`),
      ]);
      assert.equal(resp.status(), 403);
      assert.equal((await ctx4.cookies(srv.url)).filter((c) => c.name.endsWith('wl_session')).length, 0,
        'no session was started');
      await p4.screenshot({ path: path.join(artifacts, '15-hostile-login-refused.png'), fullPage: true });
    } finally {
      await ctx4.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  it('serves neither the log-in form nor the dashboard on a portal host or a custom domain', async () => {
    sql(srv, `UPDATE whitelabel SET domain_status = 'verified' WHERE custom_domain = '${CUSTOM_DOMAIN}';`);
    const other = await context.newPage();
    try {
      const home = await other.goto(`http://${CUSTOM_DOMAIN}:${srv.port}/`);
      assert.equal(home.status(), 200);
      assert.equal((await other.textContent('#portal-name')).trim(), 'Acme Calls');
      for (const p of ['/login', '/dashboard', '/dashboard/whitelabel']) {
        const r = await other.goto(`http://${CUSTOM_DOMAIN}:${srv.port}${p}`);
        assert.equal(r.status(), 404, `${CUSTOM_DOMAIN}${p}`);
      }
      // on the portal host /login and /dashboard are the portal's own pages
      // for its clients, never the agency's dashboard or its log-in
      const host = `acme-calls.portal.localhost:${srv.port}`;
      let r = await other.goto(`http://${host}/login`);
      assert.equal(r.status(), 200);
      assert.equal(await other.title(), 'Log in · Acme Calls');
      assert.doesNotMatch(await other.content(), /Log in to your dashboard|wlportal/);
      r = await other.goto(`http://${host}/dashboard`);
      assert.equal(other.url(), `http://${host}/login`, 'no client session: the portal log-in');
      r = await other.goto(`http://${host}/dashboard/whitelabel`);
      assert.equal(r.status(), 404);
      await other.screenshot({ path: path.join(artifacts, '16-no-dashboard-on-custom-domain.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });

  it('logs out', async () => {
    await page.goto(url('/dashboard'));
    await Promise.all([page.waitForNavigation(), page.click('text=Log out')]);
    assert.match(page.url(), /\/login$/);
    await page.goto(url('/dashboard'));
    assert.match(page.url(), /\/login\?next=/);
  });
});
