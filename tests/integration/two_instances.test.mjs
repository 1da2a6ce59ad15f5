// two_instances.test.mjs — two `wlportal serve` processes on ONE PostgreSQL
// database (scripts/pg.sh), metering the same calls at the same time. The
// ledger must stay exact: a client's credits end at exactly zero when the
// calls ask for more, its agency pays exactly what the client spent, no
// second is billed twice although every event reaches both instances, and
// `wlportal audit` agrees. A Stripe webhook event delivered many times to
// both instances at the same moment credits its session once. Needs WLPORTAL_BIN (skipped without it) and the
// PostgreSQL 15 server binaries.
//
// The server: with WLPORTAL_TEST_PG (scripts/test.sh's PostgreSQL pass) a
// fresh database wl_<random> on that server, dropped at the end; otherwise a
// server of its own from scripts/pg.sh. scripts/test.sh's SQLite pass sets
// WLPORTAL_TEST_PG_LATER and this file skips there: it runs once, on PG.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedHeader } from './fake_stripe.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PG_SH = path.join(ROOT, 'scripts', 'pg.sh');
const BIN = process.env.WLPORTAL_BIN ? path.resolve(process.env.WLPORTAL_BIN) : null;
const SANITIZER_MARKERS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'];
const ENGINE_TOKEN = 'eng_' + randomBytes(24).toString('hex');
const HTTP_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const TEST_PG = process.env.WLPORTAL_TEST_PG || '';
const PSQL = fs.existsSync('/usr/lib/postgresql/15/bin/psql') ? '/usr/lib/postgresql/15/bin/psql' : 'psql';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A deadline in a race: unref'd, so it does not keep node alive once won.
const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());
const tail = (s, n = 4000) => (s.length > n ? '…' + s.slice(-n) : s);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function baseEnv(dir) {
  const env = {
    ...process.env,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
    WLPORTAL_ENGINE_TOKEN: ENGINE_TOKEN,
    WLPORTAL_MASTER_KEY_FILE: path.join(dir, 'master.key'),
    WLPORTAL_BASE_DOMAIN: 'localhost',
    WLPORTAL_API_RATE: '1000000',
    WLPORTAL_API_BURST: '1000000',
    WLPORTAL_API_ADDR_RATE: '1000000',
    WLPORTAL_API_ADDR_BURST: '1000000',
  };
  delete env.WLPORTAL_DB;
  delete env.WLPORTAL_LISTEN;
  return env;
}

function cli(ctx, args) {
  const r = spawnSync(BIN, [...args, '--db', ctx.dbUrl], {
    env: ctx.env, cwd: ctx.dir, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`wlportal ${args.join(' ')}: ${r.error.message}`);
  const marker = SANITIZER_MARKERS.find((m) => (r.stderr || '').includes(m));
  assert.ok(!marker, `sanitizer report (${marker}) from wlportal ${args.join(' ')}:\n${tail(r.stderr)}`);
  assert.equal(r.signal, null, `wlportal ${args.join(' ')} died by ${r.signal}`);
  return r;
}

let orgSeq = 0;
function createOrg(ctx, { minutes, parent }) {
  orgSeq += 1;
  const tag = `${process.pid}-${orgSeq}-${randomBytes(3).toString('hex')}`;
  const args = ['admin', 'create-org', '--name', `Org ${tag}`, '--email', `owner-${tag}@example.test`,
    '--password', `pw-${randomBytes(10).toString('hex')}`, '--minutes', String(minutes)];
  if (parent) args.push('--parent', parent);
  const r = cli(ctx, args);
  assert.equal(r.status, 0, `create-org failed (${r.status}): ${r.stderr}`);
  const obj = JSON.parse(r.stdout.trim());
  assert.ok(obj.org_id && obj.api_key && obj.user_id, r.stdout);
  return obj;
}

// ------------------------------------------------------------------ HTTP

function request(srv, method, urlPath, { key, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = {};
    if (key) headers.Authorization = `Bearer ${key}`;
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method, path: urlPath, headers, agent: srv.agent,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(HTTP_TIMEOUT_MS, () => req.destroy(new Error(`timeout: ${method} ${urlPath} on :${srv.port}`)));
    req.on('error', (e) => reject(new Error(`${method} ${urlPath} on :${srv.port}: ${e.message}`)));
    if (payload) req.write(payload);
    req.end();
  });
}

async function account(srv, key) {
  const r = await request(srv, 'GET', '/api/v1/account', { key });
  assert.equal(r.status, 200, `account: ${r.status} ${r.text}`);
  return r.json;
}

async function inbound(srv, orgId) {
  const r = await request(srv, 'POST', '/engine/v1/calls/inbound', {
    key: ENGINE_TOKEN, body: { org_id: orgId, from: '+31612345678', to: '+31201234567' },
  });
  assert.equal(r.status, 200, `inbound on :${srv.port}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.call_id, 'string', r.text);
  return r.json;
}

// billed_seconds in the answer is the call's total so far (a late event may
// report less elapsed time than was billed already).
async function event(srv, callId, status, elapsed) {
  const r = await request(srv, 'POST', `/engine/v1/calls/${callId}/events`, {
    key: ENGINE_TOKEN, body: { type: 'status-update', status, elapsed_sec: elapsed },
  });
  assert.equal(r.status, 200, `event ${status}/${elapsed} on :${srv.port}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.continue, 'boolean', r.text);
  assert.ok(Number.isInteger(r.json.billed_seconds), r.text);
  return r.json;
}

// Every call of an org, through the keyset-paged list (newest first).
async function listCalls(srv, key) {
  const calls = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const q = `/api/v1/calls?limit=37${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await request(srv, 'GET', q, { key });
    assert.equal(r.status, 200, `calls list: ${r.status} ${r.text}`);
    calls.push(...r.json.calls);
    cursor = r.json.next_cursor;
    if (!cursor) return calls;
  }
  assert.fail('calls list did not end');
}

// ----------------------------------------------------------------- servers

async function startServer(ctx) {
  const port = await freePort();
  const srv = {
    port,
    stderr: '',
    exit: null,
    agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  srv.child = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', ctx.dbUrl], {
    env: ctx.env, cwd: ctx.dir, stdio: ['ignore', 'ignore', 'pipe'],
  });
  srv.child.stderr.setEncoding('utf8');
  srv.child.stderr.on('data', (d) => {
    srv.stderr += d;
    if (srv.stderr.length > 4e6) srv.stderr = srv.stderr.slice(-2e6);
  });
  srv.exited = new Promise((resolve) => {
    srv.child.on('exit', (code, signal) => { srv.exit = { code, signal }; resolve(); });
    srv.child.on('error', (error) => { srv.exit = { code: null, signal: null, error }; resolve(); });
  });
  return srv;
}

async function waitHealthy(srv) {
  const until = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < until) {
    if (srv.exit) assert.fail(`wlportal serve exited early ${JSON.stringify(srv.exit)}:\n${tail(srv.stderr)}`);
    try {
      const r = await request(srv, 'GET', '/healthz');
      if (r.status === 200) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(100);
  }
  assert.fail(`wlportal serve on :${srv.port} not healthy after ${START_TIMEOUT_MS} ms (${last}):\n${tail(srv.stderr)}`);
}

// SIGTERM, a bounded wait, then the checks: clean exit, no sanitizer report.
async function stopServer(srv) {
  srv.agent.destroy();
  if (!srv.exit) {
    srv.child.kill('SIGTERM');
    const r = await Promise.race([srv.exited.then(() => 'exited'), deadline(STOP_TIMEOUT_MS)]);
    if (r !== 'exited') {
      srv.child.kill('SIGKILL');
      await Promise.race([srv.exited, deadline(5000)]);
      assert.fail(`wlportal serve on :${srv.port} ignored SIGTERM for ${STOP_TIMEOUT_MS} ms\n${tail(srv.stderr)}`);
    }
  }
  const marker = SANITIZER_MARKERS.find((m) => srv.stderr.includes(m));
  assert.ok(!marker, `sanitizer report (${marker}) from wlportal serve:\n${tail(srv.stderr, 20000)}`);
  assert.equal(srv.exit.signal, null, `wlportal serve died by ${srv.exit.signal}\n${tail(srv.stderr)}`);
  assert.equal(srv.exit.code, 0, `wlportal serve exited with ${srv.exit.code}\n${tail(srv.stderr)}`);
}

function assertAudit(ctx) {
  const r = cli(ctx, ['audit']);
  assert.equal(r.status, 0, `audit failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^audit ok/, r.stdout);
}

// ------------------------------------------------------------- the database

function withDatabase(name) {
  const u = new URL(TEST_PG);
  u.pathname = '/' + name;
  return u.toString();
}

function psqlAdmin(sqlText) {
  return spawnSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', withDatabase('postgres'), '-c', sqlText],
    { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
}

// ------------------------------------------------------------------- test

test('two instances share one PostgreSQL ledger', { timeout: 600_000 }, async (t) => {
  if (!BIN) {
    t.skip('WLPORTAL_BIN is not set (the wlportal binary to test)');
    return;
  }
  if (!TEST_PG && process.env.WLPORTAL_TEST_PG_LATER) {
    t.skip('runs in the PostgreSQL pass of scripts/test.sh');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-pg-'));
  // Its own directory: run as root, pg.sh hands it to the postgres user.
  const pgDir = TEST_PG ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-pgdata-'));
  const dbName = TEST_PG ? 'wl_' + randomBytes(8).toString('hex') : null;
  const ctx = { dir, env: baseEnv(dir), dbUrl: null };
  const servers = [];
  t.after(async () => {
    for (const srv of servers) {
      if (!srv.exit) {
        srv.child.kill('SIGKILL');
        await Promise.race([srv.exited, deadline(5000)]);
      }
    }
    if (pgDir) {
      spawnSync('bash', [PG_SH, 'stop', pgDir], { stdio: 'inherit', timeout: 120_000, killSignal: 'SIGKILL' });
      fs.rmSync(pgDir, { recursive: true, force: true });
    } else {
      psqlAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  if (pgDir) {
    const pg = spawnSync('bash', [PG_SH, 'start', pgDir], {
      encoding: 'utf8', timeout: 180_000, killSignal: 'SIGKILL',
    });
    assert.equal(pg.status, 0, `scripts/pg.sh start failed (${pg.status} ${pg.signal}):\n${pg.stdout}\n${pg.stderr}`);
    ctx.dbUrl = pg.stdout.trim().split('\n').pop();
    assert.match(ctx.dbUrl, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/wlportal$/);
  } else {
    const r = psqlAdmin(`CREATE DATABASE ${dbName}`);
    assert.equal(r.status, 0, `CREATE DATABASE ${dbName} failed (${r.status} ${r.signal}): ${r.stderr}`);
    ctx.dbUrl = withDatabase(dbName);
  }

  // Both start at once on an empty database: the migrations must not race.
  servers.push(await startServer(ctx), await startServer(ctx));
  await Promise.all(servers.map(waitHealthy));
  const [a, b] = servers;
  const other = (srv) => (srv === a ? b : a);

  await t.test('calls asking for more than the credits drain them to exactly zero', async () => {
    const agency = createOrg(ctx, { minutes: 100 });
    const client = createOrg(ctx, { minutes: 10, parent: agency.org_id });
    const credits = 10 * 60;
    const calls = 200;
    const steps = [10, 20, 30]; // 200 calls × 30 s = 6000 s asked, 600 s available

    const started = await Promise.all(Array.from({ length: calls }, (_, i) =>
      inbound(servers[i % 2], client.org_id)));
    for (const c of started) assert.equal(c.action, 'answer', JSON.stringify(c));

    await Promise.all(started.map(async (c, i) => {
      for (let j = 0; j < steps.length; j++) {
        const srv = servers[(i + j) % 2];
        const status = j === steps.length - 1 ? 'ended' : 'in-progress';
        const sends = [event(srv, c.call_id, status, steps[j])];
        if ((i + j) % 3 === 0) sends.push(event(other(srv), c.call_id, status, steps[j])); // duplicate, same moment
        await Promise.all(sends);
        if (j === 1 && i % 4 === 0) await event(other(srv), c.call_id, status, steps[j]); // late repeat
      }
    }));

    assert.equal((await account(a, client.api_key)).minutes_balance, 0);
    assert.equal((await account(b, client.api_key)).minutes_balance, 0);
    assert.equal((await account(b, agency.api_key)).minutes_balance, 100 - 10);

    const listed = await listCalls(a, client.api_key);
    assert.equal(listed.length, calls, 'every call listed once');
    assert.equal(new Set(listed.map((c) => c.id)).size, calls, 'no call listed twice');
    const billed = listed.reduce((s, c) => s + c.billed_seconds, 0);
    assert.equal(billed, credits, 'the calls billed exactly the credits');
    for (const c of listed) {
      assert.equal(c.status, 'ended', JSON.stringify(c));
      assert.ok(c.billed_seconds >= 0 && c.billed_seconds <= 30, JSON.stringify(c));
    }
    assert.ok(listed.some((c) => c.cut_off), 'some call was cut off');
    assertAudit(ctx);
  });

  await t.test('calls that fit are billed exactly, once', async () => {
    const agency = createOrg(ctx, { minutes: 100 });
    const client = createOrg(ctx, { minutes: 70, parent: agency.org_id });
    const calls = 120;
    // Pairs of durations summing to 60 s: 3600 s asked of 4200 s of credits.
    const durations = Array.from({ length: calls }, (_, i) => {
      const x = 5 + ((i >> 1) % 50);
      return i % 2 === 0 ? x : 60 - x;
    });
    const total = durations.reduce((s, d) => s + d, 0);
    assert.equal(total, (calls / 2) * 60);

    const started = await Promise.all(durations.map((_, i) => inbound(servers[(i + 1) % 2], client.org_id)));
    const finals = await Promise.all(started.map(async (c, i) => {
      const d = durations[i];
      const half = Math.floor(d / 2);
      let srv = servers[i % 2];
      await event(srv, c.call_id, 'in-progress', half);
      srv = other(srv);
      await Promise.all([event(srv, c.call_id, 'in-progress', d), event(other(srv), c.call_id, 'in-progress', half)]);
      const [x, y] = await Promise.all([event(a, c.call_id, 'ended', d), event(b, c.call_id, 'ended', d)]);
      assert.equal(x.billed_seconds, d, `call ${i}: ${JSON.stringify([x, y])}`);
      assert.equal(y.billed_seconds, d, `call ${i}: ${JSON.stringify([x, y])}`);
      return x.billed_seconds;
    }));
    assert.equal(finals.reduce((s, v) => s + v, 0), total);

    assert.equal((await account(a, client.api_key)).minutes_balance, 70 - total / 60);
    assert.equal((await account(b, agency.api_key)).minutes_balance, 100 - total / 60);
    const listed = await listCalls(b, client.api_key);
    assert.equal(listed.length, calls);
    const byId = new Map(started.map((c, i) => [c.call_id, durations[i]]));
    for (const c of listed) {
      assert.equal(c.billed_seconds, byId.get(c.id), JSON.stringify(c));
      assert.equal(c.cut_off, false, JSON.stringify(c));
    }
    assertAudit(ctx);
  });

  await t.test('two agencies interleaved: batches lock their orgs in different orders', async () => {
    // Each instance's writer batches jobs of both agencies in arrival order,
    // so two batches can wait on each other's rows; PostgreSQL then aborts
    // one (deadlock) and the writer must rerun it whole, answering 200.
    const orgs = [0, 1].map(() => {
      const agency = createOrg(ctx, { minutes: 100 });
      const client = createOrg(ctx, { minutes: 5, parent: agency.org_id });
      return { agency, client };
    });
    const perClient = 120;
    const jobs = Array.from({ length: perClient * 2 }, (_, i) => orgs[i % 2]);
    const started = await Promise.all(jobs.map((o, i) => inbound(servers[(i >> 1) % 2], o.client.org_id)));
    await Promise.all(started.map(async (c, i) => {
      for (const [j, elapsed] of [5, 10, 20].entries()) {
        const status = j === 2 ? 'ended' : 'in-progress';
        await Promise.all([event(a, c.call_id, status, elapsed), event(b, c.call_id, status, elapsed)]);
      }
    }));
    for (const o of orgs) {
      assert.equal((await account(a, o.client.api_key)).minutes_balance, 0);
      assert.equal((await account(b, o.agency.api_key)).minutes_balance, 95);
      const listed = await listCalls(b, o.client.api_key);
      assert.equal(listed.length, perClient);
      assert.equal(listed.reduce((s, c) => s + c.billed_seconds, 0), 300);
    }
    assertAudit(ctx);
  });

  await t.test('one Stripe event delivered to both instances at the same moment credits once', async () => {
    const agency = createOrg(ctx, { minutes: 10 });
    const client = createOrg(ctx, { minutes: 0, parent: agency.org_id });
    const whsec = 'whsec_' + randomBytes(12).toString('hex');
    const slug = 'two' + randomBytes(4).toString('hex');
    const put = await request(a, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: {
      company_name: 'Two Voice', slug,
      stripe: { publishable_key: 'pk_test_51TwoInstances', secret_key: 'sk_test_51TwoInstances0000',
        product_id: 'prod_TwoInstances123', price_id: 'price_TwoInstances123', webhook_secret: whsec },
      package: { credits: 50, price_cents: 2500, currency: 'EUR' } } });
    assert.equal(put.status, 200, put.text);
    const deliver = (srv, event) => new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(event, null, 2));
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', agent: srv.agent,
        path: `/api/webhooks/stripe/${slug}`, headers: { 'Content-Type': 'application/json',
          'Content-Length': String(payload.length),
          'Stripe-Signature': signedHeader(payload.toString('utf8'), whsec) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(payload);
    });
    const sessions = Array.from({ length: 6 }, (_, i) => ({ id: `cs_test_two${i}${randomBytes(6).toString('hex')}`,
      object: 'checkout.session', payment_status: 'paid', amount_total: 2500, currency: 'eur',
      client_reference_id: client.org_id, metadata: { org_id: client.org_id, user_id: client.user_id } }));
    const sends = [];
    for (const [i, s] of sessions.entries()) {
      const ev = { id: `evt_two${i}${randomBytes(6).toString('hex')}`, object: 'event',
        type: 'checkout.session.completed', data: { object: s } };
      const late = { ...ev, id: `${ev.id}b`, type: 'checkout.session.async_payment_succeeded' };
      for (let k = 0; k < 8; k++) sends.push(deliver(servers[k % 2], ev));
      sends.push(deliver(a, late), deliver(b, late));
    }
    const answers = await Promise.all(sends);
    for (const r of answers) assert.equal(r.status, 200, JSON.stringify(r.json));
    const credited = answers.filter((r) => r.json.outcome === 'credited').length;
    assert.equal(credited, sessions.length, answers.map((r) => r.json.outcome).join(','));
    assert.equal(answers.filter((r) => r.json.outcome === 'duplicate').length, answers.length - sessions.length);
    assert.equal((await account(b, client.api_key)).minutes_balance, 50 * sessions.length);
    const p = await request(a, 'GET', '/api/v1/whitelabel/purchases?limit=50', { key: agency.api_key });
    assert.equal(p.json.purchases.length, sessions.length);
    for (const x of p.json.purchases) assert.equal(x.status, 'paid');
    assertAudit(ctx);
  });

  // deploy/nginx.conf, rendered with this test's ports, in front of both
  // instances: the whole path a production request takes.
  await t.test('behind nginx (deploy/nginx.conf): calls billed exactly, oversized bodies refused with the contract 413 body', async () => {
    const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((f) => fs.existsSync(f));
    assert.ok(nginx, 'nginx is not installed (scripts/deps.sh test installs nginx-light)');
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-nginx-'));
    fs.chmodSync(prefix, 0o755); // nginx's workers (not root) keep request bodies under it
    const port = await freePort();
    const conf = fs.readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8')
      .replaceAll('@UPSTREAM1@', `127.0.0.1:${a.port}`)
      .replaceAll('@UPSTREAM2@', `127.0.0.1:${b.port}`)
      .replaceAll('@LISTEN@', `127.0.0.1:${port}`)
      .replaceAll('@PREFIX@', prefix);
    assert.doesNotMatch(conf, /@[A-Z0-9]+@/, 'every placeholder rendered');
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
    let log = '';
    const proc = spawn(nginx, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const gone = new Promise((r) => proc.on('exit', r));
    const front = { port, agent: new http.Agent({ keepAlive: true, maxSockets: 32 }), stderr: '' };
    try {
      await waitHealthy({ ...front, get exit() { return proc.exitCode === null ? null : { code: proc.exitCode }; } });
      const agency = createOrg(ctx, { minutes: 60 });
      const client = createOrg(ctx, { minutes: 3, parent: agency.org_id });
      const started = await Promise.all(Array.from({ length: 40 }, () => inbound(front, client.org_id)));
      await Promise.all(started.map(async (c) => {
        await event(front, c.call_id, 'in-progress', 5);
        await event(front, c.call_id, 'ended', 10);
      }));
      assert.equal((await account(front, client.api_key)).minutes_balance, 0);
      assert.equal((await account(a, agency.api_key)).minutes_balance, 57);
      const big = await request(front, 'POST', '/api/v1/calls', { key: client.api_key,
        body: { to: '+31612345678', pad: 'x'.repeat(1100 * 1024) } });
      assert.equal(big.status, 413, big.text.slice(0, 200));
      assert.equal(big.json.error.code, 'too_large');
      assertAudit(ctx);
    } finally {
      front.agent.destroy();
      proc.kill('SIGQUIT');
      await Promise.race([gone, deadline(10_000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      fs.rmSync(prefix, { recursive: true, force: true });
    }
    assert.ok(!/\[(emerg|alert|crit)\]/.test(log), log);
  });

  await Promise.all(servers.map(stopServer));
  assertAudit(ctx);
});
