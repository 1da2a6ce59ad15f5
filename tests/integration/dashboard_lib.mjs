// Dashboard helpers for integration tests: log in through the form the way
// a browser does (any hidden field and pre-session cookie the log-in page
// hands out goes back with it) and GET pages with the session cookie.

import assert from 'node:assert/strict';
import { request } from './lib.mjs';

// Logs in through the form as a browser would: whatever hidden fields and
// pre-session cookies the log-in page hands out go back with the form.
export async function loginSession(srv, email, password) {
  const form = await request(srv, 'GET', '/login');
  assert.equal(form.status, 200, form.text.slice(0, 300));
  const cookies = cookiePairs(form.headers['set-cookie']);
  const fields = { next: '/dashboard' };
  for (const m of form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[m[1]] = m[2].replace(/&amp;/g, '&');
  }
  fields.email = email;
  fields.password = password;
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url };
  if (cookies.length) headers.Cookie = cookies.join('; ');
  const r = await request(srv, 'POST', '/login', { headers, body: new URLSearchParams(fields).toString() });
  assert.equal(r.status, 303, `log-in: ${r.status} ${r.text.slice(0, 300)}`);
  const session = cookiePairs(r.headers['set-cookie']).filter((c) => /wl_session=/.test(c));
  assert.equal(session.length, 1, `a session cookie: ${r.headers['set-cookie']}`);
  return session[0];
}

function cookiePairs(setCookie) {
  if (!setCookie) return [];
  return (Array.isArray(setCookie) ? setCookie : [setCookie]).map((c) => c.split(';')[0]);
}

export function page(srv, cookie, path) {
  return request(srv, 'GET', path, { headers: { Cookie: cookie } });
}

