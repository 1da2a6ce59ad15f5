// The whitelabel API: settings with validation and activation rules, write-only
// secrets that never leave the server nor sit in the database in clear, the
// margin calculator, custom domains, portal users and manual allocations.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, assertError, assertAuditOk, dbBalanceSeconds, randomUUID,
  databaseBytes, request,
} from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';

const SECRET = 'sk_test_51Hx' + 'TopSecretValue0123456789';
const WHSEC = 'whsec_' + 'SigningSecret0123456789';

const full = (slug) => ({
  company_name: 'Acme Voice',
  slug,
  logo_url: 'https://cdn.example.test/acme.png',
  primary_color: '#3B82F6',
  accent_color: '#10b981',
  stripe: {
    publishable_key: 'pk_test_51HxPublishable0123',
    secret_key: SECRET,
    product_id: 'prod_Abc123456789',
    price_id: 'price_Abc123456789',
    webhook_secret: WHSEC,
  },
  package: { credits: 100, price_cents: 4000, currency: 'EUR' },
});

describe('whitelabel API', { timeout: 120_000 }, () => {
  let srv, fake, agency, other, child, child2;
  const responses = [];
  const call = async (...args) => {
    const r = await api(srv, ...args);
    responses.push(r.text);
    return r;
  };

  before(async () => {
    // Activation checks the price with (the fake) Stripe.
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: SECRET });
    fake.setPrice(SECRET, { id: 'price_Abc123456789', product: 'prod_Abc123456789', unit_amount: 4000, currency: 'eur' });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = createOrg(srv, { name: 'Acme Agency', minutes: 1000 });
    other = createOrg(srv, { name: 'Other Agency', minutes: 10 });
    child = createOrg(srv, { name: 'Client One', parent: agency.org_id, minutes: 0 });
    child2 = createOrg(srv, { name: 'Client Two', parent: agency.org_id, minutes: 2 });
  });
  after(async () => { await srv?.stop(); await fake?.close(); });

  it('a child org is refused with 403 and the exact message', async () => {
    for (const [m, p, body] of [['GET', '/api/v1/whitelabel'], ['PUT', '/api/v1/whitelabel', {}],
      ['GET', '/api/v1/whitelabel/margin'], ['GET', '/api/v1/whitelabel/users'],
      ['POST', '/api/v1/whitelabel/domain', { domain: 'a.example.com' }]]) {
      const r = await call(m, p, { key: child.api_key, body });
      assertError(r, 403, 'forbidden');
      assert.equal(r.json.error.message, 'Only parent organizations can access whitelabel');
    }
    // acting as a child through the switcher is refused as well
    const r = await call('GET', '/api/v1/whitelabel', {
      key: agency.api_key, headers: { 'X-Organization-Id': child.org_id } });
    assertError(r, 403, 'forbidden');
  });

  it('starts empty and lists what is missing', async () => {
    const r = await call('GET', '/api/v1/whitelabel', { key: agency.api_key });
    assert.equal(r.status, 200);
    assert.equal(r.json.active, false);
    assert.deepEqual(r.json.missing, ['company_name', 'slug', 'stripe.publishable_key',
      'stripe.secret_key', 'stripe.product_id', 'stripe.price_id']);
    assert.equal(r.json.portal_url, null);
  });

  it('422 names every bad field and changes nothing', async () => {
    const r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: {
      company_name: 'Acme', slug: 'A!', primary_color: 'blue', accent_color: '#12345',
      logo_url: 'javascript:alert(1)',
      stripe: { publishable_key: 'pk_xyz', secret_key: 'sk_nope', product_id: 'product_1',
        price_id: 'prc_1', webhook_secret: 'secret' },
      package: { credits: 0, price_cents: 0, currency: 'JPY' },
    } });
    assertError(r, 422, 'validation_failed');
    for (const f of ['slug', 'primary_color', 'accent_color', 'logo_url', 'stripe.publishable_key',
      'stripe.secret_key', 'stripe.product_id', 'stripe.price_id', 'stripe.webhook_secret',
      'package.credits', 'package.currency']) {
      assert.ok(r.json.error.fields[f], `field ${f} should be named: ${r.text}`);
    }
    const g = await call('GET', '/api/v1/whitelabel', { key: agency.api_key });
    assert.equal(g.json.company_name, null, 'nothing was saved');
  });

  it('slug rules: length, characters, reserved words', async () => {
    for (const slug of ['ab', 'a'.repeat(51), 'Acme', 'acme_co', '-acme', 'www', 'api', 'app', 'admin']) {
      const r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slug } });
      assertError(r, 422, 'validation_failed', `slug ${slug}`);
      assert.ok(r.json.error.fields.slug, `slug ${slug}: ${r.text}`);
    }
    for (const slug of ['abc', 'a'.repeat(50), 'acme-voice-2']) {
      const r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slug } });
      assert.equal(r.status, 200, `slug ${slug}: ${r.text}`);
    }
  });

  it('test and live Stripe keys cannot be mixed', async () => {
    const r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: {
      stripe: { publishable_key: 'pk_live_51HxPublishable0123', secret_key: SECRET } } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields['stripe.secret_key']);
  });

  it('activation with fields missing is refused naming each, then accepted', async () => {
    let r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key,
      body: { company_name: 'Acme Voice', slug: 'acme', active: true } });
    assertError(r, 422, 'validation_failed');
    for (const f of ['stripe.publishable_key', 'stripe.secret_key', 'stripe.product_id', 'stripe.price_id']) {
      assert.match(r.json.error.fields[f], /required/, `${f}: ${r.text}`);
    }
    r = await call('GET', '/api/v1/whitelabel', { key: agency.api_key });
    assert.equal(r.json.active, false);

    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { ...full('acme'), active: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.active, true);
    assert.deepEqual(r.json.missing, []);
    assert.equal(r.json.stripe.secret_key_set, true);
    assert.equal(r.json.stripe.webhook_secret_set, true);
    assert.equal(r.json.stripe.publishable_key, 'pk_test_51HxPublishable0123');
    assert.equal(r.json.portal_url, `http://acme.portal.localhost:${srv.port}`);
    assert.equal(r.json.webhook_url, `http://portal.localhost:${srv.port}/api/webhooks/stripe/acme`);
    assert.deepEqual(r.json.package, { credits: 100, price_cents: 4000, currency: 'EUR' });

    // clearing a required field while active is refused
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { stripe: { price_id: null } } });
    assertError(r, 422, 'validation_failed');
    // a package the Stripe price does not match is refused while active
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { package: { price_cents: 4500 } } });
    assertError(r, 422, 'validation_failed');
    assert.match(r.json.error.fields['stripe.price_id'], /4000.*4500/, r.text);
    fake.setPrice(SECRET, { id: 'price_Abc123456789', product: 'prod_Abc123456789', unit_amount: 4500, currency: 'eur' });
    // partial updates keep the rest; deactivation is always allowed
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { accent_color: '#FF0000', package: { price_cents: 4500 } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accent_color, '#FF0000');
    assert.equal(r.json.primary_color, '#3B82F6');
    assert.deepEqual(r.json.package, { credits: 100, price_cents: 4500, currency: 'EUR' });
    assert.equal(r.json.stripe.secret_key_set, true);
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { active: false } });
    assert.equal(r.json.active, false);
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { active: true } });
    assert.equal(r.json.active, true);
  });

  it('a slug is unique across agencies', async () => {
    const r = await call('PUT', '/api/v1/whitelabel', { key: other.api_key, body: { slug: 'acme' } });
    assertError(r, 422, 'validation_failed');
    assert.match(r.json.error.fields.slug, /taken/);
  });

  it('a released slug stays its agency\'s: old portal URLs redirect, nobody else can claim it', async () => {
    let r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slug: 'acme-calls' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.webhook_url, `http://portal.localhost:${srv.port}/api/webhooks/stripe/acme-calls`);
    // another agency cannot take the slug the first one left
    r = await call('PUT', '/api/v1/whitelabel', { key: other.api_key, body: { slug: 'acme' } });
    assertError(r, 422, 'validation_failed');
    assert.match(r.json.error.fields.slug, /taken/);
    // the old portal URLs lead to the new portal
    let p = await request(srv, 'GET', '/p/acme/');
    assert.equal(p.status, 303, p.text.slice(0, 200));
    assert.equal(p.headers.location, '/p/acme-calls/');
    p = await request(srv, 'GET', '/', { headers: { Host: `acme.portal.localhost:${srv.port}` } });
    assert.equal(p.status, 303, p.text.slice(0, 200));
    assert.equal(p.headers.location, `http://acme-calls.portal.localhost:${srv.port}/`);
    p = await request(srv, 'GET', '/p/acme-calls/');
    assert.equal(p.status, 200);
    assert.match(p.text, /Acme Voice/);
    // the agency may go back to its old slug; the one it leaves is kept too
    r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slug: 'acme' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await request(srv, 'GET', '/p/acme/')).status, 200);
    p = await request(srv, 'GET', '/p/acme-calls/');
    assert.equal(p.status, 303);
    assert.equal(p.headers.location, '/p/acme/');
    r = await call('PUT', '/api/v1/whitelabel', { key: other.api_key, body: { slug: 'acme-calls' } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields.slug);
    // a slug nobody ever used is simply not found
    assert.equal((await request(srv, 'GET', '/p/never-used/')).status, 404);
  });

  it('bad bodies: malformed JSON, wrong types, unknown fields', async () => {
    assertError(await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, rawBody: '{"slug":' }), 400, 'invalid_request');
    assertError(await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: [] }), 400, 'invalid_request');
    assertError(await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slugg: 'x' } }), 400, 'invalid_request');
    let r = await call('PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { active: 'yes', company_name: 5 } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields.active && r.json.error.fields.company_name);
    r = await call('GET', '/api/v1/whitelabel', { key: agency.api_key });
    assert.equal(r.json.company_name, 'Acme Voice');
  });

  it('margin calculator: the seeds example and below-cost flag', async () => {
    let r = await call('GET', '/api/v1/whitelabel/margin?credits=100&price_cents=4000', { key: agency.api_key });
    assert.equal(r.status, 200);
    assert.equal(r.json.package_price_cents, 4000);
    assert.equal(r.json.cost_cents, 700);
    assert.equal(r.json.profit_cents, 3300);
    assert.match(r.text, /"margin_percent":82\.5[,}]/);
    assert.equal(r.json.below_cost, false);
    r = await call('GET', '/api/v1/whitelabel/margin?credits=100&price_cents=500', { key: agency.api_key });
    assert.equal(r.json.below_cost, true);
    assert.equal(r.json.profit_cents, -200);
    r = await call('GET', '/api/v1/whitelabel/margin', { key: agency.api_key });
    assert.equal(r.json.package_price_cents, 4500, 'defaults to the saved package');
    assertError(await call('GET', '/api/v1/whitelabel/margin?credits=-1', { key: agency.api_key }), 400, 'invalid_request');
    assertError(await call('GET', '/api/v1/whitelabel/margin?price_cents=abc', { key: agency.api_key }), 400, 'invalid_request');
  });

  it('users: the agency sees its clients only, with balances', async () => {
    const r = await call('GET', '/api/v1/whitelabel/users', { key: agency.api_key });
    assert.equal(r.status, 200);
    const ids = r.json.users.map((u) => u.user_id).sort();
    assert.deepEqual(ids, [child.user_id, child2.user_id].sort());
    const two = r.json.users.find((u) => u.user_id === child2.user_id);
    assert.equal(two.credits_balance, 2);
    assert.equal(two.org_id, child2.org_id);
    assert.match(two.email, /@example\.test$/);
    const o = await call('GET', '/api/v1/whitelabel/users', { key: other.api_key });
    assert.deepEqual(o.json.users, []);
    const p1 = await call('GET', '/api/v1/whitelabel/users?limit=1', { key: agency.api_key });
    assert.equal(p1.json.users.length, 1);
    const p2 = await call('GET', `/api/v1/whitelabel/users?limit=1&cursor=${encodeURIComponent(p1.json.next_cursor)}`, { key: agency.api_key });
    assert.equal(p2.json.users.length, 1);
    assert.notEqual(p2.json.users[0].user_id, p1.json.users[0].user_id);
    assert.equal(p2.json.next_cursor, null);
  });

  it('allocations go through the ledger, once per Idempotency-Key', async () => {
    const path1 = `/api/v1/whitelabel/users/${child.user_id}/allocations`;
    let r = await call('POST', path1, { key: agency.api_key, headers: { 'Idempotency-Key': 'INV-2024-001' },
      body: { credits: 25, description: 'Invoice #INV-2024-001' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.credits_balance, 25);
    assert.equal(r.json.applied, true);
    r = await call('POST', path1, { key: agency.api_key, headers: { 'Idempotency-Key': 'INV-2024-001' },
      body: { credits: 25, description: 'Invoice #INV-2024-001' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.applied, false);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 25 * 60);
    // a correction may be negative, never below zero
    r = await call('POST', path1, { key: agency.api_key, body: { credits: -5, description: 'Refund correction' } });
    assert.equal(r.status, 201);
    assert.equal(r.json.credits_balance, 20);
    r = await call('POST', path1, { key: agency.api_key, body: { credits: -21, description: 'Too much' } });
    assertError(r, 422, 'validation_failed');
    assert.equal(dbBalanceSeconds(srv, child.org_id), 20 * 60);
    // the client sees the credits
    const acc = await call('GET', '/api/v1/account', { key: child.api_key });
    assert.equal(acc.json.minutes_balance, 20);
  });

  it('allocation input and ownership are checked', async () => {
    const p = `/api/v1/whitelabel/users/${child.user_id}/allocations`;
    for (const body of [{ credits: 5 }, { credits: 5, description: '' }, { credits: 0, description: 'x' },
      { credits: 1.5, description: 'x' }, { credits: '5', description: 'x' }, { description: 'x' },
      { credits: 10_000_000, description: 'x' }]) {
      const r = await call('POST', p, { key: agency.api_key, body });
      assert.ok(r.status === 400 || r.status === 422, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
    }
    // another agency cannot allocate to our user; unknown users are 404
    assertError(await call('POST', p, { key: other.api_key, body: { credits: 5, description: 'x' } }), 404, 'not_found');
    assertError(await call('POST', `/api/v1/whitelabel/users/${randomUUID()}/allocations`, { key: agency.api_key,
      body: { credits: 5, description: 'x' } }), 404, 'not_found');
    assertError(await call('POST', `/api/v1/whitelabel/users/${agency.user_id}/allocations`, { key: agency.api_key,
      body: { credits: 5, description: 'x' } }), 404, 'not_found');
    assert.equal(dbBalanceSeconds(srv, child.org_id), 20 * 60);
  });

  it('custom domain: validated, answered with the CNAME record, unique, removable', async () => {
    for (const domain of ['localhost', 'not a domain', '192.168.1.1', 'x.acme.portal.localhost', 'a..b.com']) {
      const r = await call('POST', '/api/v1/whitelabel/domain', { key: agency.api_key, body: { domain } });
      assertError(r, 422, 'validation_failed', domain);
    }
    let r = await call('POST', '/api/v1/whitelabel/domain', { key: agency.api_key, body: { domain: 'Portal.Acme-Voice.com' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.custom_domain.record, { type: 'CNAME', name: 'portal', value: 'cname.localhost' });
    assert.equal(r.json.custom_domain.verification.type, 'TXT');
    assert.equal(r.json.custom_domain.verification.name, '_wlportal-challenge.portal.acme-voice.com');
    assert.match(r.json.custom_domain.verification.value, /^wlportal-verify=[0-9a-f]{32}$/);
    assert.equal(r.json.custom_domain.domain, 'portal.acme-voice.com');
    assert.equal(r.json.custom_domain.status, 'pending');
    r = await call('POST', '/api/v1/whitelabel/domain', { key: other.api_key, body: { domain: 'portal.acme-voice.com' } });
    assertError(r, 409, 'conflict');
    r = await call('DELETE', '/api/v1/whitelabel/domain', { key: agency.api_key });
    assert.equal(r.status, 200);
    assert.equal(r.json.custom_domain, null);
    assertError(await call('DELETE', '/api/v1/whitelabel/domain', { key: agency.api_key }), 404, 'not_found');
    assertError(await call('POST', '/api/v1/whitelabel/domain/refresh', { key: agency.api_key }), 404, 'not_found');
  });

  it('secrets never appear in a response nor in clear in the database', async () => {
    const r = await call('GET', '/api/v1/whitelabel', { key: agency.api_key });
    responses.push(r.text);
    for (const text of responses) {
      assert.ok(!text.includes(SECRET) && !text.includes('TopSecretValue'), 'secret key leaked in a response');
      assert.ok(!text.includes(WHSEC) && !text.includes('SigningSecret'), 'webhook secret leaked in a response');
      assert.ok(!text.includes('sk_test_51Hx'), 'the start of the secret key leaked');
    }
    await srv.kill();
    // Every file of the temp dir, and on PostgreSQL a pg_dump of the database.
    for (const { name, bytes } of databaseBytes(srv, { allFiles: true })) {
      assert.equal(bytes.indexOf('TopSecretValue'), -1, `secret key in clear in ${name}`);
      assert.equal(bytes.indexOf('SigningSecret'), -1, `webhook secret in clear in ${name}`);
    }
    assert.ok(!srv.stderr.includes('TopSecretValue') && !srv.stdout.includes('TopSecretValue'), 'secret in the log');
    assertAuditOk(srv);
  });
});
