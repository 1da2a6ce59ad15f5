// Two `wlportal serve` processes on one PostgreSQL database, both senders
// running, with many webhook deliveries pending: every delivery reaches the
// receiver exactly once (claims skip rows the other instance holds) and
// each ends `delivered`. PostgreSQL only (SQLite is one process).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, createOrg, api, inbound, okEvent, freePort, request, sql, BIN, BACKEND } from './lib.mjs';
import { startReceiver, sleep } from './webhook_receiver.mjs';

test('two instances on one PostgreSQL send each pending delivery once', { timeout: 180_000 }, async (t) => {
  if (BACKEND !== 'postgres') {
    t.skip('needs WLPORTAL_TEST_PG (two processes share one database)');
    return;
  }
  const env = { WLPORTAL_WEBHOOK_ALLOW_PRIVATE: '1', WLPORTAL_WEBHOOK_RETRY_BASE_MS: '100' };
  const port = await freePort(); // the receiver's, down for now
  const a = await startServer({ env });
  let b = null, bErr = '', rcv = null;
  try {
    const org = createOrg(a, { minutes: 600 });
    const h = await api(a, 'POST', '/api/v1/webhooks', { key: org.api_key,
      body: { url: `http://127.0.0.1:${port}/hook`, events: ['status-update', 'end-of-call-report'] } });
    assert.equal(h.status, 201, h.text);
    // 60 calls while the receiver is down: every delivery stays pending
    await Promise.all(Array.from({ length: 60 }, async () => {
      const c = await inbound(a, org.org_id);
      await okEvent(a, c.call_id, 'in-progress', 1);
      await okEvent(a, c.call_id, 'ended', 2);
    }));
    const total = Number(sql(a, 'SELECT count(*) FROM webhook_deliveries').trim());
    assert.ok(total >= 180, `deliveries queued: ${total}`);
    const pending = Number(sql(a, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'").trim());
    assert.ok(pending > total / 2, `most are pending (${pending} of ${total})`);

    // the second instance on the same database, then the receiver comes up
    const bPort = await freePort();
    b = spawn(BIN, ['serve', '--listen', `127.0.0.1:${bPort}`, '--db', a.db], { env: a.env, stdio: ['ignore', 'ignore', 'pipe'] });
    b.stderr.on('data', (d) => { bErr += d; });
    for (let i = 0; ; i++) {
      const r = await request({ port: bPort }, 'GET', '/healthz', { timeout: 1000 }).catch(() => null);
      if (r?.status === 200) break;
      assert.ok(i < 200, `the second instance did not start: ${bErr.slice(-2000)}`);
      await sleep(100);
    }
    rcv = await startReceiver({ port });
    rcv.delayMs = 20; // answers take a moment: both senders are busy at once
    const until = Date.now() + 90_000;
    for (;;) {
      const ids = new Set(rcv.deliveries.map((d) => d.headers['x-webhook-delivery-id']));
      if (ids.size >= total) break;
      assert.ok(Date.now() < until, `delivered ${ids.size} of ${total}`);
      await sleep(100);
    }
    await sleep(1500); // a double send would arrive by now
    const seen = new Map();
    for (const d of rcv.deliveries) {
      const id = d.headers['x-webhook-delivery-id'];
      seen.set(id, (seen.get(id) || 0) + 1);
    }
    assert.equal(seen.size, total);
    const twice = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no delivery was sent twice');
    assert.equal(sql(a, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'").trim(), '0');
    assert.ok(!/AddressSanitizer|runtime error:/.test(bErr), bErr.slice(-4000));
  } finally {
    if (b) {
      b.kill('SIGTERM');
      await new Promise((r) => (b.exitCode !== null ? r() : b.on('exit', r)));
    }
    await a.stop();
    await rcv?.stop();
  }
});
