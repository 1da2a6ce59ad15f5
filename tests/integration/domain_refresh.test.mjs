// Custom domains through the API against a real DNS server (dnsmasq on
// loopback, WLPORTAL_DNS_SERVER pointing at it). A claim is verified only
// when both its CNAME and its TXT proof of ownership are right, so a domain
// that already points at us cannot be taken over by whoever claims it
// first; the verdict is stored and shown on the next GET; only a verified
// domain serves its portal. A verified domain is re-checked in the
// background (WLPORTAL_DOMAIN_RECHECK_SECONDS=1 here) and stops serving when
// its records change; an unverified claim expires
// (WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS) and then no longer blocks another
// agency. dnsmasq is restarted on the same port whenever records change.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, request, assertError, sleep, sql } from './lib.mjs';
import {
  DNSMASQ_SKIP, TARGET, startDnsmasq, stopDnsmasq, restartDnsmasq, txtRecord,
} from './dnsmasq.mjs';
import { fakeStripeSelling } from './fake_stripe.mjs';

const settings = (name, slug) => ({
  company_name: name, slug, primary_color: '#112233',
  stripe: { publishable_key: 'pk_test_abcdefgh1234', secret_key: 'sk_test_abcdefgh1234',
    product_id: 'prod_abcdefgh1234', price_id: 'price_abcdefgh1234' },
  package: { credits: 100, price_cents: 4000, currency: 'EUR' }, active: true,
});

const TARGET_RE = new RegExp(TARGET.replace(/\./g, '\\.'));

// Polls GET /api/v1/whitelabel until pred(custom_domain) holds (bounded).
async function waitForDomain(srv, key, pred, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = (await api(srv, 'GET', '/api/v1/whitelabel', { key })).json.custom_domain;
    if (pred(last)) return last;
    await sleep(200);
  }
  assert.fail(`${what}: still ${JSON.stringify(last)}`);
}

describe('custom domain verification through the API', { timeout: 180_000, skip: DNSMASQ_SKIP }, () => {
  let dns, srv, agency, other, fake;

  const claim = (org, domain) => api(srv, 'POST', '/api/v1/whitelabel/domain', { key: org.api_key, body: { domain } });
  const refresh = (org) => api(srv, 'POST', '/api/v1/whitelabel/domain/refresh', { key: org.api_key });
  const portalAt = (host) => request(srv, 'GET', '/', { headers: { Host: host } });

  before(async () => {
    dns = await startDnsmasq();
    // activation checks the settings' price with (the fake) Stripe
    fake = await fakeStripeSelling({ secretKey: 'sk_test_abcdefgh1234', priceId: 'price_abcdefgh1234',
      productId: 'prod_abcdefgh1234' });
    srv = await startServer({ env: {
      WLPORTAL_DNS_SERVER: `127.0.0.1:${dns.port}`,
      WLPORTAL_CNAME_TARGET: TARGET,
      WLPORTAL_DOMAIN_RECHECK_SECONDS: '1',
      WLPORTAL_STRIPE_API: fake.url,
    } });
    agency = createOrg(srv, { name: 'Domain Agency', minutes: 10 });
    other = createOrg(srv, { name: 'Beta Agency', minutes: 1 });
    let r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: settings('Alpha Calls', 'alpha') });
    assert.equal(r.status, 200, r.text);
    r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: other.api_key, body: settings('Beta Calls', 'beta') });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    try { await srv?.stop(); } finally { await stopDnsmasq(dns); await fake?.close(); }
  });

  it('a claim answers both records: the CNAME and its own TXT proof', async () => {
    const r = await claim(agency, 'Nothing.Example.test');
    assert.equal(r.status, 200, r.text);
    const d = r.json.custom_domain;
    assert.equal(d.status, 'pending');
    assert.deepEqual(d.record, { type: 'CNAME', name: 'nothing', value: TARGET });
    assert.equal(d.verification.type, 'TXT');
    assert.equal(d.verification.name, '_wlportal-challenge.nothing.example.test');
    assert.match(d.verification.value, /^wlportal-verify=[0-9a-f]{32}$/);
    assert.ok(d.expires_at, 'an unverified claim says when it expires');
    // the same claim again keeps its token; GET shows the same records
    const again = await claim(agency, 'nothing.example.test');
    assert.equal(again.json.custom_domain.verification.value, d.verification.value);
    const g = await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key });
    assert.deepEqual(g.json.custom_domain.verification, d.verification);
    assert.deepEqual(g.json.custom_domain.record, d.record);
    // another org's claim has a token of its own
    const o = await claim(other, 'nothing2.example.test');
    assert.notEqual(o.json.custom_domain.verification.value, d.verification.value);
    await api(srv, 'DELETE', '/api/v1/whitelabel/domain', { key: other.api_key });
  });

  for (const [domain, status, reason] of [
    ['wrong.example.test', 'misconfigured', /elsewhere\.test/],
    ['nothing.example.test', 'pending', /48 hours/],
    ['conflict.example.test', 'misconfigured', /192\.0\.2\.7/],
  ]) {
    it(`${domain} → ${status}`, async () => {
      let r = await claim(agency, domain);
      assert.equal(r.status, 200, r.text);
      r = await refresh(agency);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.custom_domain.status, status, r.text);
      assert.match(r.json.custom_domain.reason, reason);
      assert.ok(r.json.custom_domain.checked_at);
      r = await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key });
      assert.equal(r.json.custom_domain.status, status, 'the verdict is stored');
    });
  }

  it('a domain that already points at us is not taken over without the TXT proof', async () => {
    // good.example.test CNAMEs to us, but its owner never published this claim's token
    let r = await claim(other, 'good.example.test');
    assert.equal(r.status, 200, r.text);
    r = await refresh(other);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.custom_domain.status, 'pending', r.text);
    assert.match(r.json.custom_domain.reason, /CNAME is in place.*TXT/);
    assert.equal((await portalAt('good.example.test')).status, 404);
    // a TXT record with another value (an earlier claim's) proves nothing
    await restartDnsmasq(dns, [txtRecord('good.example.test', 'wlportal-verify=0123456789abcdef0123456789abcdef')]);
    r = await refresh(other);
    assert.equal(r.json.custom_domain.status, 'pending', r.text);
    assert.match(r.json.custom_domain.reason, /another value/);
    assert.equal((await portalAt('good.example.test')).status, 404);
    await api(srv, 'DELETE', '/api/v1/whitelabel/domain', { key: other.api_key });
  });

  it('CNAME and TXT both right → verified, and the domain serves its own portal', async () => {
    let r = await claim(agency, 'good.example.test');
    assert.equal(r.status, 200, r.text);
    const { value } = r.json.custom_domain.verification;
    await restartDnsmasq(dns, [txtRecord('good.example.test', value)]);
    r = await refresh(agency);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.custom_domain.status, 'verified', r.text);
    assert.match(r.json.custom_domain.reason, TARGET_RE);
    assert.ok(r.json.custom_domain.verified_at);
    assert.equal(r.json.custom_domain.expires_at, null);
    // the verified domain cannot be claimed by another agency
    assertError(await claim(other, 'good.example.test'), 409, 'conflict');
    // path captures of an earlier request never leak into the next one
    for (let i = 0; i < 6; i++) {
      const b = await request(srv, 'GET', '/p/beta/');
      assert.equal(b.status, 200);
      assert.match(b.text, /Beta Calls/);
      const a = await portalAt('good.example.test');
      assert.equal(a.status, 200, a.text.slice(0, 200));
      assert.match(a.text, /Alpha Calls/);
      assert.doesNotMatch(a.text, /Beta Calls/);
    }
    // an unverified or unknown host serves no portal
    assert.equal((await portalAt('wrong.example.test')).status, 404);
  });

  it('a verified domain whose records change stops serving on the re-check, until fixed', async () => {
    let r = await claim(agency, 'moving.example.test');
    const { value } = r.json.custom_domain.verification;
    const proof = txtRecord('moving.example.test', value);
    await restartDnsmasq(dns, [`--cname=moving.example.test,${TARGET}`, proof]);
    r = await refresh(agency);
    assert.equal(r.json.custom_domain.status, 'verified', r.text);
    assert.equal((await portalAt('moving.example.test')).status, 200);

    // the CNAME now points elsewhere: the background re-check notices
    await restartDnsmasq(dns, ['--cname=moving.example.test,elsewhere.test', proof]);
    let d = await waitForDomain(srv, agency.api_key, (x) => x?.status === 'misconfigured', 'CNAME moved');
    assert.match(d.reason, /Not served/);
    assert.match(d.reason, /elsewhere\.test/);
    assert.equal((await portalAt('moving.example.test')).status, 404);

    // fixed again: verified again, serving again
    await restartDnsmasq(dns, [`--cname=moving.example.test,${TARGET}`, proof]);
    d = await waitForDomain(srv, agency.api_key, (x) => x?.status === 'verified', 'CNAME fixed');
    assert.equal((await portalAt('moving.example.test')).status, 200);

    // the TXT record removed: misconfigured as well (the proof must stay)
    await restartDnsmasq(dns, [`--cname=moving.example.test,${TARGET}`]);
    d = await waitForDomain(srv, agency.api_key, (x) => x?.status === 'misconfigured', 'TXT gone');
    assert.match(d.reason, /TXT/);
    assert.equal((await portalAt('moving.example.test')).status, 404);
    // Refresh Status checks the same way
    r = await refresh(agency);
    assert.equal(r.json.custom_domain.status, 'misconfigured');
  });

  it('a removed claim leaves nothing to take over: a new claim needs its own TXT', async () => {
    let r = await claim(agency, 'good.example.test');
    const first = r.json.custom_domain.verification.value;
    await restartDnsmasq(dns, [txtRecord('good.example.test', first)]);
    assert.equal((await refresh(agency)).json.custom_domain.status, 'verified');
    r = await api(srv, 'DELETE', '/api/v1/whitelabel/domain', { key: agency.api_key });
    assert.equal(r.json.custom_domain, null);
    // the CNAME and the old TXT are still in DNS
    r = await claim(other, 'good.example.test');
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.json.custom_domain.verification.value, first);
    r = await refresh(other);
    assert.equal(r.json.custom_domain.status, 'pending', r.text);
    assert.equal((await portalAt('good.example.test')).status, 404);
  });
});

describe('an unverified claim expires', { timeout: 120_000, skip: DNSMASQ_SKIP }, () => {
  let dns, srv, first, second;
  const TTL_S = 2;

  before(async () => {
    dns = await startDnsmasq();
    srv = await startServer({ env: {
      WLPORTAL_DNS_SERVER: `127.0.0.1:${dns.port}`,
      WLPORTAL_CNAME_TARGET: TARGET,
      WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS: String(TTL_S),
      WLPORTAL_DOMAIN_RECHECK_SECONDS: '1',
    } });
    first = createOrg(srv, { name: 'First Agency', minutes: 1 });
    second = createOrg(srv, { name: 'Second Agency', minutes: 1 });
  });
  after(async () => {
    try { await srv?.stop(); } finally { await stopDnsmasq(dns); }
  });

  it('blocks another agency while it lives, and no longer once expired', async () => {
    let r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: first.api_key, body: { domain: 'held.example.com' } });
    assert.equal(r.status, 200, r.text);
    const firstToken = r.json.custom_domain.verification.value;
    const expires = Date.parse(r.json.custom_domain.expires_at);
    assert.ok(expires > Date.now() && expires <= Date.now() + TTL_S * 1000 + 1000, r.json.custom_domain.expires_at);
    r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: second.api_key, body: { domain: 'held.example.com' } });
    assertError(r, 409, 'conflict');

    await sleep(Math.max(0, expires - Date.now()) + 300);
    r = await api(srv, 'GET', '/api/v1/whitelabel', { key: first.api_key });
    assert.equal(r.json.custom_domain, null, 'an expired claim is not shown');
    assertError(await api(srv, 'POST', '/api/v1/whitelabel/domain/refresh', { key: first.api_key }), 404, 'not_found');

    r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: second.api_key, body: { domain: 'held.example.com' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.custom_domain.domain, 'held.example.com');
    assert.notEqual(r.json.custom_domain.verification.value, firstToken);
    r = await api(srv, 'GET', '/api/v1/whitelabel', { key: first.api_key });
    assert.equal(r.json.custom_domain, null, 'not shown as the old agency\'s claim');
  });

  it('the background sweep drops expired claims', async () => {
    let r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: first.api_key, body: { domain: 'swept.example.com' } });
    assert.equal(r.status, 200, r.text);
    // the row itself is cleared by the background sweep, not only hidden
    const deadline = Date.now() + 15_000;
    let held = '';
    while (Date.now() < deadline) {
      held = sql(srv, `SELECT COALESCE(custom_domain, '') || '|' || domain_token FROM whitelabel WHERE org_id = '${first.org_id}'`).trim();
      if (held === '|') break;
      await sleep(200);
    }
    assert.equal(held, '|', 'the expired claim is still stored');
    r = await api(srv, 'GET', '/api/v1/whitelabel', { key: first.api_key });
    assert.equal(r.json.custom_domain, null);
  });

  it('a verified domain does not expire', async () => {
    let r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: first.api_key, body: { domain: 'good.example.test' } });
    assert.equal(r.status, 200, r.text);
    await restartDnsmasq(dns, [txtRecord('good.example.test', r.json.custom_domain.verification.value)]);
    r = await api(srv, 'POST', '/api/v1/whitelabel/domain/refresh', { key: first.api_key });
    assert.equal(r.json.custom_domain.status, 'verified', r.text);
    await sleep(TTL_S * 1000 + 500);
    r = await api(srv, 'GET', '/api/v1/whitelabel', { key: first.api_key });
    assert.equal(r.json.custom_domain?.status, 'verified', r.text);
    assertError(await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: second.api_key, body: { domain: 'good.example.test' } }), 409, 'conflict');
  });
});
