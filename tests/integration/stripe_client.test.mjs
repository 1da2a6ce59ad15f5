// The Stripe API client (src/services/stripe_client.c, through the
// tests/stripecall.c driver) against the fake Stripe (fake_stripe.mjs):
// price fetch and the check against the package, Checkout Session create
// with every parameter checked by the fake, idempotency, Stripe's errors
// mapped to clear messages that never hold the key, and time-outs. Also
// checks the fake's own checkout page: paying sends a webhook signed as
// the stripe package signs, then redirects to the success URL.
//
// STRIPECALL_BIN points at the driver (default: next to WLPORTAL_BIN, else build-test/stripecall).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Stripe from 'stripe';
import { startFakeStripe } from './fake_stripe.mjs';

const STRIPECALL = path.resolve(process.env.STRIPECALL_BIN
  || path.join(path.dirname(process.env.WLPORTAL_BIN || 'build-test/wlportal'), 'stripecall'));
const KEY = 'sk_test_51Fake' + 'Q'.repeat(20) + 'k9Zz';
const WHSEC = 'whsec_fakeSigningSecret123';
const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
};

// Runs the driver without blocking the event loop (the fake lives here).
function stripecall(args, { key = KEY } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(STRIPECALL, args, { timeout: 30_000, env: { ...process.env, ...SAN_ENV, STRIPE_SECRET_KEY: key } },
      (error, stdout, stderr) => {
        for (const marker of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) {
          assert.ok(!stderr.includes(marker), `sanitizer report:\n${stderr}`);
        }
        assert.ok(!stdout.includes(key) && !stderr.includes(key), 'the key leaked into the output');
        assert.ok(!stdout.includes(key.slice(-4)), `part of the key leaked: ${stdout}`);
        resolve({ code: error ? error.code : 0, line: stdout.trim(), stderr, elapsed: Date.now() - started });
      });
  });
}

function parseError(line) {
  const m = line.match(/^error (\S+) http=(\d+) type=(\S*) code=(\S*) param=(\S*) \| (.*)$/);
  assert.ok(m, `not an error line: ${line}`);
  return { code: m[1], http: Number(m[2]), type: m[3], stripeCode: m[4], param: m[5], message: m[6] };
}

const SUCCESS = 'http://acme.portal.localhost:8080/success';
const CANCEL = 'http://acme.portal.localhost:8080/buy?cancelled=1';

function session(fake, idem, { price = 'price_good', email = 'zoe.client+1@example.test', timeout } = {}) {
  const args = ['session', fake.url, idem, price, SUCCESS, CANCEL, 'org_child1', 'usr_client1', email];
  if (timeout) args.push(String(timeout));
  return stripecall(args);
}

describe('Stripe API client against the fake Stripe', { timeout: 120_000 }, () => {
  let fake;
  let hook;
  const hooks = [];

  before(async () => {
    assert.ok(fs.existsSync(STRIPECALL), `${STRIPECALL} not found: build it first (ninja -C build-test)`);
    fake = await startFakeStripe();
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { hooks.push({ headers: req.headers, body, url: req.url }); res.end('{}'); });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    fake.addAccount({ secretKey: KEY, webhookUrl: `http://127.0.0.1:${hook.address().port}/api/webhooks/stripe/acme`,
      webhookSecret: WHSEC });
    fake.setPrice(KEY, { id: 'price_good', product: 'prod_credits', unit_amount: 4000, currency: 'eur' });
    fake.setPrice(KEY, { id: 'price_off', active: false, product: 'prod_credits', unit_amount: 4000 });
    fake.setPrice(KEY, { id: 'price_monthly', type: 'recurring', product: 'prod_credits', unit_amount: 4000 });
    fake.setPrice(KEY, { id: 'price_custom', product: 'prod_credits', unit_amount: null });
  });

  after(async () => {
    await fake?.close();
    await new Promise((r) => (hook ? hook.close(r) : r()));
  });

  it('fetches a price with the Bearer key', async () => {
    const r = await stripecall(['price', fake.url, 'price_good']);
    assert.equal(r.line, 'ok id=price_good active=true type=one_time product=prod_credits unit_amount=4000 currency=eur');
    const req = fake.requestsTo('GET', '/v1/prices/price_good').at(-1);
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(req.problems, []);
  });

  it('a missing price is not_found, naming Stripe\'s code', async () => {
    const e = parseError((await stripecall(['price', fake.url, 'price_nope'])).line);
    assert.equal(e.code, 'not_found');
    assert.equal(e.http, 404);
    assert.equal(e.stripeCode, 'resource_missing');
    assert.match(e.message, /No such price: 'price_nope'/);
  });

  it('checks the price against the package and names the mismatch', async () => {
    const check = async (price, product, amount, cur) => (await stripecall(['check', fake.url, price, product, String(amount), cur])).line;
    assert.equal(await check('price_good', 'prod_credits', 4000, 'EUR'), 'match');
    assert.match(await check('price_off', 'prod_credits', 4000, 'EUR'), /^mismatch stripe\.price_id: .*not active/);
    assert.match(await check('price_monthly', 'prod_credits', 4000, 'EUR'), /^mismatch stripe\.price_id: .*recurring/);
    assert.match(await check('price_good', 'prod_other', 4000, 'EUR'), /^mismatch stripe\.price_id: .*prod_credits, not prod_other/);
    assert.match(await check('price_good', 'prod_credits', 5000, 'EUR'), /^mismatch stripe\.price_id: .*4000 eur; the package costs 5000 EUR/);
    assert.match(await check('price_good', 'prod_credits', 4000, 'USD'), /^mismatch stripe\.price_id: /);
    assert.match(await check('price_custom', 'prod_credits', 4000, 'EUR'), /^mismatch stripe\.price_id: .*no fixed amount/);
    assert.match((await stripecall(['price', fake.url, 'price_custom'])).line, / unit_amount=none /);
  });

  it('creates a Checkout Session with every parameter the fake expects', async () => {
    const r = await session(fake, 'buy-org_child1-0001');
    const m = r.line.match(/^ok (cs_test_\S+) (\S+)$/);
    assert.ok(m, r.line);
    assert.ok(m[2].startsWith(`${fake.url}/c/pay/${m[1]}`));
    const req = fake.requestsTo('POST', '/v1/checkout/sessions').at(-1);
    assert.deepEqual(req.problems, []);
    assert.equal(req.headers['idempotency-key'], 'buy-org_child1-0001');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.match(req.raw, /success_url=[^&]*session_id%3D%7BCHECKOUT_SESSION_ID%7D(&|$)/);
    assert.deepEqual(req.form, {
      mode: 'payment', 'line_items[0][price]': 'price_good', 'line_items[0][quantity]': '1',
      success_url: `${SUCCESS}?session_id={CHECKOUT_SESSION_ID}`, cancel_url: CANCEL,
      client_reference_id: 'org_child1', 'metadata[org_id]': 'org_child1', 'metadata[user_id]': 'usr_client1',
      customer_email: 'zoe.client+1@example.test',
    });
  });

  it('the same Idempotency-Key gets the first answer; other parameters conflict', async () => {
    const a = await session(fake, 'buy-idem-1');
    const b = await session(fake, 'buy-idem-1');
    assert.match(a.line, /^ok cs_test_/);
    assert.equal(b.line, a.line);
    assert.equal(fake.requestsTo('POST', '/v1/checkout/sessions').at(-1).replayed, true);
    const e = parseError((await session(fake, 'buy-idem-1', { email: 'other@example.test' })).line);
    assert.equal(e.code, 'conflict');
    assert.equal(e.type, 'idempotency_error');
  });

  it('an unknown, inactive or recurring price is refused naming the parameter', async () => {
    let e = parseError((await session(fake, 'buy-bad-1', { price: 'price_nope' })).line);
    assert.equal(e.code, 'not_found');
    assert.equal(e.param, 'line_items[0][price]');
    e = parseError((await session(fake, 'buy-bad-2', { price: 'price_off' })).line);
    assert.equal(e.code, 'invalid_request');
    assert.match(e.message, /inactive/);
    e = parseError((await session(fake, 'buy-bad-3', { price: 'price_monthly' })).line);
    assert.equal(e.param, 'line_items[0][price]');
    assert.match(e.message, /recurring/);
  });

  it('a bad key is a 401 whose message shows no part of the key', async () => {
    const wrong = 'sk_test_WrongKey' + 'x'.repeat(20) + 'a1b2';
    const r = await stripecall(['price', fake.url, 'price_good'], { key: wrong });
    const e = parseError(r.line);
    assert.equal(e.http, 401);
    assert.equal(e.code, 'invalid_request');
    assert.match(e.message, /Stripe refused the secret key/);
    assert.match(e.message, /sk_test_\*+/);
    fake.setMode('unauthorized');
    try {
      assert.equal(parseError((await session(fake, 'buy-401')).line).http, 401);
    } finally {
      fake.setMode('ok');
    }
  });

  it('the invalid_price mode makes every price unknown', async () => {
    fake.setMode('invalid_price');
    try {
      assert.equal(parseError((await stripecall(['price', fake.url, 'price_good'])).line).code, 'not_found');
    } finally {
      fake.setMode('ok');
    }
  });

  it('a Stripe 500 is unavailable', async () => {
    fake.setMode('server_error');
    try {
      const e = parseError((await session(fake, 'buy-500')).line);
      assert.equal(e.code, 'unavailable');
      assert.equal(e.http, 500);
      assert.equal(e.type, 'api_error');
    } finally {
      fake.setMode('ok');
    }
  });

  it('a slow Stripe times out within the bound', async () => {
    fake.setMode('slow', { slowMs: 20_000 });
    try {
      const r = await session(fake, 'buy-slow', { timeout: 700 });
      const e = parseError(r.line);
      assert.equal(e.code, 'unavailable');
      assert.match(e.message, /did not answer within 700 ms/);
      assert.ok(r.elapsed < 5000, `took ${r.elapsed} ms`);
      const p = parseError((await stripecall(['price', fake.url, 'price_good', '500'])).line);
      assert.equal(p.code, 'unavailable');
    } finally {
      fake.setMode('ok');
    }
  });

  it('Stripe unreachable is unavailable', async () => {
    const closed = http.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${closed.address().port}`;
    await new Promise((r) => closed.close(r));
    const e = parseError((await stripecall(['price', url, 'price_good'])).line);
    assert.equal(e.code, 'unavailable');
    assert.equal(e.http, 0);
    assert.match(e.message, /could not be reached/);
  });

  it('bad arguments are refused before any request', async () => {
    const before = fake.requests.length;
    assert.equal(parseError((await stripecall(['price', fake.url, 'price/../x'])).line).code, 'invalid_request');
    assert.equal(parseError((await stripecall(['price', fake.url, 'price_good'], { key: 'sk_test_a\r\nX: y' })).line).code, 'invalid_request');
    assert.equal(parseError((await session(fake, 'bad key with spaces')).line).code, 'invalid_request');
    assert.equal(parseError((await stripecall(['price', 'ftp://127.0.0.1', 'price_good'])).line).code, 'invalid_request');
    assert.equal(fake.requests.length, before);
  });

  it('the fake refuses what wlportal must not send', async () => {
    const good = new URLSearchParams({ mode: 'payment', 'line_items[0][price]': 'price_good',
      'line_items[0][quantity]': '1', success_url: `${SUCCESS}?session_id={CHECKOUT_SESSION_ID}`, cancel_url: CANCEL,
      client_reference_id: 'org_1', 'metadata[org_id]': 'org_1', 'metadata[user_id]': 'usr_1' }).toString();
    const post = async (body, headers = {}) => {
      const r = await fetch(`${fake.url}/v1/checkout/sessions`, { method: 'POST', body, headers: {
        Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': `k-${Math.random()}`, ...headers } });
      return { status: r.status, problems: fake.requests.at(-1).problems.join('; ') };
    };
    assert.equal((await post(good)).status, 200);
    assert.match((await post(good.replace('%7B', '{').replace('%7D', '}'))).problems, /literal braces/);
    assert.match((await post(good, { 'Idempotency-Key': '' })).problems, /Idempotency-Key/);
    assert.match((await post(`${good}&extra=1`)).problems, /unknown parameter: extra/);
    assert.match((await post(good.replace('quantity%5D=1', 'quantity%5D=2'))).problems, /quantity/);
    assert.match((await post(good.replace('mode=payment', 'mode=subscription'))).problems, /mode/);
    assert.match((await post(good.replace('%3Fsession_id', '%3Fsid'))).problems, /success_url/);
    assert.match((await post(good, { 'Content-Type': 'application/json' })).problems, /Content-Type/);
    assert.match((await post(good, { Authorization: 'Basic eDp5' })).problems, /Authorization/);
  });

  it('paying on the fake checkout page sends a signed webhook, then redirects', async () => {
    const m = (await session(fake, 'buy-pay-1')).line.match(/^ok (\S+) (\S+)$/);
    const page = await fetch(m[2]);
    assert.match(await page.text(), /40\.00 EUR/);
    const paid = await fetch(m[2], { method: 'POST', redirect: 'manual', body: new URLSearchParams({ action: 'pay' }) });
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.get('location'), `${SUCCESS}?session_id=${m[1]}`);
    const got = hooks.at(-1);
    assert.equal(got.url, '/api/webhooks/stripe/acme');
    const event = new Stripe('sk_test_x').webhooks.constructEvent(got.body, got.headers['stripe-signature'], WHSEC);
    assert.equal(event.type, 'checkout.session.completed');
    assert.equal(event.data.object.id, m[1]);
    assert.equal(event.data.object.payment_status, 'paid');
    assert.equal(event.data.object.amount_total, 4000);
    assert.deepEqual(event.data.object.metadata, { org_id: 'org_child1', user_id: 'usr_client1' });
    assert.equal(fake.deliveries.at(-1).status, 200);
    // Paying again sends nothing new; a redelivery of the same event can be forced.
    const n = hooks.length;
    await fake.pay(m[1]);
    assert.equal(hooks.length, n);
    const { event: first } = await fake.pay(m[1]);
    await fake.deliver(first, { secretKey: KEY });
    assert.equal(hooks.length, n + 1);
    assert.equal(JSON.parse(hooks.at(-1).body).id, first.id);
  });
});
