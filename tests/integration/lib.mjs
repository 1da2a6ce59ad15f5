// Helpers shared by the integration tests: start a wlportal server on a free
// loopback port with its own temporary database, run the CLI against that
// database, and talk HTTP to the server. Everything stays on 127.0.0.1,
// every wait is bounded, and every server/temp dir is cleaned up even when a
// test fails (and, as a last resort, when the node process exits).
//
// The database is a SQLite file in the temp dir by default. With
// WLPORTAL_TEST_PG set to a PostgreSQL server URL (scripts/test.sh passes the
// throw-away server of scripts/pg.sh; any database name in it is ignored),
// every environment gets a fresh database wl_<random> on that server instead,
// dropped again with its temp dir; helpers that look into the database
// (dbBalanceSeconds, sql, databaseBytes) then use psql / pg_dump.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { checkResponse } from './openapi_check.mjs';

export const BIN = path.resolve(process.env.WLPORTAL_BIN || 'build-test/wlportal');

// Sanitizer settings when the tests are run without scripts/test.sh.
const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
};

const SANITIZER_MARKERS = ['AddressSanitizer', 'runtime error:', 'LeakSanitizer', 'ThreadSanitizer'];

// ----------------------------------------------------------- the database server

const TEST_PG = process.env.WLPORTAL_TEST_PG || '';
// 'postgres' when the suite runs against WLPORTAL_TEST_PG, else 'sqlite'.
export const BACKEND = TEST_PG ? 'postgres' : 'sqlite';
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';
const PG_TOOL_TIMEOUT_MS = 60_000;

// The client tools matching pg.sh's server when installed there, else PATH's.
function pgTool(name) {
  const p = path.join(PGBIN, name);
  return fs.existsSync(p) ? p : name;
}

// The URL of database `name` on the WLPORTAL_TEST_PG server.
export function pgUrl(name) {
  const u = new URL(TEST_PG);
  u.pathname = '/' + name;
  return u.toString();
}

// Runs SQL with psql against database `name`: unaligned, tuples only, quiet,
// stops at the first error.
function psql(name, sqlText) {
  const r = spawnSync(pgTool('psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
    '-d', pgUrl(name), '-c', sqlText],
  { encoding: 'utf8', timeout: PG_TOOL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  assert.equal(r.status, 0, `psql on ${name} failed (${r.status} ${r.signal}): ${r.stderr}\n${sqlText}`);
  return r.stdout;
}

function createPgDatabase() {
  const name = 'wl_' + randomBytes(8).toString('hex');
  psql('postgres', `CREATE DATABASE ${name}`);
  liveDatabases.add(name);
  return name;
}

// WITH (FORCE) ends sessions still open on it (a server that did not stop).
function dropPgDatabase(name) {
  if (!liveDatabases.has(name)) return;
  liveDatabases.delete(name);
  spawnSync(pgTool('psql'), ['-X', '-q', '-d', pgUrl('postgres'),
    '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`],
  { encoding: 'utf8', timeout: PG_TOOL_TIMEOUT_MS, killSignal: 'SIGKILL' });
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const CLI_TIMEOUT_MS = 30_000;
const HTTP_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------- cleanup net
const liveChildren = new Set();
const liveDirs = new Set();
const liveDatabases = new Set();
process.on('exit', () => {
  for (const c of liveChildren) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  for (const d of liveDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
  for (const n of [...liveDatabases]) { try { dropPgDatabase(n); } catch { /* ignore */ } }
});

function sanitizerReport(text) {
  return SANITIZER_MARKERS.find((m) => text.includes(m));
}

function tail(text, n = 4000) {
  return text.length > n ? '…' + text.slice(-n) : text;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// The losing side of a race with something that holds node up by itself (a
// child process, a socket): unref'd, so that once the race is won the timer
// does not keep the test file's process alive until it fires (a plain
// sleep(10_000) there kept every file waiting ten seconds after its last
// test).
export function unrefTimeout(ms) {
  return new Promise((r) => setTimeout(r, ms).unref());
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// -------------------------------------------------------------- environments

// A temp dir with a database URL and a CLI bound to it; no server.
// startServer() builds on this; CLI-only tests may use it directly.
export function makeEnv(extraEnv = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-it-'));
  liveDirs.add(dir);
  const pgDatabase = TEST_PG ? createPgDatabase() : null;
  // The SQLite file; null on PostgreSQL.
  const dbFile = pgDatabase ? null : path.join(dir, 'wl.db');
  const engineToken = 'eng_' + randomBytes(24).toString('hex');
  const env = {
    ...process.env,
    ...SAN_ENV,
    WLPORTAL_ENGINE_TOKEN: engineToken,
    WLPORTAL_MASTER_KEY_FILE: path.join(dir, 'master.key'),
    WLPORTAL_BASE_DOMAIN: 'localhost',
    // The API's rate limits out of the way of tests about something else
    // (rate_limits.test.mjs sets its own).
    WLPORTAL_API_RATE: '1000000',
    WLPORTAL_API_BURST: '1000000',
    WLPORTAL_API_ADDR_RATE: '1000000',
    WLPORTAL_API_ADDR_BURST: '1000000',
    // /metrics on a free loopback port of its own (srv.metricsUrl())
    WLPORTAL_METRICS_LISTEN: '127.0.0.1:0',
    ...extraEnv,
  };
  delete env.WLPORTAL_DB;
  delete env.WLPORTAL_LISTEN;
  const ctx = {
    dir,
    dbFile,
    pgDatabase,
    db: pgDatabase ? pgUrl(pgDatabase) : 'sqlite:' + dbFile,
    engineToken,
    env,
    // Runs `wlportal <args> --db <ctx.db>` (opts.noDb: without --db).
    cli(args, opts = {}) {
      return runCli(args, ctx, opts);
    },
    // Removes the temp dir and, on PostgreSQL, drops the database.
    removeDir() {
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
      liveDirs.delete(dir);
      if (pgDatabase) dropPgDatabase(pgDatabase);
    },
  };
  return ctx;
}

function runCli(args, ctx, opts = {}) {
  const full = opts.noDb ? [...args] : [...args, '--db', ctx.db];
  const r = spawnSync(BIN, full, {
    env: ctx.env,
    encoding: 'utf8',
    timeout: opts.timeout ?? CLI_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`wlportal ${full.join(' ')}: ${r.error.message}`);
  const out = { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  const marker = sanitizerReport(out.stderr);
  assert.ok(!marker, `sanitizer report (${marker}) from wlportal ${full.join(' ')}:\n${tail(out.stderr)}`);
  assert.ok(out.signal === null, `wlportal ${full.join(' ')} died by ${out.signal}:\n${tail(out.stderr)}`);
  return out;
}

// ------------------------------------------------------------------- server

// opts.cwd: the working directory of the server (default: this process's);
// opts.args: more arguments for `serve` (e.g. ['--threads', '1']).
// freePort's port is free when asked, but another test file running at the
// same time may take it before the server binds it: then a new port.
export async function startServer(opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/cannot listen on/.test(e.message)) throw e;
    }
  }
}

async function startServerOnce({ env = {}, cwd, args = [] } = {}) {
  const ctx = makeEnv(env);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  let stdout = '';
  const child = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', ctx.db, ...args], {
    env: ctx.env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { stdout += d; if (stdout.length > 4e6) stdout = stdout.slice(-2e6); });
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 4e6) stderr = stderr.slice(-2e6); });
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { exitInfo = { code, signal }; liveChildren.delete(child); resolve(exitInfo); });
    child.on('error', (err) => { exitInfo = { code: null, signal: null, error: err }; liveChildren.delete(child); resolve(exitInfo); });
  });

  const srv = {
    ...ctx,
    url,
    port,
    pid: child.pid,
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    get exited() { return exitInfo; },
    // The URL of GET /metrics that serve printed (waits for the line, bounded).
    async metricsUrl() {
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        const m = stdout.match(/metrics\s+(http:\/\/\S+\/metrics)/);
        if (m) return m[1];
        if (Date.now() > deadline) throw new Error(`serve printed no metrics URL:\n${tail(stdout)}`);
        await sleep(50);
      }
    },
    cli: ctx.cli,
    // Ends the server (SIGTERM, bounded wait, then SIGKILL) and asserts a
    // clean exit without sanitizer reports. Keeps the temp dir.
    async kill() {
      if (srv._killed) return srv._killed;
      srv._killed = (async () => {
        if (!exitInfo) {
          child.kill('SIGTERM');
          const t = await Promise.race([exited, unrefTimeout(STOP_TIMEOUT_MS).then(() => 'timeout')]);
          if (t === 'timeout') {
            child.kill('SIGKILL');
            await Promise.race([exited, unrefTimeout(5000)]);
            assert.fail(`wlportal serve did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${tail(stderr)}`);
          }
        }
        const marker = sanitizerReport(stderr);
        assert.ok(!marker, `sanitizer report (${marker}) from wlportal serve:\n${tail(stderr, 20000)}`);
        assert.ok(!exitInfo.error, `wlportal serve failed to start: ${exitInfo.error?.message}`);
        assert.equal(exitInfo.signal, null, `wlportal serve died by ${exitInfo.signal}\n${tail(stderr)}`);
        assert.equal(exitInfo.code, 0, `wlportal serve exited with ${exitInfo.code}\n${tail(stderr)}`);
      })();
      return srv._killed;
    },
    // kill(), then (by default) check `wlportal audit`, and always remove the temp dir.
    async stop({ audit = true } = {}) {
      try {
        await srv.kill();
        if (audit) assertAuditOk(srv);
      } finally {
        ctx.removeDir();
      }
    },
  };

  // Wait until /healthz answers 200 (bounded).
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  for (;;) {
    if (exitInfo) {
      ctx.removeDir();
      throw new Error(`wlportal serve exited early (${JSON.stringify(exitInfo)}):\n${tail(stderr)}`);
    }
    try {
      const r = await request(srv, 'GET', '/healthz', { timeout: 1000 });
      if (r.status === 200) break;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await Promise.race([exited, unrefTimeout(3000)]);
      ctx.removeDir();
      throw new Error(`wlportal serve not healthy after ${START_TIMEOUT_MS} ms (${last}):\n${tail(stderr)}`);
    }
    await sleep(100);
  }
  return srv;
}

// A second `serve` on the database of srv (two instances on one database);
// {port, stderr, kill()}: kill() stops it and checks for sanitizer reports.
export async function secondInstance(srv) {
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', srv.db], {
    env: srv.env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  liveChildren.add(child);
  const exited = new Promise((r) => child.on('exit', () => { liveChildren.delete(child); r(); }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const other = { port, get stderr() { return stderr; } };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await request(other, 'GET', '/healthz', { timeout: 1000 });
      if (r.status === 200) break;
    } catch { /* not yet */ }
    assert.ok(Date.now() < deadline, `second instance not healthy:\n${stderr}`);
    await sleep(100);
  }
  other.kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, unrefTimeout(STOP_TIMEOUT_MS)]);
    assert.ok(!/AddressSanitizer|runtime error:|LeakSanitizer/.test(stderr), stderr);
  };
  return other;
}

// ---------------------------------------------------------------- CLI helpers

export function parseSingleJson(stdout, what) {
  const text = stdout.trim();
  assert.ok(text.length > 0, `${what}: empty stdout`);
  let obj;
  try { obj = JSON.parse(text); } catch (e) { assert.fail(`${what}: stdout is not one JSON value: ${JSON.stringify(text)}`); }
  assert.equal(typeof obj, 'object', `${what}: not an object`);
  assert.ok(obj && !Array.isArray(obj), `${what}: not an object`);
  return obj;
}

let orgCounter = 0;
// Runs `admin create-org` and returns its JSON ({org_id, api_key, user_id}).
export function createOrg(srv, { name, email, password, parent, minutes } = {}) {
  orgCounter += 1;
  const tag = `${process.pid}-${orgCounter}-${randomBytes(3).toString('hex')}`;
  const args = ['admin', 'create-org',
    '--name', name ?? `Org ${tag}`,
    '--email', email ?? `owner-${tag}@example.test`,
    '--password', password ?? `pw-${randomBytes(12).toString('hex')}`];
  if (parent) args.push('--parent', parent);
  if (minutes !== undefined && minutes !== null) args.push('--minutes', String(minutes));
  const r = srv.cli(args);
  assert.equal(r.status, 0, `create-org failed (${r.status}): ${r.stderr}`);
  const obj = parseSingleJson(r.stdout, 'create-org');
  assert.match(obj.org_id, UUID_RE);
  assert.match(obj.user_id, UUID_RE);
  assert.match(obj.api_key, /^wlp_/);
  return obj;
}

export function grantMinutes(srv, org, minutes, reference) {
  const args = ['admin', 'grant-minutes', '--org', org, '--minutes', String(minutes)];
  if (reference) args.push('--reference', reference);
  return srv.cli(args);
}

export function assertAuditOk(srv) {
  const r = srv.cli(['audit']);
  assert.equal(r.status, 0, `audit failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `audit should print one line, got: ${JSON.stringify(r.stdout)}`);
  assert.ok(lines[0].startsWith('audit ok'), `audit output: ${r.stdout}`);
  return r;
}

// Exact balance in seconds straight from the database (sqlite3 CLI read
// only, or psql).
export function dbBalanceSeconds(srv, orgId) {
  const q = `SELECT balance_seconds FROM orgs WHERE id='${orgId.replace(/'/g, "''")}';`;
  let out;
  if (srv.pgDatabase) {
    out = psql(srv.pgDatabase, q);
  } else {
    const r = spawnSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', srv.dbFile, q],
      { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
    assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
    out = r.stdout;
  }
  const v = out.trim();
  assert.match(v, /^-?\d+$/, `no balance for ${orgId}: ${JSON.stringify(out)}`);
  return Number(v);
}

// Runs SQL on the environment's database (sqlite3 CLI or psql) and returns
// what it prints: one row a line, columns separated by '|'.
export function sql(srv, q) {
  if (srv.pgDatabase) return psql(srv.pgDatabase, q);
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.dbFile, q],
    { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}
export const sqlite = sql; // the older name

// The daily usage totals made again from the usage rows (the back-fill of
// their migration), for tests that write or move usage rows by SQL: the
// totals are otherwise kept by the server with each row it writes, and
// `wlportal audit` checks they agree.
const DAY_OF = "CASE WHEN created_at < 0 AND created_at % 86400000 <> 0 " +
  "THEN created_at / 86400000 - 1 ELSE created_at / 86400000 END";
export function rebuildUsageTotals(srv) {
  sql(srv, 'DELETE FROM usage_days;' +
    'INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) ' +
    `SELECT org_id, 0, d, SUM(duration_sec), COUNT(*) FROM (SELECT org_id, duration_sec, ${DAY_OF} AS d FROM usage) u GROUP BY org_id, d;` +
    'INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) ' +
    `SELECT billed_org_id, 1, d, SUM(duration_sec), COUNT(*) FROM (SELECT billed_org_id, duration_sec, ${DAY_OF} AS d FROM usage) u GROUP BY billed_org_id, d;`);
}

// Everything the database holds, as bytes to scan for secrets in clear:
// [{name, bytes}]. SQLite: the database file and its -wal/-shm companions.
// PostgreSQL: a plain pg_dump of the environment's database (as the user of
// the server's URL, pg.sh's `postgres`). With allFiles, every file of the
// temp dir as well (logs, uploads, the master key file).
export function databaseBytes(srv, { allFiles = false } = {}) {
  const out = [];
  for (const f of fs.readdirSync(srv.dir)) {
    if (!allFiles && !(srv.dbFile && f.startsWith(path.basename(srv.dbFile)))) continue;
    const p = path.join(srv.dir, f);
    if (fs.statSync(p).isFile()) out.push({ name: f, bytes: fs.readFileSync(p) });
  }
  if (srv.pgDatabase) {
    const r = spawnSync(pgTool('pg_dump'), ['--no-owner', '-d', pgUrl(srv.pgDatabase)],
      { timeout: PG_TOOL_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 });
    assert.equal(r.status, 0, `pg_dump failed (${r.status} ${r.signal}): ${r.stderr}`);
    assert.ok(r.stdout.includes(Buffer.from('CREATE TABLE public.orgs')), 'pg_dump holds the schema');
    out.push({ name: `pg_dump of ${srv.pgDatabase}`, bytes: r.stdout });
  }
  return out;
}

// ---------------------------------------------------------------- HTTP helpers

// One HTTP request on its own connection (no keep-alive pooling), so that the
// tests can send raw/oversized bodies and read the answer even if the server
// stops reading the upload early.
export function request(srv, method, urlPath, { headers = {}, body, timeout = HTTP_TIMEOUT_MS } = {}) {
  const payload = body === undefined ? undefined : (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
  if (payload !== undefined && payload.length > 1024 * 1024 && haveCurl()) {
    return curlRequest(srv, method, urlPath, { headers, payload, timeout });
  }
  return new Promise((resolve, reject) => {
    const h = { Connection: 'close', ...headers };
    if (payload !== undefined) h['Content-Length'] = String(payload.length);
    let settled = false;
    const done = (fn, v) => { if (!settled) { settled = true; clearTimeout(timer); fn(v); } };
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method, path: urlPath, headers: h, agent: false,
    }, (res) => {
      const chunks = [];
      const finish = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
        done(resolve, { status: res.statusCode, headers: res.headers, text, json });
      };
      gotResponse = finish;
      res.on('data', (c) => chunks.push(c));
      res.on('end', finish);
      // The answer arrived but the connection was reset (e.g. after a 413
      // while we were still uploading): keep what was received.
      res.on('error', finish);
      res.on('aborted', finish);
    });
    let gotResponse = null;
    const timer = setTimeout(() => {
      req.destroy(new Error(`timeout after ${timeout} ms: ${method} ${urlPath}`));
    }, timeout);
    // A server that answers (e.g. 413) before reading the whole upload may
    // reset the connection while we still write; the answer is what counts.
    req.on('error', (e) => {
      if (settled) return;
      if (gotResponse) { gotResponse(); return; }
      done(reject, new Error(`${method} ${urlPath}: ${e.message}${srv.stderr ? '\nserver stderr:\n' + tail(srv.stderr, 2000) : ''}`));
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

let curlChecked;
function haveCurl() {
  if (curlChecked === undefined) {
    const r = spawnSync('curl', ['--version'], { encoding: 'utf8', timeout: 5000 });
    curlChecked = r.status === 0;
  }
  return curlChecked;
}

// Large uploads go through curl: a server may answer 413 before reading the
// whole body and close the connection; node's client then often reports the
// reset of its pending write instead of the answer, while curl reads it.
function curlRequest(srv, method, urlPath, { headers, payload, timeout }) {
  const tag = randomBytes(6).toString('hex');
  const bodyFile = path.join(srv.dir, `upload-${tag}.bin`);
  const outFile = path.join(srv.dir, `answer-${tag}.bin`);
  fs.writeFileSync(bodyFile, payload);
  try {
    const args = ['-sS', '-X', method, '-o', outFile, '-w', '%{http_code}', '--max-time', String(Math.ceil(timeout / 1000)),
      '-H', 'Expect:', '--data-binary', `@${bodyFile}`];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
    args.push(`http://127.0.0.1:${srv.port}${urlPath}`);
    const r = spawnSync('curl', args, { encoding: 'utf8', timeout: timeout + 5000, killSignal: 'SIGKILL' });
    const status = Number(String(r.stdout || '').trim());
    if (!status) throw new Error(`${method} ${urlPath} (curl): no answer (exit ${r.status}): ${r.stderr}`);
    const text = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
    let json;
    try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return Promise.resolve({ status, headers: {}, text, json });
  } catch (e) {
    return Promise.reject(e);
  } finally {
    fs.rmSync(bodyFile, { force: true });
    fs.rmSync(outFile, { force: true });
  }
}

// api(srv, method, path, {key, body, headers, rawBody}) -> {status, json, text, headers},
// each answer checked against openapi/openapi.json (openapi_check.mjs).
export function api(srv, method, urlPath, { key, body, headers = {}, rawBody, timeout } = {}) {
  const h = { ...headers };
  if (key !== undefined && key !== null) h.Authorization = `Bearer ${key}`;
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
    h['Content-Type'] = 'application/json';
  }
  // Every answer must be what openapi/openapi.json says (route, status, body).
  return request(srv, method, urlPath, { headers: h, body: payload, timeout }).then((r) => {
    checkResponse(method, urlPath, r);
    return r;
  });
}

export function engine(srv, method, urlPath, body, opts = {}) {
  return api(srv, method, urlPath, { ...opts, key: srv.engineToken, body });
}

// ------------------------------------------------------------ domain helpers

export function assertError(res, status, code, msg = '') {
  assert.equal(res.status, status, `${msg} expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && typeof res.json.error === 'object' && res.json.error !== null,
    `${msg} error body expected, got: ${res.text}`);
  if (code) assert.equal(res.json.error.code, code, `${msg} body: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string', `${msg} body: ${res.text}`);
  assert.ok(res.json.error.message.length > 0);
  return res.json.error;
}

// The message (or fields) of a 400 must name the offending field.
export function assertNamesField(res, field, msg = '') {
  const err = assertError(res, 400, 'invalid_request', msg);
  const inFields = err.fields && Object.prototype.hasOwnProperty.call(err.fields, field);
  assert.ok(inFields || err.message.includes(field),
    `${msg} error should name "${field}": ${res.text}`);
}

// Every minutes-valued number in raw JSON text has at most 2 decimals.
export function assertMinutesText(text, fields = ['minutes_balance', 'monthly_usage_minutes', 'total_minutes']) {
  for (const f of fields) {
    const re = new RegExp(`"${f}"\\s*:\\s*([^,}\\s]+)`, 'g');
    for (const m of text.matchAll(re)) {
      assert.match(m[1], /^-?\d+(\.\d{1,2})?$/, `${f} must be a number with at most 2 decimals: ${text}`);
    }
  }
}

export async function account(srv, key, headers = {}) {
  const r = await api(srv, 'GET', '/api/v1/account', { key, headers });
  assert.equal(r.status, 200, `account: ${r.status} ${r.text}`);
  assertMinutesText(r.text);
  return r.json;
}

export async function inbound(srv, orgId, { from = '+4915112345678', to = '+31201234567' } = {}) {
  const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', { org_id: orgId, from, to });
  assert.equal(r.status, 200, `inbound: ${r.status} ${r.text}`);
  assert.match(r.json.call_id, UUID_RE);
  return r.json;
}

export async function event(srv, callId, status, elapsed, extra = {}) {
  return engine(srv, 'POST', `/engine/v1/calls/${callId}/events`,
    { type: 'status-update', status, elapsed_sec: elapsed, ...extra });
}

export async function okEvent(srv, callId, status, elapsed, extra = {}) {
  const r = await event(srv, callId, status, elapsed, extra);
  assert.equal(r.status, 200, `event ${status}/${elapsed}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.continue, 'boolean', r.text);
  assert.ok(Number.isInteger(r.json.billed_seconds), r.text);
  return r.json;
}

// An answered inbound call that runs `seconds` and ends.
export async function completedCall(srv, orgId, seconds) {
  const c = await inbound(srv, orgId);
  assert.equal(c.action, 'answer', `call for ${orgId} rejected: ${JSON.stringify(c)}`);
  await okEvent(srv, c.call_id, 'ringing', 0);
  await okEvent(srv, c.call_id, 'in-progress', seconds);
  const end = await okEvent(srv, c.call_id, 'ended', seconds, { ended_reason: 'customer-ended-call' });
  assert.equal(end.billed_seconds, seconds);
  return c.call_id;
}

// One sample of the Prometheus text at url (a metric without labels).
export async function metric(url, name) {
  const text = await new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
      let t = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve(t));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
  const m = text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

export function utcDay(d = new Date()) {
  return d.toISOString().slice(0, 10);
}

export { randomUUID };
