// Reads that scan never hold a server thread: while several year-long CSV
// exports of a large history stream at once, GET /healthz keeps answering
// (routes marked ROUTE_SCANS in src/http/routes.c run on the worker pool with
// the connection suspended, on SQLite as on PostgreSQL, and a streamed body
// is made a piece at a time on the workers: src/http/stream.c).
//
// The history is seeded straight into the database (ended calls and their
// usage rows, spread over the last 300 days), then the daily totals are
// recomputed from the rows (the server keeps them with each usage row; SQL
// bypasses it). The year-long summary reads those totals, so it is fast: it
// only checks that the totals count the whole history. What still does real
// work is the export: every usage row, streamed. The test does not bound
// /healthz by an absolute figure: it compares the slowest /healthz answer
// seen while the exports ran with the exports' own duration.
//
// What this can and cannot catch: an export is made a page (500 rows) at a
// time and libmicrohttpd serves the other connections between pieces, so no
// single piece holds a thread long. Marking the CSV route ROUTE_QUICK (its
// first page then read on the server thread) or reading every piece on the
// server thread leaves the slowest probe at tens of ms against exports of
// seconds: this test passes either way. It checks that /healthz keeps
// answering and that every export is whole while several stream at once.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { startServer, createOrg, sql, rebuildUsageTotals, utcDay, BACKEND } from './lib.mjs';

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

// A keep-alive connection that sends one GET at a time and times it. A
// chunked body is decoded as it comes and only counted (lines, the last
// byte), never held: an export of the seeded history is over 100 MB.
// libmicrohttpd keeps a connection on the server thread that accepted it,
// so connections opened up front spread over the server threads.
function keepAlive(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let waiting = null;
    let res = null; // the answer being read: {status, head, chunked, len, text, lines, bytes, last}
    let chunkLeft = -1; // chunked: bytes left of the current chunk (-1: a size line is next)
    s.setNoDelay(true);
    const body = (part) => {
      res.bytes += part.length;
      if (part.length === 0) return;
      res.last = part[part.length - 1];
      for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) res.lines++;
      if (res.text.length < 4096) res.text += part.subarray(0, 4096).toString('utf8');
    };
    const finish = () => {
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      const r = res;
      res = null;
      let json;
      try { json = JSON.parse(r.text); } catch { json = undefined; }
      w.resolve({ status: r.status, json, text: r.text, lines: r.lines, bytes: r.bytes,
        endsWithNewline: r.last === 10, ms: performance.now() - w.t0 });
    };
    const parse = () => {
      for (;;) {
        if (waiting === null) return;
        if (res === null) {
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) return;
          const h = buf.subarray(0, head).toString('latin1');
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(h);
          res = { status: Number(h.slice(9, 12)), chunked: /\r\ntransfer-encoding:\s*chunked/i.test(h),
            len: m ? Number(m[1]) : 0, text: '', lines: 0, bytes: 0, last: -1 };
          buf = buf.subarray(head + 4);
          chunkLeft = -1;
        }
        if (!res.chunked) {
          if (buf.length < res.len) return;
          body(buf.subarray(0, res.len));
          buf = buf.subarray(res.len);
          finish();
          continue;
        }
        if (chunkLeft < 0) {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) return;
          const size = parseInt(buf.subarray(0, eol).toString('latin1'), 16);
          if (size === 0) { // the last chunk: no trailers expected
            if (buf.length < eol + 4) return;
            buf = buf.subarray(eol + 4);
            finish();
            continue;
          }
          buf = buf.subarray(eol + 2);
          chunkLeft = size;
        }
        if (chunkLeft > 0) {
          const n = Math.min(chunkLeft, buf.length);
          body(buf.subarray(0, n));
          buf = buf.subarray(n);
          chunkLeft -= n;
          if (chunkLeft > 0) return;
        }
        if (buf.length < 2) return; // the CRLF after a chunk
        buf = buf.subarray(2);
        chunkLeft = -1;
      }
    };
    s.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      parse();
    });
    s.on('error', (e) => { if (waiting) waiting.reject(e); else reject(e); });
    s.on('close', () => { if (waiting) waiting.reject(new Error('connection closed')); });
    s.once('connect', () => resolve({
      get(path, key) {
        return new Promise((res, rej) => {
          const auth = key ? `Authorization: Bearer ${key}\r\n` : '';
          const timer = setTimeout(() => { s.destroy(); rej(new Error(`no answer to ${path}`)); }, 300_000);
          waiting = { resolve: res, reject: rej, timer, t0: performance.now() };
          s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`);
        });
      },
      close() { s.destroy(); },
    }));
  });
}

describe('no slow read on a server thread', { timeout: 900_000 }, () => {
  let srv;
  let org;
  let alone; // ms of one export with nothing else running
  const yearAgo = utcDay(new Date(Date.now() - 365 * DAY_MS));
  const today = utcDay();
  const range = `start_date=${yearAgo}&end_date=${today}`;
  const conns = [];

  before(async () => {
    srv = await startServer();
    org = createOrg(srv, { minutes: 10 });
    seedHistory(srv, org.org_id, Date.now());
    rebuildUsageTotals(srv);
  });
  after(async () => {
    for (const c of conns) c.close();
    await srv?.stop();
  });

  it('the year-long summary counts the whole seeded history', async () => {
    // Fast now, whatever the history: whole days come from the daily totals
    // (usage_days), only the partial first and last day from the rows.
    const c = await keepAlive(srv.port);
    conns.push(c);
    const r = await c.get(`/api/v1/usage?${range}&limit=1`, org.api_key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.summary.total_seconds, ROWS * 60);
  });

  it('the year-long CSV export has every seeded row', async () => {
    const c = await keepAlive(srv.port);
    conns.push(c);
    const r = await c.get(`/api/v1/usage.csv?${range}`, org.api_key);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.text.startsWith('id,created_at,call_id,'), r.text.slice(0, 200));
    assert.ok(r.endsWithNewline, 'the export ends with a whole record');
    assert.equal(r.lines, ROWS + 1, 'the header and one line per usage row');
    alone = r.ms;
  });

  it('/healthz answers while year-long CSV exports stream on several connections', async () => {
    // The exporters' and the probers' connections are opened first (each
    // answers a /healthz), so that every server thread holds exports and
    // probes alike.
    const nexp = Math.max(2, os.availableParallelism());
    const exporters = [];
    const probers = [];
    for (let i = 0; i < nexp; i++) exporters.push(await keepAlive(srv.port));
    for (let i = 0; i < 8; i++) probers.push(await keepAlive(srv.port));
    conns.push(...exporters, ...probers);
    for (const c of [...exporters, ...probers]) assert.equal((await c.get('/healthz')).status, 200);

    let running = nexp;
    const exports = exporters.map((c) =>
      c.get(`/api/v1/usage.csv?${range}`, org.api_key).finally(() => { running--; }));
    const probes = [];
    for (let i = 0; running === nexp && i < 1_000_000; i++) {
      const p = await probers[i % probers.length].get('/healthz');
      assert.equal(p.status, 200, p.text);
      probes.push(p.ms); // it started while every export ran
    }
    const done = await Promise.all(exports);
    for (const d of done) {
      assert.equal(d.status, 200, d.text);
      assert.equal(d.lines, ROWS + 1, 'each export has the header and every usage row');
      assert.ok(d.endsWithNewline, 'each export ends with a whole record');
    }
    const worst = probes.reduce((a, b) => Math.max(a, b), 0);
    const shortest = Math.min(...done.map((d) => d.ms));
    const detail = `one export alone ${alone.toFixed(0)} ms; ${nexp} at once took ` +
      `${shortest.toFixed(0)} to ${Math.max(...done.map((d) => d.ms)).toFixed(0)} ms; ` +
      `${probes.length} /healthz probes while all ran, the slowest ${worst.toFixed(1)} ms`;
    // The comparison means something only when an export is slow.
    assert.ok(alone >= 500, `the seeded history must make an export slow: ${detail}`);
    assert.ok(worst < shortest / 10, `/healthz waited behind an export: ${detail}`);
    assert.ok(probes.length >= probers.length, `too few probes while the exports ran: ${detail}`);
    console.log(detail);
  });
});
