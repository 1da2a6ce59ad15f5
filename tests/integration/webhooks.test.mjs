// Outbound webhooks: endpoints per org (secret shown once, rotation with an
// overlap, validation, tenant isolation), the durable outbox delivered by
// the server's senders to a receiver on loopback (signature and payload of
// status-update, end-of-call-report and balance.low; retries with the same
// delivery id; a receiver that is down; a server killed with deliveries
// pending), the SSRF guard, the delivery log and resend.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  startServer, createOrg, api, inbound, okEvent, assertError, sql, freePort, request, BIN,
  UUID_RE, ISO_MS_RE, randomUUID,
} from './lib.mjs';
import { startReceiver, verify, signatures, sleep } from './webhook_receiver.mjs';

const FAST = { WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1', WLPORTAL_WEBHOOK_RETRY_BASE_MS: '200' };

async function makeHook(srv, key, url, events, headers = {}) {
  const r = await api(srv, 'POST', '/api/v1/webhooks', { key, headers, body: { url, events, description: 'test' } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

function checkSigned(d, secret) {
  const ts = d.headers['x-webhook-timestamp'];
  assert.match(ts, /^\d+$/);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 120, 'timestamp is now');
  assert.ok(verify(secret, ts, d.body, d.headers['x-webhook-signature']),
    `signature ${d.headers['x-webhook-signature']} verifies`);
  assert.match(d.headers['x-webhook-delivery-id'], UUID_RE);
  assert.match(d.headers['x-webhook-attempt'], /^\d+$/);
  assert.equal(d.headers['content-type'], 'application/json');
  return JSON.parse(d.body);
}

describe('webhooks', { timeout: 180_000 }, () => {
  let srv, rcv;
  before(async () => {
    rcv = await startReceiver();
    srv = await startServer({ env: FAST });
  });
  after(async () => { await srv?.stop(); await rcv?.stop(); });

  it('endpoints: secret once, validation, list, get, patch, delete', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const created = await makeHook(srv, org.api_key, rcv.url, ['status-update', 'status-update']);
    assert.match(created.id, UUID_RE);
    assert.match(created.secret, /^wlsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(created.events, ['status-update']);
    assert.equal(created.previous_secret_valid_until, null);
    const got = await api(srv, 'GET', `/api/v1/webhooks/${created.id}`, { key: org.api_key });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.secret, undefined, 'the secret is never shown again');
    assert.ok(!got.text.includes(created.secret));
    const list = await api(srv, 'GET', '/api/v1/webhooks', { key: org.api_key });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.webhooks.map((w) => w.id), [created.id]);
    assert.ok(!list.text.includes(created.secret));
    // stored sealed, never in clear
    assert.ok(!sql(srv, 'SELECT secret_sealed FROM webhook_endpoints').includes(created.secret));

    for (const [body, field] of [
      [{ url: 'ftp://example.com/x', events: ['status-update'] }, 'url'],
      [{ url: 'http://', events: ['status-update'] }, 'url'],
      [{ url: 'https://u:p@example.com/', events: ['status-update'] }, 'url'],
      [{ url: 'https://example.com/' + 'a'.repeat(2048), events: ['status-update'] }, 'url'],
      [{ url: 'https://example.com/', events: ['nope'] }, 'events'],
      [{ url: 'https://example.com/', events: [] }, 'events'],
      [{ url: 'https://example.com/', events: 'status-update' }, 'events'],
      [{ url: 'https://example.com/', events: ['status-update'], description: 'd'.repeat(257) }, 'description'],
      [{ url: 'https://example.com/', events: ['status-update'], secret: 'x' }, 'secret'],
    ]) {
      const r = await api(srv, 'POST', '/api/v1/webhooks', { key: org.api_key, body });
      const e = assertError(r, 422, 'validation_failed', JSON.stringify(body).slice(0, 80));
      assert.ok(e.fields && e.fields[field], `names ${field}: ${r.text}`);
    }
    const p = await api(srv, 'PATCH', `/api/v1/webhooks/${created.id}`,
      { key: org.api_key, body: { events: ['end-of-call-report', 'balance.low'], description: 'changed' } });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.json.events, ['end-of-call-report', 'balance.low']);
    assert.equal(p.json.url, rcv.url);
    assert.equal(p.json.description, 'changed');
    assertError(await api(srv, 'PATCH', `/api/v1/webhooks/${created.id}`, { key: org.api_key, body: { url: 'javascript:x' } }), 422, 'validation_failed');
    const d = await api(srv, 'DELETE', `/api/v1/webhooks/${created.id}`, { key: org.api_key });
    assert.equal(d.status, 200, d.text);
    assertError(await api(srv, 'GET', `/api/v1/webhooks/${created.id}`, { key: org.api_key }), 404, 'not_found');
    assertError(await api(srv, 'GET', '/api/v1/webhooks/not-a-uuid', { key: org.api_key }), 404, 'not_found');
  });

  it('tenant isolation on every route', async () => {
    const agency = createOrg(srv, { minutes: 10 });
    const a = createOrg(srv, { parent: agency.org_id, minutes: 5 });
    const b = createOrg(srv, { parent: agency.org_id, minutes: 5 });
    const stranger = createOrg(srv, { minutes: 5 });
    const hook = await makeHook(srv, a.api_key, rcv.url, ['status-update']);
    const call = await inbound(srv, a.org_id);
    const log = await rcv.waitFor('status-update', 1, (d) => d.body.includes(call.call_id));
    const deliveryId = log[0].headers['x-webhook-delivery-id'];
    const asParent = { 'X-Organization-Id': a.org_id };
    const routes = [
      ['GET', `/api/v1/webhooks/${hook.id}`],
      ['PATCH', `/api/v1/webhooks/${hook.id}`, { description: 'x' }],
      ['POST', `/api/v1/webhooks/${hook.id}/rotate-secret`],
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
      ['POST', `/api/v1/webhook-deliveries/${deliveryId}/resend`],
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
    ];
    for (const [method, path, body] of routes) {
      for (const [who, key, headers] of [['sibling', b.api_key, {}], ['stranger', stranger.api_key, {}],
        ['parent without X-Organization-Id', agency.api_key, {}]]) {
        assertError(await api(srv, method, path, { key, body, headers }), 404, 'not_found', `${who} ${method} ${path}`);
      }
      assertError(await api(srv, method, path, { key: stranger.api_key, body, headers: asParent }), 403, null, `stranger acting on a ${method} ${path}`);
    }
    for (const [who, key] of [['sibling', b.api_key], ['parent', agency.api_key]]) {
      const l = await api(srv, 'GET', '/api/v1/webhooks', { key });
      assert.equal(l.status, 200);
      assert.deepEqual(l.json.webhooks, [], `${who} lists none of a's endpoints`);
    }
    // the parent reaches its client's endpoint only through X-Organization-Id
    const g = await api(srv, 'GET', `/api/v1/webhooks/${hook.id}`, { key: agency.api_key, headers: asParent });
    assert.equal(g.status, 200, g.text);
    const dl = await api(srv, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`, { key: agency.api_key, headers: asParent });
    assert.equal(dl.status, 200, dl.text);
    assert.ok(dl.json.deliveries.some((x) => x.id === deliveryId));
    const made = await makeHook(srv, agency.api_key, rcv.url, ['balance.low'], asParent);
    assert.equal(made.org_id, a.org_id);
    // a client cannot act on its parent or sibling
    assertError(await api(srv, 'GET', '/api/v1/webhooks', { key: a.api_key, headers: { 'X-Organization-Id': b.org_id } }), 403, null);
    await okEvent(srv, call.call_id, 'ended', 0);
  });
});
