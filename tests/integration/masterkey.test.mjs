// `serve` and its master key: the database keeps a key check value from the
// first start; a server started with another key, or without its key file
// while sealed secrets exist, exits non-zero with a clear message instead of
// making a new key and losing the secrets. The right key starts as before.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, api, freePort, BIN } from './lib.mjs';

const SECRET = 'sk_test_51Hx' + 'KeyCheckSecret0123456789';

// Runs `serve` with another key file; it must exit on its own, soon.
async function serveWithKey(srv, keyFile) {
  const port = await freePort();
  const r = spawnSync(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', srv.db], {
    env: { ...srv.env, WLPORTAL_MASTER_KEY_FILE: keyFile },
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(r.signal, null, `serve had to be killed (it started?):\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('master key check', { timeout: 120_000 }, () => {
  let srv, agency;
  before(async () => {
    srv = await startServer();
    const o = srv.cli(['admin', 'create-org', '--name', 'Keyed', '--email', 'keyed@example.test',
      '--password', 'pw-keyed-123456']);
    agency = JSON.parse(o.stdout);
    const r = await api(srv, 'PUT', '/api/v1/whitelabel',
      { key: agency.api_key, body: { stripe: { secret_key: SECRET } } });
    assert.equal(r.status, 200, r.text);
    await srv.kill();
  });
  after(() => { srv?.removeDir(); });

  it('refuses a missing key file and does not create one', async () => {
    const missing = path.join(srv.dir, 'missing.key');
    const r = await serveWithKey(srv, missing);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /master key/);
    assert.match(r.stderr, /missing\.key/);
    assert.ok(!fs.existsSync(missing), 'no new key was made');
  });

  it('refuses a key that does not open the database', async () => {
    const other = path.join(srv.dir, 'other.key');
    fs.writeFileSync(other, randomBytes(32), { mode: 0o600 });
    const r = await serveWithKey(srv, other);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /does not open/);
  });

  it('refuses another key even in a database without secrets (the check value)', async () => {
    const fresh = await startServer();
    try {
      await fresh.kill();
      const other = path.join(fresh.dir, 'other.key');
      fs.writeFileSync(other, randomBytes(32), { mode: 0o600 });
      const r = await serveWithKey(fresh, other);
      assert.notEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /does not open/);
    } finally { fresh.removeDir(); }
  });

  it('starts with the right key, the secret still set', async () => {
    const again = await startServerOn(srv);
    try {
      const r = await api(again, 'GET', '/api/v1/whitelabel', { key: agency.api_key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.stripe.secret_key_set, true);
    } finally { await again.kill(); }
  });
});

// A server on srv's database and key (startServer makes a fresh one).
async function startServerOn(srv) {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', srv.db],
    { env: srv.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  const s = { port, url, kill: async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  } };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return s;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`not healthy: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}
