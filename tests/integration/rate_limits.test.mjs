// rate_limits.test.mjs — the platform API's token buckets: per API key
// (WLPORTAL_API_RATE a second, WLPORTAL_API_BURST at once) and per client
// address (WLPORTAL_API_ADDR_RATE/_BURST), answered 429 rate_limited with
// Retry-After and RateLimit-Limit/-Remaining/-Reset, and recovering at the
// rate. The engine API is not limited. Both backends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, assertError, createOrg, engine, sleep, startServer } from './lib.mjs';

// GET path with key from a given loopback source address.
function getFrom(srv, localAddress, path, key) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, path, localAddress, agent: false,
      headers: { Authorization: `Bearer ${key}`, Connection: 'close' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('per key: the burst, then 429 with its headers, then recovery at the rate', async () => {
  const srv = await startServer({ env: { WLPORTAL_API_RATE: '2', WLPORTAL_API_BURST: '3' } });
  try {
    const a = createOrg(srv, { minutes: 10 });
    const b = createOrg(srv, { minutes: 10 });
    for (let i = 0; i < 3; i++) {
      const r = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['ratelimit-limit'], '3');
      assert.equal(r.headers['ratelimit-remaining'], String(2 - i));
      assert.match(r.headers['ratelimit-reset'], /^\d+$/);
    }
    const refused = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
    assertError(refused, 429, 'rate_limited');
    assert.equal(refused.headers['ratelimit-limit'], '3');
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.headers['ratelimit-reset'], '1');

    // another key from the same address has its own bucket
    assert.equal((await api(srv, 'GET', '/api/v1/account', { key: b.api_key })).status, 200);
    // the engine API is not limited
    for (let i = 0; i < 8; i++) {
      const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', { org_id: a.org_id, from: '+4915112345678', to: '+31201234567' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['ratelimit-limit'], undefined);
    }
    // one token every half second
    await sleep(600);
    const again = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
    assert.equal(again.status, 200, again.text);
    // (a slow machine may have refilled a second token meanwhile)
    let last;
    for (let i = 0; i < 4; i++) {
      last = await api(srv, 'GET', '/api/v1/account', { key: a.api_key });
      if (last.status === 429) break;
    }
    assertError(last, 429, 'rate_limited');
  } finally {
    await srv.stop();
  }
});

test('per address: every key from one address shares its bucket, another address has its own', async () => {
  const srv = await startServer({ env: { WLPORTAL_API_ADDR_RATE: '1', WLPORTAL_API_ADDR_BURST: '2' } });
  try {
    const a = createOrg(srv, { minutes: 10 });
    const b = createOrg(srv, { minutes: 10 });
    assert.equal((await getFrom(srv, '127.0.0.2', '/api/v1/account', a.api_key)).status, 200);
    assert.equal((await getFrom(srv, '127.0.0.2', '/api/v1/account', b.api_key)).status, 200);
    const refused = await getFrom(srv, '127.0.0.2', '/api/v1/account', b.api_key);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.headers['ratelimit-limit'], '2');
    // a bad key costs a token too: guessing keys is limited
    assert.equal((await getFrom(srv, '127.0.0.2', '/api/v1/account', 'wlp_guess')).status, 429);
    assert.equal((await getFrom(srv, '127.0.0.3', '/api/v1/account', a.api_key)).status, 200);
  } finally {
    await srv.stop();
  }
});

test('a rate out of range stops serve with a message', async () => {
  await assert.rejects(startServer({ env: { WLPORTAL_API_RATE: 'fast' } }), /WLPORTAL_API_RATE/);
});
