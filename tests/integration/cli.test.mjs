// The command line: exit codes, usage errors, create-org, grant-minutes
// (idempotent by reference), migrate, and audit catching a tampered balance
// or a call's debit written twice.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  makeEnv, startServer, createOrg, grantMinutes, parseSingleJson, assertAuditOk,
  account, sql, dbBalanceSeconds, UUID_RE, randomUUID, completedCall,
} from './lib.mjs';

describe('cli without a server', { timeout: 120_000 }, () => {
  let env;
  before(() => { env = makeEnv(); });
  after(() => env.removeDir());

  it('migrate is idempotent', () => {
    for (let i = 0; i < 2; i++) {
      const r = env.cli(['migrate']);
      assert.equal(r.status, 0, `migrate #${i + 1}: ${r.stderr}`);
    }
  });

  it('audit on a fresh database is ok', () => {
    const r = env.cli(['audit']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^audit ok/);
  });

  for (const cmd of [[], ['serve'], ['migrate'], ['audit'], ['admin'],
    ['admin', 'create-org'], ['admin', 'grant-minutes']]) {
    it(`${['wlportal', ...cmd].join(' ')} --help prints usage and exits 0`, () => {
      const r = env.cli([...cmd, '--help'], { noDb: true });
      assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
      assert.match(r.stdout + r.stderr, /usage/i);
    });
  }

  const usageErrors = [
    ['unknown command', ['bogus'], true],
    ['no command', [], true],
    ['serve with an unknown flag', ['serve', '--nope'], true],
    ['create-org with missing flags', ['admin', 'create-org', '--name', 'x'], false],
    ['create-org with an unknown flag', ['admin', 'create-org', '--name', 'x', '--email', 'u@example.test', '--password', 'pw-123456789', '--colour', 'red'], false],
    ['create-org --minutes not a number', ['admin', 'create-org', '--name', 'x', '--email', 'm1@example.test', '--password', 'pw-123456789', '--minutes', 'abc'], false],
    ['create-org --minutes with 3 decimals', ['admin', 'create-org', '--name', 'x', '--email', 'm2@example.test', '--password', 'pw-123456789', '--minutes', '1.234'], false],
    ['create-org --minutes negative', ['admin', 'create-org', '--name', 'x', '--email', 'm3@example.test', '--password', 'pw-123456789', '--minutes', '-5'], false],
    ['create-org flag without its value', ['admin', 'create-org', '--name', 'x', '--email', 'm4@example.test', '--password'], false],
    ['grant-minutes without --org', ['admin', 'grant-minutes', '--minutes', '5'], false],
    ['grant-minutes with zero minutes', ['admin', 'grant-minutes', '--org', randomUUID(), '--minutes', '0'], false],
    ['grant-minutes with negative minutes', ['admin', 'grant-minutes', '--org', randomUUID(), '--minutes', '-1'], false],
    ['grant-minutes with garbage minutes', ['admin', 'grant-minutes', '--org', randomUUID(), '--minutes', '1e3'], false],
    ['unknown admin subcommand', ['admin', 'frobnicate'], false],
  ];
  for (const [name, args, noDb] of usageErrors) {
    it(`usage error exits 2: ${name}`, () => {
      const r = env.cli(args, { noDb });
      assert.equal(r.status, 2, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      // A message on stderr (bare `wlportal` may print its usage on stdout).
      assert.ok((args.length ? r.stderr : r.stdout + r.stderr).trim().length > 0, 'a message on stderr');
    });
  }

  it('serve with a bad --listen value is a usage error', () => {
    const r = env.cli(['serve', '--listen', 'not-an-address'], { timeout: 10_000 });
    assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  });

  it('nothing usage-failed left a broken database', () => {
    assertAuditOk(env);
  });
});

describe('cli admin commands', { timeout: 120_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it('create-org prints exactly one JSON object with ids and key', () => {
    const r = srv.cli(['admin', 'create-org', '--name', 'Acme Agency', '--email', 'owner@acme.test',
      '--password', 'correct horse battery staple', '--minutes', '500']);
    assert.equal(r.status, 0, r.stderr);
    const o = parseSingleJson(r.stdout, 'create-org');
    assert.deepEqual(Object.keys(o).sort(), ['api_key', 'org_id', 'user_id']);
    assert.match(o.org_id, UUID_RE);
    assert.match(o.user_id, UUID_RE);
    assert.match(o.api_key, /^wlp_[A-Za-z0-9_-]{16,}$/);
    assert.notEqual(o.org_id, o.user_id);
  });

  it('create-org minutes accept two decimals (1.5 = 90 s)', async () => {
    const o = createOrg(srv, { minutes: '1.5' });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 90);
    const a = await account(srv, o.api_key);
    assert.equal(a.minutes_balance, 1.5);
    const o2 = createOrg(srv, { minutes: '498.6' });
    assert.equal((await account(srv, o2.api_key)).minutes_balance, 498.6);
    assert.equal(dbBalanceSeconds(srv, o2.org_id), 29916);
  });

  it('create-org without --minutes starts at zero', async () => {
    const o = createOrg(srv, {});
    assert.equal((await account(srv, o.api_key)).minutes_balance, 0);
  });

  it('child orgs: one level only, parent must exist', async () => {
    const agency = createOrg(srv, { minutes: 100 });
    const child = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    assert.equal((await account(srv, child.api_key)).minutes_balance, 10);
    // The child's credits are its own; the agency keeps its minutes.
    assert.equal((await account(srv, agency.api_key)).minutes_balance, 100);

    const grandchild = srv.cli(['admin', 'create-org', '--name', 'gc', '--email', `gc-${Date.now()}@example.test`,
      '--password', 'pw-123456789', '--parent', child.org_id]);
    assert.equal(grandchild.status, 1, `child of a child: ${grandchild.status} ${grandchild.stdout}`);
    assert.ok(grandchild.stderr.trim().length > 0);

    const orphan = srv.cli(['admin', 'create-org', '--name', 'o', '--email', `o-${Date.now()}@example.test`,
      '--password', 'pw-123456789', '--parent', randomUUID()]);
    assert.equal(orphan.status, 1, `unknown parent: ${orphan.status} ${orphan.stdout}`);
  });

  it('duplicate email exits 1 and creates nothing', () => {
    const email = `dup-${Date.now()}@example.test`;
    createOrg(srv, { email });
    const before = sql(srv, 'SELECT count(*) FROM orgs;').trim();
    const r = srv.cli(['admin', 'create-org', '--name', 'Dup', '--email', email, '--password', 'pw-123456789']);
    assert.equal(r.status, 1, `${r.status} ${r.stdout} ${r.stderr}`);
    assert.equal(r.stdout.trim(), '');
    assert.equal(sql(srv, 'SELECT count(*) FROM orgs;').trim(), before);
  });

  it('grant-minutes is idempotent by reference', async () => {
    const o = createOrg(srv, { minutes: '1.5' });
    let r = grantMinutes(srv, o.org_id, '2.25', 'grant-ref-1');
    assert.equal(r.status, 0, r.stderr);
    let g = parseSingleJson(r.stdout, 'grant-minutes');
    assert.deepEqual(g, { org_id: o.org_id, minutes_balance: 3.75, applied: true });

    r = grantMinutes(srv, o.org_id, '2.25', 'grant-ref-1');
    assert.equal(r.status, 0, r.stderr);
    g = parseSingleJson(r.stdout, 'grant-minutes');
    assert.deepEqual(g, { org_id: o.org_id, minutes_balance: 3.75, applied: false });
    assert.equal(dbBalanceSeconds(srv, o.org_id), 225);

    // A different reference applies again; no reference always applies.
    g = parseSingleJson(grantMinutes(srv, o.org_id, 1, 'grant-ref-2').stdout, 'grant');
    assert.equal(g.applied, true);
    assert.equal(g.minutes_balance, 4.75);
    g = parseSingleJson(grantMinutes(srv, o.org_id, 1).stdout, 'grant');
    assert.equal(g.applied, true);
    g = parseSingleJson(grantMinutes(srv, o.org_id, 1).stdout, 'grant');
    assert.equal(g.applied, true);
    assert.equal(g.minutes_balance, 6.75);
    assert.equal((await account(srv, o.api_key)).minutes_balance, 6.75);
    assertAuditOk(srv);
  });

  it('grant-minutes to an unknown org exits 1', () => {
    const r = grantMinutes(srv, randomUUID(), 5, 'x');
    assert.equal(r.status, 1, `${r.status} ${r.stdout} ${r.stderr}`);
  });

  it('audit names each org whose balance does not match its ledger', () => {
    const a = createOrg(srv, { minutes: 10 });
    const b = createOrg(srv, { minutes: 20 });
    const c = createOrg(srv, { minutes: 30 });
    assertAuditOk(srv);
    sql(srv, `UPDATE orgs SET balance_seconds = balance_seconds + 7 WHERE id='${a.org_id}';`);
    sql(srv, `UPDATE orgs SET balance_seconds = balance_seconds + 7 WHERE id='${b.org_id}';`);
    try {
      const r = srv.cli(['audit']);
      assert.equal(r.status, 1, `audit after tampering: ${r.status}\n${r.stdout}\n${r.stderr}`);
      assert.ok(r.stdout.includes(a.org_id), `audit must name ${a.org_id}:\n${r.stdout}`);
      assert.ok(r.stdout.includes(b.org_id), `audit must name ${b.org_id}:\n${r.stdout}`);
      assert.ok(!r.stdout.includes(c.org_id), `audit must not name the intact ${c.org_id}:\n${r.stdout}`);
      assert.ok(!/^audit ok/m.test(r.stdout));
    } finally {
      // Undo, so the final audit of this file passes again.
      sql(srv, `UPDATE orgs SET balance_seconds = balance_seconds - 7 WHERE id IN ('${a.org_id}','${b.org_id}');`);
    }
    assertAuditOk(srv);
  });

  it('audit names a call debit written twice; the unique index still holds the other kinds', async () => {
    const parent = createOrg(srv, { minutes: 10 });
    const child = createOrg(srv, { minutes: 5, parent: parent.org_id });
    await completedCall(srv, child.org_id, 42);
    assertAuditOk(srv);
    // A call's debits are new by construction, not by the index: a second
    // copy (no money moved, so every balance still matches) is what the
    // audit must find, for the client's entry and the agency's alike.
    for (const [org, kind] of [[child.org_id, 'call'], [parent.org_id, 'child_call']]) {
      const ref = sql(srv, `SELECT reference FROM ledger_entries WHERE org_id='${org}' AND kind='${kind}';`).trim();
      assert.match(ref, /^call:[0-9a-f-]{36}:42$/, `${kind} entry of ${org}: ${ref}`);
      sql(srv, `INSERT INTO ledger_entries (org_id, delta_seconds, kind, reference, description, created_at) ` +
        `VALUES ('${org}', 0, '${kind}', '${ref}', 'copy', 1);`);
      try {
        const r = srv.cli(['audit']);
        assert.equal(r.status, 1, `audit after a repeated ${kind}: ${r.status}\n${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^repeated: org ${org} has 2 ledger entries with reference ${ref}$`, 'm'));
        assert.match(r.stdout, /^audit FAILED: 1 references of call debits were written more than once$/m);
        assert.ok(!/^audit ok/m.test(r.stdout));
      } finally {
        sql(srv, `DELETE FROM ledger_entries WHERE org_id='${org}' AND description='copy';`);
      }
      assertAuditOk(srv);
    }
    // Any other kind: the database itself refuses a second copy.
    assert.equal(grantMinutes(srv, parent.org_id, 1, 'once-only').status, 0);
    assert.throws(() => sql(srv, `INSERT INTO ledger_entries (org_id, delta_seconds, kind, reference, description, created_at) ` +
      `SELECT org_id, 0, kind, reference, 'copy', 1 FROM ledger_entries WHERE org_id='${parent.org_id}' AND reference='grant:once-only';`),
    /UNIQUE constraint failed|duplicate key value/, 'a repeated grant reference must be refused');
    assertAuditOk(srv);
  });

  it('an entry must name an existing org, and an org with entries stays (PostgreSQL: checked per statement)', async (t) => {
    // The sqlite3 shell runs without foreign keys; the server's connections
    // have them on. On PostgreSQL the check is a trigger (migration 17).
    if (!srv.pgDatabase) return t.skip('PostgreSQL only: the sqlite3 shell has no foreign keys');
    const a = createOrg(srv, { minutes: 1 });
    const insert = (orgs) => sql(srv, 'INSERT INTO ledger_entries (org_id, delta_seconds, kind, reference, ' +
      'description, created_at) VALUES ' +
      orgs.map((o, i) => `('${o}', 0, 'grant', 'fk-${randomUUID()}-${i}', 'fk', 1)`).join(', ') + ';');
    assert.throws(() => insert([randomUUID()]), /unknown organization/);
    // one unknown org among known ones fails the whole statement
    assert.throws(() => insert([a.org_id, randomUUID(), a.org_id]), /unknown organization/);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM ledger_entries WHERE description = 'fk';`).trim(), '0');
    insert([a.org_id, a.org_id]);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM ledger_entries WHERE description = 'fk';`).trim(), '2');
    sql(srv, `DELETE FROM ledger_entries WHERE description = 'fk';`);
    assert.throws(() => sql(srv, `DELETE FROM api_keys WHERE org_id = '${a.org_id}'; ` +
      `DELETE FROM users WHERE org_id = '${a.org_id}'; DELETE FROM orgs WHERE id = '${a.org_id}';`),
    /has ledger entries/);
    assertAuditOk(srv);
  });

  it('audit also catches tampering while the server is stopped', async () => {
    const a = createOrg(srv, { minutes: 3 });
    await srv.kill();
    sql(srv, `UPDATE orgs SET balance_seconds = balance_seconds + 7 WHERE id='${a.org_id}';`);
    const r = srv.cli(['audit']);
    assert.equal(r.status, 1);
    assert.ok(r.stdout.includes(a.org_id), r.stdout);
    sql(srv, `UPDATE orgs SET balance_seconds = balance_seconds - 7 WHERE id='${a.org_id}';`);
    assertAuditOk(srv);
  });
});
