// Stripe-Signature verification checked against the official stripe npm
// package: headers made by stripe.webhooks.generateTestHeaderString (valid,
// expired, tampered body, wrong secret, two v1 of which only the second is
// right, missing header, v0 only) are fed to the stripesig driver
// (tests/stripesig.c → src/core/stripe_sig.c), which prints its verdict.
// The package's own verifier is asked too, so both agree on every vector.
//
// STRIPESIG_BIN points at the driver (default: next to WLPORTAL_BIN, else build-test/stripesig).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';

const STRIPESIG = path.resolve(process.env.STRIPESIG_BIN
  || path.join(path.dirname(process.env.WLPORTAL_BIN || 'build-test/wlportal'), 'stripesig'));
const SECRET = 'whsec_test_' + 'k3y'.repeat(10);
const stripe = new Stripe('sk_test_unused');

const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
};

let dir;

function header(payload, { secret = SECRET, timestamp = nowSeconds(), scheme } = {}) {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp, scheme });
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// Runs the C verifier; returns its verdict name.
function verdict(hdr, body, { secret = SECRET, now = nowSeconds() } = {}) {
  const file = path.join(dir, `body-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, body);
  const r = spawnSync(STRIPESIG, [secret, hdr, file, String(now)], {
    encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...SAN_ENV },
  });
  assert.equal(r.error, undefined, `stripesig did not run: ${r.error}`);
  for (const marker of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) {
    assert.ok(!r.stderr.includes(marker), `sanitizer report:\n${r.stderr}`);
  }
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split(' ')[0];
}

// What the official library says about the same vector (true = accepted).
function stripeAccepts(hdr, body, secret = SECRET) {
  try {
    stripe.webhooks.constructEvent(body, hdr, secret, 300);
    return true;
  } catch {
    return false;
  }
}

function event(id = 'evt_test_1') {
  return JSON.stringify({
    id, object: 'event', type: 'checkout.session.completed',
    data: { object: { id: 'cs_test_abc', payment_status: 'paid', amount_total: 4000, currency: 'eur',
      metadata: { org_id: 'org_1', user_id: 'usr_1' }, customer_email: 'zoë@example.test' } },
  }, null, 2);
}

describe('Stripe-Signature vectors from the stripe package', () => {
  before(() => {
    assert.ok(fs.existsSync(STRIPESIG), `${STRIPESIG} not found: build it first (ninja -C build-test)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripesig-'));
  });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('a valid header is accepted, as the stripe package accepts it', () => {
    const body = event();
    const hdr = header(body);
    assert.equal(stripeAccepts(hdr, body), true);
    assert.equal(verdict(hdr, body), 'ok');
  });

  it('the raw bytes are signed: non-ASCII and formatting count', () => {
    const body = event().replace('zoë', 'zo\u00eb\u20ac');
    const hdr = header(body);
    assert.equal(verdict(hdr, body), 'ok');
    assert.equal(verdict(hdr, JSON.stringify(JSON.parse(body))), 'bad_signature');
  });

  it('an expired header (older than 300 s) is refused as too old', () => {
    const body = event();
    const hdr = header(body, { timestamp: nowSeconds() - 301 });
    assert.equal(stripeAccepts(hdr, body), false);
    assert.equal(verdict(hdr, body), 'too_old');
    // Within the window it still passes.
    assert.equal(verdict(header(body, { timestamp: nowSeconds() - 290 }), body), 'ok');
  });

  it('a header from the future is refused', () => {
    const body = event();
    assert.equal(verdict(header(body, { timestamp: nowSeconds() + 3600 }), body), 'in_future');
  });

  it('a tampered body is refused', () => {
    const body = event();
    const hdr = header(body);
    const tampered = body.replace('4000', '400000');
    assert.equal(stripeAccepts(hdr, tampered), false);
    assert.equal(verdict(hdr, tampered), 'bad_signature');
  });

  it('a header signed with another secret is refused', () => {
    const body = event();
    const hdr = header(body, { secret: 'whsec_other' });
    assert.equal(stripeAccepts(hdr, body), false);
    assert.equal(verdict(hdr, body), 'bad_signature');
    // The key is the whole whsec_ string, prefix included.
    assert.equal(verdict(header(body, { secret: SECRET.slice('whsec_'.length) }), body), 'bad_signature');
  });

  it('two v1, only the second right (a secret being rolled), is accepted', () => {
    const body = event();
    const t = nowSeconds();
    const old = header(body, { secret: 'whsec_old_secret', timestamp: t });
    const cur = header(body, { timestamp: t });
    const v1 = (h) => h.split(',').find((p) => p.startsWith('v1=')).slice(3);
    const hdr = `t=${t},v1=${v1(old)},v1=${v1(cur)}`;
    assert.equal(stripeAccepts(hdr, body), true);
    assert.equal(verdict(hdr, body), 'ok');
    assert.equal(verdict(`t=${t},v1=${v1(old)}`, body), 'bad_signature');
  });

  it('a missing header is refused', () => {
    assert.equal(verdict('', event()), 'missing_header');
  });

  it('a header with only a v0 signature is refused', () => {
    const body = event();
    const hdr = header(body, { scheme: 'v0' });
    assert.match(hdr, /^t=\d+,v0=[0-9a-f]{64}$/);
    assert.equal(stripeAccepts(hdr, body), false);
    assert.equal(verdict(hdr, body), 'no_v1_signature');
    // v0 beside a right v1 is ignored.
    const t = nowSeconds();
    const v1 = header(body, { timestamp: t }).split(',v1=')[1];
    assert.equal(verdict(`t=${t},v0=${'0'.repeat(64)},v1=${v1}`, body), 'ok');
  });

  it('a header without a timestamp is malformed', () => {
    const body = event();
    const v1 = header(body).split(',v1=')[1];
    assert.equal(verdict(`v1=${v1}`, body), 'malformed_header');
  });
});
