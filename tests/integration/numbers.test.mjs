// Phone numbers (/api/v1/phone-numbers): E.164, unique on the platform
// (409 across orgs), assigned to an agent of the same org; the engine's
// inbound call on a number picks the org and the agent, and the call and
// its usage row carry the number; a refused inbound call carries the
// message its agency set (/api/v1/inbound-settings) or the default.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, engine, okEvent, assertError, UUID_RE, randomUUID, utcDay,
} from './lib.mjs';

const DEFAULT_MESSAGE = 'Sorry, we cannot take your call right now. Please try again later.';

function fieldsOf(res) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json.error.code, 'validation_failed', res.text);
  return res.json.error.fields || {};
}

describe('phone numbers and inbound calls by number', { timeout: 180_000 }, () => {
  let srv, agency, client, sibling, poorAgency, poorClient;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 100 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    sibling = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    poorAgency = createOrg(srv, { minutes: 10 });
    poorClient = createOrg(srv, { parent: poorAgency.org_id });
  });
  after(async () => { await srv?.stop(); });

  it('numbers: E.164, unique on the platform, agent of the same org, versioned', async () => {
    const key = client.api_key;
    const agent = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'Line agent' } });
    const made = await api(srv, 'POST', '/api/v1/phone-numbers', { key, body: { number: '+31201110001', name: 'Main line', agent_id: agent.json.id } });
    assert.equal(made.status, 201, made.text);
    assert.match(made.json.id, UUID_RE);
    assert.equal(made.json.number, '+31201110001');
    assert.equal(made.json.agent_id, agent.json.id);
    assert.equal(made.json.org_id, client.org_id);

    // Taken: by the same org, a sibling or a stranger.
    for (const k of [client.api_key, sibling.api_key, poorAgency.api_key]) {
      assertError(await api(srv, 'POST', '/api/v1/phone-numbers', { key: k, body: { number: '+31201110001' } }), 409, 'conflict');
    }
    for (const [body, field] of [
      [{ number: '0201110002' }, 'number'], [{ number: '+0201110002' }, 'number'], [{ number: '+3120 1110002' }, 'number'],
      [{}, 'number'], [{ number: '+31201110002', agent_id: randomUUID() }, 'agent_id'], [{ number: '+31201110002', agent_id: 'x' }, 'agent_id'],
      [{ number: '+31201110002', name: 'n'.repeat(201) }, 'name'], [{ number: '+31201110002', extension: 5 }, 'extension'],
    ]) {
      const f = fieldsOf(await api(srv, 'POST', '/api/v1/phone-numbers', { key, body }));
      assert.ok(field in f, `${JSON.stringify(body)}: ${JSON.stringify(f)}`);
    }
    // A sibling's agent is not this org's.
    const sibAgent = await api(srv, 'POST', '/api/v1/agents', { key: sibling.api_key, body: { name: 'Sibling agent' } });
    assert.ok('agent_id' in fieldsOf(await api(srv, 'POST', '/api/v1/phone-numbers', { key, body: { number: '+31201110003', agent_id: sibAgent.json.id } })));

    // Another org's number is 404 everywhere; the parent reaches it only as the client.
    for (const k of [sibling.api_key, agency.api_key, poorAgency.api_key]) {
      assertError(await api(srv, 'GET', `/api/v1/phone-numbers/${made.json.id}`, { key: k }), 404, 'not_found');
      assertError(await api(srv, 'PATCH', `/api/v1/phone-numbers/${made.json.id}`, { key: k, body: { name: 'x' } }), 404, 'not_found');
      assertError(await api(srv, 'DELETE', `/api/v1/phone-numbers/${made.json.id}`, { key: k }), 404, 'not_found');
    }
    const asClient = { key: agency.api_key, headers: { 'X-Organization-Id': client.org_id } };
    assert.equal((await api(srv, 'GET', `/api/v1/phone-numbers/${made.json.id}`, asClient)).status, 200);
    const l = await api(srv, 'GET', '/api/v1/phone-numbers', asClient);
    assert.deepEqual(l.json.phone_numbers.map((n) => n.id), [made.json.id]);

    // If-Match on numbers; unassigning with null.
    const p = await api(srv, 'PATCH', `/api/v1/phone-numbers/${made.json.id}`, { key, headers: { 'If-Match': made.headers.etag }, body: { agent_id: null } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.agent_id, null);
    assertError(await api(srv, 'PATCH', `/api/v1/phone-numbers/${made.json.id}`, { key, headers: { 'If-Match': made.headers.etag }, body: { name: 'y' } }), 412, 'precondition_failed');
    // An agent a number is assigned to cannot be deleted.
    assert.equal((await api(srv, 'PATCH', `/api/v1/phone-numbers/${made.json.id}`, { key, body: { agent_id: agent.json.id } })).status, 200);
    assertError(await api(srv, 'DELETE', `/api/v1/agents/${agent.json.id}`, { key }), 409, 'conflict');
  });

  it('inbound on a number picks its org and agent; the call and its usage carry the number', async () => {
    const key = client.api_key;
    const agent = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'Inbound agent' } });
    const num = await api(srv, 'POST', '/api/v1/phone-numbers', { key, body: { number: '+31201110010', agent_id: agent.json.id } });
    assert.equal(num.status, 201, num.text);

    // By the number dialled, without org_id or number_id.
    const byTo = await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201110010' });
    assert.equal(byTo.status, 200, byTo.text);
    assert.equal(byTo.json.action, 'answer');
    assert.equal(byTo.json.org_id, client.org_id);
    assert.equal(byTo.json.number_id, num.json.id);
    assert.equal(byTo.json.agent_id, agent.json.id);
    // By number_id.
    const byId = await engine(srv, 'POST', '/engine/v1/calls/inbound', { number_id: num.json.id, from: '+4915112345678', to: '+31209999999' });
    assert.equal(byId.status, 200, byId.text);
    assert.equal(byId.json.org_id, client.org_id);
    assert.equal(byId.json.agent_id, agent.json.id);
    // number_id of another org than the org_id named: 404.
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { number_id: num.json.id, org_id: sibling.org_id, from: '+4915112345678', to: '+31201110010' }), 404, 'not_found');

    const call = await api(srv, 'GET', `/api/v1/calls/${byTo.json.call_id}`, { key });
    assert.equal(call.json.number_id, num.json.id);
    assert.equal(call.json.agent_id, agent.json.id);
    await okEvent(srv, byTo.json.call_id, 'in-progress', 30);
    await okEvent(srv, byTo.json.call_id, 'ended', 42);
    const day = utcDay();
    const usage = await api(srv, 'GET', `/api/v1/usage?start_date=${day}&end_date=${day}`, { key });
    const row = usage.json.usage.find((u) => u.duration_sec === 42);
    assert.ok(row, usage.text);
    assert.equal(row.number_id, num.json.id);
    await okEvent(srv, byId.json.call_id, 'ended', 0);

    // A deleted number no longer routes and can be taken by someone else;
    // the calls that came in on it keep naming it.
    assert.equal((await api(srv, 'DELETE', `/api/v1/phone-numbers/${num.json.id}`, { key })).status, 200);
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201110010' }), 404, 'not_found');
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', { number_id: num.json.id, from: '+4915112345678', to: '+31201110010' }), 404, 'not_found');
    const again = await api(srv, 'POST', '/api/v1/phone-numbers', { key: sibling.api_key, body: { number: '+31201110010' } });
    assert.equal(again.status, 201, again.text);
    assert.equal((await api(srv, 'GET', `/api/v1/calls/${byTo.json.call_id}`, { key })).json.number_id, num.json.id);
    const byToNow = await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201110010' });
    assert.equal(byToNow.json.org_id, sibling.org_id);
    assert.equal(byToNow.json.agent_id, null);
    await okEvent(srv, byToNow.json.call_id, 'ended', 0);
  });

  it('a refused inbound call carries its agency\'s message, or the default', async () => {
    const num = await api(srv, 'POST', '/api/v1/phone-numbers', { key: poorClient.api_key, body: { number: '+31201110020' } });
    assert.equal(num.status, 201, num.text);
    const before = await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201110020' });
    assert.equal(before.json.action, 'reject', before.text);
    assert.equal(before.json.reason, 'insufficient_credits');
    assert.equal(before.json.message, DEFAULT_MESSAGE);

    const g = await api(srv, 'GET', '/api/v1/inbound-settings', { key: poorAgency.api_key });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.insufficient_credits_message, DEFAULT_MESSAGE);
    const text = 'Deze lijn is tijdelijk niet bereikbaar. Bel later terug.';
    const put = await api(srv, 'PUT', '/api/v1/inbound-settings', { key: poorAgency.api_key, body: { insufficient_credits_message: text } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.insufficient_credits_message, text);
    const after = await engine(srv, 'POST', '/engine/v1/calls/inbound', { from: '+4915112345678', to: '+31201110020' });
    assert.equal(after.json.action, 'reject');
    assert.equal(after.json.message, text);
    // Only the agency sets it; its client cannot, and bad values change nothing.
    assertError(await api(srv, 'PUT', '/api/v1/inbound-settings', { key: poorClient.api_key, body: { insufficient_credits_message: 'x' } }), 403, 'forbidden');
    assert.ok('insufficient_credits_message' in fieldsOf(await api(srv, 'PUT', '/api/v1/inbound-settings', { key: poorAgency.api_key, body: { insufficient_credits_message: 'm'.repeat(501) } })));
    assert.equal((await api(srv, 'GET', '/api/v1/inbound-settings', { key: poorAgency.api_key })).json.insufficient_credits_message, text);
    // null goes back to the default.
    const reset = await api(srv, 'PUT', '/api/v1/inbound-settings', { key: poorAgency.api_key, body: { insufficient_credits_message: null } });
    assert.equal(reset.json.insufficient_credits_message, DEFAULT_MESSAGE);
  });
});
