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
import os from 'node:os';
import { startServer, createOrg, sql, rebuildUsageTotals, utcDay, BACKEND } from './lib.mjs';
import { keepAlive } from './keepalive.mjs';

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
