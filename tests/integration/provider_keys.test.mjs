// Bring-your-own-key (issue 12): GET/PUT/DELETE /api/v1/provider-keys.
// A key is write-only: no answer, no log line and no database column holds
// it in plain text (the raw column is read with sql()); an org sees and
// removes only its own keys; an agency acts on its client with
// X-Organization-Id; providers come from a fixed list and keys are bounded.
// Runs on SQLite and, with WLPORTAL_TEST_PG, PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, sql, assertError } from './lib.mjs';

const OPENAI = 'sk-proj-' + 'ByokSecretValue0123456789abcdefXYZ';
const DEEPGRAM = 'dg_' + 'ByokDeepgramKey9876543210';
const PROVIDERS = ['openai', 'anthropic', 'deepgram', 'elevenlabs', 'cartesia'];

describe('provider keys (BYOK): write-only, sealed, per org', { timeout: 120_000 }, () => {
  let srv, agency, client, other;

  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Key Agency' });
    client = createOrg(srv, { name: 'Key Client', parent: agency.org_id });
    other = createOrg(srv, { name: 'Other Agency' });
  });
  after(async () => { await srv?.stop(); });

  const keys = async (org, headers = {}) => {
    const r = await api(srv, 'GET', '/api/v1/provider-keys', { key: org.api_key, headers });
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries(r.json.provider_keys.map((k) => [k.provider, k]));
  };

  it('lists every provider, none set, and never a key', async () => {
    const list = await keys(agency);
    assert.deepEqual(Object.keys(list), PROVIDERS);
    for (const p of PROVIDERS) assert.deepEqual(list[p], { provider: p, set: false });
  });

  it('PUT stores the key sealed: never answered, never in the database in plain text, never logged', async () => {
    let r = await api(srv, 'PUT', '/api/v1/provider-keys/openai', { key: agency.api_key, body: { api_key: OPENAI } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { provider: 'openai', set: true });
    r = await api(srv, 'PUT', '/api/v1/provider-keys/deepgram', { key: agency.api_key, body: { api_key: DEEPGRAM } });
    assert.equal(r.status, 200, r.text);
    const list = await keys(agency);
    assert.equal(list.openai.set, true);
    assert.equal(list.deepgram.set, true);
    assert.equal(list.anthropic.set, false);
    const text = JSON.stringify(list);
    for (const secret of [OPENAI, DEEPGRAM, OPENAI.slice(-4), DEEPGRAM.slice(-4)]) {
      assert.ok(!text.includes(secret), `the list shows ${secret}`);
    }
    const raw = sql(srv, `SELECT provider || '=' || key_sealed FROM provider_keys WHERE org_id = '${agency.org_id}' ORDER BY provider`).trim().split('\n');
    assert.equal(raw.length, 2, raw.join('\n'));
    for (const row of raw) {
      const sealed = row.split('=').slice(1).join('=');
      assert.ok(sealed.length > 40, row);
      assert.ok(!sealed.includes(OPENAI) && !sealed.includes(DEEPGRAM), `plaintext in the column: ${row}`);
      assert.ok(!sealed.includes('ByokSecretValue') && !sealed.includes('ByokDeepgramKey'), row);
    }
    // replacing keeps one row, sealed anew
    const before = raw[1];
    r = await api(srv, 'PUT', '/api/v1/provider-keys/openai', { key: agency.api_key, body: { api_key: OPENAI + 'v2' } });
    assert.equal(r.status, 200, r.text);
    const after = sql(srv, `SELECT provider || '=' || key_sealed FROM provider_keys WHERE org_id = '${agency.org_id}' AND provider = 'openai'`).trim();
    assert.notEqual(after, before);
    assert.ok(!srv.stderr.includes('ByokSecretValue') && !srv.stderr.includes('ByokDeepgramKey'), 'a key in the log');
  });

  it('refuses unknown providers, missing, short, long or non-printable keys, and unknown fields; nothing stored', async () => {
    const put = (provider, body) => api(srv, 'PUT', `/api/v1/provider-keys/${provider}`, { key: other.api_key, body });
    let e = assertError(await put('openrouter', { api_key: OPENAI }), 422, null);
    assert.match(e.fields.provider, /openai, anthropic, deepgram, elevenlabs, cartesia/);
    for (const bad of [{}, { api_key: '' }, { api_key: null }, { api_key: 42 }, { api_key: 'short' },
      { api_key: 'x'.repeat(513) }, { api_key: 'has space inside' }, { api_key: 'tab\there12345' },
      { api_key: 'ünïcødé-key-123' }]) {
      e = assertError(await put('openai', bad), 422, null, JSON.stringify(bad));
      assert.ok(e.fields.api_key, JSON.stringify(e));
    }
    e = assertError(await put('openai', { api_key: OPENAI, last4: 'abcd' }), 422, null);
    assert.ok(e.fields.last4, JSON.stringify(e));
    assert.equal((await put('openai', { api_key: 'x'.repeat(512) })).status, 200);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM provider_keys WHERE org_id = '${other.org_id}'`).trim(), '1');
    assert.equal((await api(srv, 'DELETE', '/api/v1/provider-keys/openai', { key: other.api_key })).status, 200);
  });

  it("isolation: another org neither sees nor removes an org's keys (404)", async () => {
    assert.equal((await keys(other)).openai.set, false);
    const r = await api(srv, 'DELETE', '/api/v1/provider-keys/openai', { key: other.api_key });
    assertError(r, 404, 'not_found');
    // another agency cannot act on a client that is not its own
    const x = await api(srv, 'GET', '/api/v1/provider-keys', { key: other.api_key, headers: { 'X-Organization-Id': client.org_id } });
    assert.ok(x.status === 403 || x.status === 404, x.text);
    assert.equal((await keys(agency)).openai.set, true);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM provider_keys WHERE org_id = '${agency.org_id}'`).trim(), '2');
  });

  it('an agency sets and removes its client\'s key with X-Organization-Id; the client sees its own only', async () => {
    const as = { 'X-Organization-Id': client.org_id };
    let r = await api(srv, 'PUT', '/api/v1/provider-keys/elevenlabs', { key: agency.api_key, headers: as, body: { api_key: 'el_' + 'ClientVoiceKey123456' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await keys(client)).elevenlabs.set, true);
    assert.equal((await keys(client)).openai.set, false);
    assert.equal((await keys(agency)).elevenlabs.set, false);
    assert.equal(sql(srv, `SELECT org_id FROM provider_keys WHERE provider = 'elevenlabs'`).trim(), client.org_id);
    r = await api(srv, 'DELETE', '/api/v1/provider-keys/elevenlabs', { key: agency.api_key, headers: as });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { provider: 'elevenlabs', set: false });
    assert.equal((await keys(client)).elevenlabs.set, false);
    assertError(await api(srv, 'DELETE', '/api/v1/provider-keys/elevenlabs', { key: client.api_key }), 404, 'not_found');
  });

  it('DELETE removes the row', async () => {
    const r = await api(srv, 'DELETE', '/api/v1/provider-keys/deepgram', { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM provider_keys WHERE org_id = '${agency.org_id}' AND provider = 'deepgram'`).trim(), '0');
    assert.equal((await keys(agency)).deepgram.set, false);
    assert.equal((await keys(agency)).openai.set, true);
  });
});
