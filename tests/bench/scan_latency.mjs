// Times GET /healthz while year-long usage summaries run on a running server.
//
// Usage: node tests/bench/scan_latency.mjs PORT API_KEY START_DATE END_DATE [SCANS]   (default 2)
// Prints lines for scripts/bench.sh:
//   scan_ms A,B,…          each usage request's own duration
//   probes N               /healthz requests sent while a scan ran
//   healthz_p50_ms X, healthz_p99_ms X, healthz_max_ms X
//
// Probes go round-robin over 8 keep-alive connections opened (and answered
// once) before the scans start; libmicrohttpd keeps a connection on the
// server thread that accepted it, so the probes reach every server thread.
// One probe at a time; every wait is bounded.
import net from 'node:net';

const [port, key, start, end, scansArg] = process.argv.slice(2);
const SCANS = Number(scansArg) || 2;
const PROBERS = 8;
const TIMEOUT_MS = 600_000;

if (!port || !key || !start || !end) {
  console.error('usage: node scan_latency.mjs PORT API_KEY START_DATE END_DATE [SCANS]');
  process.exit(2);
}

// A keep-alive connection that sends one GET at a time and times it.
function keepAlive() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: Number(port), host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let waiting = null;
    s.setNoDelay(true);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0 || waiting === null) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, head).toString('latin1'));
      const len = m ? Number(m[1]) : 0;
      if (buf.length < head + 4 + len) return;
      const status = Number(buf.subarray(9, 12).toString('latin1'));
      buf = buf.subarray(head + 4 + len);
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      w.resolve({ status, ms: Number(process.hrtime.bigint() - w.t0) / 1e6 });
    });
    s.on('error', (e) => { if (waiting) waiting.reject(e); else reject(e); });
    s.once('connect', () => resolve({
      get(path, auth) {
        return new Promise((res, rej) => {
          const timer = setTimeout(() => { s.destroy(); rej(new Error(`no answer to ${path}`)); }, TIMEOUT_MS);
          waiting = { resolve: res, reject: rej, timer, t0: process.hrtime.bigint() };
          s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            (auth ? `Authorization: Bearer ${auth}\r\n` : '') + '\r\n');
        });
      },
      close() { s.destroy(); },
    }));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const conns = [];
try {
  const probers = [];
  for (let i = 0; i < PROBERS; i++) probers.push(await keepAlive());
  const scanners = [];
  for (let i = 0; i < SCANS; i++) scanners.push(await keepAlive());
  conns.push(...probers, ...scanners);
  for (const c of conns) {
    const r = await c.get('/healthz');
    if (r.status !== 200) throw new Error(`/healthz answered ${r.status}`);
  }
  const usage = `/api/v1/usage?start_date=${start}&end_date=${end}&limit=100`;
  let running = SCANS;
  const scans = scanners.map((c) => c.get(usage, key).finally(() => { running--; }));
  const probes = [];
  for (let i = 0; running > 0; i++) {
    const r = await probers[i % PROBERS].get('/healthz');
    if (r.status !== 200) throw new Error(`/healthz answered ${r.status}`);
    probes.push(r.ms);
  }
  const done = await Promise.all(scans);
  for (const d of done) if (d.status !== 200) throw new Error(`usage answered ${d.status}`);
  probes.sort((a, b) => a - b);
  console.log(`scan_ms ${done.map((d) => d.ms.toFixed(0)).join(',')}`);
  console.log(`probes ${probes.length}`);
  if (probes.length > 0) {
    console.log(`healthz_p50_ms ${pct(probes, 50).toFixed(2)}`);
    console.log(`healthz_p99_ms ${pct(probes, 99).toFixed(2)}`);
    console.log(`healthz_max_ms ${probes[probes.length - 1].toFixed(2)}`);
  }
} catch (e) {
  console.error(`scan_latency: ${e.message}`);
  process.exitCode = 1;
} finally {
  for (const c of conns) c.close();
}
