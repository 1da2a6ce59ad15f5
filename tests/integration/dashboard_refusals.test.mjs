// A dashboard form refused by its writer job comes back as the whole page
// (422, every complaint and the page's own data) although the job's finish
// runs on a server thread that must not query the database: the writer reads
// what the page needs after undoing the job (the server refuses any database
// access inside a finish, so a finish that still queried would answer 503).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, request, dbBalanceSeconds } from './lib.mjs';

// Cookies of a response as "name=value" pairs, merged into jar.
function keepCookies(jar, res) {
  const set = res.headers['set-cookie'] || [];
  for (const c of Array.isArray(set) ? set : [set]) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
}
const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

// Hidden inputs of a form page (CSRF tokens and the like).
function hiddenFields(html) {
  const out = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0]);
    const value = /value="([^"]*)"/.exec(m[0]);
    if (name) out[name[1]] = value ? value[1] : '';
  }
  return out;
}

async function page(srv, jar, method, path, form) {
  const headers = { Cookie: cookieHeader(jar), Origin: srv.url };
  let body;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const r = await request(srv, method, path, { headers, body });
  keepCookies(jar, r);
  return r;
}

async function logIn(srv, email, password) {
  const jar = new Map();
  const form = await page(srv, jar, 'GET', '/login');
  assert.equal(form.status, 200, form.text.slice(0, 300));
  const r = await page(srv, jar, 'POST', '/login',
    { ...hiddenFields(form.text), email, password, next: '/dashboard' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return jar;
}

describe('dashboard forms refused by their write', { timeout: 120_000 }, () => {
  let srv, agency, client, jar;
  const email = 'owner@refusals.test';
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { email, password: 'right-password-1', minutes: 10 });
    client = createOrg(srv, { parent: agency.org_id, minutes: 1 });
    jar = await logIn(srv, email, 'right-password-1');
  });
  after(async () => { await srv?.stop(); });

  it('activation with fields missing shows the settings page again (422)', async () => {
    const settings = await page(srv, jar, 'GET', '/dashboard/whitelabel');
    assert.equal(settings.status, 200, settings.text.slice(0, 300));
    const csrf = hiddenFields(settings.text).csrf;
    assert.ok(csrf, 'the settings page carries a CSRF token');
    const r = await page(srv, jar, 'POST', '/dashboard/whitelabel/activate', { csrf, active: '1' });
    assert.equal(r.status, 422, r.text.slice(0, 500));
    assert.ok(r.text.includes(email), 'the page keeps its header (the user)');
    assert.match(r.text, /Company name/);
    assert.match(r.text, /Stripe secret key/);
    // The list of what activation still needs is drawn from the field codes
    // of the refusal (not from the wording of its messages).
    const missing = /id="activation-missing"[\s\S]*?<\/ul>/.exec(r.text);
    assert.ok(missing, 'the refusal lists what activation needs');
    assert.match(missing[0], /<li>Company name<\/li>/);
    assert.match(missing[0], /<li>Stripe secret key<\/li>/);
  });

  it('a slug taken by another agency shows the settings page again (422)', async () => {
    const other = createOrg(srv, { minutes: 1 });
    const put = await request(srv, 'PUT', '/api/v1/whitelabel', {
      headers: { Authorization: `Bearer ${other.api_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ slug: 'taken-slug' }),
    });
    assert.equal(put.status, 200, put.text);
    const settings = await page(srv, jar, 'GET', '/dashboard/whitelabel');
    const csrf = hiddenFields(settings.text).csrf;
    const r = await page(srv, jar, 'POST', '/dashboard/whitelabel/portal', { csrf, slug: 'taken-slug' });
    assert.equal(r.status, 422, r.text.slice(0, 500));
    assert.ok(r.text.includes(email));
    assert.match(r.text, /already taken/);
  });

  it('an allocation below zero shows the users page again (422)', async () => {
    const users = await page(srv, jar, 'GET', '/dashboard/users');
    assert.equal(users.status, 200, users.text.slice(0, 300));
    const fields = hiddenFields(users.text);
    const r = await page(srv, jar, 'POST', `/dashboard/users/${client.user_id}/allocate`,
      { csrf: fields.csrf, ref: fields.ref, credits: '-5', description: 'correction' });
    assert.equal(r.status, 422, r.text.slice(0, 500));
    assert.ok(r.text.includes(email));
    assert.match(r.text, /below zero/);
    assert.equal(dbBalanceSeconds(srv, client.org_id), 60);
  });

  it('the allocation form checks what the API checks, in its own words (422)', async () => {
    const cases = [
      [{ credits: '0', description: 'x' }, /Enter a whole number of credits, not zero/],
      [{ credits: '2000000', description: 'x' }, /Enter a whole number of credits, not zero/],
      [{ credits: 'ten', description: 'x' }, /Enter a whole number of credits, not zero/],
      [{ credits: '5', description: '   ' }, /Enter a description/],
      [{ credits: '5', description: 'd'.repeat(501) }, /at most 500 characters/],
      [{ credits: '5', description: 'fine', ref: 'bad ref!' }, /This form is out of date/],
    ];
    for (const [form, message] of cases) {
      const users = await page(srv, jar, 'GET', '/dashboard/users');
      const fields = hiddenFields(users.text);
      const r = await page(srv, jar, 'POST', `/dashboard/users/${client.user_id}/allocate`,
        { csrf: fields.csrf, ref: fields.ref, ...form });
      assert.equal(r.status, 422, `${JSON.stringify(form).slice(0, 80)}: ${r.text.slice(0, 300)}`);
      assert.match(r.text, message);
    }
    assert.equal(dbBalanceSeconds(srv, client.org_id), 60);
    // The API refuses the same values, naming the field.
    for (const [body, field] of [[{ credits: 0, description: 'x' }, 'credits'],
      [{ credits: 5, description: ' \t ' }, 'description']]) {
      const r = await request(srv, 'POST', `/api/v1/whitelabel/users/${client.user_id}/allocations`, {
        headers: { Authorization: `Bearer ${agency.api_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 422, r.text);
      assert.ok(JSON.parse(r.text).error.fields[field], r.text);
    }
  });
});
