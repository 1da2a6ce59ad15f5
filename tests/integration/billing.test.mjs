// Platform billing end to end (issue 12): billing information with VAT ID
// checks (format per country, a fake VIES-style service), buying minutes
// through the operator's Stripe account (the fake Stripe checks the
// Checkout Session: price_data at the gross amount for the buyer's VAT,
// client_reference_id/metadata naming the org), the operator's webhook
// signed with the stripe package's helper crediting once, invoices with
// gapless numbers (concurrent purchases, a restart), a duplicate delivery
// making no second invoice, the PDF (pdftotext, pdftoppm) and tenant
// isolation. Runs on SQLite and, with WLPORTAL_TEST_PG, PostgreSQL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, createOrg, api, request, sql, dbBalanceSeconds, freePort, sleep, BIN, assertAuditOk } from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { agencyWithPortal, SECRET as PORTAL_SECRET } from './portal_lib.mjs';

const KEY = 'sk_test_51Platform' + 'OperatorKey0123456789';
const WHSEC = 'whsec_' + 'PlatformSigning0123456';
const YEAR = new Date().getUTCFullYear();

// A VIES-style service: {"countryCode","vatNumber"} → {"valid"}.
async function startVies(validNumbers) {
  const asked = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const q = JSON.parse(raw);
      asked.push(q);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ countryCode: q.countryCode, vatNumber: q.vatNumber,
        valid: validNumbers.has(`${q.countryCode}${q.vatNumber}`), name: '---' }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/check-vat-number`, asked,
    close: () => new Promise((r) => server.close(r)) };
}

// Serves again on the same database and master key after a stop.
async function serveAgain(srv) {
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', srv.db],
    { env: srv.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const again = { port, url: `http://127.0.0.1:${port}`, get stderr() { return stderr; } };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(again, 'GET', '/healthz', { timeout: 1000 })).status === 200) break;
    } catch { /* not yet */ }
    await sleep(100);
  }
  again.stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    assert.ok(!/AddressSanitizer|runtime error:|LeakSanitizer/.test(stderr), stderr.slice(-3000));
  };
  return again;
}

describe('platform billing: minutes, VAT, invoices', { timeout: 240_000 }, () => {
  let srv, fake, vies, de, nl, us;

  before(async () => {
    fake = await startFakeStripe();
    fake.addAccount({ secretKey: KEY });
    vies = await startVies(new Set(['DE123456789']));
    srv = await startServer({ env: {
      WLPORTAL_STRIPE_API: fake.url,
      WLPORTAL_PLATFORM_STRIPE_SECRET_KEY: KEY,
      WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET: WHSEC,
      WLPORTAL_SELLER_NAME: 'Voice Platform B.V.',
      WLPORTAL_SELLER_ADDRESS: 'Keizersgracht 1\n1015 CJ Amsterdam',
      WLPORTAL_SELLER_VAT_ID: 'NL123456789B01',
      WLPORTAL_VIES_URL: vies.url,
    } });
    fake.setWebhook(KEY, `${srv.url}/api/webhooks/stripe`, WHSEC);
    de = createOrg(srv, { name: 'Berlin Calls GmbH', minutes: 0 });
    nl = createOrg(srv, { name: 'Utrecht Bellen', minutes: 0 });
    us = createOrg(srv, { name: 'Boston Dialers', minutes: 0 });
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
    await vies?.close();
  });

  it('billing information: format per country, VIES answer recorded with its time', async () => {
    let r = await api(srv, 'PUT', '/api/v1/billing-info', { key: de.api_key, body: {
      company_name: 'Berlin Calls GmbH', address: 'Unter den Linden 1\n10117 Berlin', country: 'de', vat_id: 'DE 123 456 789' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.country, 'DE');
    assert.equal(r.json.vat_id, 'DE123456789');
    assert.equal(r.json.vat_status, 'valid');
    assert.ok(Date.parse(r.json.vat_checked_at) > Date.now() - 60_000);
    assert.deepEqual(vies.asked.at(-1), { countryCode: 'DE', vatNumber: '123456789' });
    r = await api(srv, 'GET', '/api/v1/billing-info', { key: de.api_key });
    assert.equal(r.json.vat_status, 'valid');
    // VIES says no: recorded as invalid
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key: nl.api_key, body: {
      company_name: 'Utrecht Bellen', address: 'Oudegracht 2', country: 'NL', vat_id: 'NL999999999B01' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.vat_status, 'invalid');
    // malformed: each field named, nothing stored
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key: us.api_key, body: {
      company_name: '', address: 'x', country: 'XX', vat_id: 'whatever' } });
    assert.equal(r.status, 422, r.text);
    assert.ok(r.json.error.fields.company_name && r.json.error.fields.country, r.text);
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key: us.api_key, body: {
      company_name: 'Boston Dialers', address: 'x', country: 'NL', vat_id: 'NL12' } });
    assert.equal(r.status, 422);
    assert.match(r.json.error.fields.vat_id, /NL \+ 9 digits \+ B \+ 2 digits/);
    r = await api(srv, 'GET', '/api/v1/billing-info', { key: us.api_key });
    assert.equal(r.status, 404);
    r = await api(srv, 'PUT', '/api/v1/billing-info', { key: us.api_key, body: {
      company_name: 'Boston Dialers Inc.', address: '1 Main St\nBoston MA', country: 'US' } });
    assert.equal(r.status, 200, r.text);
  });

  let deSession;
  it('checkout: price_data at the gross amount for the buyer\'s VAT, the org named', async () => {
    let r = await api(srv, 'POST', '/api/v1/billing/checkout', { key: de.api_key, body: { minutes: 99 } });
    assert.equal(r.status, 400, r.text);
    r = await api(srv, 'POST', '/api/v1/billing/checkout', { key: de.api_key, body: { minutes: 1000 } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.url, new RegExp(`^${fake.url}/c/pay/cs_test_`));
    const req = fake.requestsTo('POST', '/v1/checkout/sessions').at(-1);
    assert.deepEqual(req.problems, []);
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.form['line_items[0][price_data][unit_amount]'], '7000'); // reverse charge: 0 %
    assert.equal(req.form['line_items[0][price_data][currency]'], 'eur');
    assert.equal(req.form['line_items[0][quantity]'], '1');
    assert.equal(req.form.client_reference_id, de.org_id);
    assert.equal(req.form['metadata[org_id]'], de.org_id);
    assert.equal(r.json.vat_rule, 'reverse_charge');
    deSession = r.json.session_id;
    // NL buyer (VIES refused its ID): the Dutch 21 % on 70.00
    r = await api(srv, 'POST', '/api/v1/billing/checkout', { key: nl.api_key, body: { minutes: 1000 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.requestsTo('POST', '/v1/checkout/sessions').at(-1).form['line_items[0][price_data][unit_amount]'], '8470');
    assert.equal(r.json.vat_rule, 'domestic');
    // a client org buys on its agency's portal, never here
    const child = createOrg(srv, { parent: de.org_id, minutes: 0 });
    r = await api(srv, 'POST', '/api/v1/billing/checkout', { key: child.api_key, body: { minutes: 100 } });
    assert.equal(r.status, 403, r.text);
  });

  it('the signed webhook credits once and issues one invoice; a duplicate issues none', async () => {
    const { delivery, event } = await fake.pay(deSession);
    assert.equal(delivery.status, 200, delivery.body);
    assert.equal(JSON.parse(delivery.body).outcome, 'credited');
    assert.equal(dbBalanceSeconds(srv, de.org_id), 1000 * 60);
    const again = await fake.deliver(event, { secretKey: KEY });
    assert.equal(again.status, 200);
    assert.equal(JSON.parse(again.body).outcome, 'duplicate');
    assert.equal(dbBalanceSeconds(srv, de.org_id), 1000 * 60);
    const bad = await fake.deliver(event, { secretKey: KEY, secret: 'whsec_wrong' });
    assert.equal(bad.status, 400);
    const r = await api(srv, 'GET', '/api/v1/invoices', { key: de.api_key });
    assert.equal(r.status, 200);
    assert.equal(r.json.invoices.length, 1);
    const inv = r.json.invoices[0];
    assert.equal(inv.number, `INV-${YEAR}-000001`);
    assert.equal(inv.net_cents, 7000);
    assert.equal(inv.vat_cents, 0);
    assert.equal(inv.gross_cents, 7000);
    assert.equal(inv.vat_rule, 'reverse_charge');
    assert.match(inv.vat_wording, /Reverse charge.*Article 196 of Directive 2006\/112\/EC/);
    assert.equal(inv.buyer_vat_id, 'DE123456789');
    assert.equal(inv.seller_vat_id, 'NL123456789B01');
    assert.equal(inv.unit_price_micro, 70000);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM invoices`).trim(), '1');
  });

  it('the PDF: pdftotext finds number, totals and VAT wording; pdftoppm renders page 1', async () => {
    const list = await api(srv, 'GET', '/api/v1/invoices', { key: de.api_key });
    const inv = list.json.invoices[0];
    const res = await fetch(`${srv.url}/api/v1/invoices/${inv.id}.pdf`, { headers: { Authorization: `Bearer ${de.api_key}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const file = path.join(srv.dir, 'invoice.pdf');
    fs.writeFileSync(file, pdf);
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(text.status, 0, text.stderr);
    for (const want of [inv.number, 'EUR 70.00', 'VAT 0%', 'Reverse charge', 'Article 196 of Directive 2006/112/EC',
      'DE123456789', 'NL123456789B01', 'Voice Platform B.V.', 'Berlin Calls GmbH', '1000', 'EUR 0.07', 'confirmed by VIES']) {
      assert.ok(text.stdout.includes(want), `pdftotext lacks ${want}:\n${text.stdout}`);
    }
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8', timeout: 30_000 });
    assert.match(info.stdout, /Pages:\s+1\b/);
    const png = spawnSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', '-singlefile', file, path.join(srv.dir, 'page')], { timeout: 30_000 });
    assert.equal(png.status, 0, String(png.stderr));
    const image = fs.readFileSync(path.join(srv.dir, 'page.png'));
    assert.equal(image.subarray(1, 4).toString(), 'PNG');
    // the same page in grey: a good share of its pixels are ink, not white
    spawnSync('pdftoppm', ['-gray', '-r', '40', '-f', '1', '-l', '1', '-singlefile', file, path.join(srv.dir, 'page')], { timeout: 30_000 });
    const pgm = fs.readFileSync(path.join(srv.dir, 'page.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
    assert.ok(header, 'a binary PGM');
    const pixels = pgm.subarray(header[0].length);
    assert.equal(pixels.length, Number(header[1]) * Number(header[2]));
    const ink = pixels.filter((v) => v < 160).length;
    assert.ok(ink > 300 && ink < pixels.length / 4, `ink pixels: ${ink} of ${pixels.length}`);
  });

  it('tenant isolation: another org\'s invoice is 404, JSON and PDF', async () => {
    const list = await api(srv, 'GET', '/api/v1/invoices', { key: de.api_key });
    const id = list.json.invoices[0].id;
    for (const p of [`/api/v1/invoices/${id}`, `/api/v1/invoices/${id}.pdf`]) {
      const r = await api(srv, 'GET', p, { key: nl.api_key });
      assert.equal(r.status, 404, r.text);
    }
    assert.equal((await api(srv, 'GET', '/api/v1/invoices', { key: nl.api_key })).json.invoices.length, 0);
  });

  it('an agency with billing information invoices its clients\' portal purchases, numbered on its own', async () => {
    const agency = await agencyWithPortal(srv, 'invoicing', { fake, name: 'Invoicing Agency' });
    const client = createOrg(srv, { parent: agency.org_id, name: 'Rotterdam Client', minutes: 0 });
    const paid = async (n) => {
      const s = { id: `cs_test_agencyInvoice${n}`, object: 'checkout.session', payment_status: 'paid',
        amount_total: 4000, currency: 'eur', client_reference_id: client.org_id, metadata: { org_id: client.org_id } };
      const d = await fake.deliver(fake.makeEvent('checkout.session.completed', s), { secretKey: PORTAL_SECRET });
      assert.equal(d.status, 200, d.body);
    };
    await paid(1); // no billing information yet: no invoice
    assert.equal(sql(srv, `SELECT COUNT(*) FROM invoices WHERE seller_id = '${agency.org_id}'`).trim(), '0');
    const r = await api(srv, 'PUT', '/api/v1/billing-info', { key: agency.api_key, body: {
      company_name: 'Invoicing Agency B.V.', address: 'Coolsingel 3\nRotterdam', country: 'NL', vat_id: 'NL000099998B57' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.client_invoices, true);
    await paid(2);
    const rows = sql(srv, `SELECT number, buyer_org_id, net_cents, vat_cents, gross_cents, vat_rule FROM invoices WHERE seller_id = '${agency.org_id}'`).trim();
    // package EUR 40.00 incl. 21 % Dutch VAT (client taken to be in the agency's country)
    assert.equal(rows, `INV-${YEAR}-000001|${client.org_id}|3306|694|4000|domestic`);
    const inv = (await api(srv, 'GET', '/api/v1/invoices', { key: client.api_key })).json.invoices;
    assert.equal(inv.length, 1);
    assert.equal(inv[0].seller, 'Invoicing Agency B.V.');
  });

  it('numbers stay gapless under concurrent purchases and across a restart', async () => {
    const sessions = [];
    for (let i = 0; i < 6; i++) {
      const r = await api(srv, 'POST', '/api/v1/billing/checkout', { key: us.api_key, body: { minutes: 100 + i } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.vat_rule, 'export');
      assert.equal(r.json.gross_cents, (100 + i) * 7);
      sessions.push(r.json.session_id);
    }
    const paid = await Promise.all(sessions.map((s) => fake.pay(s)));
    for (const p of paid) assert.equal(p.delivery.status, 200, p.delivery.body);
    assert.equal(dbBalanceSeconds(srv, us.org_id), sessions.reduce((a, _, i) => a + (100 + i) * 60, 0));
    await srv.kill();
    const again = await serveAgain(srv);
    try {
      fake.setWebhook(KEY, `${again.url}/api/webhooks/stripe`);
      const nlSession = [...fake.sessions.values()].find((e) => e.session.client_reference_id === nl.org_id).session.id;
      const last = await fake.pay(nlSession);
      assert.equal(last.delivery.status, 200, last.delivery.body);
      const nums = sql(srv, `SELECT number FROM invoices WHERE seller_id = 'platform' ORDER BY number`).trim().split('\n');
      assert.deepEqual(nums, Array.from({ length: 8 }, (_, i) => `INV-${YEAR}-${String(i + 1).padStart(6, '0')}`));
      const nlInv = (await api(again, 'GET', '/api/v1/invoices', { key: nl.api_key })).json.invoices[0];
      assert.equal(nlInv.vat_rate_bp, 2100);
      assert.equal(nlInv.vat_cents, 1470);
      assert.equal(nlInv.gross_cents, 8470);
      assert.equal(nlInv.number, `INV-${YEAR}-000008`);
      assert.match(nlInv.vat_note, /not confirmed by VIES/);
    } finally {
      await again.stop();
    }
    assertAuditOk(srv);
  });
});
