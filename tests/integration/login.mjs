// Log-in helpers for the integration tests: an HTTP client that can speak
// from another loopback address (127.0.0.x: a different client address
// without a proxy), the cookies a response sets, and the log-in form's
// round trip (GET /login for its token and cookie, then POST it).

import http from 'node:http';
import assert from 'node:assert/strict';

const HTTP_TIMEOUT_MS = 20_000;

// One request on its own connection; `from` is the local address to send
// from (default 127.0.0.1).
export function send(srv, method, urlPath, { headers = {}, body, from } = {}) {
  return new Promise((resolve, reject) => {
    const h = { Connection: 'close', ...headers };
    if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method, path: urlPath, headers: h, agent: false,
      localAddress: from,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    req.setTimeout(HTTP_TIMEOUT_MS, () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Set-Cookie lines of a response as { name: { value, attrs (lowercase text) } }.
export function setCookies(res) {
  const out = {};
  for (const line of [].concat(res.headers['set-cookie'] ?? [])) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq).trim()] = { value: pair.slice(eq + 1).trim(), attrs: attrs.join(';').toLowerCase() };
  }
  return out;
}

// The hidden CSRF field of a page ('' when it has none).
export function csrfField(html) {
  const m = /name="csrf" value="([^"]*)"/.exec(html);
  return m ? m[1] : '';
}

// GET /login: { token, cookie } where cookie is the "name=value" to send back
// ('' when the server set none).
export async function loginForm(srv, { from, headers = {} } = {}) {
  const r = await send(srv, 'GET', '/login', { from, headers });
  assert.equal(r.status, 200, `GET /login: ${r.status} ${r.text.slice(0, 200)}`);
  const set = setCookies(r);
  const name = Object.keys(set).find((n) => n.endsWith('wl_login'));
  return { token: csrfField(r.text), cookie: name ? `${name}=${set[name].value}` : '' };
}

// The whole log-in: the form, then its POST with the given e-mail and
// password. `form` (from loginForm) skips the GET; `fields` overrides or
// adds form fields.
export async function login(srv, email, password, { from, headers = {}, form, fields = {} } = {}) {
  const f = form ?? await loginForm(srv, { from, headers });
  const body = new URLSearchParams({ csrf: f.token, email, password, next: '/dashboard', ...fields }).toString();
  const h = { 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
  if (f.cookie) h.Cookie = f.cookie;
  return send(srv, 'POST', '/login', { from, body, headers: h });
}

// "name=value" of the session cookie a successful log-in set.
export function sessionCookie(res) {
  const set = setCookies(res);
  const name = Object.keys(set).find((n) => n.endsWith('wl_session') && set[n].value !== '');
  assert.ok(name, `no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return `${name}=${set[name].value}`;
}
