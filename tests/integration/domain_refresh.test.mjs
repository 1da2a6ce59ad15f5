// Refresh Status through the API against a real DNS server (dnsmasq on
// loopback, WLPORTAL_DNS_SERVER pointing at it): verified, wrong target,
// no record yet, and a conflicting A record. Only a verified domain is
// reported verified; the verdict is stored and shown on the next GET.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, request } from './lib.mjs';
import { DNSMASQ_SKIP, TARGET, startDnsmasq, stopDnsmasq } from './dnsmasq.mjs';

describe('custom domain refresh through the API', { timeout: 120_000, skip: DNSMASQ_SKIP }, () => {
  let dns, srv, agency;

  before(async () => {
    dns = await startDnsmasq();
    srv = await startServer({ env: {
      WLPORTAL_DNS_SERVER: `127.0.0.1:${dns.port}`,
      WLPORTAL_CNAME_TARGET: TARGET,
    } });
    agency = createOrg(srv, { name: 'Domain Agency', minutes: 10 });
  });
  after(async () => {
    try { await srv?.stop(); } finally { await stopDnsmasq(dns); }
  });

  const cases = [
    ['good.example.test', 'verified', new RegExp(TARGET.replace(/\./g, '\\.'))],
    ['wrong.example.test', 'misconfigured', /elsewhere\.test/],
    ['nothing.example.test', 'pending', /48 hours/],
    ['conflict.example.test', 'misconfigured', /192\.0\.2\.7/],
  ];

  for (const [domain, status, reason] of cases) {
    it(`${domain} → ${status}`, async () => {
      let r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: agency.api_key, body: { domain } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.custom_domain.status, 'pending');
      assert.equal(r.json.custom_domain.record.value, TARGET);
      r = await api(srv, 'POST', '/api/v1/whitelabel/domain/refresh', { key: agency.api_key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.custom_domain.status, status, r.text);
      assert.match(r.json.custom_domain.reason, reason);
      assert.ok(r.json.custom_domain.checked_at);
      r = await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key });
      assert.equal(r.json.custom_domain.status, status, 'the verdict is stored');
    });
  }

  // A verified custom domain serves its own agency's portal, whatever the
  // server thread answered before (path captures of an earlier request
  // must not leak into the next one).
  it('a verified domain shows its own portal, never another agency\'s', async () => {
    const settings = (name, slug) => ({
      company_name: name, slug, primary_color: '#112233',
      stripe: { publishable_key: 'pk_test_abcdefgh1234', secret_key: 'sk_test_abcdefgh1234',
        product_id: 'prod_abcdefgh1234', price_id: 'price_abcdefgh1234' },
      package: { credits: 100, price_cents: 4000, currency: 'EUR' }, active: true,
    });
    const other = createOrg(srv, { name: 'Beta Agency', minutes: 1 });
    let r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: settings('Alpha Calls', 'alpha') });
    assert.equal(r.status, 200, r.text);
    r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: other.api_key, body: settings('Beta Calls', 'beta') });
    assert.equal(r.status, 200, r.text);
    await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: agency.api_key, body: { domain: 'good.example.test' } });
    r = await api(srv, 'POST', '/api/v1/whitelabel/domain/refresh', { key: agency.api_key });
    assert.equal(r.json.custom_domain.status, 'verified');
    for (let i = 0; i < 6; i++) {
      const b = await request(srv, 'GET', '/p/beta/');
      assert.equal(b.status, 200);
      assert.match(b.text, /Beta Calls/);
      const a = await request(srv, 'GET', '/', { headers: { Host: 'good.example.test' } });
      assert.equal(a.status, 200, a.text.slice(0, 200));
      assert.match(a.text, /Alpha Calls/);
      assert.doesNotMatch(a.text, /Beta Calls/);
    }
    // an unverified or unknown host serves no portal
    const u = await request(srv, 'GET', '/', { headers: { Host: 'wrong.example.test' } });
    assert.equal(u.status, 404);
  });
});
