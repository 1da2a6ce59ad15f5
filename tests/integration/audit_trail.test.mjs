// audit_trail.test.mjs — the audit trail through the API: every settings
// change (its fields and new values, secrets only as "changed"), an
// allocation, API keys made and revoked, a domain claimed and removed, a
// client's limits — each with its actor (the API key) and address;
// GET /api/v1/audit-events paged, filtered by type and date; an agency
// sees its own and its clients' events, a client only its own, nobody
// another agency's. Both backends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, createOrg, startServer, utcDay, ISO_MS_RE } from './lib.mjs';

const SECRET = 'sk_test_' + 'a'.repeat(30);

test('changes made through the API are in the audit trail', async () => {
  const srv = await startServer();
  try {
    const agency = createOrg(srv, { minutes: 100 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 5 });
    const stranger = createOrg(srv, { minutes: 100 });
    const key = agency.api_key;
    const keyId = (await api(srv, 'GET', '/api/v1/api-keys', { key })).json.api_keys[0].id;

    let r = await api(srv, 'PUT', '/api/v1/whitelabel', { key,
      body: { company_name: 'Acme Voice', slug: 'acme-voice', stripe: { secret_key: SECRET } } });
    assert.equal(r.status, 200, r.text);
    r = await api(srv, 'POST', `/api/v1/whitelabel/users/${client.user_id}/allocations`, { key,
      headers: { 'Idempotency-Key': 'INV-7' }, body: { credits: 12, description: 'Invoice INV-7' } });
    assert.equal(r.status, 201, r.text);
    const made = await api(srv, 'POST', '/api/v1/api-keys', { key, body: { name: 'robot' } });
    assert.equal((await api(srv, 'DELETE', `/api/v1/api-keys/${made.json.id}`, { key })).status, 200);
    assert.equal((await api(srv, 'POST', '/api/v1/whitelabel/domain', { key, body: { domain: 'portal.acme.test' } })).status, 200);
    assert.equal((await api(srv, 'DELETE', '/api/v1/whitelabel/domain', { key })).status, 200);
    assert.equal((await api(srv, 'PUT', `/api/v1/clients/${client.org_id}/limits`,
      { key, body: { max_concurrent_calls: 2 } })).status, 200);
    // the client's own key
    const clientKey = await api(srv, 'POST', '/api/v1/api-keys', { key: client.api_key, body: { name: 'client bot' } });
    assert.equal(clientKey.status, 201);

    r = await api(srv, 'GET', '/api/v1/audit-events', { key });
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes(SECRET) && !r.text.includes(made.json.key), 'no secret in the trail');
    const types = r.json.audit_events.map((e) => e.type);
    assert.deepEqual(types, ['api_key.created', 'limits.changed', 'domain.removed', 'domain.claimed',
      'api_key.revoked', 'api_key.created', 'allocation.created', 'settings.changed'], 'newest first');
    const byType = (t) => r.json.audit_events.find((e) => e.type === t);
    const settings = byType('settings.changed');
    assert.deepEqual(settings.changes, { company_name: 'Acme Voice', slug: 'acme-voice', 'stripe.secret_key': 'changed' });
    assert.deepEqual(settings.actor, { type: 'api_key', id: keyId });
    assert.equal(settings.address, '127.0.0.1');
    assert.equal(settings.org_id, agency.org_id);
    assert.match(settings.created_at, ISO_MS_RE);
    const alloc = byType('allocation.created');
    assert.equal(alloc.org_id, client.org_id);
    assert.equal(alloc.changes.credits, 12);
    assert.equal(alloc.changes.description, 'Invoice INV-7');
    assert.equal(alloc.changes.user_id, client.user_id);
    assert.deepEqual(byType('limits.changed').changes, { max_concurrent_calls: 2 });
    assert.deepEqual(byType('domain.claimed').changes, { domain: 'portal.acme.test', status: 'pending' });
    assert.equal(byType('api_key.revoked').changes.name, 'robot');
    assert.equal(r.json.audit_events[0].org_id, client.org_id, "the client's key event is the agency's to see");

    // the same allocation again changes nothing and records nothing
    r = await api(srv, 'POST', `/api/v1/whitelabel/users/${client.user_id}/allocations`, { key,
      headers: { 'Idempotency-Key': 'INV-7' }, body: { credits: 12, description: 'Invoice INV-7' } });
    assert.equal(r.status, 200, r.text);
    // filters and paging
    r = await api(srv, 'GET', '/api/v1/audit-events?type=api_key.created', { key });
    assert.equal(r.json.audit_events.length, 2);
    r = await api(srv, 'GET', '/api/v1/audit-events?type=allocation.created', { key });
    assert.equal(r.json.audit_events.length, 1);
    r = await api(srv, 'GET', `/api/v1/audit-events?start_date=${utcDay()}&end_date=${utcDay()}&limit=3`, { key });
    assert.equal(r.json.audit_events.length, 3);
    assert.ok(r.json.next_cursor);
    const page2 = await api(srv, 'GET', `/api/v1/audit-events?limit=10&cursor=${encodeURIComponent(r.json.next_cursor)}`, { key });
    assert.equal(page2.json.audit_events.length, 5);
    assert.equal(page2.json.next_cursor, null);
    r = await api(srv, 'GET', '/api/v1/audit-events?end_date=2001-01-01', { key });
    assert.equal(r.json.audit_events.length, 0);
    assertError(await api(srv, 'GET', '/api/v1/audit-events?type=nonsense', { key }), 400, 'invalid_request');
    assertError(await api(srv, 'GET', '/api/v1/audit-events?start_date=yesterday', { key }), 400, 'invalid_request');

    // a client sees its own events only; another agency none of these
    r = await api(srv, 'GET', '/api/v1/audit-events', { key: client.api_key });
    assert.deepEqual(r.json.audit_events.map((e) => e.type), ['api_key.created', 'limits.changed', 'allocation.created']);
    r = await api(srv, 'GET', '/api/v1/audit-events', { key: stranger.api_key });
    assert.deepEqual(r.json.audit_events, []);
  } finally {
    await srv.stop();
  }
});
