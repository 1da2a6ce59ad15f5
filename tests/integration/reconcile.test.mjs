// Calls the engine stopped reporting on: the reaper settles a call silent for
// WLPORTAL_CALL_STALE_AFTER seconds (status ended, ended_reason "stale", its
// usage row with the seconds already billed, exactly once), leaves a call
// that keeps reporting alone, and `wlportal audit` reconciles calls with
// usage (an ended call without a usage row, a call open past the limit).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makeEnv, createOrg, api, inbound, okEvent, dbBalanceSeconds, assertAuditOk,
  sql, sleep, randomUUID,
} from './lib.mjs';

async function callStatus(srv, key, callId) {
  const r = await api(srv, 'GET', `/api/v1/calls/${callId}`, { key });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function usageRows(srv, callId) {
  return sql(srv, `SELECT duration_sec FROM usage WHERE call_id='${callId}';`)
    .split('\n').filter((l) => l.trim() !== '').map(Number);
}

describe('stale calls are settled by the reaper', { timeout: 120_000 }, () => {
  let srv, agency, client;
  before(async () => {
    srv = await startServer({ env: { WLPORTAL_CALL_STALE_AFTER: '1' } });
    agency = createOrg(srv, { minutes: 10 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 5 });
  });
  after(async () => { await srv?.stop(); });

  it('a call left open is ended as stale with a usage row of the seconds billed', async () => {
    const c = await inbound(srv, client.org_id);
    assert.equal(c.action, 'answer');
    await okEvent(srv, c.call_id, 'ringing', 0);
    await okEvent(srv, c.call_id, 'in-progress', 12);
    let call;
    const deadline = Date.now() + 15_000;
    for (;;) {
      call = await callStatus(srv, client.api_key, c.call_id);
      if (call.status === 'ended' || Date.now() > deadline) break;
      await sleep(200);
    }
    assert.equal(call.status, 'ended', JSON.stringify(call));
    assert.equal(call.ended_reason, 'stale', JSON.stringify(call));
    assert.deepEqual(usageRows(srv, c.call_id), [12]);
    // Billed once: the reaper moves no money, it only closes the books.
    assert.equal(dbBalanceSeconds(srv, client.org_id), 300 - 12);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 600 - 12);
    // A late event changes nothing any more.
    const late = await okEvent(srv, c.call_id, 'ended', 40);
    assert.equal(late.billed_seconds, 12);
    assert.deepEqual(usageRows(srv, c.call_id), [12]);
    const usage = await api(srv, 'GET', '/api/v1/usage', { key: client.api_key });
    assert.equal(usage.status, 200, usage.text);
    assert.ok(usage.json.usage.some((u) => u.duration_sec === 12), usage.text);
    assertAuditOk(srv);
  });

  it('a call that keeps reporting is left alone', async () => {
    const c = await inbound(srv, client.org_id);
    await okEvent(srv, c.call_id, 'in-progress', 1);
    for (let i = 2; i <= 8; i++) {
      await sleep(350);
      await okEvent(srv, c.call_id, 'in-progress', i);
    }
    const call = await callStatus(srv, client.api_key, c.call_id);
    assert.equal(call.status, 'in-progress', JSON.stringify(call));
    await okEvent(srv, c.call_id, 'ended', 9, { ended_reason: 'customer-ended-call' });
    assert.deepEqual(usageRows(srv, c.call_id), [9]);
  });

  it('a queued outbound call that never rings is settled with 0 seconds', async () => {
    const r = await api(srv, 'POST', '/api/v1/calls',
      { key: client.api_key, body: { direction: 'outbound', to: '+31201234567' } });
    assert.equal(r.status, 201, r.text);
    const deadline = Date.now() + 15_000;
    let call;
    for (;;) {
      call = await callStatus(srv, client.api_key, r.json.id);
      if (call.status === 'ended' || Date.now() > deadline) break;
      await sleep(200);
    }
    assert.equal(call.status, 'ended');
    assert.equal(call.ended_reason, 'stale');
    assert.deepEqual(usageRows(srv, r.json.id), [0]);
  });
});

describe('audit reconciles calls with usage', { timeout: 120_000 }, () => {
  let env, org;
  before(() => {
    env = makeEnv({ WLPORTAL_CALL_STALE_AFTER: '60' });
    const m = env.cli(['migrate']);
    assert.equal(m.status, 0, m.stderr);
    org = createOrg(env, { minutes: 1 });
  });
  after(() => { env?.removeDir(); });

  const insertCall = (id, status, lastEventAt, endedAt) => sql(env,
    'INSERT INTO calls (id, org_id, billed_org_id, direction, status, to_number, created_at, ' +
    `ended_at, last_event_at) VALUES ('${id}', '${org.org_id}', '${org.org_id}', 'inbound', ` +
    `'${status}', '+31201234567', ${lastEventAt}, ${endedAt ?? 'NULL'}, ${lastEventAt});`);

  // A usage row of 0 s now, with its day's totals (as the server writes
  // them), so the audit's comparison of totals and rows still holds.
  const insertUsage = (callId) => {
    const now = Date.now();
    const day = Math.floor(now / 86_400_000);
    sql(env, 'INSERT INTO usage (id, org_id, billed_org_id, call_id, duration_sec, created_at) ' +
      `VALUES ('${randomUUID()}', '${org.org_id}', '${org.org_id}', '${callId}', 0, ${now});`);
    sql(env, 'INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) ' +
      `VALUES ('${org.org_id}', 0, ${day}, 0, 1), ('${org.org_id}', 1, ${day}, 0, 1) ` +
      'ON CONFLICT (org_id, by_billed, day) DO UPDATE SET calls = usage_days.calls + 1;');
  };

  it('is ok with no calls', () => { assertAuditOk(env); });

  it('reports an ended call without a usage row and exits 1', () => {
    const id = randomUUID();
    insertCall(id, 'ended', Date.now() - 5000, Date.now() - 4000);
    const r = env.cli(['audit']);
    assert.equal(r.status, 1, `${r.status}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`unsettled: call ${id}`));
    assert.ok(!/^audit ok/m.test(r.stdout), r.stdout);
    insertUsage(id);
    assertAuditOk(env);
  });

  it('reports a call open past the limit, not one within it', () => {
    const old = randomUUID();
    const fresh = randomUUID();
    insertCall(old, 'in-progress', Date.now() - 3_600_000);
    insertCall(fresh, 'ringing', Date.now());
    const r = env.cli(['audit']);
    assert.equal(r.status, 1, `${r.status}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`stale: call ${old}`));
    assert.ok(!r.stdout.includes(fresh), r.stdout);
    sql(env, `UPDATE calls SET status='ended', ended_at=${Date.now()} WHERE id IN ('${old}','${fresh}');`);
    insertUsage(old);
    insertUsage(fresh);
    assertAuditOk(env);
  });

  it('refuses an unusable WLPORTAL_CALL_STALE_AFTER', () => {
    for (const bad of ['0', '-5', 'ten', '99999999999']) {
      const e = makeEnv({ WLPORTAL_CALL_STALE_AFTER: bad });
      try {
        const r = e.cli(['audit']);
        assert.equal(r.status, 2, `${bad}: ${r.status} ${r.stderr}`);
        assert.match(r.stderr, /WLPORTAL_CALL_STALE_AFTER/);
      } finally { e.removeDir(); }
    }
  });
});
