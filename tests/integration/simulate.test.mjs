// `wlportal simulate` plays the voice engine against a running server: what
// it reports as billed must be exactly what left the client's credits and
// the agency's minutes, calls beyond the credits are cut off or rejected,
// and the ledger stays exact.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, dbBalanceSeconds, assertAuditOk } from './lib.mjs';

function billed(stdout) {
  const m = /billed (\d+) s = ([\d.]+) minutes = EUR ([\d.]+)/.exec(stdout);
  assert.ok(m, `no billed line in: ${stdout}`);
  return { seconds: Number(m[1]), minutes: m[2], euros: m[3] };
}

function counts(stdout) {
  const m = /answered (\d+), rejected (\d+) \(insufficient credits\), cut off (\d+), failed (\d+)/.exec(stdout);
  assert.ok(m, `no counts line in: ${stdout}`);
  return { answered: +m[1], rejected: +m[2], cutOff: +m[3], failed: +m[4] };
}

describe('wlportal simulate', { timeout: 180_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it('bills exactly what it reports, with plenty of credits', () => {
    const agency = createOrg(srv, { minutes: 100000 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 50000 });
    const before = { c: dbBalanceSeconds(srv, client.org_id), a: dbBalanceSeconds(srv, agency.org_id) };
    const r = srv.cli(['simulate', '--calls', '60', '--concurrency', '8', '--org', client.org_id,
      '--url', srv.url, '--engine-token', srv.engineToken], { noDb: true, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const b = billed(r.stdout);
    const n = counts(r.stdout);
    assert.deepEqual(n, { answered: 60, rejected: 0, cutOff: 0, failed: 0 });
    assert.ok(b.seconds >= 60 * 5, 'every call lasts at least 5 s');
    assert.equal(before.c - dbBalanceSeconds(srv, client.org_id), b.seconds);
    assert.equal(before.a - dbBalanceSeconds(srv, agency.org_id), b.seconds);
    assertAuditOk(srv);
  });

  it('runs out of credits: billed down to zero, the rest cut off or rejected', () => {
    const agency = createOrg(srv, { minutes: 100000 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 10 }); // 600 s
    const r = srv.cli(['simulate', '--calls', '40', '--concurrency', '8', '--org', client.org_id,
      '--url', srv.url, '--engine-token', srv.engineToken], { noDb: true, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const b = billed(r.stdout);
    const n = counts(r.stdout);
    assert.equal(b.seconds, 600, 'all the credits and not one second more');
    assert.equal(dbBalanceSeconds(srv, client.org_id), 0);
    assert.ok(n.cutOff + n.rejected > 0, JSON.stringify(n));
    assert.equal(n.answered + n.rejected, 40);
    assertAuditOk(srv);
  });

  it('refuses bad command lines with exit 2', () => {
    for (const args of [['simulate'], ['simulate', '--calls', '0', '--concurrency', '1'],
      ['simulate', '--calls', '5', '--concurrency', 'x'], ['simulate', '--calls', '5', '--concurrency', '1', '--org', 'nope'],
      ['simulate', '--calls', '5', '--concurrency', '1', '--bogus', '1']]) {
      const r = srv.cli(args, { noDb: true });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
