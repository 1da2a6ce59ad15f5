// Every paged list with more rows than one page (issue 7, must-fix 1): the
// dashboard home with 11+ calls this month (it used to overflow a 10-row
// stack array: ASan stack-buffer-overflow), the dashboard's users page,
// and the API's calls, usage and portal users, each walked page by page
// until next_cursor is null: every row exactly once, in order, with rows
// spread over several days. Runs on SQLite and (WLPORTAL_TEST_PG) PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, completedCall, sql, utcDay, rebuildUsageTotals,
} from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

const DAY_MS = 86_400_000;

// Walks a paged API list: returns every row, asserting each page's size.
async function walk(srv, key, path, listName, limit, headers = {}) {
  const rows = [];
  let cursor = null;
  for (let pages = 0; pages < 100; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(srv, 'GET', `${path}${sep}limit=${limit}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`, { key, headers });
    assert.equal(r.status, 200, r.text);
    const got = r.json[listName];
    assert.ok(got.length <= limit, `page ${pages} has ${got.length} rows, more than ${limit}`);
    rows.push({ page: pages, rows: got, summary: r.json.summary });
    cursor = r.json.next_cursor;
    if (cursor === null) return rows;
    assert.equal(got.length, limit, 'a page followed by another is full');
  }
  assert.fail(`${path}: paging did not end`);
}

describe('paged lists', { timeout: 300_000 }, () => {
  let srv, agency, client, callIds;
  const PASSWORD = 'paging-pass-123';
  const AGENCY_EMAIL = 'agency@paging.test';
  const OWNER_EMAIL = 'owner-users@paging.test';
  const CALLS = 13;

  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { email: AGENCY_EMAIL, password: PASSWORD, minutes: 500 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 200 });
    callIds = [];
    for (let i = 0; i < CALLS; i++) callIds.push(await completedCall(srv, client.org_id, 10 + i));
  });
  after(async () => { await srv?.stop(); });

  it('the dashboard home with more calls this month than it shows (was a stack overflow)', async () => {
    const cookie = await loginSession(srv, AGENCY_EMAIL, PASSWORD);
    for (const path of ['/dashboard', `/dashboard?org=${client.org_id}`]) {
      const r = await page(srv, cookie, path);
      assert.equal(r.status, 200, `${path}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.match(r.text, new RegExp(`${CALLS} calls`), path);
      const shown = r.text.match(/<td class="mono">[0-9a-f-]{36}<\/td>/g) || [];
      assert.equal(shown.length, 10, `${path}: the home shows the first 10 calls`);
      assert.match(r.text, /the usage API lists them all/);
    }
    assert.ok(!/AddressSanitizer/.test(srv.stderr));
  });

  it('API calls list: newest first, every call once over several days', async () => {
    // spread the calls over four days, newest first stays well defined
    const now = Date.now();
    const stmts = callIds.map((id, i) =>
      `UPDATE calls SET created_at = ${now - (i % 4) * DAY_MS - i * 1000} WHERE id = '${id}';`);
    sql(srv, stmts.join('\n'));
    const pages = await walk(srv, client.api_key, '/api/v1/calls', 'calls', 4);
    const rows = pages.flatMap((p) => p.rows);
    assert.equal(pages.length, Math.ceil(CALLS / 4));
    assert.deepEqual([...rows.map((c) => c.id)].sort(), [...callIds].sort(), 'every call exactly once');
    for (let i = 1; i < rows.length; i++) {
      assert.ok(rows[i - 1].created_at >= rows[i].created_at, 'newest first');
    }
    // limit=1 still ends, and a page as large as the list has no next page
    assert.equal((await walk(srv, client.api_key, '/api/v1/calls', 'calls', 1)).length, CALLS);
    const all = await walk(srv, client.api_key, '/api/v1/calls', 'calls', CALLS);
    assert.equal(all.length, 1);
    assert.equal(all[0].rows.length, CALLS);
  });

  it('API usage: pages over several days, the summary always the whole range', async () => {
    const now = Date.now();
    const ids = sql(srv, `SELECT id FROM usage WHERE org_id = '${client.org_id}' ORDER BY created_at, id;`)
      .trim().split('\n');
    assert.equal(ids.length, CALLS);
    sql(srv, ids.map((id, i) =>
      `UPDATE usage SET created_at = ${now - (i % 5) * DAY_MS - i * 1000} WHERE id = '${id}';`).join('\n'));
    rebuildUsageTotals(srv); // the rows moved by SQL: their days' totals with them
    const start = utcDay(new Date(now - 6 * DAY_MS));
    const q = `/api/v1/usage?start_date=${start}&end_date=${utcDay()}`;
    const total = Array.from({ length: CALLS }, (_, i) => 10 + i).reduce((a, b) => a + b, 0);
    for (const [key, headers] of [[client.api_key, {}], [agency.api_key, { 'X-Organization-Id': client.org_id }], [agency.api_key, {}]]) {
      const pages = await walk(srv, key, q, 'usage', 5, headers);
      const rows = pages.flatMap((p) => p.rows);
      assert.equal(rows.length, CALLS);
      assert.equal(new Set(rows.map((u) => u.id)).size, CALLS, 'every row exactly once');
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].created_at <= rows[i].created_at, 'oldest first');
      assert.ok(new Set(rows.map((u) => u.created_at.slice(0, 10))).size >= 4, 'several days');
      for (const p of pages) assert.equal(p.summary.total_seconds, total, `page ${p.page}`);
    }
  });

  it('portal users: the API and the dashboard page through more users than a page', async () => {
    const own = createOrg(srv, { email: OWNER_EMAIL, password: PASSWORD, minutes: 1 });
    const made = [];
    for (let i = 0; i < 52; i++) made.push(createOrg(srv, { parent: own.org_id, minutes: 1 }).user_id);
    const pages = await walk(srv, own.api_key, '/api/v1/whitelabel/users', 'users', 7);
    const ids = pages.flatMap((p) => p.rows.map((u) => u.user_id));
    assert.equal(ids.length, 52);
    assert.deepEqual([...ids].sort(), [...made].sort(), 'every user exactly once');

    const cookie = await loginSession(srv, OWNER_EMAIL, PASSWORD);
    const seen = [];
    let path = '/dashboard/users';
    for (let n = 0; n < 5 && path; n++) {
      const r = await page(srv, cookie, path);
      assert.equal(r.status, 200, r.text.slice(0, 300));
      const rows = [...r.text.matchAll(/<tr id="user-([0-9a-f-]{36})"/g)].map((m) => m[1]);
      assert.ok(rows.length <= 50, `at most 50 users a page, got ${rows.length}`);
      seen.push(...rows);
      const next = r.text.match(/id="users-next" href="([^"]+)"/);
      path = next ? next[1].replace(/&amp;/g, '&') : null;
    }
    assert.equal(path, null, 'the last page has no next link');
    assert.equal(seen.length, 52);
    assert.deepEqual([...seen].sort(), [...made].sort(), 'every user exactly once on the pages');
  });
});
