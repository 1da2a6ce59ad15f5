// GET /api/v1/usage.csv: the rows of GET /api/v1/usage as RFC 4180 CSV
// (header, quoting of names with commas, quotes and line breaks, CRLF),
// columns that sum exactly to the JSON summary, a client's export in its
// own price (none: empty cost), more rows than one piece streamed, and the
// same refusals as the JSON route. Plain fetch: lib.mjs's api() checks
// JSON answers against the OpenAPI document.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, utcDay, parseSingleJson, assertAuditOk,
  completedCall,
} from './lib.mjs';

const HEADER = ['id', 'created_at', 'call_id', 'org_id', 'org_name', 'number_id', 'duration_sec',
  'minutes', 'cost', 'currency'];

// RFC 4180: records end with CRLF; quoted fields may hold , " CR LF; "" is a quote.
function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i += 1; continue; }
      field += ch; i += 1; continue;
    }
    if (ch === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
      quoted = true; i += 1; continue;
    }
    if (ch === ',') { record.push(field); field = ''; i += 1; continue; }
    if (ch === '\r') {
      assert.equal(text[i + 1], '\n', `CR without LF at ${i}`);
      record.push(field); records.push(record); record = []; field = ''; i += 2; continue;
    }
    assert.notEqual(ch, '\n', `a bare LF outside quotes at ${i}`);
    field += ch; i += 1;
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.equal(field, '', 'the last record must end with CRLF');
  assert.equal(record.length, 0, 'the last record must end with CRLF');
  return records;
}

async function csv(srv, key, query, headers = {}) {
  const res = await fetch(`${srv.url}/api/v1/usage.csv${query ? '?' + query : ''}`,
    { headers: { Authorization: `Bearer ${key}`, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

function usage(srv, key, query, headers = {}) {
  return api(srv, 'GET', `/api/v1/usage?${query}`, { key, headers });
}

// Every row of the JSON route, paging with its cursor.
async function allJsonRows(srv, key, query, headers = {}) {
  const rows = [];
  let cursor = null;
  let summary = null;
  for (let pages = 0; pages < 100; pages++) {
    const r = await usage(srv, key, `${query}&limit=1000${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`, headers);
    assert.equal(r.status, 200, r.text);
    rows.push(...r.json.usage);
    summary = r.json.summary;
    cursor = r.json.next_cursor;
    if (cursor === null) return { rows, summary };
  }
  assert.fail('JSON paging did not end');
}

const cents = (text) => Math.round(Number(text) * 100);

// The records against the JSON answer: same rows in the same order, and
// every column sums to its summary.
function checkAgainstJson(records, json) {
  assert.deepEqual(records[0], HEADER);
  const rows = records.slice(1).map((r) => {
    assert.equal(r.length, HEADER.length, JSON.stringify(r));
    return Object.fromEntries(HEADER.map((h, i) => [h, r[i]]));
  });
  assert.equal(rows.length, json.rows.length);
  assert.deepEqual(rows.map((r) => r.id), json.rows.map((r) => r.id));
  assert.deepEqual(rows.map((r) => r.created_at), json.rows.map((r) => r.created_at));
  assert.deepEqual(rows.map((r) => Number(r.duration_sec)), json.rows.map((r) => r.duration_sec));
  assert.deepEqual(rows.map((r) => r.number_id), json.rows.map((r) => r.number_id ?? ''));
  const seconds = rows.reduce((a, r) => a + Number(r.duration_sec), 0);
  const minuteHundredths = rows.reduce((a, r) => a + cents(r.minutes), 0);
  assert.equal(seconds, json.summary.total_seconds);
  assert.equal(minuteHundredths, Math.round(json.summary.total_minutes * 100));
  for (const r of rows) assert.equal(r.currency, json.summary.currency);
  if (json.summary.total_cost === null) {
    for (const r of rows) assert.equal(r.cost, '', 'no price: no cost');
  } else {
    for (const r of rows) assert.match(r.cost, /^\d+\.\d\d$/);
    assert.equal(rows.reduce((a, r) => a + cents(r.cost), 0), cents(json.summary.total_cost));
  }
  return rows;
}

describe('usage CSV export', { timeout: 240_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it('header, quoting, CRLF, and columns that sum to the JSON summary', async () => {
    const agencyName = 'Agency "Quote", Inc.';
    const clientName = 'Client\nTwo, "Lines"';
    const agency = createOrg(srv, { name: agencyName, minutes: 100 });
    const client = createOrg(srv, { name: clientName, parent: agency.org_id, minutes: 50 });
    const guarded = createOrg(srv, { name: '=HYPERLINK("x")', parent: agency.org_id, minutes: 5 });
    const start = utcDay();
    // 7 s rows: each rounds to 0.12 min / 0.01 EUR alone, so only shares
    // carried from row to row can sum to the rounded totals.
    for (const s of [7, 7, 7, 61, 30]) await completedCall(srv, agency.org_id, s);
    for (const s of [7, 90]) await completedCall(srv, client.org_id, s);
    await completedCall(srv, guarded.org_id, 12);
    const q = `start_date=${start}&end_date=${utcDay()}`;

    const r = await csv(srv, agency.api_key, q);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(r.headers.get('content-disposition'),
      `attachment; filename="usage-${start}-to-${utcDay()}.csv"`);
    assert.ok(r.text.startsWith(HEADER.join(',') + '\r\n'), r.text.slice(0, 200));
    assert.ok(r.text.includes(',"Agency ""Quote"", Inc.",'), 'comma and quotes: quoted, quotes doubled');
    assert.ok(r.text.includes(',"Client\nTwo, ""Lines""",'), 'a line break: quoted');
    const records = parseCsv(r.text);
    const json = await allJsonRows(srv, agency.api_key, q);
    assert.equal(json.summary.total_seconds, 7 * 3 + 61 + 30 + 7 + 90 + 12);
    const rows = checkAgainstJson(records, json);
    const byOrg = (id) => rows.filter((x) => x.org_id === id);
    assert.equal(byOrg(agency.org_id).length, 5);
    for (const x of byOrg(agency.org_id)) assert.equal(x.org_name, agencyName);
    for (const x of byOrg(client.org_id)) assert.equal(x.org_name, clientName);
    // a name a spreadsheet would run as a formula is defused
    assert.deepEqual(byOrg(guarded.org_id).map((x) => x.org_name), [`'=HYPERLINK("x")`]);
    for (const x of rows) assert.match(x.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // the 7 s rows alone would each say 0.12 and 0.01; the columns still sum exactly
    assert.equal(json.summary.total_cost, 0.26);

    // A client (the agency acting on it): only its rows, in its own price
    // (its agency has no package: no cost, the package currency).
    const c = await csv(srv, agency.api_key, q, { 'X-Organization-Id': client.org_id });
    assert.equal(c.status, 200, c.text);
    const cj = await allJsonRows(srv, agency.api_key, q, { 'X-Organization-Id': client.org_id });
    assert.equal(cj.summary.total_cost, null);
    const crows = checkAgainstJson(parseCsv(c.text), cj);
    assert.deepEqual(crows.map((x) => Number(x.duration_sec)), [7, 90]);
    // the client's own key: the same file
    const own = await csv(srv, client.api_key, q);
    assert.equal(own.status, 200);
    assert.equal(own.text, c.text);
  });

  it('an empty range is the header alone', async () => {
    const o = createOrg(srv, { minutes: 1 });
    const r = await csv(srv, o.api_key, 'start_date=2020-01-01&end_date=2020-12-31');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, HEADER.join(',') + '\r\n');
  });

  it('more rows than one piece: streamed, every row once, totals equal the summary', async () => {
    const o = createOrg(srv, { minutes: 10 });
    const seeded = srv.cli(['admin', 'seed-usage', '--org', o.org_id, '--calls', '1234', '--days', '3', '--grant']);
    assert.equal(seeded.status, 0, seeded.stderr);
    assert.equal(parseSingleJson(seeded.stdout, 'seed-usage').calls, 1234);
    const q = `start_date=2020-01-01&end_date=${utcDay()}`;
    const r = await csv(srv, o.api_key, q);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers.get('transfer-encoding'), 'chunked', 'a streamed body');
    const records = parseCsv(r.text);
    assert.equal(records.length, 1 + 1234);
    const json = await allJsonRows(srv, o.api_key, q);
    checkAgainstJson(records, json);
    assert.equal(new Set(records.slice(1).map((x) => x[0])).size, 1234);
    assertAuditOk(srv);
  });

  it('refuses what the JSON route refuses, with the same status', async () => {
    const a = createOrg(srv, { minutes: 1 });
    const b = createOrg(srv, { minutes: 1 });
    const child = createOrg(srv, { parent: b.org_id, minutes: 1 });
    const q = 'start_date=2025-01-01&end_date=2025-01-31';
    for (const [key, headers, status] of [
      [a.api_key, { 'X-Organization-Id': b.org_id }, null],
      [a.api_key, { 'X-Organization-Id': child.org_id }, null],
      [child.api_key, { 'X-Organization-Id': b.org_id }, null],
      ['wlp_not_a_key', {}, 401],
    ]) {
      const j = await usage(srv, key, q, headers);
      const c = await csv(srv, key, q, headers);
      assert.ok(j.status >= 400, j.text);
      if (status) assert.equal(j.status, status);
      assert.equal(c.status, j.status, c.text);
      assert.match(c.headers.get('content-type'), /^application\/json/);
      assert.equal(JSON.parse(c.text).error.code, j.json.error.code);
    }
    for (const bad of ['start_date=2025-13-01', 'start_date=2025-02-01&end_date=2025-01-01', 'end_date=x']) {
      const c = await csv(srv, a.api_key, bad);
      assert.equal(c.status, 400, bad);
      assert.equal(JSON.parse(c.text).error.code, 'invalid_request');
    }
  });
});
