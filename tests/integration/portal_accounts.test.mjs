// The client portal's accounts: sign-up creates a user and a child org of
// the agency in one go and logs the client in; the verification mail (sent
// through an SMTP sink on loopback) is followed; log-in and out; password
// reset by a single-use, 1-hour link that says nothing about unknown
// addresses; password change; API keys shown once, used, revoked; sessions
// that no other agency's portal (and not the dashboard) accepts; CSRF on
// every form; nothing secret in the log; and mail switched off.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, sql, request, sleep } from './lib.mjs';
import { startSmtpSink, links } from './smtp_sink.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { loginSession, page } from './dashboard_lib.mjs';
import { agencyWithPortal, PortalClient, signUp, hiddenFields } from './portal_lib.mjs';

const PASSWORD = 'correct horse battery';

const one = (srv, q) => sql(srv, q).trim();

describe('client portal accounts', { timeout: 240_000 }, () => {
  let srv, sink, fake, acme, beta;

  before(async () => {
    sink = await startSmtpSink();
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_SMTP_URL: sink.url,
      WLPORTAL_STRIPE_API: fake.url } });
    acme = await agencyWithPortal(srv, 'acme', { fake, company_name: 'Acme Voice' });
    beta = await agencyWithPortal(srv, 'beta', { fake, company_name: 'Beta Calls',
      secret_key: 'sk_test_51Beta' + 'SecretKeyValue0123456789', primary_color: '#FDE047' });
  });
  after(async () => {
    await srv?.stop();
    await sink?.close();
    await fake?.close();
  });

  it('the portal carries the brand, a readable text colour and nothing of the platform', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    let r = await c.get('/');
    assert.equal(r.status, 200);
    assert.match(r.text, /<title>Acme Voice<\/title>/);
    assert.match(r.text, /--wl-primary: #1E3A8A; --wl-accent: #FDE047; --wl-on-primary: #ffffff; --wl-on-accent: #111827;/);
    assert.match(r.text, /src="https:\/\/cdn.example.test\/acme.png"/);
    assert.match(r.text, /href="\/signup"/);
    assert.doesNotMatch(r.text, /wlportal/i);
    r = await c.get('/signup');
    assert.match(r.text, /<title>Sign up · Acme Voice<\/title>/);
    assert.doesNotMatch(r.text, /wlportal/i);
    // a light brand colour gets dark text
    r = await new PortalClient(srv, { slug: 'beta' }).get('/');
    assert.match(r.text, /--wl-primary: #FDE047;[^"]*--wl-on-primary: #111827;/);
    // unknown portal: a neutral 404 page
    r = await new PortalClient(srv, { slug: 'nobody' }).get('/login');
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.text, /wlportal/i);
    // reached under /p/{slug}/ the links keep that prefix
    r = await new PortalClient(srv, { slug: 'acme', viaPath: true }).get('/');
    assert.match(r.text, /href="\/p\/acme\/signup"/);
  });

  it('sign-up: a user and a child org of the agency, logged in, verification by mail', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    const orgsBefore = Number(one(srv, 'SELECT COUNT(*) FROM orgs'));
    let r = await signUp(c, 'New.Client@Example.test', PASSWORD);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(r.headers.location, '/dashboard');
    const set = c.lastSetCookies.find((x) => x.startsWith('wl_portal='));
    assert.ok(set, 'a portal session cookie');
    assert.match(set, /HttpOnly/i);
    assert.match(set, /SameSite=Lax/i);
    assert.doesNotMatch(set, /Domain=/i, 'host-only');
    assert.equal(Number(one(srv, 'SELECT COUNT(*) FROM orgs')), orgsBefore + 1);
    const row = one(srv, "SELECT o.parent_id || '|' || u.email || '|' || u.verified_at FROM users u " +
      "JOIN orgs o ON o.id = u.org_id WHERE u.email = 'new.client@example.test'");
    assert.equal(row, `${acme.org_id}|new.client@example.test|0`);

    r = await c.get('/dashboard');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /id="client-email">new.client@example.test</);
    assert.match(r.text, /id="balance">0</);
    assert.match(r.text, /id="verify-banner"/);
    assert.match(r.text, /id="package-credits">100</);
    assert.match(r.text, /id="package-price">€40.00</);
    assert.match(r.text, /id="buy-credits"/);

    const mail = await sink.waitFor('new.client@example.test');
    assert.match(mail.headers.from, /^"?Acme Voice"? </);
    assert.match(mail.headers.subject, /Confirm your e-mail address for Acme Voice/);
    const link = links(mail).find((l) => l.includes('/verify?token='));
    assert.ok(link, mail.body);
    assert.ok(link.startsWith(`http://acme.portal.localhost:${srv.port}/verify?token=`), link);
    // the stored mail keeps no body once sent, and never one in clear
    const token = new URL(link).searchParams.get('token');
    assert.equal(one(srv, `SELECT COUNT(*) FROM mail_outbox WHERE body_sealed LIKE '%${token}%'`), '0');

    r = await c.openLink(link);
    assert.equal(r.status, 200);
    assert.match(r.text, /Confirm my address/);
    r = await c.postRaw('/verify', hiddenFields(r.text, '/verify'));
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /your e-mail address is confirmed/);
    assert.notEqual(one(srv, "SELECT verified_at FROM users WHERE email = 'new.client@example.test'"), '0');
    r = await c.get('/dashboard');
    assert.doesNotMatch(r.text, /id="verify-banner"/);
    // the link works once
    r = await c.openLink(link);
    r = await c.postRaw('/verify', hiddenFields(r.text, '/verify'));
    assert.equal(r.status, 404);
    assert.match(r.text, /not valid any more/);
    // the agency sees its new client
    r = await api(srv, 'GET', '/api/v1/whitelabel/users', { key: acme.api_key });
    const u = r.json.users.find((x) => x.email === 'new.client@example.test');
    assert.ok(u, r.text);
    assert.equal(u.email_verified, true);
    assert.match(u.last_login_at, /^\d{4}-/);
  });

  it('sign-up refusals change nothing: bad address, short or unconfirmed password, taken address, no form token', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    const orgs = one(srv, 'SELECT COUNT(*) FROM orgs');
    const users = one(srv, 'SELECT COUNT(*) FROM users');
    let r = await c.submit('/signup', '/signup', { email: 'not-an-address', password: PASSWORD, confirm: PASSWORD });
    assert.equal(r.status, 422);
    assert.match(r.text, /Enter a valid e-mail address/);
    r = await c.submit('/signup', '/signup', { email: 'short@example.test', password: 'short', confirm: 'short' });
    assert.equal(r.status, 422);
    assert.match(r.text, /at least 10 characters/);
    r = await c.submit('/signup', '/signup', { email: 'short@example.test', password: PASSWORD, confirm: PASSWORD + 'x' });
    assert.equal(r.status, 422);
    assert.match(r.text, /not the same/);
    r = await c.submit('/signup', '/signup', { email: 'x'.repeat(300) + '@example.test', password: PASSWORD, confirm: PASSWORD });
    assert.equal(r.status, 422);
    r = await signUp(c, 'NEW.client@example.test', PASSWORD);
    assert.equal(r.status, 409);
    assert.match(r.text, /exists already/);
    // without the form's token (another site's form) nothing happens
    r = await new PortalClient(srv, { slug: 'acme' }).postRaw('/signup',
      { email: 'csrf@example.test', password: PASSWORD, confirm: PASSWORD });
    assert.equal(r.status, 403);
    // a POST from another origin is refused before any handler runs
    const page = await c.get('/signup');
    const fields = hiddenFields(page.text, '/signup');
    r = await c.postRaw('/signup', { ...fields, email: 'evil@example.test', password: PASSWORD, confirm: PASSWORD },
      { Origin: 'http://evil.example' });
    assert.equal(r.status, 403);
    assert.equal(one(srv, "SELECT COUNT(*) FROM users WHERE email IN ('csrf@example.test','evil@example.test','short@example.test')"), '0');
    assert.equal(one(srv, 'SELECT COUNT(*) FROM users'), users);
    assert.equal(one(srv, 'SELECT COUNT(*) FROM orgs'), orgs);
  });

  it('log in and out; wrong password; the session is refused by other portals and by the dashboard', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    let r = await c.submit('/login', '/login', { email: 'new.client@example.test', password: 'wrong password!' });
    assert.equal(r.status, 401);
    assert.match(r.text, /do not match an account/);
    r = await c.submit('/login', '/login', { email: 'New.Client@example.test', password: PASSWORD });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.location, '/dashboard');
    assert.notEqual(one(srv, "SELECT last_login_at FROM users WHERE email = 'new.client@example.test'"), '0');
    const session = c.cookie('wl_portal');

    // the same cookie on another agency's portal is no session there
    const b = new PortalClient(srv, { slug: 'beta' });
    b.setCookie('wl_portal', session);
    r = await b.get('/dashboard');
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/login');
    // nor may a client of acme log in on beta's portal
    r = await b.submit('/login', '/login', { email: 'new.client@example.test', password: PASSWORD });
    assert.equal(r.status, 401);
    // nor is it a dashboard session
    r = await request(srv, 'GET', '/dashboard', { headers: { Cookie: `wl_session=${session}` } });
    assert.equal(r.status, 303);
    assert.match(r.headers.location, /^\/login/);
    // and a dashboard session is no portal session
    const dash = await loginSession(srv, acme.email, acme.password);
    // the agency's users table: e-mail, verified, credits, last log-in
    const users = await page(srv, dash, '/dashboard/users');
    assert.equal(users.status, 200);
    const rowHtml = users.text.slice(users.text.indexOf('user-cell">new.client@example.test') + 11);
    assert.match(rowHtml, /^new.client@example.test<\/span>[\s\S]*?badge-success">verified<[\s\S]*?balance-cell"[^>]*>0<\/td>\s*<td class="login-cell"[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d UTC</);
    const d = new PortalClient(srv, { slug: 'acme' });
    d.setCookie('wl_portal', dash.split('=')[1]);
    r = await d.get('/dashboard');
    assert.equal(r.status, 303);

    // log out ends the session for good
    r = await c.get('/dashboard');
    r = await c.postRaw('/logout', hiddenFields(r.text, '/logout'));
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/login?done=logout');
    const stale = new PortalClient(srv, { slug: 'acme' });
    stale.setCookie('wl_portal', session);
    r = await stale.get('/dashboard');
    assert.equal(r.status, 303);
    // a POST without the session's CSRF token is refused
    r = await c.submit('/login', '/login', { email: 'new.client@example.test', password: PASSWORD });
    r = await c.postRaw('/keys', { name: 'no csrf' });
    assert.equal(r.status, 403);
    r = await c.postRaw('/keys', { name: 'wrong csrf', csrf: 'x'.repeat(32) });
    assert.equal(r.status, 403);
  });

  it('password reset: same answer for unknown addresses, single-use 1-hour link, old sessions end', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    await c.submit('/login', '/login', { email: 'new.client@example.test', password: PASSWORD });
    const other = new PortalClient(srv, { slug: 'acme' });
    let r = await other.submit('/forgot', '/forgot', { email: 'nobody@example.test' });
    assert.equal(r.status, 200);
    const unknownText = r.text.match(/id="form-notice">([^<]*)</)[1];
    r = await other.submit('/forgot', '/forgot', { email: 'NEW.client@example.test' });
    assert.equal(r.status, 200);
    assert.equal(r.text.match(/id="form-notice">([^<]*)</)[1], unknownText);
    assert.equal(one(srv, "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'nobody@example.test'"), '0');
    // beta's portal never mails acme's clients
    await new PortalClient(srv, { slug: 'beta' }).submit('/forgot', '/forgot', { email: 'new.client@example.test' });

    const mail = await sink.waitFor('new.client@example.test');
    assert.match(mail.headers.subject, /Reset your Acme Voice password/);
    const link = links(mail).find((l) => l.includes('/reset?token='));
    assert.ok(link, mail.body);
    r = await other.openLink(link);
    assert.equal(r.status, 200);
    let fields = hiddenFields(r.text, '/reset');
    r = await other.postRaw('/reset', { ...fields, password: 'short', confirm: 'short' });
    assert.equal(r.status, 422);
    r = await other.postRaw('/reset', { ...fields, password: 'a brand new password', confirm: 'a brand new password' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.location, '/login?done=reset');
    // used once only
    r = await other.postRaw('/reset', { ...fields, password: 'another new password', confirm: 'another new password' });
    assert.equal(r.status, 404);
    // the session from before the reset has ended
    r = await c.get('/dashboard');
    assert.equal(r.status, 303);
    r = await c.submit('/login', '/login', { email: 'new.client@example.test', password: PASSWORD });
    assert.equal(r.status, 401);
    r = await c.submit('/login', '/login', { email: 'new.client@example.test', password: 'a brand new password' });
    assert.equal(r.status, 303);

    // a link older than an hour is refused
    await other.submit('/forgot', '/forgot', { email: 'new.client@example.test' });
    const late = links(await sink.waitFor('new.client@example.test')).find((l) => l.includes('/reset?token='));
    assert.equal(one(srv, "SELECT expires_at - created_at FROM portal_tokens WHERE used_at = 0 AND purpose = 'reset'"), '3600000');
    // an hour and a millisecond pass
    sql(srv, "UPDATE portal_tokens SET created_at = created_at - 3600001, expires_at = expires_at - 3600001 WHERE used_at = 0 AND purpose = 'reset'");
    r = await other.openLink(late);
    fields = hiddenFields(r.text, '/reset');
    r = await other.postRaw('/reset', { ...fields, password: 'too late password', confirm: 'too late password' });
    assert.equal(r.status, 404);
    // a made-up token
    r = await other.get('/reset?token=' + 'A'.repeat(43));
    fields = hiddenFields(r.text, '/reset');
    r = await other.postRaw('/reset', { ...fields, password: 'made up password', confirm: 'made up password' });
    assert.equal(r.status, 404);
    r = await other.get('/reset?token=short');
    assert.equal(r.status, 404);
  });

  it('reset mails to one client are limited per hour; the form answers the same', async () => {
    const other = new PortalClient(srv, { slug: 'acme' });
    // earlier resets of this client no longer count: an hour has passed for them
    sql(srv, "UPDATE portal_tokens SET created_at = created_at - 7200000 WHERE purpose = 'reset'");
    const count = () => Number(one(srv, "SELECT COUNT(*) FROM mail_outbox o WHERE o.to_addr = 'new.client@example.test' AND o.kind = 'reset'"));
    const before0 = count();
    let notice;
    for (let i = 0; i < 6; i++) {
      const r = await other.submit('/forgot', '/forgot', { email: 'new.client@example.test' });
      assert.equal(r.status, 200);
      const text = r.text.match(/id="form-notice">([^<]*)</)[1];
      if (notice !== undefined) assert.equal(text, notice);
      notice = text;
    }
    assert.equal(count() - before0, 3, 'three reset mails an hour, however often the form is sent');
  });

  it('password change: needs the current password, keeps this session, ends the others', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    const second = new PortalClient(srv, { slug: 'acme' });
    for (const x of [c, second]) {
      const r = await x.submit('/login', '/login', { email: 'new.client@example.test', password: 'a brand new password' });
      assert.equal(r.status, 303);
    }
    let r = await c.submit('/account', '/account/password', { current: 'not my password', password: 'third password here', confirm: 'third password here' });
    assert.equal(r.status, 403);
    assert.match(r.text, /current password is not right/);
    r = await c.submit('/account', '/account/password', { current: 'a brand new password', password: 'third password here', confirm: 'third password here' });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /Your password is changed/);
    assert.equal((await c.get('/dashboard')).status, 200);
    assert.equal((await second.get('/dashboard')).status, 303);
  });

  it('API keys: created with a name and shown once, used on the platform API, last use listed, revoked', async () => {
    const c = new PortalClient(srv, { slug: 'acme' });
    await c.submit('/login', '/login', { email: 'new.client@example.test', password: 'third password here' });
    let r = await c.submit('/dashboard', '/keys', { name: '' });
    assert.equal(r.status, 422);
    r = await c.submit('/dashboard', '/keys', { name: 'CRM <integration>' });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    const key = r.text.match(/id="new-key">(wlp_[A-Za-z0-9_-]+)</)[1];
    assert.match(r.text, /CRM &lt;integration&gt;/);
    assert.equal(one(srv, `SELECT COUNT(*) FROM api_keys WHERE label = 'CRM <integration>'`), '1');
    r = await c.get('/dashboard');
    assert.ok(!r.text.includes(key), 'the key is not shown again');
    assert.match(r.text, /CRM &lt;integration&gt;<\/td><td>[^<]+<\/td><td>never</);
    r = await api(srv, 'GET', '/api/v1/account', { key });
    assert.equal(r.status, 200, r.text);
    const orgId = one(srv, "SELECT org_id FROM users WHERE email = 'new.client@example.test'");
    assert.equal(r.json.id ?? r.json.org_id ?? r.json.organization_id, orgId);
    // the last use is written by the writer a moment later
    for (let i = 0; i < 50 && one(srv, `SELECT last_used_at FROM api_keys WHERE label = 'CRM <integration>'`) === '0'; i++) await sleep(50);
    r = await c.get('/dashboard');
    assert.doesNotMatch(r.text, /CRM &lt;integration&gt;<\/td><td>[^<]+<\/td><td>never</);
    const id = r.text.match(/action="\/keys\/([0-9a-f-]{36})\/revoke"/)[1];
    r = await c.submit('/dashboard', `/keys/${id}/revoke`);
    assert.equal(r.status, 303);
    r = await api(srv, 'GET', '/api/v1/account', { key });
    assert.equal(r.status, 401);
    r = await c.get('/dashboard');
    assert.match(r.text, /revoked/);
    // a key of another org (or none) is not revoked
    const page = await c.get('/dashboard');
    r = await c.postRaw(`/keys/${randomId()}/revoke`, { csrf: hiddenFields(page.text, '/keys').csrf });
    assert.equal(r.status, 303);
  });

  it('nothing secret reaches the log', async () => {
    const log = srv.stderr + srv.stdout;
    assert.doesNotMatch(log, /token=/);
    assert.doesNotMatch(log, /correct horse|brand new password|third password/);
    assert.doesNotMatch(log, /wlp_[A-Za-z0-9_-]{20}/);
  });
});

function randomId() {
  return '00000000-0000-4000-8000-000000000000';
}

describe('client portal with mail off', { timeout: 120_000 }, () => {
  let srv, fake;
  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    await agencyWithPortal(srv, 'quiet', { fake });
  });
  after(async () => { await srv?.stop(); await fake?.close(); });

  it('the portal says mail is off, sign-up still works, the log says a mail was not sent without its link', async () => {
    const c = new PortalClient(srv, { slug: 'quiet' });
    let r = await c.get('/signup');
    assert.match(r.text, /id="mail-off"/);
    r = await signUp(c, 'quiet@example.test', PASSWORD);
    assert.equal(r.status, 303);
    for (let i = 0; i < 100 && !/not sent: mail is off/.test(srv.stderr); i++) await sleep(50);
    assert.match(srv.stderr, /mail [0-9a-f-]{36} \(verify\) not sent: mail is off/);
    assert.doesNotMatch(srv.stderr, /token=|quiet@example.test/);
    assert.equal(one(srv, "SELECT status || '|' || body_sealed FROM mail_outbox"), 'failed|');
  });
});

describe('portal mail retries', { timeout: 120_000 }, () => {
  let srv, fake, sink;
  before(async () => {
    sink = await startSmtpSink();
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url, WLPORTAL_SMTP_URL: sink.url,
      WLPORTAL_MAIL_RETRY_SECONDS: '1' } });
    await agencyWithPortal(srv, 'retry', { fake });
  });
  after(async () => { await srv?.stop(); await sink?.close(); await fake?.close(); });

  const row = (addr) => one(srv, `SELECT status || '|' || attempts || '|' || last_error FROM mail_outbox WHERE to_addr = '${addr}'`);
  const until = async (fn) => { for (let i = 0; i < 200 && !fn(); i++) await sleep(50); };

  it('a 4xx is tried again after the back-off and then delivered', async () => {
    sink.reject('later@example.test', 450);
    const r = await signUp(new PortalClient(srv, { slug: 'retry' }), 'later@example.test', PASSWORD);
    assert.equal(r.status, 303);
    // claimed (attempts 1), then refused: its error is kept for the retry
    await until(() => /^queued\|1\|./.test(row('later@example.test')));
    assert.match(row('later@example.test'), /^queued\|1\|.*450/);
    sink.rejects.delete('later@example.test');
    const mail = await sink.waitFor('later@example.test', { timeout: 15_000 });
    assert.match(mail.headers.subject, /Confirm your e-mail address/);
    await until(() => row('later@example.test').startsWith('sent|'));
    assert.equal(row('later@example.test'), 'sent|2|');
  });

  it('a 5xx gives the mail up at once, its body dropped', async () => {
    sink.reject('never@example.test', 550);
    const r = await signUp(new PortalClient(srv, { slug: 'retry' }), 'never@example.test', PASSWORD);
    assert.equal(r.status, 303);
    await until(() => row('never@example.test').startsWith('failed|'));
    assert.match(row('never@example.test'), /^failed\|1\|.*550/);
    assert.equal(one(srv, "SELECT body_sealed FROM mail_outbox WHERE to_addr = 'never@example.test'"), '');
  });
});
