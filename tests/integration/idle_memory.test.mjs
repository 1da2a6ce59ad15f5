// What an idle keep-alive connection costs the server: 2,000 connections,
// each after one answer, must add less than 48 KiB of resident memory each
// (about 27 KiB under the test build's AddressSanitizer, 8.6 KiB in a
// release build; with libmicrohttpd's per-connection pool at 64 KiB, which
// it zeroes whole after every request, it was about 80 KiB). The bench
// (tests/bench/idle_conns.mjs, used here too) measures the 10,000 case.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CONNS = 2000;

describe('idle keep-alive connections', { timeout: 120_000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop({ audit: false }); });

  it(`${CONNS} of them cost less than 48 KiB each`, () => {
    const r = spawnSync(process.execPath,
      [path.join(HERE, '..', 'bench', 'idle_conns.mjs'), String(srv.port), String(srv.pid), String(CONNS)],
      { encoding: 'utf8', timeout: 90_000, killSignal: 'SIGKILL' });
    assert.equal(r.status, 0, `idle_conns failed: ${r.stderr}`);
    const fig = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    assert.equal(fig.held, CONNS, r.stdout);
    const perConnKb = (fig.rss_held_kb - fig.rss_idle_kb) / CONNS;
    assert.ok(perConnKb < 48, `each idle connection costs ${perConnKb.toFixed(1)} KiB (${r.stdout.trim()})`);
  });
});
