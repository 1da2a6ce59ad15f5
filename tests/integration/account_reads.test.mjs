// GET /api/v1/account under many requests at once, with keys of several
// orgs, repeated keys, unknown and revoked keys, and keys acting on a
// client (X-Organization-Id): every answer is its own key's. On PostgreSQL
// the account reads of a moment share one lookup statement
// (src/http/keybatch.c), counted in /metrics; on SQLite a connection answers
// an unchanged database from memory (src/store/keycache.c). Either way a
// debit or a revocation is seen by the very next read. Runs on both backends.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, assertError, assertAuditOk, completedCall, inbound, okEvent,
  metric, BACKEND,
} from './lib.mjs';

describe('account reads at once', { timeout: 180_000 }, () => {
  let srv, agency, a, b, gone;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 1000 });
    a = createOrg(srv, { parent: agency.org_id, minutes: 100 });
    b = createOrg(srv, { parent: agency.org_id, minutes: 50 });
    await completedCall(srv, b.org_id, 90); // b: 1.5 minutes this month
    const made = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: 'gone' } });
    assert.equal(made.status, 201, made.text);
    gone = made.json;
    assert.equal((await api(srv, 'GET', '/api/v1/account', { key: gone.key })).status, 200);
    const del = await api(srv, 'DELETE', `/api/v1/api-keys/${gone.id}`, { key: a.api_key });
    assert.ok(del.status === 200 || del.status === 204, del.text);
  });
  after(async () => { await srv?.stop(); });

  it('answers each request with its own key\'s org', async () => {
    const url = await srv.metricsUrl();
    const batches0 = await metric(url, 'wlportal_account_lookup_batches_total');
    const batched0 = await metric(url, 'wlportal_account_lookups_batched_total');
    const asks = [];
    for (let i = 0; i < 80; i++) asks.push({ kind: 'a', key: a.api_key });
    for (let i = 0; i < 60; i++) asks.push({ kind: 'b', key: b.api_key });
    for (let i = 0; i < 20; i++) asks.push({ kind: 'unknown', key: `${a.api_key.slice(0, -6)}zzzzzz` });
    for (let i = 0; i < 20; i++) asks.push({ kind: 'revoked', key: gone.key });
    for (let i = 0; i < 10; i++) asks.push({ kind: 'malformed', key: 'not-a-key' });
    for (let i = 0; i < 10; i++) {
      asks.push({ kind: 'acting', key: agency.api_key, headers: { 'X-Organization-Id': b.org_id } });
    }
    // shuffled, so every batch mixes them
    for (let i = asks.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [asks[i], asks[j]] = [asks[j], asks[i]];
    }
    const answers = await Promise.all(asks.map((q) =>
      api(srv, 'GET', '/api/v1/account', { key: q.key, headers: q.headers || {} })));
    answers.forEach((r, i) => {
      const q = asks[i];
      if (q.kind === 'a') {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, a.org_id);
        assert.equal(r.json.minutes_balance, 100);
        assert.equal(r.json.monthly_usage_minutes, 0);
      } else if (q.kind === 'b' || q.kind === 'acting') {
        assert.equal(r.status, 200, `${q.kind}: ${r.text}`);
        assert.equal(r.json.id, b.org_id);
        assert.equal(r.json.minutes_balance, 48.5);
        assert.equal(r.json.monthly_usage_minutes, 1.5);
      } else {
        assertError(r, 401, 'unauthorized', q.kind);
      }
    });
    const batches = await metric(url, 'wlportal_account_lookup_batches_total') - batches0;
    const batched = await metric(url, 'wlportal_account_lookups_batched_total') - batched0;
    if (BACKEND === 'postgres') {
      // every read of its own org with a bearer token went through a batch
      // (not the acting ones, nor those without a key), and 200 at once
      // cannot each have had a statement of their own
      assert.equal(batched, 190, `${batched} lookups batched`);
      assert.ok(batches < batched, `${batches} statements for ${batched} lookups`);
    } else {
      assert.equal(batches, 0);
      assert.equal(batched, 0);
    }
  });

  it('sees a debit and a revocation at the very next read', async () => {
    const before = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
    assert.equal(before.json.minutes_balance, 100);
    const c = await inbound(srv, a.org_id);
    await okEvent(srv, c.call_id, 'in-progress', 30);
    const after = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
    assert.equal(after.json.minutes_balance, 99.5, after.text);

    const made = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: 'short' } });
    assert.equal(made.status, 201, made.text);
    for (let i = 0; i < 3; i++) {
      assert.equal((await api(srv, 'GET', '/api/v1/account', { key: made.json.key })).status, 200);
    }
    const del = await api(srv, 'DELETE', `/api/v1/api-keys/${made.json.id}`, { key: a.api_key });
    assert.ok(del.status === 200 || del.status === 204, del.text);
    assertError(await api(srv, 'GET', '/api/v1/account', { key: made.json.key }), 401, 'unauthorized');
    assertAuditOk(srv);
  });
});
