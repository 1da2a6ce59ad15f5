// Who pays which price, in which currency (issue 7, must-fixes 7 and 8):
// a client's usage costs its minutes at its agency's package price per
// credit, in the package currency, never the platform's wholesale EUR 0.07
// (API summary and the dashboard home viewed for a client); a parent keeps
// the platform price in EUR; a client of an agency without a package has
// no price (null). The margin calculator converts the platform cost with
// WLPORTAL_FX_RATES and says which rate it used; a bad rate stops start-up.
// Runs on SQLite and (WLPORTAL_TEST_PG) PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BIN, startServer, makeEnv, createOrg, api, completedCall, utcDay,
} from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

function usage(srv, key, headers = {}) {
  const day = utcDay();
  return api(srv, 'GET', `/api/v1/usage?start_date=${day}&end_date=${day}`, { key, headers });
}

async function setPackage(srv, key, pkg) {
  const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key, body: { package: pkg } });
  assert.equal(r.status, 200, r.text);
}

describe('prices and currencies', { timeout: 300_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it("a client pays its agency's package price in its currency; the agency the platform price in EUR", async () => {
    const PASSWORD = 'pricing-pass-123';
    const agency = createOrg(srv, { email: 'usd@pricing.test', password: PASSWORD, minutes: 300 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 200, name: 'Dollar Client' });
    await setPackage(srv, agency.api_key, { credits: 100, price_cents: 4000, currency: 'USD' });
    await completedCall(srv, client.org_id, 7200);

    // 120 minutes at $40.00 / 100 credits = $48.00, not EUR 8.40
    for (const [key, headers] of [[client.api_key, {}], [agency.api_key, { 'X-Organization-Id': client.org_id }]]) {
      const r = await usage(srv, key, headers);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.summary, { total_seconds: 7200, total_minutes: 120, total_cost: 48, currency: 'USD' });
      assert.match(r.text, /"total_cost":48\.00[,}]/);
    }
    // the agency's own report: what its minutes paid, at the platform price
    const own = await usage(srv, agency.api_key);
    assert.deepEqual(own.json.summary, { total_seconds: 7200, total_minutes: 120, total_cost: 8.4, currency: 'EUR' });

    // the dashboard home, switched to the client: the package price, no euro
    const cookie = await loginSession(srv, 'usd@pricing.test', PASSWORD);
    const home = await page(srv, cookie, `/dashboard?org=${client.org_id}`);
    assert.equal(home.status, 200, home.text.slice(0, 300));
    const cost = home.text.match(/<span id="month-cost"[^>]*>([^<]*)<\/span>\s*([^<]*)</);
    assert.ok(cost, 'the month cost is shown');
    assert.equal(cost[1], '$48.00');
    assert.match(cost[2], /package price/);
    assert.ok(!home.text.includes('8.40'), 'the wholesale cost never reaches a client view');
    const mine = await page(srv, cookie, '/dashboard');
    assert.match(mine.text, /<span id="month-cost"[^>]*>€8\.40<\/span>\s*at the platform price/);
  });

  it('a client cost is rounded once over the total, half-up, in the package currency', async () => {
    const agency = createOrg(srv, { minutes: 100 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 50 });
    // 3 credits for GBP 1.00: 30 s cost 16.67 pence; two such calls 33.33 -> 0.33 (not 0.34)
    await setPackage(srv, agency.api_key, { credits: 3, price_cents: 100, currency: 'GBP' });
    await completedCall(srv, client.org_id, 30);
    await completedCall(srv, client.org_id, 30);
    const r = await usage(srv, client.api_key);
    assert.deepEqual(r.json.summary, { total_seconds: 60, total_minutes: 1, total_cost: 0.33, currency: 'GBP' });
    // a price change applies to the report at once (the rule, not a stored cost)
    await setPackage(srv, agency.api_key, { credits: 1, price_cents: 50, currency: 'EUR' });
    const again = await usage(srv, client.api_key);
    assert.deepEqual(again.json.summary, { total_seconds: 60, total_minutes: 1, total_cost: 0.5, currency: 'EUR' });
  });

  it('a client of an agency without a package has no price, never the wholesale one', async () => {
    const agency = createOrg(srv, { email: 'nopkg@pricing.test', password: 'pricing-pass-456', minutes: 100 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 50 });
    await completedCall(srv, client.org_id, 120);
    let r = await usage(srv, client.api_key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.summary, { total_seconds: 120, total_minutes: 2, total_cost: null, currency: 'EUR' });
    // settings saved, still no package
    const put = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { company_name: 'No Package Ltd' } });
    assert.equal(put.status, 200, put.text);
    r = await usage(srv, client.api_key);
    assert.equal(r.json.summary.total_cost, null);
    const cookie = await loginSession(srv, 'nopkg@pricing.test', 'pricing-pass-456');
    const home = await page(srv, cookie, `/dashboard?org=${client.org_id}`);
    assert.match(home.text, /<span id="month-cost"[^>]*>—<\/span>\s*no package price set/);
    assert.ok(!home.text.includes('0.14'), 'no wholesale cost (2 min at 0.07)');
  });

  it('margin: the platform cost converted at the configured rate, the rate shown', async () => {
    const agency = createOrg(srv, { minutes: 1 });
    let r = await api(srv, 'GET', '/api/v1/whitelabel/margin?credits=100&price_cents=4000', { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.currency, 'EUR');
    assert.equal(r.json.cost_cents, 700);
    assert.deepEqual(r.json.fx, { from: 'EUR', to: 'EUR', rate: 1, rate_ppm: 1000000 });

    await setPackage(srv, agency.api_key, { credits: 100, price_cents: 4000, currency: 'USD' });
    r = await api(srv, 'GET', '/api/v1/whitelabel/margin', { key: agency.api_key });
    assert.equal(r.json.currency, 'USD');
    assert.equal(r.json.platform_cost_eur_cents, 700);
    assert.equal(r.json.cost_cents, 756, 'EUR 7.00 at the default 1.08');
    assert.equal(r.json.profit_cents, 3244);
    assert.match(r.text, /"margin_percent":81\.1[,}]/);
    assert.deepEqual(r.json.fx, { from: 'EUR', to: 'USD', rate: 1.08, rate_ppm: 1080000 });
    assert.match(r.text, /"rate":1\.08[,}]/);
    // $7.50 is more than EUR 7.00 in numbers, less in money
    r = await api(srv, 'GET', '/api/v1/whitelabel/margin?price_cents=750', { key: agency.api_key });
    assert.equal(r.json.below_cost, true);
    assert.equal(r.json.profit_cents, -6);

    await setPackage(srv, agency.api_key, { credits: 100, price_cents: 4000, currency: 'GBP' });
    r = await api(srv, 'GET', '/api/v1/whitelabel/margin', { key: agency.api_key });
    assert.equal(r.json.cost_cents, 602);
    assert.deepEqual(r.json.fx, { from: 'EUR', to: 'GBP', rate: 0.86, rate_ppm: 860000 });
  });

  it('WLPORTAL_FX_RATES: operator rates are used and printed; a bad value stops start-up', async () => {
    const other = await startServer({ env: { WLPORTAL_FX_RATES: 'USD=1.25, GBP=0.9' } });
    try {
      assert.match(other.stdout, /fx rates\s+1 EUR = 1\.25 USD, 0\.9 GBP/);
      const agency = createOrg(other, { minutes: 1 });
      await setPackage(other, agency.api_key, { credits: 100, price_cents: 4000, currency: 'USD' });
      const r = await api(other, 'GET', '/api/v1/whitelabel/margin', { key: agency.api_key });
      assert.equal(r.json.cost_cents, 875);
      assert.deepEqual(r.json.fx, { from: 'EUR', to: 'USD', rate: 1.25, rate_ppm: 1250000 });
    } finally {
      await other.stop();
    }
    assert.match(srv.stdout, /fx rates\s+1 EUR = 1\.08 USD, 0\.86 GBP/, 'defaults printed at start');

    for (const bad of ['USD=abc', 'USD=0', 'JPY=150', 'USD=1.08,USD=1.1', 'USD']) {
      const env = makeEnv({ WLPORTAL_FX_RATES: bad });
      try {
        const r = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', env.db],
          { env: env.env, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
        assert.equal(r.status, 1, `${bad}: ${r.status} ${r.stderr}`);
        assert.match(r.stderr, /WLPORTAL_FX_RATES/, bad);
        assert.ok(!/serving on/.test(r.stdout), `${bad}: must not serve`);
      } finally {
        env.removeDir();
      }
    }
  });
});
