// Who receives a call's webhooks (DESIGN.md: tool url → agent webhook_url →
// org endpoints): an agent's webhook_url takes status-update and
// end-of-call-report instead of the org's endpoints, filtered by its
// webhook_events; a tool's url takes tool-calls for a function of the
// agent's tools; each falls back to the next. Agent and tool URLs are
// signed with the org's oldest endpoint's secret, and the agent URL's
// deliveries are listed in that endpoint's log with the URL they went to.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, createOrg, request, okEvent, UUID_RE } from './lib.mjs';
import { verify, sleep } from './webhook_receiver.mjs';

// lib.mjs's api() checks every answer against openapi/openapi.json, where
// the webhook, agent and tool routes are being documented elsewhere; this
// test reaches them directly.
function api(srv, method, urlPath, { key, body } = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return request(srv, method, urlPath, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const engine = (srv, method, urlPath, body) => api(srv, method, urlPath, { key: srv.engineToken, body });

const ENV = { WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1', WLPORTAL_WEBHOOK_RETRY_BASE_MS: '200' };

// A receiver that records every request by path and answers tool-calls
// with {"result": "<path>"} (so the engine's answer says who answered).
async function startPaths() {
  const p = { seen: [], server: null };
  p.url = (path) => `http://127.0.0.1:${p.server.address().port}/${path}`;
  p.at = (path, event) => p.seen.filter((s) => s.path === path && (!event || s.event === event));
  p.waitFor = async (path, event, count = 1) => {
    for (let i = 0; i < 400; i++) {
      if (p.at(path, event).length >= count) return p.at(path, event);
      await sleep(50);
    }
    throw new Error(`no ${event} at /${path}: ${JSON.stringify(p.seen.map((s) => [s.path, s.event]))}`);
  };
  p.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url.slice(1);
      p.seen.push({ path, event: req.headers['x-webhook-event'], headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ result: path }));
    });
  });
  await new Promise((resolve) => p.server.listen(0, '127.0.0.1', resolve));
  return p;
}

let numberSeq = 0;
function newNumber() {
  numberSeq += 1;
  return `+3120${String(process.pid % 1000).padStart(3, '0')}${String(numberSeq).padStart(4, '0')}`;
}

describe('webhook routing: tool url, agent webhook_url, org endpoints', { timeout: 120_000 }, () => {
  let srv, rcv;
  before(async () => {
    rcv = await startPaths();
    srv = await startServer({ env: ENV });
  });
  after(async () => {
    await srv?.stop();
    rcv?.server.closeAllConnections?.();
    await new Promise((r) => rcv?.server.close(r) ?? r());
  });

  async function post(key, path, body) {
    const r = await api(srv, 'POST', path, { key, body });
    assert.equal(r.status, 201, `${path}: ${r.text}`);
    return r.json;
  }
  // An org with one endpoint at /org-<tag> for `events`; an agent (fields
  // `agent`) answering a number; an inbound call on that number, ended.
  async function orgWithAgent(tag, agent, events = ['status-update', 'end-of-call-report', 'tool-calls']) {
    const org = createOrg(srv, { minutes: 10 });
    const hook = events ? await post(org.api_key, '/api/v1/webhooks', { url: rcv.url(`org-${tag}`), events }) : null;
    const a = await post(org.api_key, '/api/v1/agents', { name: `Agent ${tag}`, ...agent });
    const number = newNumber();
    await post(org.api_key, '/api/v1/phone-numbers', { number, agent_id: a.id });
    return { org, hook, agent: a, number };
  }
  async function call(o) {
    const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: o.number });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.agent_id, o.agent.id, r.text);
    return r.json.call_id;
  }
  async function endCall(callId) {
    await okEvent(srv, callId, 'in-progress', 1);
    await okEvent(srv, callId, 'ended', 30, { ended_reason: 'customer-ended-call', summary: 'fine' });
  }

  it('an agent webhook_url receives status-update and end-of-call-report instead of the org endpoint', async () => {
    const o = await orgWithAgent('a', { webhook_url: rcv.url('agent-a') });
    const callId = await call(o);
    await endCall(callId);
    const reports = await rcv.waitFor('agent-a', 'end-of-call-report');
    const statuses = await rcv.waitFor('agent-a', 'status-update', 3);
    // deliveries of one endpoint may arrive out of order (two senders): as a set
    assert.deepEqual(statuses.map((s) => JSON.parse(s.body).message.status).sort(), ['ended', 'in-progress', 'ringing']);
    const report = JSON.parse(reports[0].body).message;
    assert.equal(report.call.id, callId);
    assert.equal(report.agent.id, o.agent.id);
    // signed with the org's (oldest) endpoint's secret
    for (const d of [...statuses, ...reports]) {
      assert.ok(verify(o.hook.secret, d.headers['x-webhook-timestamp'], d.body, d.headers['x-webhook-signature']),
        'signed with the org endpoint secret');
    }
    await sleep(300);
    assert.equal(rcv.at('org-a').length, 0, 'the org endpoint receives none of the agent\'s events');
    // listed in the org endpoint's log, with the URL they went to
    let log;
    for (let i = 0; i < 100; i++) {
      log = await api(srv, 'GET', `/api/v1/webhooks/${o.hook.id}/deliveries`, { key: o.org.api_key });
      if (log.json.deliveries.filter((d) => d.status === 'delivered').length >= 4) break;
      await sleep(50);
    }
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.deliveries.length, 4, log.text);
    for (const d of log.json.deliveries) {
      assert.equal(d.url, rcv.url('agent-a'));
      assert.equal(d.status, 'delivered');
      assert.equal(d.last_status_code, 200);
      assert.match(d.id, UUID_RE);
    }
    // a resend goes to the agent's URL again, with the same delivery id
    const first = log.json.deliveries[0];
    const rs = await api(srv, 'POST', `/api/v1/webhook-deliveries/${first.id}/resend`, { key: o.org.api_key });
    assert.equal(rs.status, 202, rs.text);
    await rcv.waitFor('agent-a', first.event, first.event === 'status-update' ? 4 : 2);
    assert.equal(rcv.seen.filter((s) => s.headers['x-webhook-delivery-id'] === first.id).length, 2);
    assert.equal(rcv.at('org-a').length, 0);
  });

  it('the agent\'s webhook_events filter: other events go to the org endpoints', async () => {
    const o = await orgWithAgent('b', { webhook_url: rcv.url('agent-b'), webhook_events: ['end-of-call-report'] });
    const callId = await call(o);
    await endCall(callId);
    await rcv.waitFor('agent-b', 'end-of-call-report');
    await rcv.waitFor('org-b', 'status-update', 3);
    await sleep(300);
    assert.equal(rcv.at('agent-b', 'status-update').length, 0);
    assert.equal(rcv.at('org-b', 'end-of-call-report').length, 0);
  });

  it('an agent without webhook_url, or a call without agent: the org endpoints', async () => {
    const o = await orgWithAgent('c', {});
    await endCall(await call(o));
    await rcv.waitFor('org-c', 'end-of-call-report');
    await rcv.waitFor('org-c', 'status-update', 3);
  });

  it('an org without endpoints: the agent URL has nothing to sign with and receives nothing', async () => {
    const o = await orgWithAgent('d', { webhook_url: rcv.url('agent-d') }, null);
    const callId = await call(o);
    await endCall(callId);
    const tc = await engine(srv, 'POST', `/engine/v1/calls/${callId}/tool-calls`,
      { tool_call_list: [{ id: 't1', type: 'function', function: { name: 'x', arguments: {} } }] });
    assert.equal(tc.status, 200, tc.text);
    assert.equal(tc.json.source, 'default');
    await sleep(500);
    assert.equal(rcv.at('agent-d').length, 0);
  });

  it('tool-calls: the tool url first, then the agent webhook_url, then the org endpoints', async () => {
    const org = createOrg(srv, { minutes: 10 });
    const hook = await post(org.api_key, '/api/v1/webhooks', { url: rcv.url('org-t'), events: ['tool-calls'] });
    const params = { type: 'object', properties: { city: { type: 'string' } } };
    const weather = await post(org.api_key, '/api/v1/tools', { name: 'weather', parameters: params, url: rcv.url('tool-weather'), timeout_seconds: 5 });
    const plain = await post(org.api_key, '/api/v1/tools', { name: 'plain', parameters: params });
    // another agent's tool of a name this agent lacks is not this agent's
    await post(org.api_key, '/api/v1/tools', { name: 'other', parameters: params, url: rcv.url('tool-other') });
    const mk = async (extra) => {
      const a = await post(org.api_key, '/api/v1/agents', { name: 'T', tool_ids: [weather.id, plain.id], ...extra });
      const number = newNumber();
      await post(org.api_key, '/api/v1/phone-numbers', { number, agent_id: a.id });
      return call({ agent: a, number });
    };
    const ask = async (callId, name) => {
      const r = await engine(srv, 'POST', `/engine/v1/calls/${callId}/tool-calls`,
        { tool_call_list: [{ id: 'tc1', type: 'function', function: { name, arguments: { city: 'Utrecht' } } }] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.source, 'webhook', r.text);
      return r.json.results[0].result;
    };
    const withUrl = await mk({ webhook_url: rcv.url('agent-t') });
    assert.equal(await ask(withUrl, 'weather'), 'tool-weather');
    const sent = rcv.at('tool-weather', 'tool-calls')[0];
    assert.ok(verify(hook.secret, sent.headers['x-webhook-timestamp'], sent.body, sent.headers['x-webhook-signature']));
    assert.equal(JSON.parse(sent.body).message.tool_call_list[0].function.name, 'weather');
    assert.equal(await ask(withUrl, 'plain'), 'agent-t', 'a tool without url: the agent webhook_url');
    assert.equal(await ask(withUrl, 'other'), 'agent-t', 'not one of the agent\'s tools');
    const filtered = await mk({ webhook_url: rcv.url('agent-t2'), webhook_events: ['end-of-call-report'] });
    assert.equal(await ask(filtered, 'weather'), 'tool-weather');
    assert.equal(await ask(filtered, 'plain'), 'org-t', 'the agent filters tool-calls out: the org endpoint');
    const bare = await mk({});
    assert.equal(await ask(bare, 'plain'), 'org-t');
    assert.equal(await ask(bare, 'weather'), 'tool-weather');
    assert.equal(rcv.at('tool-other').length, 0);
  });
});
