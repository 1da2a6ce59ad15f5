// Webhook deliveries survive a server killed with -9 (the outbox is in the
// database, a claim expires by itself), and the SSRF guard: without
// WLPORTAL_WEBHOOK_ALLOW_PRIVATE a loopback URL is refused at connect time
// and the delivery log says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, createOrg, api, inbound, okEvent, freePort, BIN } from './lib.mjs';
import { startReceiver, verify, sleep } from './webhook_receiver.mjs';

test('a loopback URL is refused without WLPORTAL_WEBHOOK_ALLOW_PRIVATE, and the log says why', { timeout: 60_000 }, async () => {
  const rcv = await startReceiver();
  const srv = await startServer({ env: { WLPORTAL_WEBHOOK_RETRY_BASE_MS: '200' } });
  try {
    const org = createOrg(srv, { minutes: 5 });
    for (const url of [rcv.url, `http://localhost:${rcv.port}/x`, `http://[::1]:${rcv.port}/x`]) {
      const h = await api(srv, 'POST', '/api/v1/webhooks', { key: org.api_key, body: { url, events: ['status-update'] } });
      assert.equal(h.status, 201, h.text);
    }
    const c = await inbound(srv, org.org_id);
    const hooks = (await api(srv, 'GET', '/api/v1/webhooks', { key: org.api_key })).json.webhooks;
    for (const h of hooks) {
      for (let i = 0; ; i++) {
        const log = await api(srv, 'GET', `/api/v1/webhooks/${h.id}/deliveries`, { key: org.api_key });
        const d = log.json.deliveries[0];
        if (d && d.attempts >= 1 && d.last_error) {
          assert.match(d.last_error, /refused/, `${h.url}: ${log.text}`);
          assert.equal(d.last_status_code, null);
          break;
        }
        assert.ok(i < 200, `no refused attempt recorded for ${h.url}: ${log.text}`);
        await sleep(50);
      }
    }
    assert.equal(rcv.deliveries.length, 0, 'nothing reached the loopback receiver');
    await okEvent(srv, c.call_id, 'ended', 0);
  } finally {
    await srv.stop();
    await rcv.stop();
  }
});

test('killed with -9 while deliveries are pending: all delivered after a restart, none lost', { timeout: 120_000 }, async () => {
  const rcv = await startReceiver();
  const env = { WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1', WLPORTAL_WEBHOOK_RETRY_BASE_MS: '300' };
  const srv = await startServer({ env });
  let second;
  try {
    const org = createOrg(srv, { minutes: 60 });
    const h = await api(srv, 'POST', '/api/v1/webhooks', { key: org.api_key, body: { url: rcv.url, events: ['status-update', 'end-of-call-report'] } });
    assert.equal(h.status, 201, h.text);
    await rcv.stop(); // down: everything stays pending
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const c = await inbound(srv, org.org_id);
      await okEvent(srv, c.call_id, 'ended', 5);
      ids.push(c.call_id);
    }
    // 10 calls: ringing + ended + report each
    await sleep(500);
    process.kill(srv.pid, 'SIGKILL');
    await waitExit(srv);
    await rcv.start();
    // the same database, a new process
    const port = await freePort();
    second = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', srv.db], { env: srv.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    second.stderr.on('data', (d) => { stderr += d; });
    const got = await rcv.waitFor('status-update', 20, () => true, 60_000).catch((e) => { throw new Error(e.message + stderr.slice(-2000)); });
    await rcv.waitFor('end-of-call-report', 10, () => true, 60_000);
    await sleep(500);
    const byId = new Map();
    for (const d of rcv.deliveries) byId.set(d.headers['x-webhook-delivery-id'], (byId.get(d.headers['x-webhook-delivery-id']) || 0) + 1);
    assert.equal(byId.size, 30, 'every delivery arrived');
    for (const [id, n] of byId) assert.equal(n, 1, `delivery ${id} once after the restart`);
    for (const callId of ids) assert.ok(got.some((d) => d.body.includes(callId)), callId);
    const secretless = got[0];
    assert.ok(Number(secretless.headers['x-webhook-attempt']) >= 2, 'attempts were made before the kill');
    assert.ok(verify(h.json.secret, secretless.headers['x-webhook-timestamp'], secretless.body, secretless.headers['x-webhook-signature']));
    second.kill('SIGTERM');
    await new Promise((r) => second.on('exit', r));
    second = null;
  } finally {
    if (second) second.kill('SIGKILL');
    await rcv.stop();
    srv.removeDir();
  }
});

async function waitExit(srv) {
  for (let i = 0; i < 100 && !srv.exited; i++) await sleep(50);
  assert.ok(srv.exited, 'the server died');
}
