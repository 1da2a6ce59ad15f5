// The low-balance banner of the dashboard: shown for the org chosen in the
// organization switcher when its balance is under its alert threshold
// (PUT /api/v1/account/alerts), not for an org above it or without one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, createOrg, api } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

test('dashboard: the low-balance banner follows the org acted on', { timeout: 60_000 }, async () => {
  const srv = await startServer();
  try {
    const password = 'pw-' + randomBytes(8).toString('hex');
    const email = `agency-${randomBytes(4).toString('hex')}@example.test`;
    const agency = createOrg(srv, { minutes: 100, password, email });
    const client = createOrg(srv, { minutes: 10, parent: agency.org_id });
    const cookie = await loginSession(srv, email, password);
    const home = async (org) => {
      const r = await page(srv, cookie, org ? `/dashboard?org=${org}` : '/dashboard');
      assert.equal(r.status, 200, r.text.slice(0, 300));
      return r.text;
    };
    assert.ok(!(await home(client.org_id)).includes('low-balance-banner'), 'no threshold, no banner');
    // a threshold above the balance: the banner, for the client only
    const set = await api(srv, 'PUT', '/api/v1/account/alerts',
      { key: agency.api_key, headers: { 'X-Organization-Id': client.org_id }, body: { low_balance_minutes: 15 } });
    assert.equal(set.status, 200, set.text);
    const low = await home(client.org_id);
    assert.match(low, /id="low-balance-banner"[^>]*>[^<]*below its alert threshold of 15 min/);
    assert.ok(!(await home(null)).includes('low-balance-banner'), 'the agency itself has no banner');
    // a threshold under the balance: no banner
    const under = await api(srv, 'PUT', '/api/v1/account/alerts',
      { key: agency.api_key, headers: { 'X-Organization-Id': client.org_id }, body: { low_balance_minutes: 5 } });
    assert.equal(under.status, 200, under.text);
    assert.ok(!(await home(client.org_id)).includes('low-balance-banner'));
  } finally {
    await srv.stop();
  }
});
