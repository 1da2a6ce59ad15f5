// Log-in CSRF and Host confusion: the log-in form carries a pre-session
// token (double submit: the same random value in the wl_login cookie and in
// a hidden field); a POST to a page whose Origin is another site (or, with
// no Origin, whose Sec-Fetch-Site is cross-site) is refused; the log-in
// form and the dashboard answer only on the platform's own host, never on
// a portal host or an agency's custom domain; over https the cookies carry
// the __Host- prefix.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, sql } from './lib.mjs';
import { send, setCookies, csrfField, loginForm, login, sessionCookie } from './login.mjs';
import { fakeStripeSelling } from './fake_stripe.mjs';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('log-in form and page POSTs', { timeout: 300_000 }, () => {
  let srv, own, fake;
  before(async () => {
    // activating a portal checks its price with (the fake) Stripe
    fake = await fakeStripeSelling({ secretKey: 'sk_test_abcdefgh1234', priceId: 'price_abcdefgh1234',
      productId: 'prod_abcdefgh1234' });
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    createOrg(srv, { email: 'owner@forms.test', password: 'forms-password-1' });
    own = `http://127.0.0.1:${srv.port}`;
  });
  after(async () => { await srv?.stop(); await fake?.close(); });

  it('the form carries a token that must match its cookie', async () => {
    const r = await send(srv, 'GET', '/login');
    assert.equal(r.status, 200);
    const set = setCookies(r);
    assert.ok(set.wl_login, `no log-in cookie: ${r.headers['set-cookie']}`);
    assert.match(set.wl_login.value, /^[A-Za-z0-9_-]{43}$/);
    assert.match(set.wl_login.attrs, /httponly/);
    assert.match(set.wl_login.attrs, /samesite=lax/);
    assert.equal(csrfField(r.text), set.wl_login.value);
    const form = { token: set.wl_login.value, cookie: `wl_login=${set.wl_login.value}` };

    // the same browser keeps its token (two open tabs both work)
    const again = await send(srv, 'GET', '/login', { headers: { Cookie: form.cookie } });
    assert.equal(csrfField(again.text), form.token);
    assert.equal(setCookies(again).wl_login, undefined);

    // a hostile page can send neither the cookie with the field nor the field with the cookie
    const cases = [
      ['no cookie', { token: form.token, cookie: '' }],
      ['no field', { token: '', cookie: form.cookie }],
      ['another field', { token: 'A'.repeat(43), cookie: form.cookie }],
      ['a cookie of its own choosing', { token: 'B'.repeat(43), cookie: `wl_login=${'B'.repeat(42)}` }],
    ];
    for (const [what, f] of cases) {
      const bad = await login(srv, 'owner@forms.test', 'forms-password-1', { form: f });
      assert.equal(bad.status, 403, `${what}: ${bad.status} ${bad.text.slice(0, 200)}`);
      assert.match(bad.text, /did not come from this site/);
      assert.ok(!Object.keys(setCookies(bad)).some((n) => n.endsWith('wl_session')), `${what}: no session`);
      // the page shown again carries a fresh token that works
      const retry = { token: csrfField(bad.text), cookie: `wl_login=${setCookies(bad).wl_login.value}` };
      assert.equal(retry.token, setCookies(bad).wl_login.value);
    }

    const ok = await login(srv, 'owner@forms.test', 'forms-password-1', { form });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.equal(ok.headers.location, '/dashboard');
    sessionCookie(ok);
    assert.match(setCookies(ok).wl_login.attrs, /max-age=0/, 'the log-in token is spent');
  });

  it('a POST from another site is refused', async () => {
    const foreign = [
      ['a foreign Origin', { Origin: 'http://evil.example' }],
      ['a foreign port', { Origin: `http://127.0.0.1:${srv.port + 1}` }],
      ['another scheme', { Origin: `https://127.0.0.1:${srv.port}` }],
      ['Origin null', { Origin: 'null' }],
      ['Sec-Fetch-Site cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ];
    for (const [what, headers] of foreign) {
      const r = await login(srv, 'owner@forms.test', 'forms-password-1', { headers });
      assert.equal(r.status, 403, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(r.text, /sent from another site/, what);
      assert.ok(!Object.keys(setCookies(r)).some((n) => n.endsWith('wl_session')), what);
    }
    for (const [what, headers] of [
      ['its own Origin', { Origin: own }],
      ['its own Origin, any case', { Origin: own.toUpperCase() }],
      ['same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
      ['no header (not a browser)', {}],
    ]) {
      const r = await login(srv, 'owner@forms.test', 'forms-password-1', { headers });
      assert.equal(r.status, 303, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    }

    // a dashboard form: log out with the session's own CSRF token, from elsewhere
    const session = sessionCookie(await login(srv, 'owner@forms.test', 'forms-password-1'));
    const page = await send(srv, 'GET', '/dashboard', { headers: { Cookie: session } });
    assert.equal(page.status, 200);
    const body = new URLSearchParams({ csrf: csrfField(page.text) }).toString();
    for (const headers of [{ Origin: 'http://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }]) {
      const r = await send(srv, 'POST', '/logout', { body, headers: { ...FORM, Cookie: session, ...headers } });
      assert.equal(r.status, 403, JSON.stringify(headers));
      const still = await send(srv, 'GET', '/dashboard', { headers: { Cookie: session } });
      assert.equal(still.status, 200, 'still logged in');
    }
    const out = await send(srv, 'POST', '/logout', { body, headers: { ...FORM, Cookie: session, Origin: own } });
    assert.equal(out.status, 303);
    assert.equal((await send(srv, 'GET', '/dashboard', { headers: { Cookie: session } })).status, 303);
  });

  it('the log-in form and the dashboard answer only on the platform host', async () => {
    const agency = createOrg(srv, { name: 'Host Agency', email: 'owner@host-agency.test', password: 'host-password-1', minutes: 5 });
    let r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: {
      company_name: 'Host Calls', slug: 'host-calls', primary_color: '#112233',
      stripe: { publishable_key: 'pk_test_abcdefgh1234', secret_key: 'sk_test_abcdefgh1234',
        product_id: 'prod_abcdefgh1234', price_id: 'price_abcdefgh1234' },
      package: { credits: 100, price_cents: 4000, currency: 'EUR' }, active: true,
    } });
    assert.equal(r.status, 200, r.text);
    r = await api(srv, 'POST', '/api/v1/whitelabel/domain', { key: agency.api_key, body: { domain: 'calls.host-agency.test' } });
    assert.equal(r.status, 200, r.text);
    sql(srv, "UPDATE whitelabel SET domain_status = 'verified' WHERE custom_domain = 'calls.host-agency.test';");
    const session = sessionCookie(await login(srv, 'owner@host-agency.test', 'host-password-1'));
    const p = srv.port;

    // the custom domain serves its portal…
    const portal = await send(srv, 'GET', '/', { headers: { Host: `calls.host-agency.test:${p}` } });
    assert.equal(portal.status, 200, portal.text.slice(0, 200));
    assert.match(portal.text, /Host Calls/);
    // …but neither the log-in form nor the dashboard, on it or on a portal host
    // (where /login and /dashboard are the portal's own pages for its clients:
    // the dashboard's session and log-in mean nothing there)
    const ph = `host-calls.portal.localhost:${p}`;
    let g = await send(srv, 'GET', '/login', { headers: { Host: ph, Cookie: session } });
    assert.equal(g.status, 200);
    assert.match(g.text, /<title>Log in · Host Calls<\/title>/);
    assert.doesNotMatch(g.text, /Log in to your dashboard|wlportal/);
    assert.ok(!setCookies(g).wl_login, 'no platform log-in token on a portal host');
    g = await send(srv, 'GET', '/dashboard', { headers: { Host: ph, Cookie: session } });
    assert.equal(g.status, 303);
    assert.equal(g.headers.location, '/login');
    for (const path of ['/dashboard/whitelabel', '/dashboard/users']) {
      g = await send(srv, 'GET', path, { headers: { Host: ph, Cookie: session } });
      assert.equal(g.status, 404, `GET ${path} on ${ph}`);
    }
    const pf = await login(srv, 'owner@host-agency.test', 'host-password-1', { headers: { Host: ph, Origin: `http://${ph}` },
      form: { token: 'A'.repeat(43), cookie: `wl_login=${'A'.repeat(43)}` } });
    assert.equal(pf.status, 403, `POST /login on ${ph}: ${pf.status}`);
    assert.doesNotMatch(String(pf.headers['set-cookie'] ?? ''), /wl_session|wl_portal=[^;]/);
    g = await send(srv, 'POST', '/logout', { body: '', headers: { ...FORM, Host: ph, Cookie: session, Origin: `http://${ph}` } });
    assert.equal(g.status, 401, `POST /logout on ${ph}`);
    // …and on the custom domain or elsewhere neither the log-in form nor the dashboard
    for (const host of [`calls.host-agency.test:${p}`, 'calls.host-agency.test',
      `x.host-calls.portal.localhost:${p}`, `elsewhere.test:${p}`]) {
      const headers = { Host: host, Cookie: session };
      for (const path of ['/login', '/dashboard', '/dashboard/whitelabel', '/dashboard/users']) {
        const g = await send(srv, 'GET', path, { headers });
        assert.equal(g.status, 404, `GET ${path} on ${host}: ${g.status}`);
      }
      const origin = { Origin: `http://${host}` };
      const f = await login(srv, 'owner@host-agency.test', 'host-password-1', { headers: { Host: host, ...origin },
        form: { token: 'A'.repeat(43), cookie: `wl_login=${'A'.repeat(43)}` } });
      assert.equal(f.status, 404, `POST /login on ${host}: ${f.status}`);
      const out = await send(srv, 'POST', '/logout', { body: '', headers: { ...FORM, ...headers, ...origin } });
      assert.equal(out.status, 404, `POST /logout on ${host}`);
    }
    // the platform's own names
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `portal.localhost:${p}`, `LOCALHOST:${p}`]) {
      const g = await send(srv, 'GET', '/login', { headers: { Host: host } });
      assert.equal(g.status, 200, `GET /login on ${host}`);
      const d = await send(srv, 'GET', '/dashboard', { headers: { Host: host, Cookie: session } });
      assert.equal(d.status, 200, `GET /dashboard on ${host}`);
    }
  });
});

describe('session cookie names', { timeout: 300_000 }, () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  it('behind a trusted TLS proxy the cookies are __Host- and Secure', async () => {
    const srv = await startServer({ env: { WLPORTAL_TRUST_PROXY: '1' } });
    servers.push(srv);
    createOrg(srv, { email: 'owner@tls.test', password: 'tls-password-1' });
    const https = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.1' };
    const form = await loginForm(srv, { headers: https });
    assert.match(form.cookie, /^__Host-wl_login=/);
    const r = await login(srv, 'owner@tls.test', 'tls-password-1', { form, headers: { ...https, Origin: `https://127.0.0.1:${srv.port}` } });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const set = setCookies(r);
    assert.ok(set['__Host-wl_session'], JSON.stringify(r.headers['set-cookie']));
    assert.match(set['__Host-wl_session'].attrs, /secure/);
    assert.match(set['__Host-wl_session'].attrs, /path=\//);
    assert.doesNotMatch(set['__Host-wl_session'].attrs, /domain=/);
    const value = set['__Host-wl_session'].value;
    let d = await send(srv, 'GET', '/dashboard', { headers: { ...https, Cookie: `__Host-wl_session=${value}` } });
    assert.equal(d.status, 200);
    // the unprefixed name (which another host could have set) is not read over https
    d = await send(srv, 'GET', '/dashboard', { headers: { ...https, Cookie: `wl_session=${value}` } });
    assert.equal(d.status, 303);
  });

  it('X-Forwarded-Proto from anyone else changes nothing', async () => {
    const srv = await startServer();
    servers.push(srv);
    createOrg(srv, { email: 'owner@plain.test', password: 'plain-password-1' });
    const headers = { 'X-Forwarded-Proto': 'https' };
    const r = await login(srv, 'owner@plain.test', 'plain-password-1', { headers, form: await loginForm(srv, { headers }) });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const set = setCookies(r);
    assert.ok(set.wl_session, JSON.stringify(r.headers['set-cookie']));
    assert.doesNotMatch(set.wl_session.attrs, /secure/);
  });

  it('on a public base domain the site is https: __Host- cookies, https Origin', async () => {
    const srv = await startServer({ env: { WLPORTAL_BASE_DOMAIN: 'wl.example.test' } });
    servers.push(srv);
    createOrg(srv, { email: 'owner@public.test', password: 'public-password-1' });
    const host = { Host: 'wl.example.test' };
    const form = await loginForm(srv, { headers: host });
    assert.match(form.cookie, /^__Host-wl_login=/);
    const http = await login(srv, 'owner@public.test', 'public-password-1', { form, headers: { ...host, Origin: 'http://wl.example.test' } });
    assert.equal(http.status, 403, 'an http Origin is another site');
    const r = await login(srv, 'owner@public.test', 'public-password-1', { form, headers: { ...host, Origin: 'https://wl.example.test' } });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.match(setCookies(r)['__Host-wl_session'].attrs, /secure/);
  });
});
