// The voice engine API: inbound calls (answer/reject), real-time metering by
// status-update events, cut-off at exactly zero, settlement on "ended", and
// idempotency of repeated or late events.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, engine, account, assertError, inbound, event, okEvent,
  dbBalanceSeconds, assertAuditOk, utcDay, UUID_RE, randomUUID,
} from './lib.mjs';

describe('engine API', { timeout: 120_000 }, () => {
  let srv, org;
  before(async () => {
    srv = await startServer();
    org = createOrg(srv, { minutes: 10 });
  });
  after(async () => { await srv?.stop(); });

  it('needs the engine token; an org key is 401', async () => {
    const body = { org_id: org.org_id, from: '+4915112345678', to: '+31201234567' };
    assertError(await api(srv, 'POST', '/engine/v1/calls/inbound', { body }), 401, 'unauthorized');
    assertError(await api(srv, 'POST', '/engine/v1/calls/inbound', { body, key: org.api_key }), 401, 'unauthorized');
    assertError(await api(srv, 'POST', '/engine/v1/calls/inbound', { body, key: srv.engineToken + 'x' }), 401, 'unauthorized');
    assertError(await api(srv, 'POST', '/engine/v1/calls/inbound', { body, key: srv.engineToken.slice(0, -1) }), 401, 'unauthorized');
    const c = await inbound(srv, org.org_id);
    assertError(await api(srv, 'POST', `/engine/v1/calls/${c.call_id}/events`,
      { key: org.api_key, body: { type: 'status-update', status: 'in-progress', elapsed_sec: 5 } }), 401, 'unauthorized');
    assert.equal(dbBalanceSeconds(srv, org.org_id), 600);
    await okEvent(srv, c.call_id, 'ended', 0);
  });

  it('inbound answers an org with minutes and creates a call row', async () => {
    const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', { org_id: org.org_id, from: 'anonymous', to: '+31201234567' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.call_id, UUID_RE);
    assert.equal(r.json.action, 'answer');
    assert.equal(r.json.reason, undefined);
    const g = await api(srv, 'GET', `/api/v1/calls/${r.json.call_id}`, { key: org.api_key });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.org_id, org.org_id);
    assert.equal(g.json.type, 'inbound_phone_call');
    assert.equal(g.json.to, '+31201234567');
    assert.equal(g.json.billed_seconds, 0);
    await okEvent(srv, r.json.call_id, 'ended', 0);
  });

  it('inbound rejects when minutes or credits are 0, logged as rejected', async () => {
    const poor = createOrg(srv, {});
    const agency = createOrg(srv, { minutes: 5 });
    const brokeChild = createOrg(srv, { parent: agency.org_id });
    const dry = createOrg(srv, {});
    const richChild = createOrg(srv, { parent: dry.org_id, minutes: 50 });
    for (const [o, label] of [[poor, 'agency without minutes'], [brokeChild, 'child without credits'], [richChild, 'child of a dry agency']]) {
      const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', { org_id: o.org_id, from: '+4915112345678', to: '+31201234567' });
      assert.equal(r.status, 200, `${label}: ${r.text}`);
      assert.match(r.json.call_id, UUID_RE);
      // The engine also learns whose call it is and what to say (the default
      // message: none of these agencies set one).
      assert.deepEqual({ ...r.json, call_id: 'X' }, {
        call_id: 'X', action: 'reject', reason: 'insufficient_credits', org_id: o.org_id, number_id: null, agent_id: null,
        message: 'Sorry, we cannot take your call right now. Please try again later.',
      }, label);
      const g = await api(srv, 'GET', `/api/v1/calls/${r.json.call_id}`, { key: o.api_key });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.status, 'rejected', label);
      assert.equal(g.json.billed_seconds, 0);
      // Events for a rejected call bill nothing.
      const e = await event(srv, r.json.call_id, 'in-progress', 30);
      if (e.status === 200) {
        assert.equal(e.json.continue, false);
        assert.equal(e.json.billed_seconds, 0);
      } else {
        assert.ok([400, 409].includes(e.status), e.text);
      }
    }
    assert.equal(dbBalanceSeconds(srv, richChild.org_id), 3000);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 300);
  });

  it('inbound: unknown org 404, a dialled number that is no platform number 404, unknown number 404', async () => {
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { org_id: randomUUID(), from: '+4915112345678', to: '+31201234567' }), 404, 'not_found');
    // Without org_id or number_id the dialled number ("to") must be one of the platform's.
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201234567' }), 404, 'not_found');
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { number_id: randomUUID(), from: '+4915112345678', to: '+31201234567' }), 404, 'not_found');
  });

  it('events bill the seconds since the last event, once', async () => {
    const o = createOrg(srv, { minutes: 10 });
    const c = await inbound(srv, o.org_id);
    let e = await okEvent(srv, c.call_id, 'ringing', 0);
    assert.deepEqual(e, { continue: true, billed_seconds: 0 });
    e = await okEvent(srv, c.call_id, 'in-progress', 10);
    assert.deepEqual(e, { continue: true, billed_seconds: 10 });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 590);
    // The same event again and a late smaller one bill nothing.
    e = await okEvent(srv, c.call_id, 'in-progress', 10);
    assert.deepEqual(e, { continue: true, billed_seconds: 10 });
    e = await okEvent(srv, c.call_id, 'in-progress', 4);
    assert.deepEqual(e, { continue: true, billed_seconds: 10 });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 590);
    e = await okEvent(srv, c.call_id, 'in-progress', 25);
    assert.deepEqual(e, { continue: true, billed_seconds: 25 });
    const g1 = await api(srv, 'GET', `/api/v1/calls/${c.call_id}`, { key: o.api_key });
    assert.equal(g1.json.status, 'in-progress');
    assert.equal(g1.json.billed_seconds, 25);
    e = await okEvent(srv, c.call_id, 'ended', 30, { ended_reason: 'customer-ended-call' });
    assert.deepEqual(e, { continue: false, billed_seconds: 30 });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 570);
    // After ended: nothing more is billed, continue is false.
    for (const [st, el] of [['in-progress', 100], ['ended', 100], ['ended', 30]]) {
      e = await okEvent(srv, c.call_id, st, el);
      assert.deepEqual(e, { continue: false, billed_seconds: 30 }, `${st}/${el} after ended`);
    }
    assert.equal(dbBalanceSeconds(srv, o.org_id), 570);
    const g = await api(srv, 'GET', `/api/v1/calls/${c.call_id}`, { key: o.api_key });
    assert.equal(g.json.status, 'ended');
    assert.equal(g.json.billed_seconds, 30);
    assert.equal(g.json.cut_off, false);
    assert.equal(g.json.ended_reason, 'customer-ended-call');
    // One usage row with the billed duration.
    const day = utcDay();
    const u = await api(srv, 'GET', `/api/v1/usage?start_date=${day}&end_date=${day}`, { key: o.api_key });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.usage.length, 1, u.text);
    assert.equal(u.json.usage[0].duration_sec, 30);
    assert.equal(u.json.usage[0].number_id, null);
    assert.equal(u.json.summary.total_seconds, 30);
    assertAuditOk(srv);
  });

  it('the same event fired concurrently bills once', async () => {
    const o = createOrg(srv, { minutes: 10 });
    const c = await inbound(srv, o.org_id);
    const rs = await Promise.all(Array.from({ length: 24 }, () => event(srv, c.call_id, 'in-progress', 20)));
    for (const r of rs) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.billed_seconds, 20);
    }
    assert.equal(dbBalanceSeconds(srv, o.org_id), 580);
    // Interleaved increasing values: the call ends up billed for the maximum.
    const mixed = await Promise.all([25, 40, 30, 35, 40, 21].map((s) => event(srv, c.call_id, 'in-progress', s)));
    for (const r of mixed) assert.equal(r.status, 200, r.text);
    assert.equal(dbBalanceSeconds(srv, o.org_id), 560);
    const end = await okEvent(srv, c.call_id, 'ended', 40);
    assert.equal(end.billed_seconds, 40);
    assertAuditOk(srv);
  });

  it('cut-off: bills exactly what is left, then nothing', async () => {
    const o = createOrg(srv, { minutes: 1 });
    const c = await inbound(srv, o.org_id);
    let e = await okEvent(srv, c.call_id, 'in-progress', 45);
    assert.deepEqual(e, { continue: true, billed_seconds: 45 });
    e = await okEvent(srv, c.call_id, 'in-progress', 100);
    assert.deepEqual(e, { continue: false, billed_seconds: 60 });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 0);
    e = await okEvent(srv, c.call_id, 'in-progress', 200);
    assert.deepEqual(e, { continue: false, billed_seconds: 60 });
    // More minutes arrive, but the cut-off call stays cut off.
    assert.equal(srv.cli(['admin', 'grant-minutes', '--org', o.org_id, '--minutes', '1', '--reference', 'topup-1']).status, 0);
    e = await okEvent(srv, c.call_id, 'in-progress', 250);
    assert.deepEqual(e, { continue: false, billed_seconds: 60 });
    e = await okEvent(srv, c.call_id, 'ended', 260, { ended_reason: 'exceeded-credits' });
    assert.deepEqual(e, { continue: false, billed_seconds: 60 });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 60);
    const g = await api(srv, 'GET', `/api/v1/calls/${c.call_id}`, { key: o.api_key });
    assert.equal(g.json.status, 'ended');
    assert.equal(g.json.billed_seconds, 60);
    assert.equal(g.json.cut_off, true);
    const day = utcDay();
    const u = await api(srv, 'GET', `/api/v1/usage?start_date=${day}&end_date=${day}`, { key: o.api_key });
    assert.deepEqual(u.json.usage.map((x) => x.duration_sec), [60]);
    assertAuditOk(srv);
  });

  it('a child call debits child credits and parent minutes by the same amount', async () => {
    const agency = createOrg(srv, { minutes: 10 });
    const child = createOrg(srv, { parent: agency.org_id, minutes: 2 });
    const c = await inbound(srv, child.org_id);
    assert.equal(c.action, 'answer');
    await okEvent(srv, c.call_id, 'in-progress', 30);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 90);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 570);
    // Credits run out first: cut at 120 s in total.
    const e = await okEvent(srv, c.call_id, 'in-progress', 500);
    assert.deepEqual(e, { continue: false, billed_seconds: 120 });
    await okEvent(srv, c.call_id, 'ended', 500);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 0);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 480);
    assert.equal((await account(srv, child.api_key)).minutes_balance, 0);
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 8);
    assertAuditOk(srv);
  });

  it("the agency's minutes can cut a child's call too", async () => {
    const agency = createOrg(srv, { minutes: 1 });
    const child = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const c = await inbound(srv, child.org_id);
    const e = await okEvent(srv, c.call_id, 'in-progress', 100);
    assert.deepEqual(e, { continue: false, billed_seconds: 60 });
    await okEvent(srv, c.call_id, 'ended', 100);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 0);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 540);
    assert.equal((await account(srv, child.api_key)).minutes_balance, 9);
    assertAuditOk(srv);
  });

  it('a huge elapsed_sec either is refused or bills exactly what is left', async () => {
    const o = createOrg(srv, { minutes: 1 });
    const c = await inbound(srv, o.org_id);
    for (const big of ['4611686018427387904', '9223372036854775807']) {
      const r = await engine(srv, 'POST', `/engine/v1/calls/${c.call_id}/events`, undefined, {
        rawBody: `{"type":"status-update","status":"in-progress","elapsed_sec":${big}}`,
      });
      if (r.status === 200) {
        assert.equal(r.json.continue, false, r.text);
        assert.equal(r.json.billed_seconds, 60, r.text);
      } else {
        assertError(r, 400, 'invalid_request', big);
      }
      const bal = dbBalanceSeconds(srv, o.org_id);
      assert.ok(bal === 0 || bal === 60, `balance ${bal}`);
    }
    await okEvent(srv, c.call_id, 'ended', 60);
    assertAuditOk(srv);
  });

  it('bad events are 400, unknown calls 404, and bill nothing', async () => {
    const o = createOrg(srv, { minutes: 10 });
    const c = await inbound(srv, o.org_id);
    await okEvent(srv, c.call_id, 'in-progress', 5);
    const bad = [
      { type: 'nope', status: 'in-progress', elapsed_sec: 9 },
      { status: 'in-progress', elapsed_sec: 9 },
      { type: 'status-update', status: 'dancing', elapsed_sec: 9 },
      { type: 'status-update', elapsed_sec: 9 },
      { type: 'status-update', status: 'in-progress', elapsed_sec: -1 },
      { type: 'status-update', status: 'in-progress', elapsed_sec: 9.5 },
      { type: 'status-update', status: 'in-progress', elapsed_sec: '9' },
      { type: 'status-update', status: 'in-progress', elapsed_sec: null },
      { type: 'status-update', status: 'in-progress', elapsed_sec: true },
      { type: 'status-update', status: 'in-progress', elapsed_sec: [9] },
      { type: 'status-update', status: 7, elapsed_sec: 9 },
      { type: 'status-update', status: 'in-progress', elapsed_sec: 1e300 },
    ];
    for (const b of bad) {
      assertError(await engine(srv, 'POST', `/engine/v1/calls/${c.call_id}/events`, b), 400, 'invalid_request', JSON.stringify(b));
    }
    assertError(await engine(srv, 'POST', `/engine/v1/calls/${randomUUID()}/events`,
      { type: 'status-update', status: 'in-progress', elapsed_sec: 9 }), 404, 'not_found');
    assert.equal(dbBalanceSeconds(srv, o.org_id), 595);
    const g = await api(srv, 'GET', `/api/v1/calls/${c.call_id}`, { key: o.api_key });
    assert.equal(g.json.billed_seconds, 5);
    await okEvent(srv, c.call_id, 'ended', 5);
    assertAuditOk(srv);
  });
});
