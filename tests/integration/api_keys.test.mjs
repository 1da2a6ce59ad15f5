// api_keys.test.mjs — an organization's API keys through the API: made with
// a name and shown once (never again in a list), working at once, listed
// with created_at and last_used_at, revoked with DELETE and refused at once —
// also by a second instance serving the same database (no key cache may
// outlive a revocation). Both backends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, assertError, createOrg, secondInstance, sleep, startServer, ISO_MS_RE, UUID_RE,
} from './lib.mjs';

test('a key is shown once, works, and a revocation holds at once on every instance', async () => {
  const srv = await startServer();
  let other;
  try {
    const agency = createOrg(srv, { minutes: 100 });
    other = await secondInstance(srv);

    const made = await api(srv, 'POST', '/api/v1/api-keys', { key: agency.api_key, body: { name: 'CI deploys' } });
    assert.equal(made.status, 201, made.text);
    assert.match(made.json.id, UUID_RE);
    assert.equal(made.json.name, 'CI deploys');
    assert.match(made.json.key, /^wlp_/);
    assert.match(made.json.created_at, ISO_MS_RE);
    assert.equal(made.json.last_used_at, null);
    const key = made.json.key;

    // works on both instances
    for (const s of [srv, other]) {
      const r = await api(s, 'GET', '/api/v1/account', { key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, agency.org_id);
    }
    // listed, never with the key itself; last use recorded (at most once a minute)
    let listed;
    for (let i = 0; i < 50; i++) {
      listed = await api(srv, 'GET', '/api/v1/api-keys', { key: agency.api_key });
      assert.equal(listed.status, 200, listed.text);
      if (listed.json.api_keys.find((k) => k.id === made.json.id)?.last_used_at) break;
      await sleep(50);
    }
    assert.ok(!listed.text.includes(key), 'the key is shown once only');
    const row = listed.json.api_keys.find((k) => k.id === made.json.id);
    assert.equal(row.name, 'CI deploys');
    assert.match(row.last_used_at, ISO_MS_RE);
    assert.equal(row.revoked_at, null);
    assert.equal(listed.json.api_keys.length, 2, 'the org key from create-org and the new one');
    assert.equal(listed.json.next_cursor, null);

    // revoked on the first instance, refused at once by the second
    const del = await api(srv, 'DELETE', `/api/v1/api-keys/${made.json.id}`, { key: agency.api_key });
    assert.equal(del.status, 200, del.text);
    assert.match(del.json.revoked_at, ISO_MS_RE);
    for (const s of [other, srv]) {
      assertError(await api(s, 'GET', '/api/v1/account', { key }), 401, 'unauthorized');
    }
    assertError(await api(srv, 'DELETE', `/api/v1/api-keys/${made.json.id}`, { key: agency.api_key }),
      404, 'not_found', 'a revoked key cannot be revoked again');
  } finally {
    if (other) await other.kill();
    await srv.stop();
  }
});

test('key names are checked; another org cannot see or revoke a key', async () => {
  const srv = await startServer();
  try {
    const a = createOrg(srv, { minutes: 10 });
    const b = createOrg(srv, { minutes: 10 });
    let r = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: '' } });
    assert.equal(r.status, 400, r.text);
    r = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: 'x'.repeat(65) } });
    assertError(r, 422, 'validation_failed');
    assert.ok(r.json.error.fields.name, r.text);
    r = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: 'ok', scope: 'all' } });
    assertError(r, 422, 'validation_failed');
    const made = await api(srv, 'POST', '/api/v1/api-keys', { key: a.api_key, body: { name: 'mine' } });
    assert.equal(made.status, 201, made.text);
    const theirs = await api(srv, 'GET', '/api/v1/api-keys', { key: b.api_key });
    assert.ok(!theirs.json.api_keys.some((k) => k.id === made.json.id));
    assertError(await api(srv, 'DELETE', `/api/v1/api-keys/${made.json.id}`, { key: b.api_key }), 404, 'not_found');
    assert.equal((await api(srv, 'GET', '/api/v1/account', { key: made.json.key })).status, 200);
  } finally {
    await srv.stop();
  }
});
