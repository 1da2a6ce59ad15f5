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
  it('status-update and end-of-call-report: signed, with the call, the cost in the org\'s price, the engine\'s report', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const hook = await makeHook(srv, org.api_key, rcv.url, ['status-update', 'end-of-call-report']);
    const c = await inbound(srv, org.org_id, { from: '+4915112345678', to: '+31201234567' });
    await okEvent(srv, c.call_id, 'ringing', 0);
    await okEvent(srv, c.call_id, 'in-progress', 5);
    await okEvent(srv, c.call_id, 'in-progress', 20); // no status change: no event
    await okEvent(srv, c.call_id, 'ended', 60, {
      ended_reason: 'customer-ended-call', summary: 'They booked a table.',
      transcript: 'AI: Hello\nUser: A table for two', analysis: { success: true, score: 9 },
    });
    const mine = (d) => d.body.includes(c.call_id);
    const ups = await rcv.waitFor('status-update', 3, mine);
    const [report] = await rcv.waitFor('end-of-call-report', 1, mine);
    await sleep(300);
    // two senders may deliver them in any order: one event per status change
    const byStatus = {};
    for (const d of rcv.of('status-update', mine)) byStatus[checkSigned(d, hook.secret).message.status] = d;
    assert.deepEqual(Object.keys(byStatus).sort(), ['ended', 'in-progress', 'ringing']);
    assert.equal(ups.length, 3);
    const m = checkSigned(byStatus['in-progress'], hook.secret).message;
    assert.equal(m.type, 'status-update');
    assert.match(m.timestamp, ISO_MS_RE);
    assert.deepEqual({ id: m.call.id, type: m.call.type, status: m.call.status },
      { id: c.call_id, type: 'inbound_phone_call', status: 'in-progress' });
    assert.equal(m.customer.number, '+4915112345678');
    assert.equal(byStatus['in-progress'].headers['x-webhook-event'], 'status-update');
    const ended = checkSigned(byStatus.ended, hook.secret).message;
    assert.equal(ended.ended_reason, 'customer-ended-call');
    const r = checkSigned(report, hook.secret).message;
    assert.equal(r.type, 'end-of-call-report');
    assert.equal(r.call.id, c.call_id);
    assert.equal(r.call.status, 'ended');
    assert.equal(r.duration_seconds, 60);
    assert.equal(r.billed_seconds, 60);
    assert.equal(r.cost, 0.07, 'a parent pays the platform price: 1 minute at EUR 0.07');
    assert.equal(r.currency, 'EUR');
    assert.equal(r.ended_reason, 'customer-ended-call');
    assert.equal(r.summary, 'They booked a table.');
    assert.equal(r.transcript, 'AI: Hello\nUser: A table for two');
    assert.deepEqual(r.analysis, { success: true, score: 9 });
    // every delivery of one endpoint has its own id; the log lists them delivered
    assert.equal(new Set(rcv.of('status-update', mine).map((d) => d.headers['x-webhook-delivery-id'])).size, 3);
    const log = await api(srv, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`, { key: org.api_key });
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.deliveries.length, 4);
    for (const d of log.json.deliveries) {
      assert.equal(d.status, 'delivered', JSON.stringify(d));
      assert.equal(d.last_status_code, 200);
      assert.equal(d.attempts, 1);
      assert.equal(d.response, 'answer 200');
      assert.equal(d.next_attempt_at, null);
      assert.ok(Number.isInteger(d.last_duration_ms));
    }
    const times = log.json.deliveries.map((d) => Date.parse(d.created_at));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');
  });

  it('ended-with-error carries the error; bounded report fields', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const hook = await makeHook(srv, org.api_key, rcv.url, ['status-update']);
    const c = await inbound(srv, org.org_id);
    const big = await api(srv, 'POST', `/engine/v1/calls/${c.call_id}/events`, { key: srv.engineToken,
      body: { type: 'status-update', status: 'ended', elapsed_sec: 1, summary: 's'.repeat(16 * 1024 + 1) } });
    assertError(big, 400, 'invalid_request');
    assertError(await api(srv, 'POST', `/engine/v1/calls/${c.call_id}/events`, { key: srv.engineToken,
      body: { type: 'status-update', status: 'ended', elapsed_sec: 1, analysis: [1] } }), 400, 'invalid_request');
    await okEvent(srv, c.call_id, 'ended-with-error', 3, { error: 'pipeline-error-llm' });
    const [d] = await rcv.waitFor('status-update', 1, (x) => x.body.includes(c.call_id) && x.body.includes('ended-with-error'));
    const m = checkSigned(d, hook.secret).message;
    assert.equal(m.status, 'ended-with-error');
    assert.equal(m.error, 'pipeline-error-llm');
    assert.equal(m.call.status, 'ended');
  });

  it('a 5xx then a 2xx: delivered again with the same delivery id', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const hook = await makeHook(srv, org.api_key, rcv.url, ['status-update']);
    rcv.statuses.push(503);
    const c = await inbound(srv, org.org_id);
    const mine = (d) => d.body.includes(c.call_id);
    const got = await rcv.waitFor('status-update', 2, mine);
    assert.equal(got[0].status, 503);
    assert.equal(got[1].status, 200);
    assert.equal(got[0].headers['x-webhook-delivery-id'], got[1].headers['x-webhook-delivery-id']);
    assert.equal(got[0].headers['x-webhook-attempt'], '1');
    assert.equal(got[1].headers['x-webhook-attempt'], '2');
    assert.equal(got[0].body, got[1].body, 'the same body');
    checkSigned(got[1], hook.secret);
    assert.ok(got[1].at - got[0].at < 5000, 'the first retry comes within seconds');
    await sleep(300);
    assert.equal(rcv.of('status-update', mine).length, 2, 'not sent again once delivered');
    await okEvent(srv, c.call_id, 'ended', 0);
  });

  it('rotation: both signatures during the overlap; resend is the same delivery again', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const hook = await makeHook(srv, org.api_key, rcv.url, ['status-update']);
    const rot = await api(srv, 'POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { key: org.api_key });
    assert.equal(rot.status, 200, rot.text);
    assert.match(rot.json.secret, /^wlsec_/);
    assert.notEqual(rot.json.secret, hook.secret);
    const until = Date.parse(rot.json.previous_secret_valid_until);
    assert.ok(until > Date.now() + 23 * 3600e3 && until <= Date.now() + 24 * 3600e3 + 60e3, rot.text);
    const c = await inbound(srv, org.org_id);
    const [d] = await rcv.waitFor('status-update', 1, (x) => x.body.includes(c.call_id));
    assert.equal(signatures(d.headers['x-webhook-signature']).length, 2, d.headers['x-webhook-signature']);
    checkSigned(d, hook.secret);
    checkSigned(d, rot.json.secret);
    const id = d.headers['x-webhook-delivery-id'];
    const re = await api(srv, 'POST', `/api/v1/webhook-deliveries/${id}/resend`, { key: org.api_key });
    assert.equal(re.status, 202, re.text);
    assert.equal(re.json.id, id);
    assert.equal(re.json.status, 'pending');
    const again = await rcv.waitFor('status-update', 2, (x) => x.body.includes(c.call_id));
    assert.equal(again[1].headers['x-webhook-delivery-id'], id);
    assert.equal(again[1].headers['x-webhook-attempt'], '2');
    assertError(await api(srv, 'POST', `/api/v1/webhook-deliveries/${randomUUID()}/resend`, { key: org.api_key }), 404, 'not_found');
    await okEvent(srv, c.call_id, 'ended', 0);
  });

  it('receiver down: delivered after it comes back', async () => {
    const down = await startReceiver();
    const org = createOrg(srv, { minutes: 10 });
    const hook = await makeHook(srv, org.api_key, down.url, ['status-update']);
    await down.stop();
    const c = await inbound(srv, org.org_id);
    // wait until a failed attempt is on record
    for (let i = 0; ; i++) {
      const log = await api(srv, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`, { key: org.api_key });
      const d = log.json.deliveries[0];
      if (d && d.attempts >= 1 && d.status === 'pending' && d.last_error) {
        assert.equal(d.last_status_code, null);
        assert.match(d.next_attempt_at, ISO_MS_RE);
        break;
      }
      assert.ok(i < 200, `no failed attempt recorded: ${log.text}`);
      await sleep(50);
    }
    await down.start();
    const [d] = await down.waitFor('status-update', 1, (x) => x.body.includes(c.call_id));
    assert.ok(Number(d.headers['x-webhook-attempt']) >= 2);
    checkSigned(d, hook.secret);
    await down.stop();
    await okEvent(srv, c.call_id, 'ended', 0);
  });

  it('balance.low fires once per crossing under concurrent calls, re-arms above', async () => {
    const agency = createOrg(srv, { minutes: 100 });
    const client = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const hook = await makeHook(srv, client.api_key, rcv.url, ['balance.low']);
    assertError(await api(srv, 'PUT', '/api/v1/account/alerts', { key: client.api_key, body: { low_balance_minutes: 0 } }), 422, 'validation_failed');
    assertError(await api(srv, 'PUT', '/api/v1/account/alerts', { key: client.api_key, body: { other: 1 } }), 422, 'validation_failed');
    const set = await api(srv, 'PUT', '/api/v1/account/alerts', { key: client.api_key, body: { low_balance_minutes: 5 } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json, { low_balance_minutes: 5, minutes_balance: 10, balance_low: false });
    const mine = (d) => d.body.includes(client.org_id);
    // 8 calls at once, 60 s each: 10 → 2 minutes, crossing 5 once
    const calls = await Promise.all(Array.from({ length: 8 }, () => inbound(srv, client.org_id)));
    await Promise.all(calls.map((c) => okEvent(srv, c.call_id, 'in-progress', 60)));
    const [low] = await rcv.waitFor('balance.low', 1, mine);
    const m = checkSigned(low, hook.secret).message;
    assert.equal(m.type, 'balance.low');
    assert.equal(m.organization.id, client.org_id);
    assert.equal(m.threshold_minutes, 5);
    assert.ok(m.balance_minutes < 5 && m.balance_minutes >= 2, low.body);
    await Promise.all(calls.map((c) => okEvent(srv, c.call_id, 'ended', 60)));
    const g = await api(srv, 'GET', '/api/v1/account/alerts', { key: client.api_key });
    assert.equal(g.json.balance_low, true);
    await sleep(500);
    assert.equal(rcv.of('balance.low', mine).length, 1, 'one event for one crossing');
    // credits back above the threshold re-arm it; the next crossing fires again
    const users = await api(srv, 'GET', '/api/v1/whitelabel/users', { key: agency.api_key });
    assert.equal(users.status, 200, users.text);
    const alloc = sql(srv, `SELECT id FROM users WHERE org_id='${client.org_id}'`).trim();
    const a = await api(srv, 'POST', `/api/v1/whitelabel/users/${alloc}/allocations`, { key: agency.api_key, body: { credits: 10, description: 'top up' } });
    assert.equal(a.status, 201, a.text);
    await sleep(300);
    assert.equal(rcv.of('balance.low', mine).length, 1, 'a rise fires nothing');
    const more = await Promise.all(Array.from({ length: 4 }, () => inbound(srv, client.org_id)));
    await Promise.all(more.map((c) => okEvent(srv, c.call_id, 'ended', 120)));
    await rcv.waitFor('balance.low', 2, mine);
    await sleep(500);
    assert.equal(rcv.of('balance.low', mine).length, 2, 'one more for the second crossing');
    // the agency's own minutes have their own threshold
    const ag = await api(srv, 'PUT', '/api/v1/account/alerts', { key: agency.api_key, body: { low_balance_minutes: null } });
    assert.deepEqual(ag.json.low_balance_minutes, null);
  });
});
