// GET /api/v1/usage: the seeds' example (7200 s -> 120 min -> EUR 8.40),
// paging that keeps the whole-range summary, date validation, and the
// parent/child split.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, account, assertError, completedCall, assertMinutesText,
  assertAuditOk, utcDay, ISO_MS_RE, UUID_RE,
} from './lib.mjs';

function usage(srv, key, query, headers = {}) {
  return api(srv, 'GET', `/api/v1/usage${query ? '?' + query : ''}`, { key, headers });
}

describe('usage API', { timeout: 120_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it("the seeds' example: 7200 s -> 120 minutes -> 8.40, paged one row at a time", async () => {
    const o = createOrg(srv, { minutes: 200 });
    const start = utcDay();
    const durations = [84, 1200, 2400, 1716, 1800];
    const ids = [];
    for (const d of durations) ids.push(await completedCall(srv, o.org_id, d));
    const end = utcDay();
    const q = `start_date=${start}&end_date=${end}`;

    const r = await usage(srv, o.api_key, q);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.summary, { total_seconds: 7200, total_minutes: 120, total_cost: 8.4, currency: 'EUR' });
    assert.match(r.text, /"total_cost"\s*:\s*8\.40[,}\s]/, `total_cost must print as 8.40: ${r.text}`);
    assertMinutesText(r.text);
    assert.equal(r.json.next_cursor, null);
    assert.equal(r.json.usage.length, 5);
    for (const row of r.json.usage) {
      assert.deepEqual(Object.keys(row).sort(), ['created_at', 'duration_sec', 'id', 'number_id']);
      assert.match(row.id, UUID_RE);
      assert.match(row.created_at, ISO_MS_RE);
      assert.equal(row.number_id, null);
    }
    for (let i = 1; i < r.json.usage.length; i++) {
      assert.ok(r.json.usage[i - 1].created_at <= r.json.usage[i].created_at, 'oldest first');
    }
    assert.deepEqual(r.json.usage.map((x) => x.duration_sec).sort((a, b) => a - b), [...durations].sort((a, b) => a - b));

    // limit=1: every row exactly once, the summary always the whole range.
    const seen = [];
    let cursor = null;
    let pages = 0;
    for (; pages < 20; pages++) {
      const p = await usage(srv, o.api_key, `${q}&limit=1${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
      assert.equal(p.status, 200, p.text);
      assert.ok(p.json.usage.length <= 1);
      assert.deepEqual(p.json.summary, { total_seconds: 7200, total_minutes: 120, total_cost: 8.4, currency: 'EUR' }, `page ${pages}`);
      assert.match(p.text, /"total_cost"\s*:\s*8\.40[,}\s]/);
      seen.push(...p.json.usage.map((x) => x.id));
      cursor = p.json.next_cursor;
      if (cursor === null) break;
    }
    assert.equal(cursor, null, 'paging must end');
    assert.equal(seen.length, 5);
    assert.deepEqual(seen, r.json.usage.map((x) => x.id));

    const a = await account(srv, o.api_key);
    assert.equal(a.minutes_balance, 80);
    assert.equal(a.monthly_usage_minutes, 120);

    // Default range: this month up to today.
    const d = await usage(srv, o.api_key, '');
    assert.equal(d.status, 200, d.text);
    if (start.slice(0, 7) === end.slice(0, 7)) {
      assert.equal(d.json.summary.total_seconds, 7200);
    }
    assertAuditOk(srv);
  });

  it('an empty range is zero, printed 0 / 0.00', async () => {
    const o = createOrg(srv, { minutes: 1 });
    const r = await usage(srv, o.api_key, 'start_date=2020-01-01&end_date=2020-01-31');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.usage, []);
    assert.deepEqual(r.json.summary, { total_seconds: 0, total_minutes: 0, total_cost: 0, currency: 'EUR' });
    assert.match(r.text, /"total_cost"\s*:\s*0\.00[,}\s]/);
    assert.equal(r.json.next_cursor, null);
    // Leap day is a date.
    assert.equal((await usage(srv, o.api_key, 'start_date=2024-02-29&end_date=2024-02-29')).status, 200);
  });

  it('cost rounds half-up to cents', async () => {
    // 30 s = 0.5 min * 0.07 = 0.035 -> 0.04
    const o = createOrg(srv, { minutes: 5 });
    await completedCall(srv, o.org_id, 30);
    const day = utcDay();
    const r = await usage(srv, o.api_key, `start_date=${day}&end_date=${day}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.summary, { total_seconds: 30, total_minutes: 0.5, total_cost: 0.04, currency: 'EUR' });
    assert.match(r.text, /"total_cost"\s*:\s*0\.04[,}\s]/);
  });

  it('bad dates and ranges are 400', async () => {
    const o = createOrg(srv, {});
    for (const q of ['start_date=2025-13-01&end_date=2025-12-31', 'start_date=2025-02-30&end_date=2025-03-01',
      'start_date=abc&end_date=2025-12-31', 'start_date=2025-12-01&end_date=2025-12-32',
      'start_date=2025-12-31&end_date=2025-12-01', 'start_date=2025-1-01&end_date=2025-12-31',
      'start_date=2023-02-29&end_date=2023-03-01', 'start_date=2025-12-01T00:00:00Z&end_date=2025-12-31',
      'start_date=2025-12-01&end_date=2025-12-31&limit=0',
      'start_date=2025-12-01&end_date=2025-12-31&limit=1001', 'start_date=2025-12-01&end_date=2025-12-31&cursor=zzz',
      'start_date=99999-01-01&end_date=99999-01-02']) {
      assertError(await usage(srv, o.api_key, q), 400, 'invalid_request', q);
    }
  });

  it("a parent's usage includes its children's calls; a child's only its own", async () => {
    const agency = createOrg(srv, { minutes: 100 });
    const c1 = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const c2 = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const start = utcDay();
    await completedCall(srv, agency.org_id, 30);
    await completedCall(srv, c1.org_id, 60);
    await completedCall(srv, c2.org_id, 120);
    await completedCall(srv, c1.org_id, 6);
    const q = `start_date=${start}&end_date=${utcDay()}`;
    const pa = await usage(srv, agency.api_key, q);
    assert.equal(pa.status, 200, pa.text);
    assert.equal(pa.json.summary.total_seconds, 216);
    assert.equal(pa.json.usage.length, 4);
    assert.equal(pa.json.summary.total_minutes, 3.6);
    const u1 = await usage(srv, c1.api_key, q);
    assert.equal(u1.json.summary.total_seconds, 66);
    assert.deepEqual(u1.json.usage.map((x) => x.duration_sec).sort((a, b) => a - b), [6, 60]);
    const u2 = await usage(srv, agency.api_key, q, { 'X-Organization-Id': c2.org_id });
    assert.equal(u2.status, 200, u2.text);
    assert.equal(u2.json.summary.total_seconds, 120);
    assert.deepEqual(u2.json.usage.map((x) => x.duration_sec), [120]);
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 96.4);
    assert.equal((await account(srv, c1.api_key)).minutes_balance, 8.9);
    assertAuditOk(srv);
  });
});
