// The engine's synchronous webhook calls: POST /engine/v1/assistant-request
// and POST /engine/v1/calls/{id}/tool-calls ask the org's webhook (signed,
// through the SSRF guard) and return its answer in one shape, whatever form
// it took; a slow webhook (time-out), an error or no webhook gives the
// default; slow waits hold no server thread (/healthz and the API answer
// quickly while 20 are in flight) and are bounded (503 past
// WLPORTAL_WEBHOOK_SYNC_MAX).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, createOrg, api, engine, inbound, assertError, randomUUID } from './lib.mjs';
import { verify, sleep } from './webhook_receiver.mjs';

const TIMEOUT_MS = 2500;
const ENV = {
  WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1',
  WLPORTAL_WEBHOOK_SYNC_TIMEOUT_MS: String(TIMEOUT_MS),
  WLPORTAL_WEBHOOK_SYNC_MAX: '20',
};

// A receiver whose answer each test chooses per path: answer(req, body)
// returns { status, body, delayMs } or a promise of it.
async function startAnswerer() {
  const a = {
    routes: new Map(),
    seen: [],
    server: null,
    url(path) { return `http://127.0.0.1:${a.server.address().port}/${path}`; },
  };
  a.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url.slice(1);
      a.seen.push({ path, headers: req.headers, body });
      const fn = a.routes.get(path) || (() => ({ status: 404, body: 'no route' }));
      const out = await fn(req, body);
      if (out.delayMs) await sleep(out.delayMs);
      res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
    });
  });
  await new Promise((resolve) => a.server.listen(0, '127.0.0.1', resolve));
  return a;
}

describe('synchronous webhooks (assistant-request, tool-calls)', { timeout: 120_000 }, () => {
  let srv, rcv;
  before(async () => {
    rcv = await startAnswerer();
    srv = await startServer({ env: ENV });
  });
  after(async () => {
    await srv?.stop();
    rcv?.server.closeAllConnections?.();
    await new Promise((r) => rcv?.server.close(r) ?? r());
  });

  // An org with one endpoint at /path subscribed to both events, and a call.
  async function setup(path, events = ['assistant-request', 'tool-calls']) {
    const org = createOrg(srv, { minutes: 10 });
    let secret = null;
    if (path) {
      const r = await api(srv, 'POST', '/api/v1/webhooks',
        { key: org.api_key, body: { url: rcv.url(path), events } });
      assert.equal(r.status, 201, r.text);
      secret = r.json.secret;
    }
    const call = await inbound(srv, org.org_id);
    return { org, secret, callId: call.call_id };
  }
  const assistant = (callId) => engine(srv, 'POST', '/engine/v1/assistant-request', { call_id: callId });
  const tools = (callId, list) => engine(srv, 'POST', `/engine/v1/calls/${callId}/tool-calls`,
    { tool_call_list: list });
  const TC = [
    { id: 'tc1', type: 'function', function: { name: 'lookup', arguments: { order: 42 } } },
    { id: 'tc2', type: 'function', function: { name: 'weather', arguments: '{"city":"Utrecht"}' } },
  ];

  it('assistant-request: signed body, and each answer form normalised', async () => {
    const forms = [
      [{}, { action: 'answer', assistant: null, max_duration_seconds: null, source: 'webhook' }],
      [{ assistant: { name: 'Ada', first_message: 'Hi' } },
        { action: 'answer', assistant: { name: 'Ada', first_message: 'Hi' }, max_duration_seconds: null, source: 'webhook' }],
      [{ max_duration_seconds: 120 }, { action: 'answer', assistant: null, max_duration_seconds: 120, source: 'webhook' }],
      [{ error: 'We are closed today' },
        { action: 'reject', reason: 'webhook_rejected', message: 'We are closed today', source: 'webhook' }],
    ];
    for (const [i, [answer, want]] of forms.entries()) {
      const path = `assistant-${i}-${randomUUID()}`;
      rcv.routes.set(path, () => ({ body: answer }));
      const { secret, callId } = await setup(path);
      const r = await assistant(callId);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { call_id: callId, ...want }, `form ${JSON.stringify(answer)}`);
      const got = rcv.seen.filter((s) => s.path === path);
      assert.equal(got.length, 1);
      const h = got[0].headers;
      assert.equal(h['x-webhook-event'], 'assistant-request');
      assert.ok(verify(secret, h['x-webhook-timestamp'], got[0].body, h['x-webhook-signature']), 'signed');
      const msg = JSON.parse(got[0].body).message;
      assert.equal(msg.type, 'assistant-request');
      assert.equal(msg.call.id, callId);
      assert.equal(msg.call.type, 'inbound_phone_call');
      assert.equal(msg.customer.number, '+4915112345678');
    }
  });

  it('assistant-request: no webhook, an error status, a non-JSON answer, a slow answer → the default agent', async () => {
    const none = await setup(null);
    let r = await assistant(none.callId);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.action, 'answer');
    assert.equal(r.json.source, 'default');
    assert.equal(r.json.assistant, null);
    assert.match(r.json.fallback_reason, /no webhook/);

    // an endpoint subscribed only to other events is not asked
    const other = `other-${randomUUID()}`;
    rcv.routes.set(other, () => ({ body: { assistant: { name: 'x' } } }));
    const o = await setup(other, ['status-update']);
    r = await assistant(o.callId);
    assert.equal(r.json.source, 'default', r.text);
    // (its call's status-update may reach it meanwhile: it is subscribed to those)
    assert.equal(rcv.seen.filter((s) => s.path === other &&
      s.headers['x-webhook-event'] === 'assistant-request').length, 0);

    for (const [name, answer, reason] of [
      ['e500', { status: 500, body: { error: 'boom' } }, /HTTP 500/],
      ['text', { status: 200, body: 'hello' }, /not a JSON object/],
      ['badmax', { status: 200, body: { max_duration_seconds: -3 } }, /max_duration_seconds/],
    ]) {
      const path = `${name}-${randomUUID()}`;
      rcv.routes.set(path, () => answer);
      const { callId } = await setup(path);
      r = await assistant(callId);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.action, 'answer', r.text);
      assert.equal(r.json.source, 'default', r.text);
      assert.match(r.json.fallback_reason, reason);
    }

    const slow = `slow-${randomUUID()}`;
    rcv.routes.set(slow, () => ({ body: { error: 'too late to matter' }, delayMs: TIMEOUT_MS + 2000 }));
    const s = await setup(slow);
    const t0 = Date.now();
    r = await assistant(s.callId);
    const took = Date.now() - t0;
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.action, 'answer', 'the late rejection is not taken');
    assert.equal(r.json.source, 'default');
    assert.match(r.json.fallback_reason, /in time/);
    assert.ok(took >= TIMEOUT_MS - 100 && took < TIMEOUT_MS + 1500, `answered after the time-out (${took} ms)`);
    // logged, without the secret or the URL
    const line = srv.stderr.split('\n').find((l) => l.includes(`assistant-request for call ${s.callId}`));
    assert.ok(line, `a log line: ${srv.stderr.slice(-2000)}`);
    assert.match(line, /default agent/);
    assert.ok(!line.includes(s.secret) && !line.includes(slow), line);
  });

  it('assistant-request: unknown call 404, bad input 400', async () => {
    assertError(await assistant(randomUUID()), 404, 'not_found');
    assertError(await engine(srv, 'POST', '/engine/v1/assistant-request', {}), 400, 'invalid_request');
    const r = await api(srv, 'POST', '/engine/v1/assistant-request', { key: 'nope', body: { call_id: randomUUID() } });
    assert.equal(r.status, 401);
  });

  it('tool-calls: each answer form gives one result per tool call', async () => {
    const forms = [
      [{ results: [{ tool_call_id: 'tc2', result: 'sunny' }, { tool_call_id: 'tc1', result: { status: 'shipped' } }] },
        [{ tool_call_id: 'tc1', result: { status: 'shipped' } }, { tool_call_id: 'tc2', result: 'sunny' }]],
      [{ results: [{ tool_call_id: 'tc1', result: 'ok' }] },
        [{ tool_call_id: 'tc1', result: 'ok' }, { tool_call_id: 'tc2', error: 'the tool\'s webhook gave no result for this call' }]],
      [{ result: 'done' }, [{ tool_call_id: 'tc1', result: 'done' }, { tool_call_id: 'tc2', result: 'done' }]],
      [{ temperature: 21 }, [{ tool_call_id: 'tc1', result: { temperature: 21 } }, { tool_call_id: 'tc2', result: { temperature: 21 } }]],
      [{ error: 'order service down' },
        [{ tool_call_id: 'tc1', error: 'order service down' }, { tool_call_id: 'tc2', error: 'order service down' }]],
    ];
    for (const [i, [answer, want]] of forms.entries()) {
      const path = `tools-${i}-${randomUUID()}`;
      rcv.routes.set(path, () => ({ body: answer }));
      const { secret, callId } = await setup(path);
      const r = await tools(callId, TC);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { call_id: callId, results: want, source: 'webhook' }, JSON.stringify(answer));
      const got = rcv.seen.find((s) => s.path === path);
      assert.equal(got.headers['x-webhook-event'], 'tool-calls');
      assert.ok(verify(secret, got.headers['x-webhook-timestamp'], got.body, got.headers['x-webhook-signature']));
      const msg = JSON.parse(got.body).message;
      assert.equal(msg.type, 'tool-calls');
      assert.deepEqual(msg.tool_call_list, TC);
    }
  });

  it('tool-calls: time-out and errors give error results; bad input is refused', async () => {
    for (const [name, answer, reason] of [
      ['slow', { body: { result: 'late' }, delayMs: TIMEOUT_MS + 2000 }, /in time/],
      ['e503', { status: 503, body: 'down' }, /HTTP 503/],
    ]) {
      const path = `tools-${name}-${randomUUID()}`;
      rcv.routes.set(path, () => answer);
      const { callId } = await setup(path);
      const r = await tools(callId, TC);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.source, 'default');
      assert.match(r.json.fallback_reason, reason);
      assert.deepEqual(r.json.results.map((x) => [x.tool_call_id, typeof x.error]), [['tc1', 'string'], ['tc2', 'string']]);
      assert.ok(srv.stderr.includes(`tool-calls for call ${callId}`));
    }
    const { callId } = await setup(null);
    for (const list of [undefined, [], [{ id: 'x' }], [{ id: 'x', function: { name: '' } }],
      Array.from({ length: 33 }, (_, i) => ({ id: `t${i}`, function: { name: 'f' } }))]) {
      assertError(await tools(callId, list), 400, 'invalid_request', JSON.stringify(list)?.slice(0, 60));
    }
    assertError(await tools(randomUUID(), TC), 404, 'not_found');
  });

  it('20 slow waits in flight hold no server thread; the 21st is refused with 503', async () => {
    const path = `held-${randomUUID()}`;
    const waiting = [];
    let release;
    const released = new Promise((r) => { release = r; });
    rcv.routes.set(path, async () => {
      waiting.push(1);
      await released;
      return { body: { assistant: { name: 'held' } } };
    });
    const { org, callId } = await setup(path);
    const t0 = Date.now();
    const calls = Array.from({ length: 20 }, () => assistant(callId));
    while (waiting.length < 20 && Date.now() - t0 < TIMEOUT_MS - 500) await sleep(20);
    assert.equal(waiting.length, 20, 'all 20 reached the webhook');
    const t1 = Date.now();
    for (let i = 0; i < 5; i++) {
      const h = await api(srv, 'GET', '/healthz');
      assert.equal(h.status, 200);
      const a = await api(srv, 'GET', '/api/v1/account', { key: org.api_key });
      assert.equal(a.status, 200);
    }
    const quick = Date.now() - t1;
    assertError(await assistant(callId), 503, 'unavailable');
    const refusedAt = Date.now() - t0;
    release();
    const answers = await Promise.all(calls);
    for (const r of answers) {
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.assistant, { name: 'held' }, r.text);
    }
    assert.ok(quick < 1500, `10 requests while 20 waits were in flight took ${quick} ms`);
    assert.ok(refusedAt < TIMEOUT_MS, `the 21st was refused while the 20 waited (${refusedAt} ms)`);
    // the slots are free again
    rcv.routes.set(path, () => ({ body: {} }));
    const again = await assistant(callId);
    assert.equal(again.json.source, 'webhook', again.text);
  });
});
