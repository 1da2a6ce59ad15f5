// A real DNS server for tests: Debian's dnsmasq on 127.0.0.1 at a free
// port, answering only from the test records below (plus any a test adds).
// Shared by the DNS tests. dnsmasq cannot change records while it runs, so
// a test that needs other records restarts it on the same port
// (restartDnsmasq): the server under test keeps its WLPORTAL_DNS_SERVER.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as dnsp } from 'node:dns';
import fs from 'node:fs';
import path from 'node:path';

export const TARGET = 'cname.wl.test';
const START_TIMEOUT_MS = 10_000;

function findDnsmasq() {
  const dirs = [...(process.env.PATH || '').split(':'), '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    const p = path.join(d || '.', 'dnsmasq');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* keep looking */ }
  }
  return null;
}

export const DNSMASQ = findDnsmasq();

// Without dnsmasq the DNS tests cannot run: on CI that is a failure, not a skip.
export const DNSMASQ_SKIP = DNSMASQ || process.env.CI ? false
  : 'dnsmasq not installed (scripts/deps.sh test installs dnsmasq-base)';

// A UDP port nobody is bound to right now (dnsmasq also takes TCP on it;
// a clash there makes dnsmasq exit, and we try another port).
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The zone: names under .test are answered from these records only
// (--local), so an unknown name gets NXDOMAIN like on the real internet
// instead of REFUSED. dnsmasq serves a --cname only when it knows the
// target, hence the host records for the targets.
export const RECORDS = [
  '--local=/test/',
  `--host-record=${TARGET},192.0.2.1`,
  '--host-record=elsewhere.test,192.0.2.2',
  `--cname=good.example.test,${TARGET}`,
  '--cname=wrong.example.test,elsewhere.test',
  '--host-record=conflict.example.test,192.0.2.7,2001:db8::7',
  '--host-record=v6only.example.test,2001:db8::9',
  // proofs of ownership (TXT) for the driver tests; a value may come in
  // several strings (commas split them here), joined by whoever reads it
  '--txt-record=_wlportal-challenge.good.example.test,wlportal-verify=static-token',
  '--txt-record=_wlportal-challenge.good.example.test,v=spf1 -all',
  '--txt-record=_wlportal-challenge.split.example.test,wlportal-verify=,split-token',
];

// The TXT record that proves a claim (value "wlportal-verify=<token>").
export const txtRecord = (domain, value) => `--txt-record=_wlportal-challenge.${domain},${value}`;

// Starts dnsmasq with RECORDS and `extra` records, on `port` when given
// (a restart) or else on a free one.
export async function startDnsmasq({ port: wanted, extra = [] } = {}) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = wanted ?? await freeUdpPort();
    const child = spawn(DNSMASQ, [
      '--no-daemon', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=',
      '--log-facility=-', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
      ...RECORDS, ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let exited = false;
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', () => { exited = true; });

    const resolver = new dnsp.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) {
      try {
        const names = await resolver.resolveCname('good.example.test');
        if (names.includes(TARGET)) return { child, port, output: () => output };
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    child.kill('SIGKILL');
    if (!exited && Date.now() >= deadline) throw new Error(`dnsmasq did not answer:\n${output}`);
    // exited early: most likely the port was taken after all; try another
    // (or, on a restart, the same one again a moment later)
    if (wanted) await sleep(200);
  }
  throw new Error('dnsmasq would not start on any port');
}

// Stops dns and starts it again on its port with RECORDS and `extra`;
// dns is updated in place.
export async function restartDnsmasq(dns, extra = []) {
  await stopDnsmasq(dns);
  Object.assign(dns, await startDnsmasq({ port: dns.port, extra }));
  return dns;
}

export async function stopDnsmasq(dns) {
  if (!dns) return;
  if (dns.child.exitCode !== null || dns.child.signalCode !== null) return;
  let timer;
  const gone = new Promise((r) => dns.child.once('exit', () => r(true)));
  const late = new Promise((r) => { timer = setTimeout(() => r(false), 5000); });
  dns.child.kill('SIGTERM');
  const stopped = await Promise.race([gone, late]);
  clearTimeout(timer);
  if (!stopped) dns.child.kill('SIGKILL');
}
