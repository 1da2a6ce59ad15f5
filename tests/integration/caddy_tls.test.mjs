// deploy/Caddyfile in front of wlportal with a real Caddy (Debian's caddy):
// on-demand TLS asks GET /internal/tls-ask before it issues a certificate,
// here from Caddy's own CA (CADDY_ISSUER=local_certs) on loopback high ports,
// with its data in a temp dir (no root, no system trust store touched). A
// verified custom domain and an active portal host are served over HTTPS
// with a certificate for their name; an unknown name gets no certificate;
// the question itself is not reachable through Caddy.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, freePort, sleep, unrefTimeout, sql } from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { agencyWithPortal } from './portal_lib.mjs';

const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => fs.existsSync(p));
const SKIP = CADDY || process.env.CI ? false : 'caddy is not installed (scripts/deps.sh test installs it)';

function curl(args) {
  return spawnSync('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('Caddy with on-demand TLS in front of wlportal', { timeout: 180_000, skip: SKIP }, () => {
  let srv, fake, caddy, dir, httpsPort, agency;
  let caddyLog = '';

  const https = (host, urlPath = '/', extra = []) => curl([
    '--resolve', `${host}:${httpsPort}:127.0.0.1`,
    '--cacert', path.join(dir, 'data/caddy/pki/authorities/local/root.crt'),
    '-o', path.join(dir, 'body.html'), '-w', '%{http_code} %{ssl_verify_result}',
    ...extra, `https://${host}:${httpsPort}${urlPath}`]);

  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url, WLPORTAL_TRUST_PROXY: '1' } });
    agency = await agencyWithPortal(srv, 'tlscalls', { fake, company_name: 'TLS Calls' });
    sql(srv, `UPDATE whitelabel SET custom_domain = 'calls.example.test', domain_status = 'verified' WHERE org_id = '${agency.org_id}'`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-caddy-'));
    httpsPort = await freePort();
    const httpPort = await freePort();
    caddy = spawn(CADDY, ['run', '--config', path.resolve('deploy/Caddyfile'), '--adapter', 'caddyfile'], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_DATA_HOME: path.join(dir, 'data'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        CADDY_ADMIN: 'off',
        CADDY_HTTP_PORT: String(httpPort),
        CADDY_HTTPS_PORT: String(httpsPort),
        CADDY_ISSUER: 'local_certs',
        WLPORTAL_UPSTREAM: `127.0.0.1:${srv.port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout.on('data', (d) => { caddyLog += d; });
    caddy.stderr.on('data', (d) => { caddyLog += d; });
    // up when its HTTPS port answers (any TLS outcome) and its CA exists
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = curl(['-k', '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${httpsPort}/`]);
      if (r.status !== 7 && fs.existsSync(path.join(dir, 'data/caddy/pki/authorities/local/root.crt'))) break;
      if (caddy.exitCode !== null || Date.now() > deadline) assert.fail(`caddy did not start:\n${caddyLog.slice(-3000)}`);
      await sleep(200);
    }
  });
  after(async () => {
    if (caddy && caddy.exitCode === null) {
      caddy.kill('SIGTERM');
      await Promise.race([new Promise((r) => caddy.on('exit', r)), unrefTimeout(5000)]);
      if (caddy.exitCode === null) caddy.kill('SIGKILL');
    }
    await srv?.stop();
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a verified custom domain over HTTPS with a certificate for its name', () => {
    const r = https('calls.example.test');
    assert.equal(r.status, 0, `curl: ${r.stderr}\n${caddyLog.slice(-3000)}`);
    assert.equal(r.stdout, '200 0', r.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'body.html'), 'utf8'), /TLS Calls/);
    const cert = curl(['-v', '-o', '/dev/null', '--resolve', `calls.example.test:${httpsPort}:127.0.0.1`,
      '--cacert', path.join(dir, 'data/caddy/pki/authorities/local/root.crt'), `https://calls.example.test:${httpsPort}/`]);
    assert.match(cert.stderr, /subjectAltName: host "calls\.example\.test" matched cert's "calls\.example\.test"/);
  });

  it('serves an active portal host, and gives an unknown name no certificate', () => {
    const p = https('tlscalls.portal.localhost');
    assert.equal(p.stdout, '200 0', `${p.stderr}\n${caddyLog.slice(-2000)}`);
    const u = https('unknown.example.test');
    assert.notEqual(u.status, 0, 'the TLS handshake fails');
    assert.match(u.stderr, /SSL|TLS|alert/i);
    assert.ok(!fs.existsSync(path.join(dir, 'data/caddy/certificates/local/unknown.example.test')),
      'no certificate was issued');
  });

  it('does not pass the question itself through', () => {
    const r = https('calls.example.test', '/internal/tls-ask?domain=unknown.example.test');
    assert.equal(r.stdout, '404 0');
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'body.html'), 'utf8'), /allowed/);
  });
});
