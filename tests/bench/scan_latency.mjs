// Times GET /healthz while year-long CSV exports stream on a running server.
//
// Usage: node tests/bench/scan_latency.mjs PORT API_KEY START_DATE END_DATE [EXPORTS] [MIN_ROWS]
//        (EXPORTS default 2; MIN_ROWS: fail when an export has fewer usage rows)
// Prints lines for scripts/bench.sh:
//   scan_ms A,B,…          each export's own duration
//   scan_rows N            usage rows in each export (the same in all)
//   probes N               /healthz requests sent while every export ran
//   healthz_p50_ms X, healthz_p99_ms X, healthz_max_ms X
//
// The year-long usage summary reads the daily totals, so it no longer does
// work that grows with history; GET /api/v1/usage.csv still does: it streams
// every usage row of the range, a page at a time, each page read on a worker.
// Probes go round-robin over 8 keep-alive connections opened (and answered
// once) before the exports start; libmicrohttpd keeps a connection on the
// server thread that accepted it, so the probes reach every server thread.
// An export's body is decoded (chunked) and its lines counted as it comes,
// never held. One probe at a time; every wait is bounded.
import net from 'node:net';

const [port, key, start, end, scansArg, minRowsArg] = process.argv.slice(2);
const SCANS = Number(scansArg) || 2;
const MIN_ROWS = Number(minRowsArg) || 0;
const PROBERS = 8;
const TIMEOUT_MS = 600_000;

if (!port || !key || !start || !end) {
  console.error('usage: node scan_latency.mjs PORT API_KEY START_DATE END_DATE [EXPORTS] [MIN_ROWS]');
  process.exit(2);
}

// A keep-alive connection that sends one GET at a time and times it; a
// body is only counted (lines), chunked or not.
function keepAlive() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: Number(port), host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let waiting = null;
    let res = null; // {status, chunked, len, lines}
    let chunkLeft = -1; // chunked: bytes left of this chunk (-1: a size line is next)
    s.setNoDelay(true);
    const count = (part) => {
      for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) res.lines++;
    };
    const finish = () => {
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      w.resolve({ status: res.status, lines: res.lines, ms: Number(process.hrtime.bigint() - w.t0) / 1e6 });
      res = null;
    };
    const parse = () => {
      while (waiting !== null) {
        if (res === null) {
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) return;
          const h = buf.subarray(0, head).toString('latin1');
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(h);
          res = { status: Number(h.slice(9, 12)), chunked: /\r\ntransfer-encoding:\s*chunked/i.test(h),
            len: m ? Number(m[1]) : 0, lines: 0 };
          buf = buf.subarray(head + 4);
          chunkLeft = -1;
        }
        if (!res.chunked) {
          if (buf.length < res.len) return;
          count(buf.subarray(0, res.len));
          buf = buf.subarray(res.len);
          finish();
          continue;
        }
        if (chunkLeft < 0) {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) return;
          const size = parseInt(buf.subarray(0, eol).toString('latin1'), 16);
          if (size === 0) { // the last chunk, no trailers
            if (buf.length < eol + 4) return;
            buf = buf.subarray(eol + 4);
            finish();
            continue;
          }
          buf = buf.subarray(eol + 2);
          chunkLeft = size;
        }
        if (chunkLeft > 0) {
          const n = Math.min(chunkLeft, buf.length);
          count(buf.subarray(0, n));
          buf = buf.subarray(n);
          chunkLeft -= n;
          if (chunkLeft > 0) return;
        }
        if (buf.length < 2) return; // the CRLF after a chunk
        buf = buf.subarray(2);
        chunkLeft = -1;
      }
    };
    s.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      parse();
    });
    s.on('error', (e) => { if (waiting) waiting.reject(e); else reject(e); });
    s.on('close', () => { if (waiting) waiting.reject(new Error('connection closed')); });
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
  const usage = `/api/v1/usage.csv?start_date=${start}&end_date=${end}`;
  let running = SCANS;
  const scans = scanners.map((c) => c.get(usage, key).finally(() => { running--; }));
  const probes = [];
  for (let i = 0; running === SCANS; i++) {
    const r = await probers[i % PROBERS].get('/healthz');
    if (r.status !== 200) throw new Error(`/healthz answered ${r.status}`);
    probes.push(r.ms);
  }
  const done = await Promise.all(scans);
  for (const d of done) if (d.status !== 200) throw new Error(`usage.csv answered ${d.status}`);
  const rows = done[0].lines - 1; // the header line, then one line a usage row
  if (done.some((d) => d.lines !== done[0].lines)) {
    throw new Error(`the exports differ: ${done.map((d) => d.lines - 1).join(', ')} rows`);
  }
  if (rows < MIN_ROWS) throw new Error(`an export has ${rows} rows, fewer than ${MIN_ROWS}`);
  probes.sort((a, b) => a - b);
  console.log(`scan_ms ${done.map((d) => d.ms.toFixed(0)).join(',')}`);
  console.log(`scan_rows ${rows}`);
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
