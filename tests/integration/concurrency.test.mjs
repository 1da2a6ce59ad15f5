// Many calls metered at the same time against one small balance: the ledger
// must never go below zero, never bill a second twice, and debit child and
// parent by exactly the same amount.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, account, inbound, event, dbBalanceSeconds, assertAuditOk, utcDay,
} from './lib.mjs';

const CALLS = 64;
const STEPS = [['in-progress', 10], ['in-progress', 20], ['in-progress', 30], ['ended', 30]];

// Plays one call: the steps in order, checking the answers are monotonic.
// Returns {id, billed}.
async function playCall(srv, orgId, key) {
  const c = await inbound(srv, orgId);
  if (c.action !== 'answer') return { id: c.call_id, billed: 0, rejected: true };
  let billed = 0;
  let stopped = false;
  for (const [status, elapsed] of STEPS) {
    const r = await event(srv, c.call_id, status, elapsed);
    assert.equal(r.status, 200, `${status}/${elapsed}: ${r.status} ${r.text}`);
    assert.ok(Number.isInteger(r.json.billed_seconds) && r.json.billed_seconds >= billed, `billed went down: ${r.text}`);
    assert.ok(r.json.billed_seconds <= elapsed, `billed more than elapsed: ${r.text}`);
    if (stopped) assert.equal(r.json.billed_seconds, billed, 'billed after continue:false');
    if (stopped || status === 'ended') assert.equal(r.json.continue, false, r.text);
    billed = r.json.billed_seconds;
    if (!r.json.continue) stopped = true;
    if (!stopped) assert.equal(billed, elapsed, `an uncut call bills every second: ${r.text}`);
  }
  const g = await api(srv, 'GET', `/api/v1/calls/${c.call_id}`, { key });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.status, 'ended');
  assert.equal(g.json.billed_seconds, billed);
  return { id: c.call_id, billed };
}

// Runs the thunks with at most `width` running at once; results in order.
async function inParallel(thunks, width) {
  const out = new Array(thunks.length);
  let next = 0;
  async function worker() {
    while (next < thunks.length) {
      const i = next++;
      out[i] = await thunks[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, thunks.length) }, worker));
  return out;
}

function sum(xs) { return xs.reduce((a, b) => a + b, 0); }

describe('concurrent metering', { timeout: 180_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it(`${CALLS} calls overdraw a child with 1002 s of credits: exactly 0 left`, async () => {
    const agency = createOrg(srv, { minutes: 100 }); // 6000 s
    const child = createOrg(srv, { parent: agency.org_id, minutes: '16.7' }); // 1002 s
    assert.equal(dbBalanceSeconds(srv, child.org_id), 1002);
    const day0 = utcDay();
    const results = await Promise.all(Array.from({ length: CALLS }, () => playCall(srv, child.org_id, child.api_key)));
    const billed = sum(results.map((r) => r.billed));
    assert.equal(billed, 1002, `sum of billed_seconds: ${billed}`);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 0);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 6000 - 1002);
    assert.equal((await account(srv, child.api_key)).minutes_balance, 0);
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 83.3);
    // The usage of the child adds up to the same seconds.
    const u = await api(srv, 'GET', `/api/v1/usage?start_date=${day0}&end_date=${utcDay()}&limit=1000`, { key: child.api_key });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.summary.total_seconds, 1002);
    assert.equal(sum(u.json.usage.map((x) => x.duration_sec)), 1002);
    // Nothing more can start.
    const late = await inbound(srv, child.org_id);
    assert.equal(late.action, 'reject');
    assertAuditOk(srv);
  });

  it(`${CALLS} child calls and 16 agency calls that fit: exact balances`, async () => {
    const agency = createOrg(srv, { minutes: 100 }); // 6000 s
    const child = createOrg(srv, { parent: agency.org_id, minutes: 50 }); // 3000 s
    const jobs = [
      ...Array.from({ length: CALLS }, () => playCall(srv, child.org_id, child.api_key)),
      ...Array.from({ length: 16 }, () => playCall(srv, agency.org_id, agency.api_key)),
    ];
    const results = await Promise.all(jobs);
    for (const r of results) assert.equal(r.billed, 30);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 3000 - CALLS * 30);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 6000 - CALLS * 30 - 16 * 30);
    assert.equal((await account(srv, child.api_key)).minutes_balance, 18);
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 60);
    assertAuditOk(srv);
  });

  it(`${CALLS} calls over two children overdraw the agency's 600 s`, async () => {
    const agency = createOrg(srv, { minutes: 10 }); // 600 s
    const a = createOrg(srv, { parent: agency.org_id, minutes: 60 });
    const b = createOrg(srv, { parent: agency.org_id, minutes: 60 });
    const results = await Promise.all(Array.from({ length: CALLS }, (_, i) => {
      const o = i % 2 ? a : b;
      return playCall(srv, o.org_id, o.api_key).then((r) => ({ ...r, org: o.org_id }));
    }));
    const billedA = sum(results.filter((r) => r.org === a.org_id).map((r) => r.billed));
    const billedB = sum(results.filter((r) => r.org === b.org_id).map((r) => r.billed));
    assert.equal(billedA + billedB, 600);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 0);
    assert.equal(dbBalanceSeconds(srv, a.org_id), 3600 - billedA);
    assert.equal(dbBalanceSeconds(srv, b.org_id), 3600 - billedB);
    assertAuditOk(srv);
  });

  it('events of one call racing each other never bill a second twice', async () => {
    const agency = createOrg(srv, { minutes: 100 });
    const child = createOrg(srv, { parent: agency.org_id, minutes: 100 });
    const ids = [];
    for (let i = 0; i < 16; i++) ids.push((await inbound(srv, child.org_id)).call_id);
    // Every call gets elapsed 1..20 fired all at once, twice over.
    const shots = [];
    for (const id of ids) {
      for (let rep = 0; rep < 2; rep++) {
        for (let s = 1; s <= 20; s++) shots.push(() => event(srv, id, 'in-progress', s));
      }
    }
    // Interleave the calls, keep at most 64 requests in flight.
    shots.sort(() => Math.random() - 0.5);
    const rs = await inParallel(shots, 64);
    for (const r of rs) assert.equal(r.status, 200, r.text);
    for (const id of ids) {
      const r = await event(srv, id, 'ended', 20);
      assert.equal(r.json.billed_seconds, 20);
    }
    assert.equal(dbBalanceSeconds(srv, child.org_id), 6000 - 16 * 20);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 6000 - 16 * 20);
    assertAuditOk(srv);
  });
});
