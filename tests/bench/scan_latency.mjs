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
import { keepAlive } from '../integration/keepalive.mjs';

const [port, key, start, end, scansArg, minRowsArg] = process.argv.slice(2);
const SCANS = Number(scansArg) || 2;
const MIN_ROWS = Number(minRowsArg) || 0;
const PROBERS = 8;
const TIMEOUT_MS = 600_000;

if (!port || !key || !start || !end) {
  console.error('usage: node scan_latency.mjs PORT API_KEY START_DATE END_DATE [EXPORTS] [MIN_ROWS]');
  process.exit(2);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const conns = [];
try {
  const probers = [];
  for (let i = 0; i < PROBERS; i++) probers.push(await keepAlive(Number(port), { timeoutMs: TIMEOUT_MS }));
  const scanners = [];
  for (let i = 0; i < SCANS; i++) scanners.push(await keepAlive(Number(port), { timeoutMs: TIMEOUT_MS }));
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
