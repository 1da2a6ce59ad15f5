// Browser test of the dashboard's Webhooks page: an agency logs in,
// switches to a client, creates an agent and a phone number it answers, adds
// a webhook pointing at a receiver the test runs (its signing secret shown
// once), sets the low-balance threshold; a call for the client made through
// the engine API is delivered (signed with the secret the page showed) and
// shows in the endpoint's delivery log with status 200; Resend makes a
// second attempt of the same delivery, visible in the log and at the
// receiver.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts } from './browser.mjs';
import { startServer, createOrg, request, sleep } from '../integration/lib.mjs';
import { startReceiver, verify } from '../integration/webhook_receiver.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const PASSWORD = 'agency-pass-789';
const NUMBER = '+31208887766';

// The engine and API answers read directly (their routes' documentation is
// written elsewhere; openapi checks belong to the integration tests).
function call(srv, method, urlPath, key, body) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return request(srv, method, urlPath, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('webhooks in the dashboard', { timeout: 300_000 }, () => {
  let srv, rcv, agency, client, browser, page, secret;

  before(async () => {
    rcv = await startReceiver();
    srv = await startServer({
      env: {
        WLPORTAL_WEB_DIR: path.join(root, 'web'),
        WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1',
        WLPORTAL_WEBHOOK_RETRY_BASE_MS: '200',
      },
    });
    agency = createOrg(srv, { name: 'Nova Agency', email: 'owner@nova.test', password: PASSWORD, minutes: 100 });
    client = createOrg(srv, { name: 'Harbor Clinic', email: 'desk@harbor.test', parent: agency.org_id, minutes: 30 });
    ({ browser, page } = await launchBrowser());
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    await rcv?.stop();
  });

  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const url = (p) => `${srv.url}${p}`;

  it('an agency switches to a client, creates an agent, a number and a webhook', async () => {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', 'owner@nova.test');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await Promise.all([page.waitForNavigation(), page.selectOption('#org-switcher', client.org_id)]);
    assert.match(await page.textContent('.banner-info'), /You are viewing Harbor Clinic/);

    await Promise.all([page.waitForNavigation(), page.click('nav >> text=Agents')]);
    await Promise.all([page.waitForNavigation(), page.click('#new-agent')]);
    await page.fill('input[name=name]', 'Harbor receptionist');
    await page.fill('input[name=language]', 'en-GB');
    await Promise.all([page.waitForNavigation(), page.click('#save-agent')]);
    assert.match(await page.textContent('#flash'), /Agent saved/);

    await Promise.all([page.waitForNavigation(), page.click('nav >> text=Phone numbers')]);
    await page.fill('#number-form input[name=number]', NUMBER);
    await page.selectOption('#number-form select[name=agent_id]', { label: 'Harbor receptionist' });
    await Promise.all([page.waitForNavigation(), page.click('#add-number')]);
    assert.match(await page.textContent('#flash'), /saved/);

    await Promise.all([page.waitForNavigation(), page.click('nav >> text=Webhooks')]);
    assert.match(page.url(), new RegExp(`/dashboard/webhooks\\?org=${client.org_id}`));
    assert.match(await page.textContent('h2'), /Webhooks of Harbor Clinic/);
    // A refused form says why.
    await page.fill('#webhook-form input[name=url]', 'ftp://example.com/x');
    const [bad] = await Promise.all([page.waitForNavigation(), page.click('#add-webhook')]);
    assert.equal(bad.status(), 422);
    assert.match(await page.textContent('#form-error'), /url/);

    await page.fill('#webhook-form input[name=url]', rcv.url);
    await page.check('#webhook-form input[name="event_status-update"]');
    await page.check('#webhook-form input[name="event_end-of-call-report"]');
    await page.fill('#webhook-form input[name=description]', 'Clinic CRM');
    const [made] = await Promise.all([page.waitForNavigation(), page.click('#add-webhook')]);
    assert.equal(made.status(), 201);
    secret = (await page.textContent('#secret-value')).trim();
    assert.match(secret, /^wlsec_[A-Za-z0-9_-]{43}$/);
    await shot('webhooks-01-secret');
    await Promise.all([page.waitForNavigation(), page.click('text=Done')]);
    assert.ok(!(await page.content()).includes(secret), 'the secret is shown once');
    assert.match(await page.textContent('.webhook-url'), new RegExp(rcv.url.replace(/[.]/g, '\\.')));

    // The endpoint is the client's, not the agency's.
    const mine = await call(srv, 'GET', '/api/v1/webhooks', client.api_key);
    assert.equal(mine.json.webhooks.length, 1);
    assert.equal(mine.json.webhooks[0].description, 'Clinic CRM');
    assert.deepEqual(mine.json.webhooks[0].events, ['status-update', 'end-of-call-report']);
    assert.equal((await call(srv, 'GET', '/api/v1/webhooks', agency.api_key)).json.webhooks.length, 0);

    // The low-balance threshold.
    await page.fill('#alerts-form input[name=low_balance_minutes]', '7');
    await Promise.all([page.waitForNavigation(), page.click('#alerts-form button')]);
    assert.match(await page.textContent('#flash'), /Low-balance alert saved/);
    assert.equal(await page.inputValue('#alerts-form input[name=low_balance_minutes]'), '7');
    const alerts = await call(srv, 'GET', '/api/v1/account/alerts', client.api_key);
    assert.equal(alerts.json.low_balance_minutes, 7, alerts.text);
  });

  it('a call\'s deliveries show in the log with status 200; Resend makes a second attempt', async () => {
    const tok = srv.engineToken;
    const c = await call(srv, 'POST', '/engine/v1/calls/inbound', tok, { from: '+4915112345678', to: NUMBER });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.org_id, client.org_id);
    for (const [status, elapsed] of [['in-progress', 5], ['ended', 42]]) {
      const e = await call(srv, 'POST', `/engine/v1/calls/${c.json.call_id}/events`, tok,
        { type: 'status-update', status, elapsed_sec: elapsed, ended_reason: 'customer-ended-call' });
      assert.equal(e.status, 200, e.text);
    }
    const [report] = await rcv.waitFor('end-of-call-report');
    assert.ok(verify(secret, report.headers['x-webhook-timestamp'], report.body, report.headers['x-webhook-signature']),
      'signed with the secret the page showed');
    assert.equal(JSON.parse(report.body).message.call.id, c.json.call_id);
    const reportId = report.headers['x-webhook-delivery-id'];

    await Promise.all([page.waitForNavigation(), page.click('a:text-is("Delivery log")')]);
    const row = `#delivery-${reportId}`;
    for (let i = 0; i < 50 && (await page.$(`${row} .delivery-code`)) === null; i++) {
      await sleep(200);
      await page.reload();
    }
    for (let i = 0; i < 50 && (await page.textContent(`${row} .delivery-code`)).trim() !== '200'; i++) {
      await sleep(200);
      await page.reload();
    }
    assert.equal((await page.textContent(`${row} .delivery-code`)).trim(), '200');
    assert.equal((await page.textContent(`${row} .delivery-status`)).trim(), 'delivered');
    assert.equal((await page.textContent(`${row} .delivery-attempts`)).trim(), '1');
    assert.match(await page.textContent(`${row} .delivery-response`), /answer 200/);
    const events = await page.$$eval('.delivery-event', (n) => n.map((x) => x.textContent.trim()));
    assert.ok(events.filter((e) => e === 'status-update').length >= 3, JSON.stringify(events));
    await shot('webhooks-02-log');

    await Promise.all([page.waitForNavigation(), page.click(`${row} >> text=Resend`)]);
    assert.match(await page.textContent('#flash'), /due again/);
    const again = await rcv.waitFor('end-of-call-report', 2);
    assert.equal(again[1].headers['x-webhook-delivery-id'], reportId);
    assert.equal(again[1].headers['x-webhook-attempt'], '2');
    for (let i = 0; i < 50 && (await page.textContent(`${row} .delivery-attempts`)).trim() !== '2'; i++) {
      await sleep(200);
      await page.reload();
    }
    assert.equal((await page.textContent(`${row} .delivery-attempts`)).trim(), '2');
    for (let i = 0; i < 50 && (await page.textContent(`${row} .delivery-status`)).trim() !== 'delivered'; i++) {
      await sleep(200);
      await page.reload();
    }
    assert.equal((await page.textContent(`${row} .delivery-code`)).trim(), '200');
    await shot('webhooks-03-resent');
  });

  it('rotates the secret (shown once) and deletes the webhook', async () => {
    await page.goto(url(`/dashboard/webhooks?org=${client.org_id}`));
    const [rot] = await Promise.all([page.waitForNavigation(), page.click('text=Rotate secret')]);
    assert.equal(rot.status(), 200);
    const fresh = (await page.textContent('#secret-value')).trim();
    assert.match(fresh, /^wlsec_/);
    assert.notEqual(fresh, secret);
    await Promise.all([page.waitForNavigation(), page.click('text=Done')]);
    await Promise.all([page.waitForNavigation(), page.click('.webhooks-table >> text=Delete')]);
    assert.match(await page.textContent('#flash'), /Webhook deleted/);
    assert.equal((await call(srv, 'GET', '/api/v1/webhooks', client.api_key)).json.webhooks.length, 0);
  });
});
