// Batches of the group-commit writer that mix accepted and refused jobs
// (services/writer.c: a quick attempt without savepoints, pipelined on
// PostgreSQL, and a careful rerun when a job failed after writing). Debits of
// calls run beside allocations that are refused after their first write
// (the Idempotency-Key claim) and allocations that succeed: every answer is
// the job's own, a refused allocation leaves neither credits, nor a ledger
// entry, nor its key's claim behind, every second of the calls is billed
// exactly once, and `wlportal audit` agrees. Runs on both backends.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, api, assertError, assertAuditOk, dbBalanceSeconds, inbound, event,
  okEvent, sql, metric, BACKEND, grantMinutes,
} from './lib.mjs';

describe('writer batches mixing refused and accepted jobs', { timeout: 180_000 }, () => {
  let srv, agency, payer, other;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 100000 });
    payer = createOrg(srv, { parent: agency.org_id, minutes: 1000 });
    other = createOrg(srv, { parent: agency.org_id, minutes: 1 });
  });
  after(async () => { await srv?.stop(); });

  const allocate = (org, body, key) => api(srv, 'POST',
    `/api/v1/whitelabel/users/${org.user_id}/allocations`,
    { key: agency.api_key, body, headers: { 'Idempotency-Key': key } });

  it('each job of a mixed batch gets its own answer, and refusals leave nothing', async () => {
    const calls = [];
    for (let i = 0; i < 8; i++) {
      const c = await inbound(srv, payer.org_id);
      assert.equal(c.action, 'answer');
      calls.push(c.call_id);
    }
    const payerBefore = dbBalanceSeconds(srv, payer.org_id);
    const agencyBefore = dbBalanceSeconds(srv, agency.org_id);
    const otherBefore = dbBalanceSeconds(srv, other.org_id);
    const rounds = 10;
    for (let round = 1; round <= rounds; round++) {
      // All at once, so the writer takes them into the same batches.
      const debits = calls.map((id) => event(srv, id, 'in-progress', round));
      const refused = [1, 2, 3].map((n) =>
        allocate(other, { credits: -1000, description: 'too much' }, `refused-${round}-${n}`));
      const accepted = [1, 2].map((n) =>
        allocate(other, { credits: 1, description: 'ok' }, `accepted-${round}-${n}`));
      const [d, r, a] = await Promise.all([Promise.all(debits), Promise.all(refused),
        Promise.all(accepted)]);
      for (const x of d) {
        assert.equal(x.status, 200, x.text);
        assert.equal(x.json.billed_seconds, round, x.text);
        assert.equal(x.json.continue, true, x.text);
      }
      for (const x of r) {
        assertError(x, 422, 'validation_failed');
        assert.ok(x.json.error.fields.credits, x.text);
      }
      for (const x of a) {
        assert.equal(x.status, 201, x.text);
        assert.equal(x.json.applied, true, x.text);
      }
    }
    // Every second once, on the client and on its agency.
    const billed = calls.length * rounds;
    assert.equal(dbBalanceSeconds(srv, payer.org_id), payerBefore - billed);
    assert.equal(dbBalanceSeconds(srv, agency.org_id), agencyBefore - billed);
    // Only the accepted allocations moved credits and wrote entries.
    assert.equal(dbBalanceSeconds(srv, other.org_id), otherBefore + rounds * 2 * 60);
    const refusedEntries = sql(srv,
      `SELECT COUNT(*) FROM ledger_entries WHERE org_id = '${other.org_id}' AND delta_seconds < 0`);
    assert.equal(String(refusedEntries).trim(), '0');
    // A refused request's key was not kept: the same key serves a new request.
    const reuse = await allocate(other, { credits: 1, description: 'after refusal' }, 'refused-1-1');
    assert.equal(reuse.status, 201, reuse.text);
    assertAuditOk(srv);
  });

  // The reads of a batch of events (orgs and calls under lock) take one
  // round trip together on PostgreSQL, and COMMIT another: a batch waits
  // for the database twice, however many events it holds (before, each
  // event's call lock was a round trip of its own, and the org locks of a
  // batch's first event more). SQLite never waits. The balances a batch
  // moves are written once each before COMMIT; on PostgreSQL its entries and
  // its calls' seconds too, one statement each.
  it('a batch of events waits for the database at most twice', async () => {
    const url = await srv.metricsUrl();
    const calls = [];
    for (let i = 0; i < 12; i++) calls.push((await inbound(srv, payer.org_id)).call_id);
    // The first event of a call changes its status (a webhook lookup): not measured.
    for (const x of await Promise.all(calls.map((id) => event(srv, id, 'in-progress', 1)))) {
      assert.equal(x.status, 200, x.text);
    }
    const trips0 = await metric(url, 'wlportal_writer_round_trips_total');
    const writes0 = await metric(url, 'wlportal_writer_balance_writes_total');
    const batches0 = await metric(url, 'wlportal_writer_batch_size_count');
    const stmts0 = await metric(url, 'wlportal_writer_statements_total');
    const ownerHits0 = await metric(url, 'wlportal_call_owner_hits_total');
    const ownerMisses0 = await metric(url, 'wlportal_call_owner_misses_total');
    let events = 0;
    for (let round = 2; round <= 6; round++) {
      for (const x of await Promise.all(calls.map((id) => event(srv, id, 'in-progress', round)))) {
        assert.equal(x.status, 200, x.text);
        assert.equal(x.json.billed_seconds, round, x.text);
        events++;
      }
    }
    const trips = await metric(url, 'wlportal_writer_round_trips_total') - trips0;
    const writes = await metric(url, 'wlportal_writer_balance_writes_total') - writes0;
    const batches = await metric(url, 'wlportal_writer_batch_size_count') - batches0;
    const stmts = await metric(url, 'wlportal_writer_statements_total') - stmts0;
    // whose each call is was read at its first event, never again
    // (services/call_owner.c): no database read on a server thread per event
    assert.equal(await metric(url, 'wlportal_call_owner_misses_total') - ownerMisses0, 0);
    assert.equal(await metric(url, 'wlportal_call_owner_hits_total') - ownerHits0, events);
    assert.ok(batches >= 1 && batches <= events, `${batches} batches`);
    // (a little room for a batch of something else meanwhile, the reaper's)
    if (BACKEND === 'postgres') {
      // (before, every event waited once itself: events + 3 a batch)
      assert.ok(trips <= 2 * batches + 4,
        `${trips} round trips in ${batches} batches of ${events} events`);
      // BEGIN, the lock, the two balances, the entries of all its events,
      // their calls' seconds, COMMIT: seven a batch, whatever its size
      // (src/store/batch.c; before, two more for every event)
      assert.ok(stmts <= 7 * batches + 8,
        `${stmts} statements in ${batches} batches of ${events} events`);
    } else {
      assert.equal(trips, 0);
      // a read of each event's call; a batch's BEGIN, its two orgs' reads
      // and balances, its entries and its calls' seconds DB_BATCH_ROWS (16)
      // rows a statement, COMMIT (src/store/batch.c; before, an event
      // wrote its entries and its call itself: three statements an event)
      assert.ok(stmts <= events + 8 * batches + Math.ceil(3 * events / 16) + 8,
        `${stmts} statements in ${batches} batches of ${events} events`);
    }
    // the client's and the agency's balance once per batch, not once per
    // event each (deferred balances, src/store/batch.c)
    // (before: two per event; 12 events at once never make 12 batches)
    assert.ok(writes <= 2 * batches + 4 && writes < 2 * events,
      `${writes} balance updates in ${batches} batches of ${events} events`);
    assertAuditOk(srv);
  });

  // SQLite: a commit that leaves the WAL past 1,000 pages no longer copies
  // it into the database inside the writer's commit; a thread of its own
  // does (src/store/sq_checkpoint.c), and under steady load the WAL still
  // starts over from its beginning: the thread copies, a committing
  // connection copies the last frames. (Before: the thread's connection had
  // never opened the WAL and its checkpoints did nothing, and one that did
  // would never have caught up with a writer that does not pause; the WAL
  // grew by 80 MB a second in the debits benchmark.)
  it('keeps SQLite\'s WAL short under steady writes, checkpointed off the writer', async (t) => {
    if (BACKEND !== 'sqlite') return t.skip('SQLite only');
    const url = await srv.metricsUrl();
    const { statSync } = await import('node:fs');
    const ckpt0 = await metric(url, 'wlportal_sqlite_checkpoints_total');
    const restarts0 = await metric(url, 'wlportal_sqlite_wal_restarts_total');
    const busy = createOrg(srv, { parent: agency.org_id, minutes: 2000 });
    const calls = [];
    for (let i = 0; i < 16; i++) calls.push((await inbound(srv, busy.org_id)).call_id);
    // 16 calls' events without a pause between commits, until the WAL has
    // started over three times (bounded: 12,000 events), its length
    // sampled as it goes
    let events = 0, longest = 0, restarts = 0;
    const lane = async (id) => {
      for (let sec = 1; sec <= 750 && restarts < 3; sec++) {
        await okEvent(srv, id, 'in-progress', sec);
        if (++events % 200 === 0) {
          longest = Math.max(longest, statSync(srv.dbFile + '-wal').size);
          restarts = await metric(url, 'wlportal_sqlite_wal_restarts_total') - restarts0;
        }
      }
    };
    await Promise.all(calls.map(lane));
    assert.ok(restarts >= 3, `the WAL started over ${restarts} times in ${events} events`);
    assert.ok(await metric(url, 'wlportal_sqlite_checkpoints_total') > ckpt0, 'no checkpoint off the writer');
    // 1,000 pages of 4 KiB and what a round of the thread lets through
    assert.ok(longest < 12 * 1024 * 1024, `the WAL grew to ${longest} bytes`);
    for (const id of calls) await okEvent(srv, id, 'ended', 751);

    // One commit at a time: each time the WAL has started over and grown
    // past 1,000 pages again, the thread copies it, not a commit (a round
    // of the WAL before the restart once left a flag that made the next
    // long WAL's commit copy all of it itself). Bounded: 9,000 events.
    const seq = await inbound(srv, busy.org_id);
    let n = 0;
    const fifty = async () => {
      for (let i = 1; i <= 50; i++) await okEvent(srv, seq.call_id, 'in-progress', n + i);
      n += 50;
    };
    // from just after a restart (50 events write far fewer than 1,000
    // pages: no round has begun since), every restart needs a round
    const before = await metric(url, 'wlportal_sqlite_wal_restarts_total');
    while (n < 3000 && await metric(url, 'wlportal_sqlite_wal_restarts_total') === before) await fifty();
    const r0 = await metric(url, 'wlportal_sqlite_wal_restarts_total');
    const c0 = await metric(url, 'wlportal_sqlite_checkpoints_total');
    let r = 0;
    while (n < 9000 && r < 3) {
      await fifty();
      r = await metric(url, 'wlportal_sqlite_wal_restarts_total') - r0;
    }
    assert.ok(r >= 3, `the WAL started over ${r} times in ${n} events one at a time`);
    const rounds = await metric(url, 'wlportal_sqlite_checkpoints_total') - c0;
    assert.ok(rounds >= r, `${rounds} rounds of the thread for ${r} restarts`);
    await okEvent(srv, seq.call_id, 'ended', n + 1);
    assertAuditOk(srv);
  });

  // The writer keeps the rows of one transaction for the next on SQLite
  // while nobody else commits (src/store/batch.c); another process's
  // commit, here `wlportal admin grant-minutes` on the same database, must
  // be seen by the very next event: the credits it granted are billable.
  it('an event right after another process granted minutes bills them', async () => {
    const small = createOrg(srv, { parent: agency.org_id, minutes: 1 });
    const c = await inbound(srv, small.org_id);
    let r = await okEvent(srv, c.call_id, 'in-progress', 50);
    assert.equal(r.billed_seconds, 50);
    r = await okEvent(srv, c.call_id, 'in-progress', 55);
    assert.equal(r.billed_seconds, 55); /* 5 seconds left */
    const g = grantMinutes(srv, small.org_id, 1, `more-${c.call_id}`);
    assert.equal(g.status, 0, g.stderr);
    r = await okEvent(srv, c.call_id, 'in-progress', 110);
    assert.equal(r.billed_seconds, 110, 'the granted minute was not seen');
    assert.equal(r.continue, true);
    assert.equal(dbBalanceSeconds(srv, small.org_id), 10);
    await okEvent(srv, c.call_id, 'ended', 110);
    assertAuditOk(srv);
  });

  it('a debit capped at the balance bills it down to zero and leaves no refused entry', async () => {
    const poor = createOrg(srv, { parent: agency.org_id, minutes: 1 });
    const c = await inbound(srv, poor.org_id);
    const entriesBefore = Number(String(sql(srv,
      `SELECT COUNT(*) FROM ledger_entries WHERE org_id = '${poor.org_id}'`)).trim());
    const results = await Promise.all([30, 45, 90].map((s) => event(srv, c.call_id, 'in-progress', s)));
    for (const x of results) assert.equal(x.status, 200, x.text);
    const last = await okEvent(srv, c.call_id, 'in-progress', 120);
    assert.equal(last.billed_seconds, 60);
    assert.equal(last.continue, false);
    assert.equal(dbBalanceSeconds(srv, poor.org_id), 0);
    const entriesAfter = Number(String(sql(srv,
      `SELECT COUNT(*) FROM ledger_entries WHERE org_id = '${poor.org_id}'`)).trim());
    // One or more debits summing to exactly the 60 seconds there were.
    const sum = Number(String(sql(srv,
      `SELECT COALESCE(SUM(delta_seconds), 0) FROM ledger_entries WHERE org_id = '${poor.org_id}' AND kind = 'call'`)).trim());
    assert.equal(sum, -60);
    assert.ok(entriesAfter > entriesBefore && entriesAfter - entriesBefore <= 3);
    assertAuditOk(srv);
  });
});
