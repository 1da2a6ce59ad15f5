// Reads that scan never hold a server thread: while several year-long usage
// summaries over a large history run at once, GET /healthz keeps answering
// (routes marked ROUTE_SCANS in src/http/routes.c run on the worker pool with
// the connection suspended, on SQLite as on PostgreSQL).
//
// The history is seeded straight into the database (ended calls and their
// usage rows, spread over the last 300 days), so the summary scans every row.
// The test does not bound /healthz by an absolute figure: it compares the
// slowest /healthz answer seen while the scans ran with the scans' own
// duration. Before the change every server thread was busy scanning and a
// probe waited about as long as a scan.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { startServer, createOrg, sql, utcDay, BACKEND } from './lib.mjs';

const ROWS = 800_000;
const DAY_MS = 86_400_000;

// ROWS ended calls of org and one usage row each, the newest an hour ago,
// in batches (each sql() call has its own time limit).
const BATCH = 100_000;
function seedHistory(srv, org, nowMs) {
  const step = Math.floor((300 * DAY_MS) / ROWS);
  const at = (i) => `${nowMs - 3_600_000} - ${i} * ${step}`;
  for (let from = 1; from <= ROWS; from += BATCH) {
    const to = Math.min(ROWS, from + BATCH - 1);
    if (BACKEND === 'postgres') {
      sql(srv, `INSERT INTO calls (id, org_id, billed_org_id, direction, status, to_number,
          elapsed_sec, billed_seconds, cut_off, created_at, ended_at, last_event_at)
        SELECT 'seed-call-' || i, '${org}', '${org}', 'inbound', 'ended', '+31201234567',
          60, 60, false, ${at('i')}, ${at('i')} + 60000, ${at('i')} + 60000
        FROM generate_series(${from}::bigint, ${to}) AS i;
        INSERT INTO usage (id, org_id, billed_org_id, call_id, duration_sec, created_at)
        SELECT 'seed-usage-' || i, '${org}', '${org}', 'seed-call-' || i, 60, ${at('i')}
        FROM generate_series(${from}::bigint, ${to}) AS i;`);
      continue;
    }
    sql(srv, `BEGIN;
      WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
      INSERT INTO calls (id, org_id, billed_org_id, direction, status, to_number,
          elapsed_sec, billed_seconds, cut_off, created_at, ended_at, last_event_at)
        SELECT 'seed-call-' || i, '${org}', '${org}', 'inbound', 'ended', '+31201234567',
          60, 60, 0, ${at('i')}, ${at('i')} + 60000, ${at('i')} + 60000 FROM n;
      WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
      INSERT INTO usage (id, org_id, billed_org_id, call_id, duration_sec, created_at)
        SELECT 'seed-usage-' || i, '${org}', '${org}', 'seed-call-' || i, 60, ${at('i')} FROM n;
      COMMIT;`);
  }
}

// A keep-alive connection that sends one request at a time and times it.
// libmicrohttpd keeps a connection on the server thread that accepted it,
// so connections opened up front spread over the server threads.
function keepAlive(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let waiting = null;
    s.setNoDelay(true);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0 || waiting === null) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, head).toString('latin1'));
      const len = m ? Number(m[1]) : 0;
      if (buf.length < head + 4 + len) return;
      const status = Number(buf.subarray(9, 12).toString('latin1'));
      const text = buf.subarray(head + 4, head + 4 + len).toString('utf8');
      buf = buf.subarray(head + 4 + len);
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      w.resolve({ status, json, text, ms: performance.now() - w.t0 });
    });
    s.on('error', (e) => { if (waiting) waiting.reject(e); else reject(e); });
    s.on('close', () => { if (waiting) waiting.reject(new Error('connection closed')); });
    s.once('connect', () => resolve({
      get(path, key) {
        return new Promise((res, rej) => {
          const auth = key ? `Authorization: Bearer ${key}\r\n` : '';
          const timer = setTimeout(() => { s.destroy(); rej(new Error(`no answer to ${path}`)); }, 120_000);
          waiting = { resolve: res, reject: rej, timer, t0: performance.now() };
          s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`);
        });
      },
      close() { s.destroy(); },
    }));
  });
}

describe('no slow read on a server thread', { timeout: 600_000 }, () => {
  let srv;
  let org;
  let alone; // ms of one scan with nothing else running
  const yearAgo = utcDay(new Date(Date.now() - 365 * DAY_MS));
  const today = utcDay();
  const usage = `/api/v1/usage?start_date=${yearAgo}&end_date=${today}&limit=1`;
  const conns = [];

  before(async () => {
    srv = await startServer();
    org = createOrg(srv, { minutes: 10 });
    seedHistory(srv, org.org_id, Date.now());
  });
  after(async () => {
    for (const c of conns) c.close();
    await srv?.stop();
  });

  it('the year-long summary counts the whole seeded history', async () => {
    const c = await keepAlive(srv.port);
    conns.push(c);
    const r = await c.get(usage, org.api_key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.summary.total_seconds, ROWS * 60);
    alone = (await c.get(usage, org.api_key)).ms;
  });

  it('/healthz answers while year-long usage summaries scan on every connection', async () => {
    // Many connections, opened first (each answers a /healthz), so that
    // every server thread holds scans and probes alike.
    const nscan = 4 * Math.max(2, os.availableParallelism());
    const scanners = [];
    const probers = [];
    for (let i = 0; i < nscan; i++) scanners.push(await keepAlive(srv.port));
    for (let i = 0; i < 8; i++) probers.push(await keepAlive(srv.port));
    conns.push(...scanners, ...probers);
    for (const c of [...scanners, ...probers]) assert.equal((await c.get('/healthz')).status, 200);

    let running = nscan;
    const scans = scanners.map((c) => c.get(usage, org.api_key).finally(() => { running--; }));
    const probes = [];
    for (let i = 0; running > 0 && i < 100_000; i++) {
      const p = await probers[i % probers.length].get('/healthz');
      assert.equal(p.status, 200, p.text);
      probes.push(p.ms); // it started while scans ran
    }
    const done = await Promise.all(scans);
    for (const d of done) assert.equal(d.status, 200, d.text);
    const worst = Math.max(...probes);
    const detail = `one scan alone ${alone.toFixed(0)} ms; ${nscan} at once took up to ` +
      `${Math.max(...done.map((d) => d.ms)).toFixed(0)} ms; ${probes.length} /healthz probes ` +
      `during them, the slowest ${worst.toFixed(1)} ms`;
    // The comparison means something only when a scan is slow.
    assert.ok(alone >= 100, `the seeded history must make a scan slow: ${detail}`);
    assert.ok(worst < alone / 2, `/healthz waited behind a scan: ${detail}`);
    assert.ok(probes.length >= probers.length, `too few probes while the scans ran: ${detail}`);
    console.log(detail);
  });
});
