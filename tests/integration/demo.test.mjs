// `wlportal serve --demo` (what `make run` starts): a demo agency and client
// made once, logins and working API keys printed at every start, the old
// demo keys revoked when new ones are printed; `simulate` without --org plays
// the demo client.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, makeEnv, freePort, sleep, unrefTimeout, request, assertAuditOk } from './lib.mjs';

const children = new Set();

async function serveDemo(ctx) {
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--db', ctx.db],
    { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!/serving on/.test(out)) {
    assert.ok(Date.now() < deadline, `serve --demo did not start:\n${out}\n${err}`);
    assert.equal(child.exitCode, null, `serve --demo exited:\n${err}`);
    await sleep(100);
  }
  const keys = [...out.matchAll(/API key (wlp_\S+)/g)].map((m) => m[1]);
  const ids = [...out.matchAll(/demo (?:agency|client)\s+([0-9a-f-]{36})/g)].map((m) => m[1]);
  return {
    url: `http://127.0.0.1:${port}`, port, out, keys, ids,
    async stop() {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, unrefTimeout(15_000).then(() => 'timeout')]);
      assert.equal(code, 0, `serve exit ${code}\n${err}`);
      assert.ok(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(err), err);
    },
  };
}

describe('serve --demo', { timeout: 120_000 }, () => {
  const ctx = makeEnv();
  after(() => {
    for (const c of children) c.kill('SIGKILL'); // only after a failed assertion
    ctx.removeDir();
  });

  it('creates the demo once and prints working logins and keys each start', async () => {
    const first = await serveDemo(ctx);
    assert.match(first.out, /agency@demo\.wlportal\.test/);
    assert.match(first.out, /client@demo\.wlportal\.test/);
    assert.equal(first.keys.length, 2);
    assert.equal(first.ids.length, 2);
    const srv = { url: first.url, port: first.port };
    let r = await request(srv, 'GET', '/api/v1/account', { headers: { Authorization: `Bearer ${first.keys[0]}` } });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text).company_name, 'Demo Agency');
    r = await request(srv, 'GET', '/api/v1/account', { headers: { Authorization: `Bearer ${first.keys[1]}` } });
    assert.equal(JSON.parse(r.text).company_name, 'Demo Client');

    // simulate without --org plays the demo client
    const sim = ctx.cli(['simulate', '--calls', '5', '--concurrency', '2', '--url', first.url,
      '--engine-token', ctx.engineToken], { timeout: 60_000 });
    assert.equal(sim.status, 0, sim.stderr);
    assert.match(sim.stdout, new RegExp(`for org ${first.ids[1]}`));
    await first.stop();

    const second = await serveDemo(ctx);
    assert.deepEqual(second.ids, first.ids, 'the same demo orgs');
    assert.notDeepEqual(second.keys, first.keys, 'fresh keys');
    const srv2 = { url: second.url, port: second.port };
    r = await request(srv2, 'GET', '/api/v1/account', { headers: { Authorization: `Bearer ${first.keys[0]}` } });
    assert.equal(r.status, 401, 'the old demo key is revoked');
    r = await request(srv2, 'GET', '/api/v1/account', { headers: { Authorization: `Bearer ${second.keys[0]}` } });
    assert.equal(r.status, 200);
    await second.stop();
    assertAuditOk(ctx);
  });
});
