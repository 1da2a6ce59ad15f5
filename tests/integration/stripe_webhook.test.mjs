// The Stripe webhook (POST /api/webhooks/stripe/{slug}) end to end against
// wlportal: deliveries signed by the stripe package's test-header helper
// (through the fake Stripe) credit a paid Checkout Session's package to the
// client org once — whatever the number of deliveries of the event, at the
// same moment or not, and whatever other event of the same session follows;
// bad or missing signatures answer 400 and change nothing but the events
// log; a wrong amount, currency or org is recorded as a mismatch and not
// credited; other types are ignored. The agency's events log and purchases
// list say what happened, and no secret is ever in an answer.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, createOrg, api, assertError, dbBalanceSeconds, sql } from './lib.mjs';
import { startFakeStripe, signedHeader } from './fake_stripe.mjs';

const SECRET = 'sk_test_51Hx' + 'WebhookTestKey0123456789';
const WHSEC = 'whsec_' + 'WebhookSigning0123456789';
const PRICE = 'price_Hook123456789';
const PRODUCT = 'prod_Hook123456789';

export function settings(slug, { active = true } = {}) {
  return {
    company_name: 'Hook Voice', slug,
    stripe: { publishable_key: 'pk_test_51HxPublishable0123', secret_key: SECRET,
      product_id: PRODUCT, price_id: PRICE, webhook_secret: WHSEC },
    package: { credits: 100, price_cents: 4000, currency: 'EUR' },
    active,
  };
}

let seq = 0;
function sessionObject(org, user, extra = {}) {
  seq += 1;
  return {
    id: `cs_test_hook${Date.now()}x${seq}`, object: 'checkout.session', mode: 'payment',
    status: 'complete', payment_status: 'paid', amount_total: 4000, currency: 'eur',
    client_reference_id: org, metadata: { org_id: org, user_id: user }, ...extra,
  };
}

describe('Stripe webhook', { timeout: 180_000 }, () => {
  let srv, fake, agency, other, child, foreign, hookUrl;
  const texts = [];
  const deliver = async (event, opts = {}) => {
    const d = await fake.deliver(event, { url: hookUrl, secret: WHSEC, ...opts });
    texts.push(d.body || '');
    return { status: d.status, json: d.body ? JSON.parse(d.body) : undefined, text: d.body };
  };
  const events = async () => {
    const r = await api(srv, 'GET', '/api/v1/whitelabel/stripe-events?limit=200', { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    texts.push(r.text);
    return r.json.events;
  };

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: SECRET });
    fake.setPrice(SECRET, { id: PRICE, product: PRODUCT, unit_amount: 4000, currency: 'eur' });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = createOrg(srv, { name: 'Hook Agency', minutes: 100 });
    other = createOrg(srv, { name: 'Other Agency', minutes: 1 });
    child = createOrg(srv, { name: 'Hook Client', parent: agency.org_id, minutes: 0,
      email: `hook-client-${process.pid}@example.test` });
    foreign = createOrg(srv, { name: 'Foreign Client', parent: other.org_id, minutes: 0 });
    const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: settings('hookvoice') });
    assert.equal(r.status, 200, r.text);
    hookUrl = `${srv.url}/api/webhooks/stripe/hookvoice`;
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('a paid checkout.session.completed credits the package once, with its purchase', async () => {
    const s = sessionObject(child.org_id, child.user_id);
    const ev = fake.makeEvent('checkout.session.completed', s);
    const r = await deliver(ev);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { received: true, event_id: ev.id, outcome: 'credited' });
    assert.equal(dbBalanceSeconds(srv, child.org_id), 100 * 60);
    const again = await deliver(ev);
    assert.equal(again.status, 200);
    assert.equal(again.json.outcome, 'duplicate');
    // another event of the same session (Stripe's async success) is no new credit
    const late = await deliver(fake.makeEvent('checkout.session.async_payment_succeeded', s));
    assert.equal(late.json.outcome, 'duplicate');
    assert.equal(dbBalanceSeconds(srv, child.org_id), 100 * 60);
    const p = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: agency.api_key });
    assert.equal(p.status, 200, p.text);
    const mine = p.json.purchases.find((x) => x.stripe_session_id === s.id);
    assert.equal(mine.status, 'paid');
    assert.equal(mine.credits, 100);
    assert.equal(mine.amount_cents, 4000);
    assert.equal(mine.currency, 'EUR');
    assert.equal(mine.org_id, child.org_id);
    assert.equal(mine.email, `hook-client-${process.pid}@example.test`);
    assert.equal(mine.stripe_event_id, ev.id);
    assert.match(mine.paid_at, /^\d{4}-\d\d-\d\dT/);
    const entries = sql(srv, `SELECT COUNT(*) FROM ledger_entries WHERE reference = 'stripe:${s.id}'`);
    assert.equal(entries.trim(), '1');
  });

  it('twenty deliveries of one event at the same moment credit it once', async () => {
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const s = sessionObject(child.org_id, child.user_id);
    const ev = fake.makeEvent('checkout.session.completed', s);
    const async = fake.makeEvent('checkout.session.async_payment_succeeded', s);
    const all = await Promise.all([...Array.from({ length: 20 }, () => deliver(ev)), deliver(async)]);
    for (const r of all) assert.equal(r.status, 200, r.text);
    const outcomes = all.map((r) => r.json.outcome);
    assert.equal(outcomes.filter((o) => o === 'credited').length, 1, outcomes.join(','));
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 20);
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0 + 100 * 60);
  });

  it('a bad or missing signature answers 400, credits nothing and is logged', async () => {
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const ev = fake.makeEvent('checkout.session.completed', sessionObject(child.org_id, child.user_id));
    const payload = JSON.stringify(ev, null, 2);
    const cases = [
      ['wrong secret', { secret: 'whsec_notTheAgencysSecret000' }, 'bad_signature'],
      ['expired', { timestamp: Math.floor(Date.now() / 1000) - 301 }, 'too_old'],
      ['missing', { header: '' }, 'missing_header'],
      ['v0 only', { header: `t=${Math.floor(Date.now() / 1000)},v0=${'a'.repeat(64)}` }, 'no_v1_signature'],
    ];
    for (const [what, opts, verdict] of cases) {
      const r = await deliver(ev, opts);
      assertError(r, 400, 'invalid_request', what);
      assert.match(r.json.error.message, /Stripe-Signature/);
      const logged = (await events()).find((e) => e.signature === verdict);
      assert.ok(logged, `${what}: no ${verdict} row`);
      assert.equal(logged.outcome, 'bad_signature');
      assert.equal(logged.org_id, null);
    }
    // a tampered body: signed, then one digit of the amount changed
    const header = signedHeader(payload, WHSEC);
    const r = await deliver(payload.replace('"amount_total": 4000', '"amount_total": 9000'), { header });
    assertError(r, 400, 'invalid_request');
    // two v1 signatures of which only the second is right (a secret being rolled)
    const t = Math.floor(Date.now() / 1000);
    const good = signedHeader(payload, WHSEC, { timestamp: t }).match(/v1=([0-9a-f]+)/)[1];
    const two = await deliver(payload, { header: `t=${t},v1=${'0'.repeat(64)},v1=${good}` });
    assert.equal(two.status, 200, two.text);
    assert.equal(two.json.outcome, 'credited');
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0 + 100 * 60);
  });

  it('a flood of unsigned deliveries is answered 400 but not all kept', async () => {
    const ev = fake.makeEvent('checkout.session.completed', sessionObject(child.org_id, child.user_id));
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const all = await Promise.all(Array.from({ length: 80 }, () => deliver(ev, { secret: 'whsec_forged000000000000' })));
    for (const r of all) assertError(r, 400, 'invalid_request');
    const kept = sql(srv, `SELECT COUNT(*) FROM stripe_events WHERE agency_id = '${agency.org_id}' AND outcome = 'bad_signature'`);
    assert.ok(Number(kept.trim()) <= 60 + 5, `kept ${kept.trim()} bad deliveries`);
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0);
  });

  it('a wrong amount, currency or org is recorded as a mismatch, not credited', async () => {
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const cases = [
      sessionObject(child.org_id, child.user_id, { amount_total: 3999 }),
      sessionObject(child.org_id, child.user_id, { currency: 'usd' }),
      sessionObject(foreign.org_id, foreign.user_id),
      sessionObject(agency.org_id, agency.user_id),
      sessionObject('', '', { client_reference_id: null, metadata: {} }),
    ];
    for (const s of cases) {
      const r = await deliver(fake.makeEvent('checkout.session.completed', s));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.outcome, 'mismatch', JSON.stringify(s));
    }
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0);
    assert.equal(dbBalanceSeconds(srv, foreign.org_id), 0);
    const p = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: agency.api_key });
    const amount = p.json.purchases.find((x) => x.stripe_session_id === cases[0].id);
    assert.equal(amount.status, 'mismatch');
    assert.equal(amount.credits, 0);
    const log = await events();
    const row = log.find((e) => e.session_id === cases[0].id);
    assert.match(row.detail, /paid 3999 eur; the package costs 4000 EUR/);
    // the other agency sees nothing of it
    const o = await api(srv, 'GET', '/api/v1/whitelabel/purchases', { key: other.api_key });
    assert.deepEqual(o.json.purchases, []);
  });

  it('a session started by Buy Credits credits what was offered then, not today\'s package', async () => {
    // the pending purchase recorded at Buy: 100 credits for 4000 EUR
    const s = sessionObject(child.org_id, child.user_id);
    sql(srv, `INSERT INTO purchases (id, agency_id, org_id, user_id, session_id, status, credits, ` +
      `amount_cents, currency, created_at) VALUES ('${crypto.randomUUID()}', '${agency.org_id}', ` +
      `'${child.org_id}', '${child.user_id}', '${s.id}', 'pending', 100, 4000, 'EUR', ${Date.now()})`);
    // the agency changes its package before Stripe's event arrives
    fake.setPrice(SECRET, { id: PRICE, product: PRODUCT, unit_amount: 4000, currency: 'eur' });
    const bigger = settings('hookvoice');
    bigger.package = { credits: 1000, price_cents: 4000, currency: 'EUR' };
    const put = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: bigger });
    assert.equal(put.status, 200, put.text);
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const r = await deliver(fake.makeEvent('checkout.session.completed', s));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outcome, 'credited');
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0 + 100 * 60, 'the credits offered at Buy');
    const row = sql(srv, `SELECT status, credits FROM purchases WHERE session_id = '${s.id}'`).trim();
    assert.match(row, /^paid\|100$/);
    const back = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: settings('hookvoice') });
    assert.equal(back.status, 200, back.text);
  });

  it('a paid session named again for another client is a mismatch (200), not a second credit', async () => {
    const sibling = createOrg(srv, { name: 'Hook Sibling', parent: agency.org_id, minutes: 0 });
    const s = sessionObject(child.org_id, child.user_id);
    const first = await deliver(fake.makeEvent('checkout.session.completed', s));
    assert.equal(first.json.outcome, 'credited', first.text);
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const moved = { ...s, client_reference_id: sibling.org_id,
      metadata: { org_id: sibling.org_id, user_id: sibling.user_id } };
    const r = await deliver(fake.makeEvent('checkout.session.completed', moved));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outcome, 'mismatch');
    assert.equal(dbBalanceSeconds(srv, sibling.org_id), 0);
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0);
    const row = (await events()).find((e) => e.event_id === r.json.event_id);
    assert.match(row.detail, /paid to another organization/);
  });

  it('an unpaid session waits for async_payment_succeeded; other types are ignored', async () => {
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const s = sessionObject(child.org_id, child.user_id, { payment_status: 'unpaid' });
    const r1 = await deliver(fake.makeEvent('checkout.session.completed', s));
    assert.equal(r1.json.outcome, 'ignored');
    const r2 = await deliver(fake.makeEvent('customer.created', { id: 'cus_123', object: 'customer' }));
    assert.equal(r2.json.outcome, 'ignored');
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0);
    const r3 = await deliver(fake.makeEvent('checkout.session.async_payment_succeeded',
      { ...s, payment_status: 'paid' }));
    assert.equal(r3.json.outcome, 'credited');
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0 + 100 * 60);
  });

  it('an unknown slug is 404; a former slug still reaches the agency', async () => {
    const r = await fake.deliver(fake.makeEvent('customer.created', { id: 'cus_1' }),
      { url: `${srv.url}/api/webhooks/stripe/nosuchportal`, secret: WHSEC });
    assert.equal(r.status, 404);
    const ren = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: { slug: 'hookvoice2' } });
    assert.equal(ren.status, 200, ren.text);
    const before0 = dbBalanceSeconds(srv, child.org_id);
    const ok = await deliver(fake.makeEvent('checkout.session.completed', sessionObject(child.org_id, child.user_id)));
    assert.equal(ok.json.outcome, 'credited');
    assert.equal(dbBalanceSeconds(srv, child.org_id), before0 + 100 * 60);
  });

  it('the events log is the agency\'s own, paged, and no secret is ever answered', async () => {
    const log = await events();
    assert.ok(log.length >= 10);
    for (const e of log) {
      assert.ok(['credited', 'duplicate', 'ignored', 'mismatch', 'bad_signature'].includes(e.outcome));
      assert.match(e.received_at, /^\d{4}-\d\d-\d\dT/);
    }
    const page1 = await api(srv, 'GET', '/api/v1/whitelabel/stripe-events?limit=3', { key: agency.api_key });
    assert.equal(page1.json.events.length, 3);
    assert.ok(page1.json.next_cursor);
    const page2 = await api(srv, 'GET',
      `/api/v1/whitelabel/stripe-events?limit=3&cursor=${encodeURIComponent(page1.json.next_cursor)}`,
      { key: agency.api_key });
    assert.equal(page2.status, 200, page2.text);
    const ids1 = new Set(page1.json.events.map((e) => e.id));
    for (const e of page2.json.events) assert.ok(!ids1.has(e.id));
    const mine = await api(srv, 'GET', '/api/v1/whitelabel/stripe-events', { key: other.api_key });
    assert.deepEqual(mine.json.events, []);
    const child403 = await api(srv, 'GET', '/api/v1/whitelabel/stripe-events', { key: child.api_key });
    assertError(child403, 403, 'forbidden');
    for (const t of texts) {
      assert.ok(!t.includes(WHSEC) && !t.includes(SECRET), `a secret in an answer: ${t}`);
    }
    assert.ok(!srv.stderr.includes(WHSEC) && !srv.stderr.includes(SECRET), 'a secret in the log');
  });
});
