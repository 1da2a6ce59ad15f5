// Custom-domain verification against a real DNS server: starts Debian's
// dnsmasq on 127.0.0.1 at a free port with a handful of test records, runs
// the dnscheck driver (tests/dnscheck.c → src/services/dns.c) for each name
// and checks the verdict and its reason. dnsmasq is stopped afterwards.
//
// DNSCHECK_BIN points at the driver (default build-test/dnscheck).
// dnsmasq comes from the dnsmasq-base package (scripts/deps.sh test).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { DNSMASQ_SKIP, TARGET, freeUdpPort, startDnsmasq, stopDnsmasq } from './dnsmasq.mjs';

const DNSCHECK = path.resolve(process.env.DNSCHECK_BIN || 'build-test/dnscheck');
const CHECK_TIMEOUT_MS = 20_000;

const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
};

function dnscheck(server, domain, target = TARGET) {
  const started = Date.now();
  const r = spawnSync(DNSCHECK, [server, domain, target], {
    encoding: 'utf8', timeout: CHECK_TIMEOUT_MS, env: { ...process.env, ...SAN_ENV },
  });
  const elapsed = Date.now() - started;
  assert.equal(r.error, undefined, `dnscheck did not run: ${r.error}`);
  for (const marker of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) {
    assert.ok(!r.stderr.includes(marker), `sanitizer report:\n${r.stderr}`);
  }
  const line = r.stdout.trim();
  const space = line.indexOf(' ');
  return {
    status: r.status,
    verdict: space < 0 ? line : line.slice(0, space),
    reason: space < 0 ? '' : line.slice(space + 1),
    stderr: r.stderr,
    elapsed,
  };
}

describe('custom domain DNS check', {
  timeout: 120_000,
  skip: DNSMASQ_SKIP,
}, () => {
  let dns;
  let server;

  before(async () => {
    assert.ok(fs.existsSync(DNSCHECK), `${DNSCHECK} not found: build it first (ninja -C build-test)`);
    dns = await startDnsmasq();
    server = `127.0.0.1:${dns.port}`;
  });

  after(async () => { await stopDnsmasq(dns); });


  it('a CNAME to the target is verified', () => {
    const r = dnscheck(server, 'good.example.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'verified', r.reason);
    assert.match(r.reason, /cname\.wl\.test/);
  });

  it('the target is compared without case and trailing dot', () => {
    const r = dnscheck(server, 'good.example.test', 'CNAME.WL.Test.');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'verified', r.reason);
  });

  it('a CNAME elsewhere is misconfigured and names where it points', () => {
    const r = dnscheck(server, 'wrong.example.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'misconfigured', r.reason);
    assert.match(r.reason, /elsewhere\.test/);
    assert.match(r.reason, /cname\.wl\.test/);
  });

  it('a correct CNAME for another target is misconfigured', () => {
    const r = dnscheck(server, 'good.example.test', 'cname.other.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'misconfigured', r.reason);
    assert.match(r.reason, /cname\.wl\.test/);
  });

  it('A and AAAA records are conflicts to remove', () => {
    const r = dnscheck(server, 'conflict.example.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'misconfigured', r.reason);
    assert.match(r.reason, /192\.0\.2\.7/);
    assert.match(r.reason, /2001:db8::7/);
    assert.match(r.reason, /remove them/);
  });

  it('an AAAA record alone is a conflict too', () => {
    const r = dnscheck(server, 'v6only.example.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'misconfigured', r.reason);
    assert.match(r.reason, /2001:db8::9/);
    assert.doesNotMatch(r.reason, /192\.0\.2/);
  });

  it('a name without records is pending', () => {
    const r = dnscheck(server, 'nothing.example.test');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.verdict, 'pending', r.reason);
    assert.match(r.reason, /no CNAME record yet/);
    assert.match(r.reason, /48 hours/);
  });

  it('the addresses of the CNAME target are not conflicts', () => {
    // good.example.test's A answer carries cname.wl.test's 192.0.2.1
    const r = dnscheck(server, 'good.example.test');
    assert.doesNotMatch(r.reason, /192\.0\.2\.1/);
  });

  it('a server that does not answer is an error, quickly', async () => {
    const port = await freeUdpPort();
    const r = dnscheck(`127.0.0.1:${port}`, 'good.example.test');
    assert.equal(r.status, 1, `stdout: ${r.verdict} ${r.reason}`);
    assert.match(r.stderr, /no usable answer/);
    assert.match(r.stderr, /unavailable/);
    assert.ok(r.elapsed < 15_000, `took ${r.elapsed} ms`);
  });

  it('a server that never answers times out within the bound', async () => {
    // a bound UDP socket that reads nothing: queries just vanish
    const silent = dgram.createSocket('udp4');
    await new Promise((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const r = dnscheck(`127.0.0.1:${silent.address().port}`, 'good.example.test');
      assert.equal(r.status, 1, `stdout: ${r.verdict} ${r.reason}`);
      assert.match(r.stderr, /unavailable/);
      // 2 tries of about 2 s, and the check stops after the first query
      assert.ok(r.elapsed < 10_000, `took ${r.elapsed} ms`);
    } finally {
      silent.close();
    }
  });

  for (const [what, srv, domain, target] of [
    ['an IP address as domain', null, '192.0.2.7', TARGET],
    ['an upper-case domain', null, 'Good.Example.test', TARGET],
    ['an empty target', null, 'good.example.test', ''],
    ['a server with a bad port', '127.0.0.1:70000', 'good.example.test', TARGET],
    ['a server that is a name', 'localhost:53', 'good.example.test', TARGET],
  ]) {
    it(`bad input is refused: ${what}`, () => {
      const r = dnscheck(srv ?? server, domain, target);
      assert.equal(r.status, 1, `stdout: ${r.verdict} ${r.reason}`);
      assert.match(r.stderr, /invalid_request/);
    });
  }
});

describe('ownership proof: TXT lookup', { timeout: 60_000, skip: DNSMASQ_SKIP }, () => {
  let dns;
  let server;
  const txt = (name, expected) => {
    const r = spawnSync(DNSCHECK, ['--txt', server, name, expected], {
      encoding: 'utf8', timeout: CHECK_TIMEOUT_MS, env: { ...process.env, ...SAN_ENV },
    });
    for (const marker of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) {
      assert.ok(!r.stderr.includes(marker), `sanitizer report:\n${r.stderr}`);
    }
    return { status: r.status, out: r.stdout.trim(), stderr: r.stderr };
  };

  before(async () => {
    dns = await startDnsmasq();
    server = `127.0.0.1:${dns.port}`;
  });
  after(async () => { await stopDnsmasq(dns); });

  it('finds the expected value among other TXT records', () => {
    const r = txt('_wlportal-challenge.good.example.test', 'wlportal-verify=static-token');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'found 1');   // the SPF record is another value
  });

  it('another value is not a proof', () => {
    const r = txt('_wlportal-challenge.good.example.test', 'wlportal-verify=other-token');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'missing 2');
  });

  it('a value in several strings is joined', () => {
    const r = txt('_wlportal-challenge.split.example.test', 'wlportal-verify=split-token');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'found 0');
  });

  it('no record at the name is an answer: missing', () => {
    const r = txt('_wlportal-challenge.nothing.example.test', 'wlportal-verify=x');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'missing 0');
  });

  it('a bad name is refused', () => {
    const r = txt('bad name!', 'x');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /invalid_request/);
  });
});
