// What an operator sees: GET /metrics on its own listener (Prometheus text,
// checked by Debian's `promtool check metrics`) counting requests by route
// pattern and status, the writer's batches, billed seconds, open calls and
// Stripe outcomes; and the access log, one JSON line per request on stderr
// with the request's id (a valid X-Request-Id kept, else a new one, always
// answered) carried into the other log lines of that request, and never
// the API key, the raw path or the body.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import {
  startServer, createOrg, api, request, inbound, okEvent, sleep,
} from './lib.mjs';

function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

// The value of one sample line `name{labels} value` (labels in any order
// given as a subset), or undefined.
function sample(text, name, labels = {}) {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+)(\{([^}]*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] || '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

function promtool(text) {
  return spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
}

// The access-log lines (JSON) of stderr.
function accessLines(stderr) {
  return stderr.split('\n').filter((l) => l.startsWith('{"time"')).map((l) => JSON.parse(l));
}

async function waitFor(pred, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('metrics and access log', { timeout: 120_000 }, () => {
  let srv, agency, client, metricsUrl;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Ops Agency', minutes: 100 });
    client = createOrg(srv, { name: 'Ops Client', parent: agency.org_id, minutes: 50 });
    metricsUrl = await srv.metricsUrl();
  });
  after(async () => {
    await srv?.stop();
  });

  it('serves /metrics on its own loopback listener, valid for promtool', async () => {
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(metricsUrl).port, String(srv.port));
    for (let i = 0; i < 3; i++) assert.equal((await api(srv, 'GET', '/api/v1/account', { key: agency.api_key })).status, 200);
    assert.equal((await api(srv, 'GET', '/api/v1/account', { key: 'wlp_wrong' })).status, 401);
    const call = await inbound(srv, client.org_id);
    await okEvent(srv, call.call_id, 'ringing', 0);
    await okEvent(srv, call.call_id, 'in-progress', 42);
    let m = await get(metricsUrl);
    assert.equal(m.status, 200);
    assert.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const check = promtool(m.text);
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}\n${m.text.slice(0, 3000)}`);
    const acc = { route: '/api/v1/account', method: 'GET' };
    assert.equal(sample(m.text, 'wlportal_http_requests_total', { ...acc, status: '200' }), 3, m.text);
    assert.equal(sample(m.text, 'wlportal_http_requests_total', { ...acc, status: '401' }), 1);
    assert.equal(sample(m.text, 'wlportal_http_request_duration_seconds_count', acc), 4);
    assert.equal(sample(m.text, 'wlportal_http_request_duration_seconds_bucket', { ...acc, le: '+Inf' }), 4);
    // the engine's events: the route's pattern, never the call's id
    assert.equal(sample(m.text, 'wlportal_http_requests_total', { route: '/engine/v1/calls/:id/events', status: '200' }), 2);
    assert.doesNotMatch(m.text, new RegExp(call.call_id));
    assert.equal(sample(m.text, 'wlportal_billed_seconds_total'), 42);
    assert.equal(sample(m.text, 'wlportal_open_calls'), 1);
    assert.ok(sample(m.text, 'wlportal_writer_batch_size_count') >= 3, 'writer batches counted');
    assert.ok(sample(m.text, 'wlportal_writer_commit_seconds_count') >= 3);
    assert.equal(sample(m.text, 'wlportal_writer_queue_depth'), 0);
    assert.ok(sample(m.text, 'wlportal_workers_threads') >= 1);
    assert.equal(sample(m.text, 'wlportal_mail_outbox_queued'), 0);
    assert.equal(sample(m.text, 'wlportal_stripe_events_total', { outcome: 'credited' }), 0);
    await okEvent(srv, call.call_id, 'ended', 50, { ended_reason: 'customer-ended-call' });
    m = await get(metricsUrl);
    assert.equal(sample(m.text, 'wlportal_billed_seconds_total'), 50);
    assert.equal(sample(m.text, 'wlportal_open_calls'), 0);
    // the public listener has no /metrics, the metrics listener nothing else
    assert.equal((await request(srv, 'GET', '/metrics')).status, 404);
    assert.equal((await get(metricsUrl.replace('/metrics', '/healthz'))).status, 404);
  });

  it('names its threads, so top -H and perf tell them apart', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const names = readdirSync(`/proc/${srv.pid}/task`)
      .map((t) => readFileSync(`/proc/${srv.pid}/task/${t}/comm`, 'utf8').trim());
    for (const want of ['wl-writer', 'wl-worker', 'wl-access-log', 'wl-conn-reaper',
      'wl-call-reaper', 'wl-hook-sender', 'wl-hook-caller', 'wl-mail']) {
      assert.ok(names.includes(want), `no ${want} thread among ${names.join(', ')}`);
    }
  });

  it('counts Stripe deliveries by outcome', async () => {
    const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key,
      body: { slug: 'opsvoice', stripe: { webhook_secret: 'whsec_' + 'OpsTestSigningSecret0123' } } });
    assert.equal(r.status, 200, r.text);
    const hook = await api(srv, 'POST', '/api/webhooks/stripe/opsvoice', {
      rawBody: '{"id":"evt_1","type":"checkout.session.completed"}',
      headers: { 'Stripe-Signature': 't=1,v1=00', 'X-Request-Id': 'hook-req-7' },
    });
    assert.equal(hook.status, 400, hook.text);
    const m = await get(metricsUrl);
    assert.equal(sample(m.text, 'wlportal_stripe_events_total', { outcome: 'bad_signature' }), 1);
    // the webhook's own log line names the request
    const line = await waitFor(() => srv.stderr.split('\n').find((l) => l.startsWith('wlportal: stripe webhook:')), 'webhook log line');
    assert.match(line, / request_id=hook-req-7$/);
  });

  it('writes one JSON access-log line per request, with its id', async () => {
    const key = agency.api_key;
    const r = await api(srv, 'GET', '/api/v1/calls/00000000-0000-4000-8000-000000000000?limit=5', {
      key, headers: { 'X-Organization-Id': client.org_id, 'X-Request-Id': 'trace-0042.A:b_c' } });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-request-id'], 'trace-0042.A:b_c');
    const bad = await api(srv, 'GET', '/healthz', { headers: { 'X-Request-Id': 'has "quotes" and spaces' } });
    assert.match(bad.headers['x-request-id'], /^[0-9a-f]{32}$/, 'an unusable id is replaced');
    const none = await api(srv, 'GET', '/healthz');
    assert.match(none.headers['x-request-id'], /^[0-9a-f]{32}$/);
    assert.notEqual(none.headers['x-request-id'], bad.headers['x-request-id']);
    const lines = await waitFor(() => {
      const l = accessLines(srv.stderr);
      return l.some((x) => x.request_id === none.headers['x-request-id']) && l;
    }, 'access log lines');
    const mine = lines.find((l) => l.request_id === 'trace-0042.A:b_c');
    assert.ok(mine, srv.stderr.slice(-2000));
    assert.deepEqual(Object.keys(mine), ['time', 'request_id', 'method', 'route', 'status', 'duration_ms', 'org_id', 'bytes']);
    assert.equal(mine.method, 'GET');
    assert.equal(mine.route, '/api/v1/calls/:id', 'the pattern, not the raw path');
    assert.equal(mine.status, 404);
    assert.equal(mine.org_id, client.org_id);
    assert.equal(mine.bytes, Buffer.byteLength(r.text));
    assert.ok(mine.duration_ms >= 0 && mine.duration_ms < 10_000);
    assert.match(mine.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(lines.some((l) => l.request_id === bad.headers['x-request-id'] && l.route === '/healthz'));
    // unknown paths have no route; nothing of the request itself is logged
    await api(srv, 'GET', '/no/such/path?secret=s3cr3t-query', { headers: { 'X-Request-Id': 'unknown-1' } });
    const unknown = await waitFor(() => accessLines(srv.stderr).find((l) => l.request_id === 'unknown-1'), 'unknown route line');
    assert.equal(unknown.route, null);
    assert.equal(unknown.status, 404);
    assert.ok(!srv.stderr.includes(key), 'no API key in the log');
    assert.ok(!srv.stderr.includes('00000000-0000-4000-8000-000000000000'), 'no raw path in the log');
    assert.ok(!srv.stderr.includes('s3cr3t-query'), 'no query in the log');
    assert.ok(!srv.stderr.includes('OpsTestSigningSecret'), 'no secret in the log');
  });
});

describe('metrics listener settings', { timeout: 60_000 }, () => {
  it('an empty WLPORTAL_METRICS_LISTEN serves no metrics', async () => {
    const srv = await startServer({ env: { WLPORTAL_METRICS_LISTEN: '' } });
    try {
      await waitFor(() => /metrics\s+off/.test(srv.stdout), 'metrics off line');
    } finally {
      await srv.stop({ audit: false });
    }
  });
});
