// Agents and tools (/api/v1/agents, /api/v1/tools): validation (422 naming
// the field), ids that must be the org's own, optimistic concurrency with
// ETag / If-Match (412 on a stale write), tenant isolation (another org's
// ids are 404, siblings cannot see each other, a parent reaches its
// client's only through X-Organization-Id), and POST /api/v1/calls naming
// an agent of its org.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, assertError, UUID_RE, ISO_MS_RE, randomUUID,
} from './lib.mjs';

const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'The city' },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    units: { type: 'string', enum: ['metric', 'imperial'] },
  },
  required: ['city'],
};

function fieldsOf(res) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json.error.code, 'validation_failed', res.text);
  return res.json.error.fields || {};
}

describe('agents and tools API', { timeout: 180_000 }, () => {
  let srv, agency, client, sibling, loner;
  const as = (who, extra = {}) => ({ key: who.key, headers: who.org ? { 'X-Organization-Id': who.org, ...extra } : extra });
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 100 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    sibling = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    loner = createOrg(srv, { minutes: 10 });
  });
  after(async () => { await srv?.stop(); });

  it('creates, reads, lists, replaces, patches and deletes an agent', async () => {
    const key = client.api_key;
    const c = await api(srv, 'POST', '/api/v1/agents', { key, body: {
      name: 'Receptionist', system_prompt: 'You answer the phone for a dentist.', first_message: 'Hello, how can I help?',
      voice_id: 'alloy', language: 'nl-NL', temperature: 0.7, max_duration_seconds: 600,
      webhook_url: 'https://hooks.example.com/agent', webhook_events: ['status-update', 'end-of-call-report'],
    } });
    assert.equal(c.status, 201, c.text);
    const a = c.json;
    assert.match(a.id, UUID_RE);
    assert.match(a.created_at, ISO_MS_RE);
    assert.match(a.updated_at, ISO_MS_RE);
    assert.equal(a.org_id, client.org_id);
    assert.equal(a.temperature, 0.7);
    assert.ok(c.text.includes('"temperature":0.7'), 'the temperature is exact: ' + c.text);
    assert.deepEqual(a.tool_ids, []);
    assert.deepEqual(a.webhook_events, ['status-update', 'end-of-call-report']);
    assert.equal(a.language, 'nl-NL');
    assert.ok(c.headers.etag, 'an ETag comes with the agent');

    const g = await api(srv, 'GET', `/api/v1/agents/${a.id}`, { key });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json, a);
    assert.equal(g.headers.etag, c.headers.etag);

    const list = await api(srv, 'GET', '/api/v1/agents', { key });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.agents.map((x) => x.id), [a.id]);
    assert.equal(list.json.next_cursor, null);

    // PATCH changes only what it names.
    const p = await api(srv, 'PATCH', `/api/v1/agents/${a.id}`, { key, body: { temperature: 1.25, first_message: null } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.temperature, 1.25);
    assert.equal(p.json.first_message, '');
    assert.equal(p.json.system_prompt, a.system_prompt);
    assert.ok(p.json.updated_at > a.updated_at, 'updated_at moves forward');

    // PUT replaces: what it leaves out goes back to its default.
    const r = await api(srv, 'PUT', `/api/v1/agents/${a.id}`, { key, body: { name: 'Front desk' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'Front desk');
    assert.equal(r.json.system_prompt, '');
    assert.equal(r.json.temperature, 0.7);
    assert.equal(r.json.webhook_url, null);
    assert.equal(r.json.max_duration_seconds, null);

    const d = await api(srv, 'DELETE', `/api/v1/agents/${a.id}`, { key });
    assert.equal(d.status, 200, d.text);
    assertError(await api(srv, 'GET', `/api/v1/agents/${a.id}`, { key }), 404, 'not_found');
    assertError(await api(srv, 'DELETE', `/api/v1/agents/${a.id}`, { key }), 404, 'not_found');
  });

  it('refuses invalid agents with 422 naming each field, and changes nothing', async () => {
    const key = loner.api_key;
    const bad = [
      [{ name: '' }, 'name'],
      [{ system_prompt: 'x' }, 'name'],
      [{ name: 'a'.repeat(201) }, 'name'],
      [{ name: 'A', language: 'english' }, 'language'],
      [{ name: 'A', language: 'en_US' }, 'language'],
      [{ name: 'A', language: 'e' }, 'language'],
      [{ name: 'A', temperature: 2.5 }, 'temperature'],
      [{ name: 'A', temperature: -0.1 }, 'temperature'],
      [{ name: 'A', temperature: 0.1234 }, 'temperature'],
      [{ name: 'A', temperature: 'hot' }, 'temperature'],
      [{ name: 'A', max_duration_seconds: 43201 }, 'max_duration_seconds'],
      [{ name: 'A', max_duration_seconds: 1.5 }, 'max_duration_seconds'],
      [{ name: 'A', system_prompt: 'p'.repeat(16001) }, 'system_prompt'],
      [{ name: 'A', voice_id: 'has space' }, 'voice_id'],
      [{ name: 'A', webhook_url: 'ftp://example.com/x' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'https://example.com/' + 'x'.repeat(2048) }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'http://127.0.0.1:9/hook' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'http://10.1.2.3/hook' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'http://[::1]/hook' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'http://169.254.169.254/latest' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'http://localhost/hook' }, 'webhook_url'],
      [{ name: 'A', webhook_url: 'https://user:pw@example.com/hook' }, 'webhook_url'],
      [{ name: 'A', webhook_events: ['call-started'] }, 'webhook_events'],
      [{ name: 'A', webhook_events: ['tool-calls', 'tool-calls'] }, 'webhook_events'],
      [{ name: 'A', webhook_events: 'status-update' }, 'webhook_events'],
      [{ name: 'A', tool_ids: ['not-an-id'] }, 'tool_ids'],
      [{ name: 'A', tool_ids: [randomUUID()] }, 'tool_ids'],
      [{ name: 'A', knowledge_base_ids: [randomUUID()] }, 'knowledge_base_ids'],
      [{ name: 'A', colour: 'blue' }, 'colour'],
    ];
    for (const [body, field] of bad) {
      const f = fieldsOf(await api(srv, 'POST', '/api/v1/agents', { key, body }));
      assert.ok(field in f, `${JSON.stringify(body).slice(0, 80)} should name ${field}: ${JSON.stringify(f)}`);
    }
    for (const language of ['en', 'en-US', 'pt-BR', 'zh-Hant-TW', 'es-419', 'de-CH-1996']) {
      const r = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'L', language } });
      assert.equal(r.status, 201, `${language}: ${r.text}`);
    }
    const list = await api(srv, 'GET', '/api/v1/agents?limit=100', { key });
    assert.equal(list.json.agents.length, 6, 'only the valid agents were made');
  });

  it('tools: JSON Schema parameters are checked, names are unique in an org, agents list only their org\'s', async () => {
    const key = client.api_key;
    const t = await api(srv, 'POST', '/api/v1/tools', { key, body: {
      name: 'get_weather', description: 'Weather forecast', parameters: WEATHER_SCHEMA, url: 'https://tools.example.com/weather', timeout_seconds: 5,
    } });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(t.json.parameters, WEATHER_SCHEMA);
    assert.equal(t.json.timeout_seconds, 5);
    const dup = await api(srv, 'POST', '/api/v1/tools', { key, body: { name: 'get_weather' } });
    assertError(dup, 409, 'conflict');
    // The same name in another org is fine.
    const other = await api(srv, 'POST', '/api/v1/tools', { key: loner.api_key, body: { name: 'get_weather' } });
    assert.equal(other.status, 201, other.text);
    assert.deepEqual(other.json.parameters, { type: 'object', properties: {} });
    assert.equal(other.json.timeout_seconds, 10);

    const badSchemas = [
      { type: 'string' },
      [],
      { type: 'object', properties: { a: { type: 'strng' } } },
      { type: 'object', properties: { a: 'string' } },
      { type: 'object', properties: { a: { type: 'string' } }, required: ['b'] },
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'a'] },
      { type: 'object', required: 'a' },
      { type: 'object', properties: { a: { type: 'array', items: 5 } } },
      { type: 'object', properties: { a: { type: 'string', minLength: -1 } } },
      { type: 'object', properties: { a: { type: 'string', enum: [] } } },
      { type: 'object', propertees: {} },
      // nested deeper than 8 levels
      JSON.parse('{"type":"object","properties":{"a":' + '{"type":"array","items":'.repeat(10) + '{"type":"string"}' + '}'.repeat(10) + '}}'),
    ];
    for (const parameters of badSchemas) {
      const f = fieldsOf(await api(srv, 'POST', '/api/v1/tools', { key, body: { name: 'x_tool', parameters } }));
      assert.ok('parameters' in f, `${JSON.stringify(parameters).slice(0, 80)}: ${JSON.stringify(f)}`);
    }
    for (const [body, field] of [
      [{ name: 'bad name' }, 'name'], [{ name: '-dash' }, 'name'], [{ name: 'n'.repeat(65) }, 'name'], [{}, 'name'],
      [{ name: 'okname', timeout_seconds: 0 }, 'timeout_seconds'], [{ name: 'okname', timeout_seconds: 31 }, 'timeout_seconds'],
      [{ name: 'okname', url: 'gopher://x' }, 'url'], [{ name: 'okname', url: 'http://192.168.1.1/' }, 'url'],
    ]) {
      const f = fieldsOf(await api(srv, 'POST', '/api/v1/tools', { key, body }));
      assert.ok(field in f, `${JSON.stringify(body)}: ${JSON.stringify(f)}`);
    }

    // An agent may list the org's own tool, not the other org's.
    const ok = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'With tools', tool_ids: [t.json.id] } });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.json.tool_ids, [t.json.id]);
    const f = fieldsOf(await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'Borrowing', tool_ids: [other.json.id] } }));
    assert.ok('tool_ids' in f);
    // A tool an agent uses cannot be deleted; once the agent drops it, it can.
    assertError(await api(srv, 'DELETE', `/api/v1/tools/${t.json.id}`, { key }), 409, 'conflict');
    assert.equal((await api(srv, 'PATCH', `/api/v1/agents/${ok.json.id}`, { key, body: { tool_ids: [] } })).status, 200);
    assert.equal((await api(srv, 'DELETE', `/api/v1/tools/${t.json.id}`, { key })).status, 200);
  });

  it('If-Match: the current ETag or updated_at writes, a stale one is 412 and changes nothing', async () => {
    const key = client.api_key;
    const c = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'Versioned' } });
    const id = c.json.id;
    const etag1 = c.headers.etag;
    const w1 = await api(srv, 'PATCH', `/api/v1/agents/${id}`, { key, headers: { 'If-Match': etag1 }, body: { name: 'V2' } });
    assert.equal(w1.status, 200, w1.text);
    assert.notEqual(w1.headers.etag, etag1);
    // The first version is stale now, by ETag or by updated_at.
    for (const stale of [etag1, c.json.updated_at]) {
      const s = await api(srv, 'PATCH', `/api/v1/agents/${id}`, { key, headers: { 'If-Match': stale }, body: { name: 'lost' } });
      assertError(s, 412, 'precondition_failed');
      const s2 = await api(srv, 'PUT', `/api/v1/agents/${id}`, { key, headers: { 'If-Match': stale }, body: { name: 'lost' } });
      assertError(s2, 412, 'precondition_failed');
    }
    assertError(await api(srv, 'DELETE', `/api/v1/agents/${id}`, { key, headers: { 'If-Match': etag1 } }), 412, 'precondition_failed');
    const g = await api(srv, 'GET', `/api/v1/agents/${id}`, { key });
    assert.equal(g.json.name, 'V2');
    // updated_at as the API wrote it is accepted too.
    const w2 = await api(srv, 'PUT', `/api/v1/agents/${id}`, { key, headers: { 'If-Match': g.json.updated_at }, body: { name: 'V3' } });
    assert.equal(w2.status, 200, w2.text);
    // Two writers with the same version: exactly one wins.
    const base = w2.headers.etag;
    const race = await Promise.all([1, 2, 3, 4].map((i) => api(srv, 'PATCH', `/api/v1/agents/${id}`,
      { key, headers: { 'If-Match': base }, body: { name: `racer ${i}` } })));
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 412, 412, 412], race.map((r) => r.text).join('\n'));
    // Tools version the same way.
    const t = await api(srv, 'POST', '/api/v1/tools', { key, body: { name: 'versioned_tool' } });
    assert.equal((await api(srv, 'PATCH', `/api/v1/tools/${t.json.id}`, { key, headers: { 'If-Match': t.headers.etag }, body: { description: 'd' } })).status, 200);
    assertError(await api(srv, 'PATCH', `/api/v1/tools/${t.json.id}`, { key, headers: { 'If-Match': t.headers.etag }, body: { description: 'e' } }), 412, 'precondition_failed');
  });

  it('tenant isolation: other orgs 404, siblings apart, a parent only through X-Organization-Id', async () => {
    const mine = await api(srv, 'POST', '/api/v1/agents', { key: client.api_key, body: { name: 'Client agent' } });
    const tool = await api(srv, 'POST', '/api/v1/tools', { key: client.api_key, body: { name: 'client_tool' } });
    const id = mine.json.id;
    for (const key of [sibling.api_key, loner.api_key, agency.api_key]) {
      assertError(await api(srv, 'GET', `/api/v1/agents/${id}`, { key }), 404, 'not_found');
      assertError(await api(srv, 'PATCH', `/api/v1/agents/${id}`, { key, body: { name: 'x' } }), 404, 'not_found');
      assertError(await api(srv, 'PUT', `/api/v1/agents/${id}`, { key, body: { name: 'x' } }), 404, 'not_found');
      assertError(await api(srv, 'DELETE', `/api/v1/agents/${id}`, { key }), 404, 'not_found');
      assertError(await api(srv, 'GET', `/api/v1/tools/${tool.json.id}`, { key }), 404, 'not_found');
      assertError(await api(srv, 'DELETE', `/api/v1/tools/${tool.json.id}`, { key }), 404, 'not_found');
      const l = await api(srv, 'GET', '/api/v1/agents', { key });
      assert.ok(!l.json.agents.some((a) => a.id === id));
    }
    // A sibling cannot act as its sibling, nor a stranger as the client.
    for (const key of [sibling.api_key, loner.api_key]) {
      const r = await api(srv, 'GET', '/api/v1/agents', { key, headers: { 'X-Organization-Id': client.org_id } });
      assert.ok([403, 404].includes(r.status), r.text);
    }
    // The agency reaches it through X-Organization-Id, and makes the client's agents there.
    const asClient = { key: agency.api_key, headers: { 'X-Organization-Id': client.org_id } };
    const g = await api(srv, 'GET', `/api/v1/agents/${id}`, asClient);
    assert.equal(g.status, 200, g.text);
    const made = await api(srv, 'POST', '/api/v1/agents', { ...asClient, body: { name: 'Made by the agency' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.org_id, client.org_id);
    assert.equal((await api(srv, 'PATCH', `/api/v1/agents/${id}`, { ...asClient, body: { name: 'Renamed by agency' } })).status, 200);
    assertError(await api(srv, 'GET', `/api/v1/agents/${made.json.id}`, { key: agency.api_key }), 404, 'not_found');
    // An agency's client agent cannot use the agency's own tools.
    const agencyTool = await api(srv, 'POST', '/api/v1/tools', { key: agency.api_key, body: { name: 'agency_tool' } });
    const f = fieldsOf(await api(srv, 'POST', '/api/v1/agents', { ...asClient, body: { name: 'x', tool_ids: [agencyTool.json.id] } }));
    assert.ok('tool_ids' in f);
    // Paging through a parent's view of its client.
    const all = [];
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const r = await api(srv, 'GET', `/api/v1/agents?limit=1${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`, asClient);
      assert.equal(r.status, 200, r.text);
      all.push(...r.json.agents.map((a) => a.id));
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    assert.ok(all.includes(id) && all.includes(made.json.id));
    assert.equal(new Set(all).size, all.length, 'no agent twice across pages');
    assertError(await api(srv, 'GET', '/api/v1/agents?limit=101', { key: client.api_key }), 400, 'invalid_request');
  });

  it('POST /api/v1/calls: agent_id must be an agent of the org (422 otherwise)', async () => {
    const a = await api(srv, 'POST', '/api/v1/agents', { key: client.api_key, body: { name: 'Caller' } });
    const body = { direction: 'outbound', to: '+31612345678' };
    const ok = await api(srv, 'POST', '/api/v1/calls', { key: client.api_key, body: { ...body, agent_id: a.json.id } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.agent_id, a.json.id);
    for (const [key, agent] of [[client.api_key, randomUUID()], [client.api_key, 'agent-7'], [sibling.api_key, a.json.id], [agency.api_key, a.json.id]]) {
      const r = await api(srv, 'POST', '/api/v1/calls', { key, body: { ...body, agent_id: agent } });
      const f = fieldsOf(r);
      assert.ok('agent_id' in f, r.text);
    }
  });
});
