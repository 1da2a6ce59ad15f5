// GET /api/v1/account, authentication, the organization switcher header,
// routing errors, and the guarantee that keys and passwords never reach the
// database file in clear.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, engine, account, assertError, completedCall,
  assertAuditOk, randomUUID, databaseBytes,
} from './lib.mjs';

describe('account and auth', { timeout: 120_000 }, () => {
  let srv, agency, child, other, otherChild;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Acme Agency', minutes: '498.6' });
    child = createOrg(srv, { name: 'Acme Client', parent: agency.org_id, minutes: 12 });
    other = createOrg(srv, { name: 'Other Agency', minutes: 5 });
    otherChild = createOrg(srv, { name: 'Other Client', parent: other.org_id, minutes: 3 });
  });
  after(async () => { await srv?.stop(); });

  it('healthz', async () => {
    const r = await api(srv, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
    assert.match(String(r.headers['content-type']), /application\/json/);
  });

  it('unknown path is 404 not_found, wrong method is 405', async () => {
    assertError(await api(srv, 'GET', '/nope'), 404, 'not_found');
    assertError(await api(srv, 'GET', '/api/v1/nope', { key: agency.api_key }), 404, 'not_found');
    assertError(await api(srv, 'POST', '/healthz', { body: {} }), 405, 'method_not_allowed');
    assertError(await api(srv, 'DELETE', '/api/v1/account', { key: agency.api_key }), 405, 'method_not_allowed');
    assertError(await api(srv, 'PUT', '/api/v1/calls', { key: agency.api_key, body: {} }), 405, 'method_not_allowed');
    assertError(await engine(srv, 'GET', '/engine/v1/calls/inbound'), 405, 'method_not_allowed');
  });

  it('the account of an agency', async () => {
    const r = await api(srv, 'GET', '/api/v1/account', { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      id: agency.org_id, company_name: 'Acme Agency', minutes_balance: 498.6, monthly_usage_minutes: 0,
    });
    assert.match(r.text, /"minutes_balance"\s*:\s*498\.6[,}\s]/);
  });

  it('the account of a child shows its credits', async () => {
    const a = await account(srv, child.api_key);
    assert.deepEqual(a, { id: child.org_id, company_name: 'Acme Client', minutes_balance: 12, monthly_usage_minutes: 0 });
  });

  it('missing or invalid credentials are 401', async () => {
    const cases = [
      {},
      { headers: { Authorization: 'Bearer' } },
      { headers: { Authorization: 'Bearer ' } },
      { headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } },
      { key: 'wlp_' + 'x'.repeat(40) },
      { key: agency.api_key + 'x' },
      { key: agency.api_key.slice(0, -1) },
      { key: agency.api_key.toUpperCase() === agency.api_key ? agency.api_key.toLowerCase() : agency.api_key.toUpperCase() },
      { key: 'wlp_' + 'y'.repeat(600) },
      { key: srv.engineToken },
      { headers: { Authorization: `bearer  ${agency.api_key} extra` } },
    ];
    for (const c of cases) {
      const r = await api(srv, 'GET', '/api/v1/account', c);
      assertError(r, 401, 'unauthorized', JSON.stringify(c).slice(0, 80));
    }
    // A key far too long may also be refused as an oversized header.
    const huge = await api(srv, 'GET', '/api/v1/account', { key: 'wlp_' + 'y'.repeat(8000) });
    assert.ok([400, 401, 413, 431].includes(huge.status), huge.text);
    assertError(await api(srv, 'GET', '/api/v1/calls'), 401, 'unauthorized');
    assertError(await api(srv, 'GET', '/api/v1/usage'), 401, 'unauthorized');
    assertError(await api(srv, 'POST', '/api/v1/calls', { body: { direction: 'outbound', to: '+31612345678' } }), 401, 'unauthorized');
  });

  it('X-Organization-Id lets a parent act as its child', async () => {
    const a = await account(srv, agency.api_key, { 'X-Organization-Id': child.org_id });
    assert.equal(a.id, child.org_id);
    assert.equal(a.company_name, 'Acme Client');
    assert.equal(a.minutes_balance, 12);
    // A call made that way belongs to the child.
    const r = await api(srv, 'POST', '/api/v1/calls', {
      key: agency.api_key, headers: { 'X-Organization-Id': child.org_id },
      body: { direction: 'outbound', to: '+31612345678' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.org_id, child.org_id);
    const g = await api(srv, 'GET', `/api/v1/calls/${r.json.id}`, { key: child.api_key });
    assert.equal(g.status, 200, g.text);
  });

  it('X-Organization-Id outside the own family is 403, malformed is 400', async () => {
    const forbidden = [
      [agency.api_key, otherChild.org_id],
      [agency.api_key, other.org_id],
      [agency.api_key, randomUUID()],
      [child.api_key, agency.org_id],
      [otherChild.api_key, child.org_id],
    ];
    for (const [key, id] of forbidden) {
      assertError(await api(srv, 'GET', '/api/v1/account', { key, headers: { 'X-Organization-Id': id } }),
        403, 'forbidden', id);
      assertError(await api(srv, 'GET', '/api/v1/calls', { key, headers: { 'X-Organization-Id': id } }),
        403, 'forbidden', id);
    }
    for (const bad of ['not-a-uuid', '1234', child.org_id + 'x', child.org_id.toUpperCase().replace(/-/g, ''), "' OR 1=1 --"]) {
      assertError(await api(srv, 'GET', '/api/v1/account', { key: agency.api_key, headers: { 'X-Organization-Id': bad } }),
        400, null, bad);
    }
  });

  it('monthly usage and the balance move with calls', async () => {
    const o = createOrg(srv, { minutes: '498.6' });
    await completedCall(srv, o.org_id, 90);
    const a = await account(srv, o.api_key);
    assert.equal(a.minutes_balance, 497.1);
    assert.equal(a.monthly_usage_minutes, 1.5);
    await completedCall(srv, o.org_id, 7);
    const b = await account(srv, o.api_key);
    assert.equal(b.minutes_balance, 496.98); // 29819 s
    assert.equal(b.monthly_usage_minutes, 1.62); // 97 s = 1.6166 -> 1.62
    assertAuditOk(srv);
  });
});

describe('secrets never reach the database in clear', { timeout: 120_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop({ audit: false }); });

  // SQLite: the db file and -wal; PostgreSQL: a pg_dump of the database.
  function scan(needles) {
    const hits = [];
    const dumps = databaseBytes(srv);
    assert.ok(dumps.length > 0, 'nothing of the database to scan');
    for (const { name, bytes } of dumps) {
      for (const [label, n] of Object.entries(needles)) {
        if (bytes.includes(Buffer.from(n, 'utf8'))) hits.push(`${label} in ${name}`);
      }
    }
    return hits;
  }

  it('api key and password are not stored in clear (db and -wal)', async () => {
    const password = 'Sup3r-secret-pa55word-' + Date.now();
    const o = createOrg(srv, { password, minutes: 10 });
    const child = createOrg(srv, { parent: o.org_id, password: password + '-child', minutes: 1 });
    // Use the keys so that any caching/"last used" code path runs.
    await account(srv, o.api_key);
    await account(srv, child.api_key);
    await account(srv, o.api_key, { 'X-Organization-Id': child.org_id });
    const needles = {
      'parent api key': o.api_key,
      'child api key': child.api_key,
      'api key body': o.api_key.slice(4),
      password,
      'child password': password + '-child',
    };
    assert.deepEqual(scan(needles), [], 'while running');
    await srv.kill();
    assert.deepEqual(scan(needles), [], 'after shutdown');
    assertAuditOk(srv);
  });
});
