// keepalive.mjs — a raw HTTP/1.1 keep-alive client for the tests and
// benches that time requests on one connection each
// (integration/slow_reads.test.mjs, bench/scan_latency.mjs).

import net from 'node:net';

// A keep-alive connection that sends one GET at a time and times it. A
// chunked body is decoded as it comes and only counted (lines, the last
// byte), never held: an export of the seeded history is over 100 MB.
// libmicrohttpd keeps a connection on the server thread that accepted it,
// so connections opened up front spread over the server threads.
export function keepAlive(port, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let waiting = null;
    let res = null; // the answer being read: {status, head, chunked, len, text, lines, bytes, last}
    let chunkLeft = -1; // chunked: bytes left of the current chunk (-1: a size line is next)
    s.setNoDelay(true);
    const body = (part) => {
      res.bytes += part.length;
      if (part.length === 0) return;
      res.last = part[part.length - 1];
      for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) res.lines++;
      if (res.text.length < 4096) res.text += part.subarray(0, 4096).toString('utf8');
    };
    const finish = () => {
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      const r = res;
      res = null;
      let json;
      try { json = JSON.parse(r.text); } catch { json = undefined; }
      w.resolve({ status: r.status, json, text: r.text, lines: r.lines, bytes: r.bytes,
        endsWithNewline: r.last === 10, ms: performance.now() - w.t0 });
    };
    const parse = () => {
      for (;;) {
        if (waiting === null) return;
        if (res === null) {
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) return;
          const h = buf.subarray(0, head).toString('latin1');
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(h);
          res = { status: Number(h.slice(9, 12)), chunked: /\r\ntransfer-encoding:\s*chunked/i.test(h),
            len: m ? Number(m[1]) : 0, text: '', lines: 0, bytes: 0, last: -1 };
          buf = buf.subarray(head + 4);
          chunkLeft = -1;
        }
        if (!res.chunked) {
          if (buf.length < res.len) return;
          body(buf.subarray(0, res.len));
          buf = buf.subarray(res.len);
          finish();
          continue;
        }
        if (chunkLeft < 0) {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) return;
          const size = parseInt(buf.subarray(0, eol).toString('latin1'), 16);
          if (size === 0) { // the last chunk: no trailers expected
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
          body(buf.subarray(0, n));
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
      get(path, key) {
        return new Promise((res, rej) => {
          const auth = key ? `Authorization: Bearer ${key}\r\n` : '';
          const timer = setTimeout(() => { s.destroy(); rej(new Error(`no answer to ${path}`)); }, timeoutMs);
          waiting = { resolve: res, reject: rej, timer, t0: performance.now() };
          s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`);
        });
      },
      close() { s.destroy(); },
    }));
  });
}
