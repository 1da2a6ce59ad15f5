// client_limits.test.mjs — the limits an agency sets on a client
// (GET/PUT /api/v1/clients/{org_id}/limits): only its own agency sees or
// sets them (anyone else: 404); past max_concurrent_calls an outbound call
// is 429 concurrency_limit and an inbound one is rejected with that reason,
// exactly under concurrency (20 calls at once, 3 allowed: exactly 3 made);
// past monthly_minutes (billed seconds this calendar month, UTC) 402
// monthly_limit_reached. Both backends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, assertError, completedCall, createOrg, engine, okEvent, secondInstance, startServer,
} from './lib.mjs';

const call = (srv, key) => api(srv, 'POST', '/api/v1/calls', { key, body: { to: '+31612345678' } });

test('limits: set and read by the client\'s own agency only', async () => {
  const srv = await startServer();
  try {
    const agency = createOrg(srv, { minutes: 100 });
    const other = createOrg(srv, { minutes: 100 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const path = `/api/v1/clients/${client.org_id}/limits`;
    let r = await api(srv, 'GET', path, { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { org_id: client.org_id, max_concurrent_calls: null, monthly_minutes: null });
    r = await api(srv, 'PUT', path, { key: agency.api_key, body: { max_concurrent_calls: 3, monthly_minutes: 500 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { org_id: client.org_id, max_concurrent_calls: 3, monthly_minutes: 500 });
    r = await api(srv, 'PUT', path, { key: agency.api_key, body: { monthly_minutes: null } });
    assert.deepEqual(r.json, { org_id: client.org_id, max_concurrent_calls: 3, monthly_minutes: null });
    assert.deepEqual((await api(srv, 'GET', path, { key: agency.api_key })).json, r.json);

    for (const [key, headers] of [[other.api_key, {}], [client.api_key, {}],
      [agency.api_key, { 'X-Organization-Id': client.org_id }]]) {
      assertError(await api(srv, 'GET', path, { key, headers }), 404, 'not_found');
      assertError(await api(srv, 'PUT', path, { key, headers, body: { max_concurrent_calls: 1 } }), 404, 'not_found');
    }
    assertError(await api(srv, 'GET', `/api/v1/clients/${agency.org_id}/limits`, { key: agency.api_key }), 404, 'not_found');
    r = await api(srv, 'PUT', path, { key: agency.api_key, body: { max_concurrent_calls: -1, burst: 2 } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields.max_concurrent_calls && r.json.error.fields.burst, r.text);
    assert.equal((await api(srv, 'GET', path, { key: agency.api_key })).json.max_concurrent_calls, 3);
  } finally {
    await srv.stop();
  }
});

test('max_concurrent_calls is exact: 20 calls at once, 3 allowed, 3 made; inbound rejected', async () => {
  const srv = await startServer();
  try {
    const agency = createOrg(srv, { minutes: 1000 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 1000 });
    const put = await api(srv, 'PUT', `/api/v1/clients/${client.org_id}/limits`,
      { key: agency.api_key, body: { max_concurrent_calls: 3 } });
    assert.equal(put.status, 200, put.text);
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(srv, client.api_key)));
    const made = answers.filter((r) => r.status === 201);
    assert.equal(made.length, 3, answers.map((r) => r.status).join(','));
    for (const r of answers.filter((x) => x.status !== 201)) assertError(r, 429, 'concurrency_limit');

    const rejected = await engine(srv, 'POST', '/engine/v1/calls/inbound',
      { org_id: client.org_id, from: '+4915112345678', to: '+31201234567' });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.action, 'reject');
    assert.equal(rejected.json.reason, 'concurrency_limit');

    // one ends: one more may start
    await okEvent(srv, made[0].json.id, 'ended', 0);
    assert.equal((await call(srv, client.api_key)).status, 201);
    assertError(await call(srv, client.api_key), 429, 'concurrency_limit');
    // the agency itself is not limited by its client's limit
    assert.equal((await call(srv, agency.api_key)).status, 201);
  } finally {
    await srv.stop();
  }
});

test('monthly_minutes: refused once this month\'s billed minutes reach it', async () => {
  const srv = await startServer();
  try {
    const agency = createOrg(srv, { minutes: 1000 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 1000 });
    const path = `/api/v1/clients/${client.org_id}/limits`;
    assert.equal((await api(srv, 'PUT', path, { key: agency.api_key, body: { monthly_minutes: 2 } })).status, 200);
    await completedCall(srv, client.org_id, 90); // 1.5 minutes: still under
    assert.equal((await call(srv, client.api_key)).status, 201);
    const c = (await call(srv, client.api_key)).json;
    await okEvent(srv, c.id, 'ended', 30); // 2 minutes billed this month
    assertError(await call(srv, client.api_key), 402, 'monthly_limit_reached');
    const inb = await engine(srv, 'POST', '/engine/v1/calls/inbound',
      { org_id: client.org_id, from: '+4915112345678', to: '+31201234567' });
    assert.equal(inb.json.action, 'reject');
    assert.equal(inb.json.reason, 'monthly_limit_reached');
    // raised: calls again
    assert.equal((await api(srv, 'PUT', path, { key: agency.api_key, body: { monthly_minutes: 3 } })).status, 200);
    assert.equal((await call(srv, client.api_key)).status, 201);
  } finally {
    await srv.stop();
  }
});

test('max_concurrent_calls holds across two instances on one database', async () => {
  const srv = await startServer();
  let other;
  try {
    const agency = createOrg(srv, { minutes: 1000 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 1000 });
    other = await secondInstance(srv);
    assert.equal((await api(srv, 'PUT', `/api/v1/clients/${client.org_id}/limits`,
      { key: agency.api_key, body: { max_concurrent_calls: 4 } })).status, 200);
    const answers = await Promise.all(Array.from({ length: 24 },
      (_, i) => call(i % 2 ? other : srv, client.api_key)));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 4, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 20, statuses.join(','));
  } finally {
    if (other) await other.kill();
    await srv.stop();
  }
});
