// GET /internal/tls-ask?domain=NAME, which Caddy's on-demand TLS asks
// before it gets a certificate (deploy/Caddyfile): 200 only for names
// wlportal serves — its own hosts, {slug}.portal.{base} of an active
// portal, a verified custom domain of an active portal — else 404.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, sql } from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { agencyWithPortal } from './portal_lib.mjs';

describe('tls-ask', { timeout: 120_000 }, () => {
  let srv, fake, agency, idle;
  const ask = (domain) => api(srv, 'GET', `/internal/tls-ask?domain=${encodeURIComponent(domain)}`);

  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = await agencyWithPortal(srv, 'tlsvoice', { fake });
    idle = createOrg(srv, { name: 'Idle Agency', minutes: 1 });
    const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: idle.api_key, body: { slug: 'idlevoice' } });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('allows the platform and active portals, nothing else', async () => {
    for (const name of ['localhost', 'portal.localhost', 'tlsvoice.portal.localhost', 'TLSVOICE.Portal.LocalHost']) {
      const r = await ask(name);
      assert.equal(r.status, 200, `${name}: ${r.text}`);
      assert.equal(r.json.allowed, true);
    }
    for (const name of ['idlevoice.portal.localhost', 'nosuch.portal.localhost', 'example.com',
      'a.b.tlsvoice.portal.localhost', 'not a host', '']) {
      const r = await ask(name);
      assert.ok([404, 400].includes(r.status), `${name}: ${r.status} ${r.text}`);
    }
    assert.equal((await api(srv, 'GET', '/internal/tls-ask')).status, 400);
  });

  it('allows a custom domain only while verified and its portal active', async () => {
    sql(srv, `UPDATE whitelabel SET custom_domain = 'calls.example.test', domain_status = 'pending' WHERE org_id = '${agency.org_id}'`);
    assert.equal((await ask('calls.example.test')).status, 404);
    sql(srv, `UPDATE whitelabel SET domain_status = 'verified' WHERE org_id = '${agency.org_id}'`);
    assert.equal((await ask('calls.example.test')).status, 200);
    const off = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { active: false } });
    assert.equal(off.status, 200, off.text);
    assert.equal((await ask('calls.example.test')).status, 404);
    assert.equal((await ask('tlsvoice.portal.localhost')).status, 404);
  });
});
