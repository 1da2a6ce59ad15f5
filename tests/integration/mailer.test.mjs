// Sending mail (src/services/mailer.c via the tests/mailsend.c driver) to
// the SMTP sink (smtp_sink.mjs): the headers a client expects (From with
// the agency's name, Date, Message-ID, MIME, charset), the body intact
// (UTF-8, a line starting with a dot, links that can be followed),
// non-ASCII names and subjects, header injection refused before anything
// is sent, and failures sorted into "retry later" and "give up".
//
// MAILSEND_BIN points at the driver (default: next to WLPORTAL_BIN, else build-test/mailsend).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSmtpSink } from './smtp_sink.mjs';

const MAILSEND = path.resolve(process.env.MAILSEND_BIN
  || path.join(path.dirname(process.env.WLPORTAL_BIN || 'build-test/wlportal'), 'mailsend'));
const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
};

let dir;
let sink;

function mailsend({ url = sink.url, name = 'Acme Calls', from = 'noreply@acme.test', to = 'client@example.test',
  subject = 'Confirm your address', body = 'Hello\n', timeout } = {}) {
  const file = path.join(dir, `body-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, body);
  const args = [url, name, from, to, subject, file];
  if (timeout) args.push(String(timeout));
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(MAILSEND, args, { timeout: 30_000, env: { ...process.env, ...SAN_ENV } }, (error, stdout, stderr) => {
      for (const marker of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) {
        assert.ok(!stderr.includes(marker), `sanitizer report:\n${stderr}`);
      }
      resolve({ code: error ? error.code : 0, line: stdout.trim(), stderr, elapsed: Date.now() - started });
    });
  });
}

describe('mailer against the SMTP sink', { timeout: 120_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(MAILSEND), `${MAILSEND} not found: build it first (ninja -C build-test)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailsend-'));
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a plain-text mail with proper headers from the agency\'s name', async () => {
    const body = 'Welcome to Acme!\n\nConfirm: http://acme.portal.localhost:8080/verify?token=abc123\n'
      + '.a line starting with a dot\n..two dots\nGrüße, € 40\n';
    const waiting = sink.waitFor('client@example.test');
    const r = await mailsend({ body });
    const m = r.line.match(/^sent (<[0-9a-f]{32}@acme\.test>)$/);
    assert.ok(m, r.line);
    const mail = await waiting;
    assert.equal(mail.from, 'noreply@acme.test');
    assert.deepEqual(mail.to, ['client@example.test']);
    assert.equal(mail.headers.from, '"Acme Calls" <noreply@acme.test>');
    assert.equal(mail.headers.to, '<client@example.test>');
    assert.equal(mail.subject, 'Confirm your address');
    assert.equal(mail.headers['message-id'], m[1]);
    assert.equal(mail.headers['mime-version'], '1.0');
    assert.equal(mail.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(mail.headers['content-transfer-encoding'], '8bit');
    const date = Date.parse(mail.headers.date);
    assert.ok(Math.abs(Date.now() - date) < 60_000, `Date: ${mail.headers.date}`);
    assert.match(mail.headers.date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(mail.body, body.replace(/\n/g, '\r\n'));
    assert.deepEqual(sink.links(mail), ['http://acme.portal.localhost:8080/verify?token=abc123']);
    // Nothing else was in the head: no Bcc, no stray header.
    assert.deepEqual(mail.headerOrder, ['date', 'from', 'to', 'subject', 'message-id', 'mime-version',
      'content-type', 'content-transfer-encoding']);
  });

  it('writes non-ASCII names and subjects as encoded words', async () => {
    const waiting = sink.waitFor('zoe@example.test');
    const subject = 'Bestätigen Sie Ihre Adresse — Zoë’s Agentur, jetzt und sofort, bitte sehr';
    const r = await mailsend({ name: 'Zoë’s Agentur', to: 'zoe@example.test', subject });
    assert.match(r.line, /^sent /);
    const mail = await waiting;
    assert.equal(mail.fromHeader, 'Zoë’s Agentur <noreply@acme.test>');
    assert.equal(mail.subject, subject);
    assert.ok(!/[^\x00-\x7f]/.test(mail.rawHead), 'the head is ASCII only');
    for (const line of mail.rawHead.split('\r\n')) assert.ok(line.length <= 78, `long header line: ${line}`);
  });

  it('refuses header injection before sending anything', async () => {
    const before = sink.sessions.length;
    const cases = [
      { subject: 'Hi\r\nBcc: victim@example.test' },
      { subject: 'Hi\nBcc: victim@example.test' },
      { name: 'Acme\r\nBcc: victim@example.test' },
      { to: 'client@example.test\r\nBcc: victim@example.test' },
      { to: 'client@example.test>,<victim@example.test' },
      { from: 'noreply@acme.test\r\nRCPT TO:<victim@example.test>' },
      { subject: '' },
      { body: 'x'.repeat(999) },
    ];
    for (const c of cases) {
      const r = await mailsend(c);
      assert.match(r.line, /^error invalid_request \| mail: /, JSON.stringify(c));
    }
    assert.equal(sink.sessions.length, before, 'no SMTP connection was made');
    assert.equal(sink.to('victim@example.test').length, 0);
  });

  it('a permanent refusal (550) is invalid; a deferral (450) is unavailable', async () => {
    sink.reject('bounce@example.test', 550);
    sink.reject('later@example.test', 450);
    const hard = await mailsend({ to: 'bounce@example.test' });
    assert.match(hard.line, /^error invalid_request \| the mail server refused the message \(SMTP 550\)/);
    const soft = await mailsend({ to: 'later@example.test' });
    assert.match(soft.line, /^error unavailable \| the mail server deferred the message \(SMTP 450\)/);
  });

  it('a server that is down, or silent, is unavailable within the bound', async () => {
    const closed = net.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const port = closed.address().port;
    await new Promise((r) => closed.close(r));
    const down = await mailsend({ url: `smtp://127.0.0.1:${port}` });
    assert.match(down.line, /^error unavailable \| the mail server could not be reached/);
    const silent = net.createServer((s) => { s.on('error', () => {}); });
    await new Promise((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const r = await mailsend({ url: `smtp://127.0.0.1:${silent.address().port}`, timeout: 800 });
      assert.match(r.line, /^error unavailable \| the mail server did not answer within 800 ms/);
      assert.ok(r.elapsed < 5000, `took ${r.elapsed} ms`);
    } finally {
      silent.close();
    }
    const bad = await mailsend({ url: 'http://127.0.0.1:1' });
    assert.match(bad.line, /^error invalid_request \| mail: WLPORTAL_SMTP_URL/);
  });
});
