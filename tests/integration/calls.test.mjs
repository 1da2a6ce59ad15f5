// The calls API: creating outbound calls, the 402 when there is nothing left
// to spend, reading one call, listing with paging, and isolation between orgs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, account, assertError, assertNamesField, okEvent,
  dbBalanceSeconds, assertAuditOk, UUID_RE, ISO_MS_RE, randomUUID,
} from './lib.mjs';

const INSUFFICIENT = {
  error: {
    code: 'insufficient_credits',
    message: 'Insufficient credits to make outbound call. Please add credits in your billing dashboard.',
  },
};

function outbound(srv, key, body = {}, headers = {}) {
  return api(srv, 'POST', '/api/v1/calls', { key, headers, body: { direction: 'outbound', to: '+31612345678', ...body } });
}

describe('calls API', { timeout: 120_000 }, () => {
  let srv, org, other;
  before(async () => {
    srv = await startServer();
    org = createOrg(srv, { minutes: 10 });
    other = createOrg(srv, { minutes: 10 });
  });
  after(async () => { await srv?.stop(); });

  it('POST /api/v1/calls creates a queued outbound call', async () => {
    const r = await outbound(srv, org.api_key, { agent_id: undefined });
    assert.equal(r.status, 201, r.text);
    const c = r.json;
    assert.match(c.id, UUID_RE);
    assert.match(c.created_at, ISO_MS_RE);
    assert.deepEqual({ ...c, id: 'X', created_at: 'T' }, {
      id: 'X', org_id: org.org_id, direction: 'outbound', type: 'outbound_phone_call', status: 'queued',
      from: null, to: '+31612345678', number_id: null, agent_id: null, elapsed_sec: 0, billed_seconds: 0,
      cut_off: false, ended_reason: null, created_at: 'T', ended_at: null,
    });
    const g = await api(srv, 'GET', `/api/v1/calls/${c.id}`, { key: org.api_key });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json, c);
    // Creating a call does not bill anything.
    assert.equal(dbBalanceSeconds(srv, org.org_id), 600);
  });

  it('E.164 boundaries for "to"', async () => {
    for (const to of ['+12345678', '+123456789012345']) {
      const r = await outbound(srv, org.api_key, { to });
      assert.equal(r.status, 201, `${to}: ${r.text}`);
      assert.equal(r.json.to, to);
    }
    for (const to of ['+1234567', '+1234567890123456', '31612345678', '+31 612345678', '+3161234567a', '', '+', '++31612345678', '+31612345678\n']) {
      assertNamesField(await outbound(srv, org.api_key, { to }), 'to', JSON.stringify(to));
    }
  });

  it('another org cannot read the call; unknown ids are 404', async () => {
    const r = await outbound(srv, org.api_key);
    assert.equal(r.status, 201);
    assertError(await api(srv, 'GET', `/api/v1/calls/${r.json.id}`, { key: other.api_key }), 404, 'not_found');
    assertError(await api(srv, 'GET', `/api/v1/calls/${randomUUID()}`, { key: org.api_key }), 404, 'not_found');
    const bad = await api(srv, 'GET', '/api/v1/calls/not-a-call-id', { key: org.api_key });
    assert.ok([400, 404].includes(bad.status), bad.text);
    const list = await api(srv, 'GET', '/api/v1/calls?limit=1000', { key: other.api_key });
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.json.calls.some((c) => c.id === r.json.id), 'other org must not list it');
  });

  it('listing is newest first and pages with a cursor', async () => {
    const o = createOrg(srv, { minutes: 1 });
    const made = [];
    for (let i = 0; i < 7; i++) {
      const r = await outbound(srv, o.api_key, { to: `+3161234567${i}` });
      assert.equal(r.status, 201, r.text);
      made.push(r.json.id);
    }
    const all = await api(srv, 'GET', '/api/v1/calls', { key: o.api_key });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(Object.keys(all.json).sort(), ['calls', 'next_cursor']);
    assert.equal(all.json.next_cursor, null);
    assert.equal(all.json.calls.length, 7);
    assert.deepEqual(new Set(all.json.calls.map((c) => c.id)), new Set(made));
    for (let i = 1; i < all.json.calls.length; i++) {
      assert.ok(all.json.calls[i - 1].created_at >= all.json.calls[i].created_at, 'newest first');
    }
    // Page through with limit=2: every call exactly once, same order.
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 10; page++) {
      const q = `/api/v1/calls?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await api(srv, 'GET', q, { key: o.api_key });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.calls.length <= 2);
      seen.push(...r.json.calls.map((c) => c.id));
      cursor = r.json.next_cursor;
      if (cursor === null) break;
      assert.equal(typeof cursor, 'string');
    }
    assert.equal(cursor, null, 'paging must end');
    assert.deepEqual(seen, all.json.calls.map((c) => c.id));
  });

  it('bad limit or cursor is 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=10abc',
      'limit=99999999999999999999999', 'cursor=%%%', 'cursor=not-a-cursor', 'cursor=' + 'A'.repeat(3000)]) {
      assertError(await api(srv, 'GET', `/api/v1/calls?${q}`, { key: org.api_key }), 400, 'invalid_request', q);
    }
    for (const q of ['limit=1', 'limit=1000']) {
      const r = await api(srv, 'GET', `/api/v1/calls?${q}`, { key: org.api_key });
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
  });

  it('402 when the org has no minutes', async () => {
    const poor = createOrg(srv, {});
    const r = await outbound(srv, poor.api_key);
    assert.equal(r.status, 402, r.text);
    assert.deepEqual(r.json, INSUFFICIENT);
  });

  it('402 for a child with no credits, or whose agency has no minutes', async () => {
    const agency = createOrg(srv, { minutes: 5 });
    const broke = createOrg(srv, { parent: agency.org_id });
    let r = await outbound(srv, broke.api_key);
    assert.equal(r.status, 402, r.text);
    assert.deepEqual(r.json, INSUFFICIENT);
    // Same through the switcher header.
    r = await outbound(srv, agency.api_key, {}, { 'X-Organization-Id': broke.org_id });
    assert.equal(r.status, 402, r.text);
    assert.deepEqual(r.json, INSUFFICIENT);

    const dryAgency = createOrg(srv, {});
    const rich = createOrg(srv, { parent: dryAgency.org_id, minutes: 100 });
    r = await outbound(srv, rich.api_key);
    assert.equal(r.status, 402, r.text);
    assert.deepEqual(r.json, INSUFFICIENT);
    assert.equal((await account(srv, rich.api_key)).minutes_balance, 100);

    const fine = createOrg(srv, { parent: agency.org_id, minutes: 1 });
    r = await outbound(srv, fine.api_key);
    assert.equal(r.status, 201, r.text);
  });

  it('outbound calls are billed by engine events, child and parent together', async () => {
    const agency = createOrg(srv, { minutes: 10 });
    const child = createOrg(srv, { parent: agency.org_id, minutes: 2 });
    const r = await outbound(srv, child.api_key);
    assert.equal(r.status, 201, r.text);
    const id = r.json.id;
    assert.equal((await okEvent(srv, id, 'ringing', 0)).billed_seconds, 0);
    assert.equal((await okEvent(srv, id, 'in-progress', 15)).billed_seconds, 15);
    const end = await okEvent(srv, id, 'ended', 30, { ended_reason: 'customer-ended-call' });
    assert.equal(end.billed_seconds, 30);
    assert.equal(end.continue, false);
    assert.equal(dbBalanceSeconds(srv, child.org_id), 90);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), 570);
    assert.equal((await account(srv, child.api_key)).minutes_balance, 1.5);
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 9.5);
    const g = await api(srv, 'GET', `/api/v1/calls/${id}`, { key: child.api_key });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.status, 'ended');
    assert.equal(g.json.billed_seconds, 30);
    assert.equal(g.json.elapsed_sec, 30);
    assert.equal(g.json.cut_off, false);
    assert.equal(g.json.ended_reason, 'customer-ended-call');
    assert.match(g.json.ended_at, ISO_MS_RE);
    // The parent reads the child's call through the switcher only.
    const viaSwitch = await api(srv, 'GET', `/api/v1/calls/${id}`,
      { key: agency.api_key, headers: { 'X-Organization-Id': child.org_id } });
    assert.equal(viaSwitch.status, 200, viaSwitch.text);
    assertAuditOk(srv);
  });
});
