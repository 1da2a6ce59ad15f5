// The attacker of slow_clients.test.mjs, in its own process so that its
// sockets never slow down the test's own measurements:
//   node trickle.mjs PORT COUNT SECONDS ADDRESS...
// opens COUNT connections spread over the local ADDRESSes, each sending one
// byte of a request head every 5 s and reconnecting when the server cuts
// it, for SECONDS; then prints one JSON line: {opened, first: [{sentAt,
// closedAt, answered}], reconnects} (times in ms since the epoch) and exits.
import net from 'node:net';

const [port, count, seconds, ...addrs] = process.argv.slice(2);
const text = 'GET /api/v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wlp_slow\r\n\r\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = Date.now() + Number(seconds) * 1000;
const first = [];
let reconnects = 0;
const sockets = new Set();

function open(addr) {
  return new Promise((resolve) => {
    const s = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: addr });
    const c = { s, sentAt: 0, closedAt: 0, answered: false };
    sockets.add(s);
    s.setNoDelay(true);
    s.on('data', () => { c.answered = true; });
    s.on('error', () => {});
    s.on('close', () => { c.closedAt = Date.now(); sockets.delete(s); resolve(c); });
    s.on('connect', () => { resolve(c); });
  });
}

async function attacker(addr, index) {
  let isFirst = true;
  while (Date.now() < until) {
    const c = await open(addr);
    if (c.closedAt) { await sleep(100); continue; }
    if (isFirst) { first[index] = c; isFirst = false; } else reconnects++;
    let i = 0;
    c.sentAt = Date.now();
    c.s.write(text[i++]);
    while (!c.closedAt && Date.now() < until) {
      for (let w = 0; w < 50 && !c.closedAt && Date.now() < until; w++) await sleep(100);
      if (!c.closedAt && Date.now() < until) c.s.write(text[i++ % text.length]);
    }
  }
}

const all = [];
for (let i = 0; i < Number(count); i++) all.push(attacker(addrs[i % addrs.length], i));
await Promise.all(all);
const report = {
  opened: first.filter(Boolean).length,
  first: first.map((c) => ({ sentAt: c.sentAt, closedAt: c.closedAt, answered: c.answered })),
  reconnects,
};
for (const s of sockets) s.destroy();
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(0);
