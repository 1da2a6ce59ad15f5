// A small SMTP server on loopback for the tests (node:net). It speaks
// enough SMTP for libcurl (EHLO/HELO, MAIL FROM, RCPT TO, DATA with
// dot-unstuffing, RSET, NOOP, QUIT), keeps every message in memory, parsed
// (headers unfolded, RFC 2047 words decoded, body as UTF-8), and lets a
// test wait for the next mail to an address and pull the links out of it.
//
//   const sink = await startSmtpSink();
//   env.WLPORTAL_SMTP_URL = sink.url;            // smtp://127.0.0.1:PORT
//   const mail = await sink.waitFor('a@b.test'); // next unseen mail to a@b.test
//   const [link] = sink.links(mail);
//   sink.reject('bounce@b.test', 550);           // RCPT TO answered 550 (or 450)
//   await sink.close();

import net from 'node:net';

const LINE_MAX = 4096;
const MESSAGE_MAX = 1024 * 1024;

// "=?UTF-8?B?…?=" and "=?UTF-8?Q?…?=" words, adjacent words joined.
export function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g,
          (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset.toLowerCase()).decode(bytes);
    });
}

function parseMessage(raw) {
  const text = raw.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const headers = {};
  const order = [];
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    order.push(name);
    headers[name] = line.slice(colon + 1).trim();
  }
  return { headers, headerOrder: order, body, rawHead: head };
}

export function links(mail) {
  return [...mail.body.matchAll(/https?:\/\/[^\s<>"']+/g)].map((m) => m[0]);
}

export class SmtpSink {
  constructor() {
    this.messages = [];
    this.waiters = [];
    this.rejects = new Map();
    this.sessions = [];        // one transcript per connection (client lines)
    this.sockets = new Set();
    this.server = net.createServer((s) => this.#session(s));
  }

  async listen(port = 0) {
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    this.url = `smtp://127.0.0.1:${this.port}`;
    return this;
  }

  async close() {
    for (const w of this.waiters) { clearTimeout(w.timer); w.reject(new Error('SMTP sink closed')); }
    this.waiters = [];
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  reject(address, code = 550) {
    this.rejects.set(address.toLowerCase(), code);
  }

  // Mails to address (all, seen or not).
  to(address) {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  links(mail) {
    return links(mail);
  }

  // The next mail to address not yet returned by waitFor; waits up to timeout ms.
  waitFor(address, { timeout = 10_000 } = {}) {
    const addr = address.toLowerCase();
    const ready = this.messages.find((m) => !m.taken && m.to.includes(addr));
    if (ready) { ready.taken = true; return Promise.resolve(ready); }
    return new Promise((resolve, reject) => {
      const w = { addr, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no mail to ${address} within ${timeout} ms`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  #deliver(msg) {
    this.messages.push(msg);
    for (const w of this.waiters) {
      if (!msg.taken && msg.to.includes(w.addr)) {
        msg.taken = true;
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
        return;
      }
    }
  }

  #session(sock) {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    const transcript = [];
    this.sessions.push(transcript);
    let buf = Buffer.alloc(0);
    let env = { from: null, to: [] };
    let data = null;            // Buffer chunks while in DATA
    let size = 0;
    const reply = (line) => sock.write(`${line}\r\n`);
    const endData = () => {
      const raw = Buffer.concat(data);
      data = null;
      if (size > MESSAGE_MAX) return reply('552 message too large');
      const msg = { from: env.from, to: env.to, raw, ...parseMessage(raw), taken: false, at: Date.now() };
      msg.subject = decodeWords(msg.headers.subject || '');
      msg.fromHeader = decodeWords(msg.headers.from || '');
      env = { from: null, to: [] };
      this.#deliver(msg);
      return reply(`250 OK queued as ${this.messages.length}`);
    };
    const command = (line) => {
      transcript.push(line);
      const verb = line.slice(0, 4).toUpperCase();
      const arg = (re) => (line.match(re) || [])[1];
      if (verb === 'EHLO') return sock.write('250-sink.test greets you\r\n250-8BITMIME\r\n250-SIZE 1048576\r\n250 SMTPUTF8\r\n');
      if (verb === 'HELO') return reply('250 sink.test');
      if (verb === 'MAIL') {
        const from = arg(/^MAIL FROM:\s*<([^>]*)>/i);
        if (from === undefined) return reply('501 syntax: MAIL FROM:<address>');
        env = { from: from.toLowerCase(), to: [] };
        return reply('250 OK');
      }
      if (verb === 'RCPT') {
        const to = arg(/^RCPT TO:\s*<([^>]+)>/i);
        if (to === undefined || env.from === null) return reply('503 MAIL FROM first, then RCPT TO:<address>');
        const code = this.rejects.get(to.toLowerCase());
        if (code) return reply(`${code} ${code >= 500 ? 'no such mailbox' : 'try again later'}`);
        env.to.push(to.toLowerCase());
        return reply('250 OK');
      }
      if (verb === 'DATA') {
        if (env.to.length === 0) return reply('503 no recipients');
        data = [];
        size = 0;
        return reply('354 end with <CRLF>.<CRLF>');
      }
      if (verb === 'RSET') { env = { from: null, to: [] }; return reply('250 OK'); }
      if (verb === 'NOOP') return reply('250 OK');
      if (verb === 'QUIT') { reply('221 bye'); return sock.end(); }
      return reply('502 command not implemented');
    };
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let nl;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.subarray(0, nl);
        buf = buf.subarray(nl + 2);
        if (data !== null) {
          if (line.length === 1 && line[0] === 0x2e) { endData(); continue; }
          const unstuffed = line[0] === 0x2e ? line.subarray(1) : line;
          size += unstuffed.length + 2;
          if (size <= MESSAGE_MAX) data.push(unstuffed, Buffer.from('\r\n'));
          continue;
        }
        if (line.length > LINE_MAX) { reply('500 line too long'); sock.end(); return; }
        command(line.toString('utf8'));
      }
      if (data === null && buf.length > LINE_MAX) { reply('500 line too long'); sock.end(); }
    });
    reply('220 sink.test ESMTP ready');
  }
}

export async function startSmtpSink({ port = 0 } = {}) {
  return new SmtpSink().listen(port);
}
