// Writes of the whitelabel API that must hold under concurrency and retries:
// partial PUTs racing each other each keep their field (the merge with the
// stored package happens under the row lock), an Idempotency-Key reused
// with a different body is 409 conflict, and an allocation body with fields
// it does not know is 422 naming them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, assertError, assertAuditOk, dbBalanceSeconds,
} from './lib.mjs';

describe('whitelabel writes', { timeout: 180_000 }, () => {
  let srv, agency, client;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 100 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 1 });
  });
  after(async () => { await srv?.stop(); });

  const put = (body) => api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body });

  it('concurrent PUTs of different fields all survive', async () => {
    let r = await put({ package: { credits: 100, price_cents: 4000, currency: 'EUR' } });
    assert.equal(r.status, 200, r.text);
    for (let i = 1; i <= 25; i++) {
      const results = await Promise.all([
        put({ package: { credits: 100 + i } }),
        put({ package: { price_cents: 4000 + i } }),
        put({ package: { currency: i % 2 ? 'USD' : 'EUR' } }),
        put({ company_name: `Acme ${i}` }),
      ]);
      for (const x of results) assert.equal(x.status, 200, x.text);
      r = await api(srv, 'GET', '/api/v1/whitelabel', { key: agency.api_key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.package,
        { credits: 100 + i, price_cents: 4000 + i, currency: i % 2 ? 'USD' : 'EUR' }, `round ${i}`);
      assert.equal(r.json.company_name, `Acme ${i}`, `round ${i}`);
    }
  });

  it('a partial package is validated once merged with the stored one', async () => {
    const r = await put({ package: { price_cents: 10 } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields['package.price_cents'], r.text);
  });

  const allocate = (body, key) => api(srv, 'POST',
    `/api/v1/whitelabel/users/${client.user_id}/allocations`,
    { key: agency.api_key, body, headers: key ? { 'Idempotency-Key': key } : {} });

  it('the same Idempotency-Key and body again changes nothing (200)', async () => {
    const before = dbBalanceSeconds(srv, client.org_id);
    const first = await allocate({ credits: 5, description: 'invoice 1' }, 'idem-same-1');
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.applied, true);
    const again = await allocate({ credits: 5, description: 'invoice 1' }, 'idem-same-1');
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.applied, false);
    assert.equal(dbBalanceSeconds(srv, client.org_id), before + 300);
  });

  it('an Idempotency-Key reused with a different body is 409 conflict', async () => {
    const before = dbBalanceSeconds(srv, client.org_id);
    const first = await allocate({ credits: 7, description: 'invoice 2' }, 'idem-diff-1');
    assert.equal(first.status, 201, first.text);
    for (const body of [
      { credits: 70, description: 'invoice 2' },
      { credits: 7, description: 'invoice 2b' },
    ]) {
      const r = await allocate(body, 'idem-diff-1');
      assertError(r, 409, 'conflict');
      assert.match(r.json.error.message, /Idempotency-Key/);
    }
    // Another user with the same key is another request too.
    const other = createOrg(srv, { parent: agency.org_id, minutes: 1 });
    const r = await api(srv, 'POST', `/api/v1/whitelabel/users/${other.user_id}/allocations`,
      { key: agency.api_key, body: { credits: 7, description: 'invoice 2' }, headers: { 'Idempotency-Key': 'idem-diff-1' } });
    assertError(r, 409, 'conflict');
    assert.equal(dbBalanceSeconds(srv, client.org_id), before + 420);
    assert.equal(dbBalanceSeconds(srv, other.org_id), 60);
    // The original request still replays.
    const again = await allocate({ credits: 7, description: 'invoice 2' }, 'idem-diff-1');
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.credits, 7);
  });

  it('concurrent retries of one key with different bodies apply one of them', async () => {
    const before = dbBalanceSeconds(srv, client.org_id);
    const results = await Promise.all([1, 2, 3, 4].map((n) =>
      allocate({ credits: n, description: 'race' }, 'idem-race-1')));
    const applied = results.filter((r) => r.status === 201);
    assert.equal(applied.length, 1, results.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of results) if (r.status !== 201) assertError(r, 409, 'conflict');
    assert.equal(dbBalanceSeconds(srv, client.org_id), before + applied[0].json.credits * 60);
  });

  it('unknown fields in an allocation body are 422 naming them', async () => {
    const before = dbBalanceSeconds(srv, client.org_id);
    const r = await allocate({ credits: 3, description: 'x', amount: 300, note: 'y' });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields.amount, r.text);
    assert.ok(r.json.error.fields.note, r.text);
    assert.equal(dbBalanceSeconds(srv, client.org_id), before);
    assertAuditOk(srv);
  });
});
