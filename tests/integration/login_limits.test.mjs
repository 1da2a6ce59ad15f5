// Log-in limits: failures are counted per (e-mail, address) and per address,
// in the database, never per e-mail alone, so nobody can lock someone else
// out from their own address. A bucket has a few free failures, then every
// further failure doubles the wait (429 with Retry-After and the wait in
// words). Behind our own proxy (WLPORTAL_TRUST_PROXY=1) the address is the
// one the proxy appended to X-Forwarded-For; without it the header is
// ignored (it could be forged). E-mail addresses are one account whatever
// their case.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, sql } from './lib.mjs';
import { login } from './login.mjs';

const PAIR_FREE = 5;
const ADDR_FREE = 20;

// Moves every stored failure `ms` into the past, as if that time had gone by.
function rewind(srv, ms) {
  sql(srv, `UPDATE login_failures SET last_failed_at = last_failed_at - ${ms};`);
}

function assertRefused(r, seconds, what) {
  assert.equal(r.status, 429, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.headers['retry-after'], String(seconds), what);
  assert.match(r.text, new RegExp(`try again in ${seconds} seconds`), what);
}

describe('login limits', { timeout: 300_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it('a victim cannot be locked out from another address', async () => {
    createOrg(srv, { email: 'victim@limits.test', password: 'victim-password-1' });
    for (let i = 0; i < 12; i++) {
      const r = await login(srv, 'victim@limits.test', `guess-${i}`, { from: '127.0.0.2' });
      assert.equal(r.status, i < PAIR_FREE ? 401 : 429, `attacker attempt ${i + 1}: ${r.text.slice(0, 200)}`);
    }
    // the attacker's address waits even with the right password…
    const blocked = await login(srv, 'victim@limits.test', 'victim-password-1', { from: '127.0.0.2' });
    assert.equal(blocked.status, 429);
    // …the victim, from their own address, does not
    const ok = await login(srv, 'victim@limits.test', 'victim-password-1', { from: '127.0.0.1' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.match(String(ok.headers['set-cookie']), /wl_session=/);
  });

  it('the wait doubles with each further failure and is announced', async () => {
    createOrg(srv, { email: 'typo@limits.test', password: 'typo-password-1' });
    const from = '127.0.0.3';
    for (let i = 0; i < PAIR_FREE; i++) {
      const r = await login(srv, 'typo@limits.test', `wrong-${i}`, { from });
      assert.equal(r.status, 401, `free failure ${i + 1}`);
    }
    assertRefused(await login(srv, 'typo@limits.test', 'wrong', { from }), 10, 'after 5 failures');
    rewind(srv, 11_000);
    assert.equal((await login(srv, 'typo@limits.test', 'wrong-6', { from })).status, 401);
    assertRefused(await login(srv, 'typo@limits.test', 'wrong', { from }), 20, 'after 6 failures');
    rewind(srv, 21_000);
    assert.equal((await login(srv, 'typo@limits.test', 'wrong-7', { from })).status, 401);
    assertRefused(await login(srv, 'typo@limits.test', 'wrong', { from }), 40, 'after 7 failures');
    // a refused attempt does not count: the wait stays 40 s
    assertRefused(await login(srv, 'typo@limits.test', 'wrong', { from }), 40, 'refused again');
    // once the wait is over the right password works and the slate is clean
    rewind(srv, 41_000);
    const ok = await login(srv, 'typo@limits.test', 'typo-password-1', { from });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    for (let i = 0; i < PAIR_FREE; i++) {
      assert.equal((await login(srv, 'typo@limits.test', `again-${i}`, { from })).status, 401);
    }
  });

  it('counts in the database, without e-mail or address in clear', () => {
    const rows = sql(srv, 'SELECT bucket, failures FROM login_failures;');
    assert.ok(rows.trim().split('\n').length >= 2, rows);
    assert.doesNotMatch(rows, /@|127\.0\.0/);
  });

  it('e-mail addresses are one account whatever their case', async () => {
    const org = createOrg(srv, { email: 'Mixed.Case@Limits.TEST', password: 'mixed-password-1' });
    assert.equal(sql(srv, `SELECT email FROM users WHERE org_id = '${org.org_id}';`).trim(),
      'mixed.case@limits.test', 'stored normalised');
    for (const typed of ['mixed.case@limits.test', 'MIXED.CASE@LIMITS.TEST', 'Mixed.Case@Limits.TEST']) {
      const r = await login(srv, typed, 'mixed-password-1', { from: '127.0.0.4' });
      assert.equal(r.status, 303, `${typed}: ${r.text.slice(0, 200)}`);
    }
    // a second account for the same mailbox is a conflict
    const again = srv.cli(['admin', 'create-org', '--name', 'Copy', '--email', 'mixed.case@LIMITS.test',
      '--password', 'another-password-1']);
    assert.equal(again.status, 1, again.stdout);
    assert.match(again.stderr, /already in use/);
    // and the database itself refuses one written around the service
    assert.throws(() => sql(srv, `INSERT INTO users (id, org_id, email, password_hash, created_at) `
      + `VALUES ('00000000-0000-4000-8000-000000000001', '${org.org_id}', 'MIXED.case@limits.test', 'x', 0);`));
  });
});

describe('login limits per address', { timeout: 300_000 }, () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  it('behind a trusted proxy the client address counts, not the proxy', async () => {
    const srv = await startServer({ env: { WLPORTAL_TRUST_PROXY: '1' } });
    servers.push(srv);
    createOrg(srv, { email: 'owner@proxy.test', password: 'right-password-1' });
    const xff = (a) => ({ headers: { 'X-Forwarded-For': a } });
    // a few failures do not stop the right password from the same address
    for (let i = 0; i < 3; i++) {
      assert.equal((await login(srv, 'owner@proxy.test', 'wrong', xff('198.51.100.5'))).status, 401);
    }
    const fine = await login(srv, 'owner@proxy.test', 'right-password-1', xff('198.51.100.5'));
    assert.equal(fine.status, 303, fine.text.slice(0, 300));
    // one noisy address trying many e-mails: free failures, then it waits
    for (let i = 0; i < ADDR_FREE; i++) {
      const r = await login(srv, `nobody${i}@proxy.test`, 'wrong-password', xff('203.0.113.9, 198.51.100.7'));
      assert.equal(r.status, 401, `failure ${i + 1}`);
    }
    const noisy = await login(srv, 'owner@proxy.test', 'right-password-1', xff('203.0.113.9, 198.51.100.7'));
    assertRefused(noisy, 10, 'the noisy address');
    // another client behind the same proxy still logs in
    const ok = await login(srv, 'owner@proxy.test', 'right-password-1', xff('198.51.100.8'));
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    // a client cannot dodge the limit by claiming another first address
    const forged = await login(srv, 'x@proxy.test', 'wrong-password', xff('192.0.2.1, 198.51.100.7'));
    assert.equal(forged.status, 429);
  });

  it('without a trusted proxy X-Forwarded-For is ignored', async () => {
    const srv = await startServer();
    servers.push(srv);
    let last;
    for (let i = 0; i <= ADDR_FREE; i++) {
      last = await login(srv, `n${i}@direct.test`, 'wrong-password', { headers: { 'X-Forwarded-For': `192.0.2.${i + 1}` } });
    }
    assert.equal(last.status, 429, 'changing the header does not reset the count');
  });
});
