// billing_trail.test.mjs — billing information changes in the audit trail:
// PUT /api/v1/billing-info and the dashboard's billing form each record a
// billing_info.updated event with the acting API key or user, the address,
// the time and exactly the fields that changed with their new values (all
// of them on the first save); a save that changes nothing records nothing;
// a refused save records nothing. Runs on SQLite and, with
// WLPORTAL_TEST_PG, PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, request, api, ISO_MS_RE } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

const PASSWORD = 'billing-trail-123';
const TYPE = 'billing_info.updated';

async function events(srv, key) {
  const r = await api(srv, 'GET', `/api/v1/audit-events?type=${TYPE}`, { key });
  assert.equal(r.status, 200, r.text);
  return r.json.audit_events;
}

describe('billing information in the audit trail', { timeout: 120_000 }, () => {
  let srv, agency, keyId;

  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Trail Agency', email: 'owner@trail.test', password: PASSWORD });
    keyId = (await api(srv, 'GET', '/api/v1/api-keys', { key: agency.api_key })).json.api_keys[0].id;
  });
  after(async () => { await srv?.stop(); });

  it('the API: the first save names every field, a later one only what changed, none nothing', async () => {
    const key = agency.api_key;
    const body = { company_name: 'Trail Agency B.V.', address: 'Street 1\n1000 AA Amsterdam', country: 'nl',
      vat_id: 'NL000099998B57' };
    let r = await api(srv, 'PUT', '/api/v1/billing-info', { key, body });
    assert.equal(r.status, 200, r.text);
    let ev = await events(srv, key);
    assert.equal(ev.length, 1);
    assert.deepEqual(ev[0].changes, { company_name: 'Trail Agency B.V.', address: 'Street 1\n1000 AA Amsterdam',
      country: 'NL', vat_id: 'NL000099998B57', client_invoices: true });
    assert.deepEqual(ev[0].actor, { type: 'api_key', id: keyId });
    assert.equal(ev[0].address, '127.0.0.1');
    assert.equal(ev[0].org_id, agency.org_id);
    assert.match(ev[0].created_at, ISO_MS_RE);
    assert.ok(Math.abs(Date.parse(ev[0].created_at) - Date.now()) < 60_000);

    // the same values again (country in another case, the VAT ID spaced): nothing recorded
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key, body: { ...body, country: 'NL', vat_id: 'NL 0000.99998 B57' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await events(srv, key)).length, 1, 'a save that changes nothing records nothing');

    // a refused save: nothing stored, nothing recorded
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key, body: { ...body, country: 'XX' } });
    assert.equal(r.status, 422, r.text);
    assert.equal((await events(srv, key)).length, 1);

    // only the address changes, the VAT ID goes, client invoices off
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key, body: { company_name: body.company_name,
      address: 'Canal 2\n1000 AB Amsterdam', country: 'NL', client_invoices: false } });
    assert.equal(r.status, 200, r.text);
    ev = await events(srv, key);
    assert.equal(ev.length, 2);
    assert.deepEqual(ev[0].changes, { address: 'Canal 2\n1000 AB Amsterdam', vat_id: null, client_invoices: false });
    // the unfiltered trail has it too
    r = await api(srv, 'GET', '/api/v1/audit-events', { key });
    assert.equal(r.json.audit_events.filter((e) => e.type === TYPE).length, 2);
  });

  it('the dashboard form: the user is the actor', async () => {
    const cookie = await loginSession(srv, 'owner@trail.test', PASSWORD);
    const html = (await page(srv, cookie, '/dashboard/billing')).text;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)[1];
    const post = (fields) => request(srv, 'POST', '/dashboard/billing/info', { headers: { Cookie: cookie, Origin: srv.url,
      'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, ...fields }).toString() });
    let r = await post({ company_name: 'Trail Agency Holding B.V.', address: 'Canal 2\r\n1000 AB Amsterdam', country: 'NL',
      vat_id: '' });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    let ev = await events(srv, agency.api_key);
    assert.equal(ev.length, 3);
    assert.deepEqual(ev[0].changes, { company_name: 'Trail Agency Holding B.V.' });
    assert.deepEqual(ev[0].actor, { type: 'user', id: agency.user_id });
    assert.equal(ev[0].address, '127.0.0.1');
    r = await post({ company_name: 'Trail Agency Holding B.V.', address: 'Canal 2\r\n1000 AB Amsterdam', country: 'NL',
      vat_id: '' });
    assert.equal(r.status, 303);
    assert.equal((await events(srv, agency.api_key)).length, 3, 'the same form again records nothing');
    // the dashboard's audit page lists the type and the event
    const audit = await page(srv, cookie, `/dashboard/audit?type=${TYPE}`);
    assert.equal(audit.status, 200);
    assert.match(audit.text, new RegExp(`<option value="${TYPE}" selected>`));
    assert.equal([...audit.text.matchAll(/class="audit-row" data-type="billing_info.updated"/g)].length, 3);
    // the type is known to the API's filter
    ev = await events(srv, agency.api_key);
    assert.ok(ev.every((e) => e.type === TYPE));
  });
});
