// A request deadline measures the client, not the server: when every server
// thread is held up (here: each waits on a table another PostgreSQL session
// has locked), the requests that clients sent whole in the meantime wait
// unread in their sockets, and the reaper (src/http/conns.c) must leave those
// connections alone however long the head deadline has passed; once the
// threads are free again every one of them is answered. Before, the reaper
// shut such sockets down at the deadline and the server, coming to them
// later, answered into a closed socket ('The socket is no longer available
// for sending'): seen as a few of 10,000 keep-alive connections of
// slow_clients.test.mjs cut at exactly 10 s on a loaded machine.
//
// And when a thread is free again with exactly 128 requests waiting for it,
// it serves them at once: libmicrohttpd 0.9.75 takes epoll's events 128 at a
// time and, after a full round, waits for more with the full timeout (here
// the 30 s idle timeout) before serving the round; the reaper announces bytes
// left unread for a second again, which ends that wait. Seen as 128
// requests of slow_clients.test.mjs's 10,000 answered after 30 s.
//
// PostgreSQL only: a SQLite reader in WAL mode cannot be held up from
// outside, and the reaper is the same on both.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { startServer, sleep, request, BACKEND, pgUrl } from './lib.mjs';

const HEAD_TIMEOUT_S = 1;
// How long the threads are held after the victims sent their requests: well
// past the head deadline and the reaper's next look at them.
const HOLD_MS = 3500;

// A keep-alive connection with one request answered: `data` is what the
// server sent, `answeredAt` when it last sent something, `closedAt` when it
// closed.
function keepAlive(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const c = { s, data: '', closedAt: 0, answeredAt: 0 };
    s.setNoDelay(true);
    s.on('data', (d) => { c.data += d.toString('latin1'); c.answeredAt = Date.now(); });
    s.on('close', () => { c.closedAt = Date.now(); });
    s.on('error', () => { /* seen as the close */ });
    const timer = setTimeout(() => { s.destroy(); reject(new Error('no first answer within 10 s')); }, 10_000);
    s.once('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const first = () => {
      if (/\r\n\r\n\{[^}]*\}/.test(c.data)) { clearTimeout(timer); s.off('data', first); resolve(c); }
    };
    s.on('data', first);
  });
}

function answers(c) {
  return (c.data.match(/HTTP\/1\.1 200 /g) || []).length;
}

// A psql session that holds `table` locked until release() (bounded by the
// test's own timeout: its stdin ends with the test process).
async function lockTable(srv, table) {
  const psql = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl(srv.pgDatabase)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  psql.stderr.on('data', (d) => { err += d; });
  const gone = new Promise((r) => psql.once('exit', r));
  const held = new Promise((r) => psql.stdout.once('data', r));
  psql.stdin.write(`BEGIN;\nLOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;\nSELECT 'held';\n`);
  await Promise.race([held, gone]);
  assert.equal(psql.exitCode, null, `psql could not lock ${table}: ${err}`);
  return {
    async release() {
      psql.stdin.end('COMMIT;\n');
      await gone;
    },
    kill() { psql.kill('SIGKILL'); },
  };
}

describe('a server thread freed with exactly 128 requests waiting', { timeout: 90_000, skip: BACKEND !== 'postgres' && 'PostgreSQL only' }, () => {
  let srv, lock, holder;
  const live = [];
  before(async () => {
    // One thread, so that all 128 wait for the same one.
    srv = await startServer({ args: ['--threads', '1'] });
  });
  after(async () => {
    lock?.kill();
    holder?.destroy();
    for (const c of live) c.s.destroy();
    await srv?.stop({ audit: false });
  });

  it('serves them within seconds, not after the idle timeout', async () => {
    const victims = [];
    for (let i = 0; i < 128; i++) victims.push(await keepAlive(srv.port));
    live.push(...victims);
    // The thread held by a request whose connection closes with its answer
    // (so that it adds no event of its own to the 128).
    lock = await lockTable(srv, 'whitelabel');
    holder = net.connect({ port: srv.port, host: '127.0.0.1' });
    let held = '';
    holder.on('data', (d) => { held += d; });
    holder.on('error', () => { /* checked through its answer */ });
    await new Promise((r) => holder.once('connect', r));
    holder.write('GET /internal/tls-ask?domain=held.example.com HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await sleep(500);
    for (const c of victims) c.s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(500);
    assert.equal(held, '', 'the thread was not held');
    const releasedAt = Date.now();
    await lock.release();
    lock = null;

    const end = Date.now() + 8000;
    while (victims.some((c) => answers(c) < 2 && !c.closedAt) && Date.now() < end) await sleep(20);
    const late = victims.filter((c) => answers(c) < 2);
    assert.equal(late.length, 0, `${late.length} of 128 requests not answered within 8 s of the thread's release`);
    assert.match(held, /^HTTP\/1\.1 404 /, 'the holding request is answered');
    assert.ok(victims.every((c) => !c.closedAt), 'a connection was closed');
    console.log(`answered within ${Math.max(...victims.map((c) => c.answeredAt)) - releasedAt} ms of the release`);
  });
});

describe('connections of a held-up server', { timeout: 60_000, skip: BACKEND !== 'postgres' && 'PostgreSQL only' }, () => {
  let srv, lock;
  const live = [];
  before(async () => {
    srv = await startServer({ env: { WLPORTAL_HEADER_TIMEOUT: String(HEAD_TIMEOUT_S) } });
  });
  after(async () => {
    lock?.kill();
    for (const c of live) c.s.destroy();
    await srv?.stop({ audit: false });
  });

  it('are not cut at the head deadline while their requests wait unread, and are all answered', async () => {
    const threads = os.cpus().length; // serve's default thread count
    // Idle keep-alive connections, spread over the server's threads.
    const victims = [];
    for (let i = 0; i < 4 * threads + 4; i++) victims.push(await keepAlive(srv.port));
    live.push(...victims);

    // Hold every server thread: /internal/tls-ask reads the whitelabel
    // table on the thread that parsed it. One at a time, so that each is
    // taken by a thread still free.
    lock = await lockTable(srv, 'whitelabel');
    const held = [];
    for (let i = 0; i < 2 * threads + 2; i++) {
      held.push(request(srv, 'GET', '/internal/tls-ask?domain=held.example.com', { timeout: 30_000 })
        .then((r) => r.status, (e) => e.message.split('\n')[0]));
      await sleep(100);
    }

    // Each victim sends its next request whole; nobody reads it yet.
    const sentAt = Date.now();
    for (const c of victims) c.s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(HOLD_MS);
    const releasedAt = Date.now();
    await lock.release();
    lock = null;

    const end = Date.now() + 15_000;
    while (victims.some((c) => answers(c) < 2 && !c.closedAt) && Date.now() < end) await sleep(20);
    const cut = victims.filter((c) => c.closedAt);
    assert.deepEqual(cut.map((c) => c.closedAt - sentAt), [],
      `connections were shut down ${HEAD_TIMEOUT_S} s after their whole request arrived, unanswered`);
    assert.deepEqual(victims.map(answers), victims.map(() => 2), 'every request is answered');
    // The hold covered every thread: no victim was answered before the
    // lock went (else this would not test the reaper at all).
    const early = victims.filter((c) => c.answeredAt < releasedAt);
    assert.equal(early.length, 0, `${early.length} of ${victims.length} requests were answered while the threads were held`);
    assert.deepEqual(await Promise.all(held), held.map(() => 404), 'the held requests are answered too');
    assert.doesNotMatch(srv.stderr, /no longer available/);
  });
});
