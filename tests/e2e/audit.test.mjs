// Browser test of the audit trail and the API keys page: an agency logs in
// to its dashboard in Chromium, changes a setting, allocates credits to a
// client, sets the client's limits and makes and revokes an API key; the
// audit page then lists each change with its fields, the user who made it
// and the address, and filters by type. The new key is shown once.
// Screenshots go to tests/e2e/artifacts/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts } from './browser.mjs';
import { startServer, createOrg } from '../integration/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const PASSWORD = 'agency-pass-456';

describe('audit trail in a browser', { timeout: 180_000 }, () => {
  let srv, agency, client, browser, page;

  before(async () => {
    srv = await startServer({ env: { WLPORTAL_WEB_DIR: path.join(root, 'web') } });
    agency = createOrg(srv, { name: 'Trail Agency', email: 'owner@trail.test', password: PASSWORD, minutes: 100 });
    client = createOrg(srv, { name: 'Trail Client', email: 'cli@trail.test', parent: agency.org_id, minutes: 5 });
    ({ browser, page } = await launchBrowser());
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const url = (p) => `${srv.url}${p}`;
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

  it('records a dashboard session\'s changes and shows them on the audit page', async () => {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', 'owner@trail.test');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.match(page.url(), /\/dashboard$/);

    // a setting
    await page.goto(url('/dashboard/whitelabel'));
    await page.fill('input[name=company_name]', 'Trail Calls');
    await Promise.all([page.waitForNavigation(), page.click('#branding-form button[type=submit]')]);
    assert.match(await page.textContent('#flash'), /Saved/);

    // an allocation and the client's limits
    await page.goto(url('/dashboard/users'));
    const row = `#user-${client.user_id}`;
    await page.click(`${row} details.allocate summary`);
    await page.fill(`${row} input[name=credits]`, '7');
    await page.fill(`${row} input[name=description]`, 'Goodwill INV-9');
    await Promise.all([page.waitForNavigation(), page.click(`${row} .allocate-form button[type=submit]`)]);
    assert.match(await page.textContent('#flash'), /Allocated 7 credits/);
    await page.click(`${row} details.limits summary`);
    await page.fill(`${row} input[name=max_concurrent_calls]`, '2');
    await Promise.all([page.waitForNavigation(), page.click(`${row} .limits-form button[type=submit]`)]);
    assert.equal((await page.textContent(`${row} .limits-text`)).trim(), '2 at once');

    // an API key: shown once, then revoked
    await page.goto(url('/dashboard/api-keys'));
    await page.fill('#key-form input[name=name]', 'Zapier');
    await Promise.all([page.waitForNavigation(), page.click('#key-form button[type=submit]')]);
    const key = (await page.textContent('#new-key-value')).trim();
    assert.match(key, /^wlp_/);
    await shot('audit-01-new-key');
    await page.goto(url('/dashboard/api-keys'));
    assert.ok(!(await page.content()).includes(key), 'the key is shown once');
    const keyRow = page.locator('#api-keys tr', { hasText: 'Zapier' });
    await Promise.all([page.waitForNavigation(), keyRow.locator('button', { hasText: 'Revoke' }).click()]);
    assert.match(await page.textContent('#flash'), /revoked/);

    await page.goto(url('/dashboard/audit'));
    const types = await page.$$eval('#audit-events tr.audit-row', (rows) => rows.map((r) => r.dataset.type));
    assert.deepEqual(types, ['api_key.revoked', 'api_key.created', 'limits.changed', 'allocation.created',
      'settings.changed']);
    const text = await page.textContent('#audit-events');
    assert.match(text, /company_name: Trail Calls/);
    assert.match(text, /credits: 7/);
    assert.match(text, /description: Goodwill INV-9/);
    assert.match(text, /max_concurrent_calls: 2/);
    assert.match(text, new RegExp(`user ${agency.user_id}`));
    assert.match(text, /127\.0\.0\.1/);
    await shot('audit-02-trail');

    await page.selectOption('#audit-filter select[name=type]', 'allocation.created');
    await Promise.all([page.waitForNavigation(), page.click('#audit-filter button[type=submit]')]);
    const filtered = await page.$$eval('#audit-events tr.audit-row', (rows) => rows.map((r) => r.dataset.type));
    assert.deepEqual(filtered, ['allocation.created']);
  });
});
