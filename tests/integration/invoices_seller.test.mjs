// invoices_seller.test.mjs — an agency's invoices to its clients: a client
// buys credits on the agency's portal, the agency (with billing
// information) issues the invoice; GET /api/v1/invoices?role=seller lists
// it for the agency (paged like every list), the default role=buyer does
// not; the client sees it as buyer; both download its PDF, by API key and
// from the dashboard; a stranger gets 404; a client org's seller list is
// empty; a bad role is 400. The dashboard's Billing page shows "Invoices
// to your clients" only when there are any. Runs on SQLite and, with
// WLPORTAL_TEST_PG, PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, api, request, assertError } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { agencyWithPortal, SECRET as PORTAL_SECRET } from './portal_lib.mjs';

const YEAR = new Date().getUTCFullYear();

async function pdfOf(srv, path, headers) {
  const r = await request(srv, 'GET', path, { headers });
  return { status: r.status, type: String(r.headers['content-type'] || ''), text: r.text };
}

describe('invoices an agency issued to its clients (role=seller)', { timeout: 180_000 }, () => {
  let srv, fake, agency, client, stranger;

  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = await agencyWithPortal(srv, 'sellerinv', { fake, name: 'Seller Agency' });
    client = createOrg(srv, { parent: agency.org_id, name: 'Buying Client', minutes: 0 });
    stranger = createOrg(srv, { name: 'Stranger Agency', email: 'stranger@seller.test', password: 'stranger-pass-123' });
    const r = await api(srv, 'PUT', '/api/v1/billing-info', { key: agency.api_key, body: {
      company_name: 'Seller Agency B.V.', address: 'Coolsingel 3\nRotterdam', country: 'NL' } });
    assert.equal(r.status, 200, r.text);
    // two purchases on the portal, each invoiced by the agency
    for (const n of [1, 2]) {
      const s = { id: `cs_test_sellerInvoice${n}`, object: 'checkout.session', payment_status: 'paid',
        amount_total: 4000, currency: 'eur', client_reference_id: client.org_id, metadata: { org_id: client.org_id } };
      const d = await fake.deliver(fake.makeEvent('checkout.session.completed', s), { secretKey: PORTAL_SECRET });
      assert.equal(d.status, 200, d.body);
    }
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('the agency lists them with role=seller, paged; as buyer it has none', async () => {
    let r = await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: agency.api_key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.invoices.map((v) => v.number), [`INV-${YEAR}-000002`, `INV-${YEAR}-000001`]);
    assert.ok(r.json.invoices.every((v) => v.seller === 'Seller Agency B.V.' && v.buyer === 'Buying Client'));
    assert.equal(r.json.next_cursor, null);
    r = await api(srv, 'GET', '/api/v1/invoices?role=seller&limit=1', { key: agency.api_key });
    assert.equal(r.json.invoices.length, 1);
    assert.equal(r.json.invoices[0].number, `INV-${YEAR}-000002`);
    assert.ok(r.json.next_cursor);
    r = await api(srv, 'GET', `/api/v1/invoices?role=seller&limit=1&cursor=${encodeURIComponent(r.json.next_cursor)}`,
      { key: agency.api_key });
    assert.deepEqual(r.json.invoices.map((v) => v.number), [`INV-${YEAR}-000001`]);
    assert.equal(r.json.next_cursor, null);
    for (const q of ['', '?role=buyer']) {
      r = await api(srv, 'GET', `/api/v1/invoices${q}`, { key: agency.api_key });
      assert.equal(r.status, 200);
      assert.equal(r.json.invoices.length, 0, `the agency bought nothing (${q || 'default'})`);
    }
    assertError(await api(srv, 'GET', '/api/v1/invoices?role=agency', { key: agency.api_key }), 400, 'invalid_request');
  });

  it('the client sees them as buyer, sells nothing; both download the PDF; a stranger gets 404', async () => {
    const sold = (await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: agency.api_key })).json.invoices;
    let r = await api(srv, 'GET', '/api/v1/invoices', { key: client.api_key });
    assert.deepEqual(r.json.invoices.map((v) => v.id), sold.map((v) => v.id));
    r = await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: client.api_key });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.invoices, [], 'a client org issues no invoices');
    // the agency acting on its client (X-Organization-Id) sees the client's side
    r = await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: agency.api_key,
      headers: { 'X-Organization-Id': client.org_id } });
    assert.deepEqual(r.json.invoices, []);
    const id = sold[0].id;
    for (const key of [agency.api_key, client.api_key]) {
      r = await api(srv, 'GET', `/api/v1/invoices/${id}`, { key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.number, sold[0].number);
      const pdf = await pdfOf(srv, `/api/v1/invoices/${id}.pdf`, { Authorization: `Bearer ${key}` });
      assert.equal(pdf.status, 200);
      assert.match(pdf.type, /^application\/pdf/);
      assert.ok(pdf.text.startsWith('%PDF-'));
    }
    for (const p of [`/api/v1/invoices/${id}`, `/api/v1/invoices/${id}.pdf`]) {
      r = await api(srv, 'GET', p, { key: stranger.api_key });
      assert.equal(r.status, 404, r.text);
    }
    r = await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: stranger.api_key });
    assert.deepEqual(r.json.invoices, []);
  });

  it('the Billing page lists "Invoices to your clients" with PDF links only when there are any', async () => {
    const sold = (await api(srv, 'GET', '/api/v1/invoices?role=seller', { key: agency.api_key })).json.invoices;
    const cookie = await loginSession(srv, agency.email, agency.password);
    const p = await page(srv, cookie, '/dashboard/billing');
    assert.equal(p.status, 200);
    assert.match(p.text, /id="sold-invoices-card"[\s\S]*<h2>Invoices to your clients<\/h2>/);
    const rows = [...p.text.matchAll(/<tr id="sold-invoice-([^"]+)"><td class="mono">(INV-[0-9-]+)<\/td><td>[^<]*<\/td><td>Buying Client<\/td>[\s\S]*?href="([^"]+)">Download/g)];
    assert.deepEqual(rows.map((m) => m[2]), sold.map((v) => v.number));
    assert.match(p.text, /id="invoices-empty">No invoices yet/, 'its own (buyer) list is empty');
    const link = rows[0][3].replace(/&amp;/g, '&');
    assert.equal(link, `/dashboard/billing/invoices/${sold[0].id}.pdf`);
    const pdf = await pdfOf(srv, link, { Cookie: cookie });
    assert.equal(pdf.status, 200);
    assert.match(pdf.type, /^application\/pdf/);
    // another agency: no such section, and the PDF is not its own
    const other = await loginSession(srv, 'stranger@seller.test', 'stranger-pass-123');
    const q = await page(srv, other, '/dashboard/billing');
    assert.equal(q.status, 200);
    assert.doesNotMatch(q.text, /sold-invoices-card|Invoices to your clients/);
    assert.equal((await pdfOf(srv, link, { Cookie: other })).status, 404);
  });
});
