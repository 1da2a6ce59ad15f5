// Reads that do not grow with history (issue 10): the usage summary and the
// monthly minutes come from the daily totals (usage_days) for whole days and
// from the rows for the rest. They must answer exactly what summing the rows
// answers, for an agency (what it paid: its calls and its clients') and a
// client (what it used), over ranges of whole days, one day, none, and the
// month so far. History over several days comes from `wlportal admin
// seed-usage`, live calls from the engine API. Also: the audit compares the
// totals with the rows, seed-usage refuses what the balance cannot pay, and
// the migration's back-fill gives the same totals as the live writes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makeEnv, createOrg, api, account, completedCall, assertAuditOk, sql,
  dbBalanceSeconds, parseSingleJson,
} from './lib.mjs';

const DAY = 86_400_000;
const dayText = (d) => new Date(d * DAY).toISOString().slice(0, 10);

function seed(ctx, org, calls, days, grant = true) {
  const args = ['admin', 'seed-usage', '--org', org, '--calls', String(calls), '--days', String(days)];
  if (grant) args.push('--grant');
  return ctx.cli(args);
}

// Every usage row: [org_id, billed_org_id, duration_sec, created_at].
function usageRows(ctx) {
  return sql(ctx, 'SELECT org_id, billed_org_id, duration_sec, created_at FROM usage;')
    .split('\n').filter((l) => l.trim() !== '')
    .map((l) => { const [o, b, s, t] = l.split('|'); return { o, b, s: Number(s), t: Number(t) }; });
}

// What the rows say for an org over [from, to): { seconds, calls }.
function rowSum(rows, org, byBilled, from, to) {
  let seconds = 0;
  let calls = 0;
  for (const r of rows) {
    if ((byBilled ? r.b : r.o) !== org || r.t < from || r.t >= to) continue;
    seconds += r.s;
    calls += 1;
  }
  return { seconds, calls };
}

function minutesOf(seconds) {
  return Math.round((seconds / 60) * 100) / 100;
}

describe('usage totals per day', { timeout: 300_000 }, () => {
  let srv, agency, client;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Totals Agency', minutes: 10 });
    client = createOrg(srv, { name: 'Totals Client', parent: agency.org_id, minutes: 10 });
    let r = seed(srv, client.org_id, 400, 9);
    assert.equal(r.status, 0, r.stderr);
    r = seed(srv, agency.org_id, 300, 12);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /seed-usage: 300 of 300 calls/);
    await completedCall(srv, agency.org_id, 61);
    await completedCall(srv, client.org_id, 47);
  });
  after(async () => { await srv?.stop(); });

  it('the summary equals the sum of the rows over whole days, one day and none', async () => {
    const rows = usageRows(srv);
    assert.equal(rows.length, 702);
    const today = Math.floor(Date.now() / DAY);
    const ranges = [
      [today - 13, today], [today - 12, today - 1], [today - 8, today - 3],
      [today, today], [today - 5, today - 5], [today - 20, today - 14], [today + 1, today + 4],
    ];
    for (const [who, byBilled] of [[agency, true], [client, false]]) {
      for (const [a, b] of ranges) {
        const want = rowSum(rows, who.org_id, byBilled, a * DAY, (b + 1) * DAY);
        const r = await api(srv, 'GET',
          `/api/v1/usage?start_date=${dayText(a)}&end_date=${dayText(b)}&limit=1`, { key: who.api_key });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.summary.total_seconds, want.seconds, `${dayText(a)}..${dayText(b)}`);
        assert.equal(r.json.summary.total_minutes, minutesOf(want.seconds));
        assert.equal(r.json.usage.length, want.calls > 0 ? 1 : 0);
        assert.equal(r.json.next_cursor === null, want.calls <= 1);
      }
    }
    // The agency pays for its client's calls too.
    const all = rowSum(rows, agency.org_id, true, 0, Infinity);
    assert.equal(all.calls, 702);
  });

  it('monthly usage minutes equal the rows of the month so far', async () => {
    const rows = usageRows(srv);
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    for (const [who, byBilled] of [[agency, true], [client, false]]) {
      const want = rowSum(rows, who.org_id, byBilled, monthStart, Infinity);
      const a = await account(srv, who.api_key);
      assert.equal(a.monthly_usage_minutes, minutesOf(want.seconds), who.org_id);
    }
  });

  it('the audit passes, and names a day whose totals differ from its rows', () => {
    assertAuditOk(srv);
    const day = sql(srv, `SELECT MIN(day) FROM usage_days WHERE org_id = '${client.org_id}' AND by_billed = 0;`).trim();
    sql(srv, `UPDATE usage_days SET seconds = seconds + 1 WHERE org_id = '${client.org_id}' AND by_billed = 0 AND day = ${day};`);
    const r = srv.cli(['audit']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`^totals: org ${client.org_id} used on ${dayText(Number(day))}: daily totals \\d+ s`, 'm'));
    assert.match(r.stdout, /audit FAILED: 1 daily usage totals differ/);
    sql(srv, `UPDATE usage_days SET seconds = seconds - 1 WHERE org_id = '${client.org_id}' AND by_billed = 0 AND day = ${day};`);
    assertAuditOk(srv);
  });
});

describe('seed-usage', { timeout: 300_000 }, () => {
  let env;
  before(() => {
    env = makeEnv();
    assert.equal(env.cli(['migrate']).status, 0);
  });
  after(() => { env?.removeDir(); });

  it('refuses, writing nothing, what the balance cannot pay', () => {
    const o = createOrg(env, { minutes: 1 });
    const r = seed(env, o.org_id, 50, 3, false);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has 1 minutes but the calls cost [\d.]+ minutes: grant at least \d+ minutes/);
    assert.equal(sql(env, `SELECT COUNT(*) FROM calls WHERE org_id = '${o.org_id}';`).trim(), '0');
    assert.equal(dbBalanceSeconds(env, o.org_id), 60);
    for (const bad of [['--calls', '0'], ['--days', '0'], ['--org', 'nope']]) {
      const args = ['admin', 'seed-usage', '--org', o.org_id, '--calls', '5', '--days', '2'];
      args[args.indexOf(bad[0]) + 1] = bad[1];
      assert.equal(env.cli(args).status, 2, bad.join(' '));
    }
  });

  it('writes calls as the metering path does: ledger references, balances, usage', () => {
    const agency = createOrg(env, { minutes: 100000 });
    const client = createOrg(env, { parent: agency.org_id, minutes: 100000 });
    const r = seed(env, client.org_id, 1234, 5, false);
    assert.equal(r.status, 0, r.stderr);
    const out = parseSingleJson(r.stdout, 'seed-usage');
    assert.equal(out.calls, 1234);
    assert.equal(out.granted_seconds, 0);
    assert.equal(out.seconds, Number(sql(env, `SELECT SUM(billed_seconds) FROM calls WHERE org_id = '${client.org_id}';`).trim()));
    assert.equal(dbBalanceSeconds(env, client.org_id), 6_000_000 - out.seconds);
    assert.equal(dbBalanceSeconds(env, agency.org_id), 6_000_000 - out.seconds);
    const refs = sql(env, `SELECT COUNT(*) FROM ledger_entries e JOIN calls c ON e.reference = 'call:' || c.id || ':' || c.billed_seconds WHERE c.org_id = '${client.org_id}';`).trim();
    assert.equal(refs, '2468'); // the client's debit and the agency's, per call
    const span = sql(env, `SELECT MIN(created_at), MAX(created_at), COUNT(*) FROM usage WHERE org_id = '${client.org_id}';`).trim().split('|').map(Number);
    assert.ok(span[0] >= Date.now() - 5 * DAY - 60_000 && span[1] <= Date.now(), String(span));
    assert.equal(span[2], 1234);
    assert.equal(sql(env, `SELECT COUNT(*) FROM calls WHERE org_id = '${client.org_id}' AND status = 'ended' AND ended_reason = 'customer-ended-call';`).trim(), '1234');
    assertAuditOk(env);
  });

  it('the migration back-fills the same totals from existing rows', () => {
    const before = sql(env, 'SELECT org_id, by_billed, day, seconds, calls FROM usage_days ORDER BY 1, 2, 3;');
    assert.ok(before.split('\n').length > 10);
    // As before the migration that made the table (14, src/store/schema_*.h);
    // the later ones run again too and are written to (15).
    sql(env, 'DROP TABLE usage_days; UPDATE schema_version SET version = 13;');
    const m = env.cli(['migrate']);
    assert.equal(m.status, 0, m.stderr);
    const after = sql(env, 'SELECT org_id, by_billed, day, seconds, calls FROM usage_days ORDER BY 1, 2, 3;');
    assert.equal(after, before);
    assertAuditOk(env);
  });
});
