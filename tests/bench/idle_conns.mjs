// Holds idle keep-alive connections to a running server and reports what
// they cost it: the server's resident memory (VmRSS of /proc/PID/status)
// before and with them.
//
// Usage: node tests/bench/idle_conns.mjs PORT SERVER_PID [TOTAL]   (default 10000)
// Prints: `rss_idle_kb N`, `rss_held_kb N`, `held N` (lines for scripts/bench.sh).
//
// Each connection sends one GET /healthz (HTTP/1.1, keep-alive) and reads its
// answer, then stays idle. 250 connections come from each address of
// 127.0.1.x, under the server's default per-address limit (256). They are
// opened in waves of one address; the figure is read a second after the last
// one, well inside the server's 30 s idle timeout. The process needs
// TOTAL + 100 open files (the caller raises `ulimit -n`).
import fs from 'node:fs';
import net from 'node:net';

const [port, pid, totalArg] = process.argv.slice(2).map(Number);
const TOTAL = totalArg || 10_000;
const PER_ADDRESS = 250;
const REQUEST = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const sockets = [];

if (!port || !pid) {
  console.error('usage: node idle_conns.mjs PORT SERVER_PID [TOTAL]');
  process.exit(2);
}

function rssKb() {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

// One connection from localAddress that has had its answer; rejects after 30 s.
function open(localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let got = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer from ${localAddress}`)); }, 30_000);
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('data', (d) => {
      got += d.toString('latin1');
      const head = got.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(got.slice(0, head));
      if (got.length < head + 4 + (m ? Number(m[1]) : 0)) return;
      clearTimeout(timer);
      if (!got.startsWith('HTTP/1.1 200')) reject(new Error(`answered ${got.slice(0, 12)}`));
      else resolve(s);
    });
    s.once('connect', () => s.write(REQUEST));
    sockets.push(s);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  await sleep(500);
  console.log(`rss_idle_kb ${rssKb()}`);
  let held = 0;
  for (let a = 0; held < TOTAL; a++) {
    const n = Math.min(PER_ADDRESS, TOTAL - held);
    const addr = `127.0.1.${a + 1}`;
    await Promise.all(Array.from({ length: n }, () => open(addr)));
    held += n;
  }
  await sleep(1000);
  const closed = sockets.filter((s) => s.destroyed || s.readyState !== 'open').length;
  console.log(`rss_held_kb ${rssKb()}`);
  console.log(`held ${held - closed}`);
} catch (e) {
  console.error(`idle_conns: ${e.message}`);
  process.exitCode = 1;
} finally {
  for (const s of sockets) s.destroy();
}
