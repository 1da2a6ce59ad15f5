// A fake Stripe API on loopback for the tests (node:http). It answers the
// two calls wlportal makes the way Stripe does, and checks every parameter
// wlportal sends:
//   GET  /v1/prices/{id}             the account's prices (configurable)
//   POST /v1/checkout/sessions       form-encoded (a Price, or price_data: an
//                                    amount made for the session); Authorization: Bearer,
//                                    Content-Type, Idempotency-Key, every
//                                    field, braces percent-encoded
// and plays the customer's side of Checkout:
//   GET  /c/pay/{session}            a checkout page with a Pay button
//   POST /c/pay/{session}            (or GET ?action=pay) pays: sends the
//                                    signed checkout.session.completed
//                                    webhook to the account's webhook URL
//                                    (signed with the stripe package's test
//                                    header helper), then 303 to success_url
//   …?action=cancel                  303 to cancel_url
// Accounts are keyed by secret key, each with its prices, webhook URL and
// signing secret. Error modes: 'unauthorized' (401), 'invalid_price' (every
// price unknown), 'server_error' (500), 'slow' (answers after slowMs).
// Same Idempotency-Key and parameters → the first answer again.
//
// Every request is recorded in fake.requests ({method, path, headers, raw,
// form, problems}); a request with problems is refused with Stripe's 400
// and the problems named, so a test can assert problems is empty.

import http from 'node:http';
import crypto from 'node:crypto';
import Stripe from 'stripe';

const stripeLib = new Stripe('sk_test_fake_helper_only');
const SESSION_FIELDS = ['mode', 'line_items[0][quantity]', 'success_url',
  'cancel_url', 'client_reference_id', 'metadata[org_id]'];
// A session sells either a Price (an agency's package, with the user) or
// an amount made for it (the platform's minutes: price_data).
const PRICE_FIELDS = ['line_items[0][price]', 'metadata[user_id]'];
const PRICE_DATA_FIELDS = ['line_items[0][price_data][currency]',
  'line_items[0][price_data][unit_amount]', 'line_items[0][price_data][product_data][name]'];
const OPTIONAL_FIELDS = ['customer_email'];
const BODY_MAX = 64 * 1024;

// The Stripe-Signature header the stripe package makes for payload.
export function signedHeader(payload, secret, { timestamp, scheme } = {}) {
  return stripeLib.webhooks.generateTestHeaderString({
    payload, secret, timestamp: timestamp ?? Math.floor(Date.now() / 1000), scheme,
  });
}

function rand(n = 24) {
  return crypto.randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);
}

function stripeError(status, type, message, extra = {}) {
  return { status, body: { error: { type, message, ...extra } } };
}

function maskKey(key) {
  return `${key.slice(0, 8)}${'*'.repeat(Math.max(key.length - 12, 4))}${key.slice(-4)}`;
}

export class FakeStripe {
  constructor() {
    this.accounts = new Map();   // secretKey → {webhookUrl, webhookSecret, prices, idem}
    this.sessions = new Map();   // id → {session, key}
    this.requests = [];
    this.deliveries = [];        // {eventId, type, sessionId, status, error}
    this.mode = 'ok';
    this.slowMs = 10_000;
    this.sockets = new Set();
    this.timers = new Set();
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port = 0) {
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  async close() {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  addAccount({ secretKey, webhookUrl = null, webhookSecret = null }) {
    const acct = { webhookUrl, webhookSecret, prices: new Map(), idem: new Map() };
    this.accounts.set(secretKey, acct);
    return acct;
  }

  // Changes where an account's webhooks go (wlportal's port is known late).
  setWebhook(secretKey, webhookUrl, webhookSecret) {
    const acct = this.#account(secretKey);
    acct.webhookUrl = webhookUrl;
    if (webhookSecret !== undefined) acct.webhookSecret = webhookSecret;
  }

  setPrice(secretKey, { id, active = true, type = 'one_time', product, unit_amount, currency = 'eur' }) {
    const price = {
      id, object: 'price', active, type, product, unit_amount, currency,
      unit_amount_decimal: unit_amount == null ? null : String(unit_amount),
      recurring: type === 'recurring' ? { interval: 'month', interval_count: 1 } : null,
      livemode: false, billing_scheme: 'per_unit', created: 1700000000, metadata: {},
    };
    this.#account(secretKey).prices.set(id, price);
    return price;
  }

  setMode(mode, { slowMs } = {}) {
    if (!['ok', 'unauthorized', 'invalid_price', 'server_error', 'slow'].includes(mode)) {
      throw new Error(`unknown fake Stripe mode ${mode}`);
    }
    this.mode = mode;
    if (slowMs !== undefined) this.slowMs = slowMs;
  }

  // Requests to a path prefix, e.g. fake.requestsTo('POST', '/v1/checkout/sessions').
  requestsTo(method, prefix) {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
  }

  session(id) {
    return this.sessions.get(id)?.session;
  }

  #account(secretKey) {
    const acct = this.accounts.get(secretKey);
    if (!acct) throw new Error('no such fake Stripe account');
    return acct;
  }

  async #handle(req, res) {
    let raw = '';
    let tooLarge = false;
    req.setEncoding('utf8');
    for await (const chunk of req) {
      raw += chunk;
      if (raw.length > BODY_MAX) { tooLarge = true; break; }
    }
    const url = new URL(req.url, 'http://fake');
    const rec = { method: req.method, path: url.pathname, query: url.search, headers: req.headers,
      raw, form: null, problems: [], at: Date.now() };
    this.requests.push(rec);
    try {
      if (tooLarge) return this.#send(res, stripeError(413, 'invalid_request_error', 'Request too large'));
      if (url.pathname.startsWith('/c/pay/')) return await this.#checkoutPage(req, res, url, rec);
      if (this.mode === 'slow') await this.#delay(this.slowMs);
      if (this.mode === 'server_error') {
        return this.#send(res, stripeError(500, 'api_error', 'An unknown error occurred'));
      }
      const key = this.#authenticate(req, rec);
      if (!key) {
        const given = (req.headers.authorization || '').replace(/^Bearer /, '');
        return this.#send(res, stripeError(401, 'invalid_request_error',
          given ? `Invalid API Key provided: ${maskKey(given)}` : 'You did not provide an API key.'));
      }
      const price = url.pathname.match(/^\/v1\/prices\/([^/]+)$/);
      if (req.method === 'GET' && price) return this.#send(res, this.#getPrice(key, decodeURIComponent(price[1]), rec));
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        return this.#send(res, this.#createSession(key, req, rec));
      }
      return this.#send(res, stripeError(404, 'invalid_request_error',
        `Unrecognized request URL (${req.method}: ${url.pathname}).`));
    } catch (e) {
      rec.problems.push(`fake crashed: ${e.message}`);
      return this.#send(res, stripeError(500, 'api_error', `fake Stripe failed: ${e.message}`));
    }
  }

  #delay(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.timers.delete(t); resolve(); }, ms);
      this.timers.add(t);
    });
  }

  #send(res, { status, body, headers = {} }) {
    if (res.destroyed) return;
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': `req_${rand(14)}`, ...headers });
    res.end(text);
  }

  #authenticate(req, rec) {
    const auth = req.headers.authorization || '';
    const m = auth.match(/^Bearer ((?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+)$/);
    if (!m) {
      rec.problems.push(`Authorization is not "Bearer sk_…": ${auth ? 'malformed' : 'absent'}`);
      return null;
    }
    if (this.mode === 'unauthorized' || !this.accounts.has(m[1])) return null;
    return m[1];
  }

  #noSuchPrice(id, param) {
    return stripeError(param ? 400 : 404, 'invalid_request_error', `No such price: '${id}'`,
      { code: 'resource_missing', param: param || 'id' });
  }

  #getPrice(key, id, rec) {
    if (rec.raw !== '') rec.problems.push('GET with a body');
    const price = this.accounts.get(key).prices.get(id);
    if (!price || this.mode === 'invalid_price') return this.#noSuchPrice(id);
    return { status: 200, body: price };
  }

  // Checks the form as Stripe would (and a little more); problems make a 400.
  #checkSessionForm(req, rec, acct) {
    const p = rec.problems;
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      p.push(`Content-Type is ${req.headers['content-type']}`);
    }
    const idem = req.headers['idempotency-key'];
    if (!idem || idem.length > 255) p.push('Idempotency-Key missing or longer than 255');
    if (/[{}]/.test(rec.raw)) p.push('literal braces in the form body (must be %7B/%7D)');
    const form = new URLSearchParams(rec.raw);
    rec.form = Object.fromEntries(form);
    const priceData = form.has(PRICE_DATA_FIELDS[0]);
    const kind = priceData ? PRICE_DATA_FIELDS : PRICE_FIELDS;
    const optional = priceData ? [...OPTIONAL_FIELDS, 'metadata[user_id]'] : OPTIONAL_FIELDS;
    for (const k of new Set(form.keys())) {
      if (form.getAll(k).length > 1) p.push(`parameter ${k} sent twice`);
      if (!SESSION_FIELDS.includes(k) && !kind.includes(k) && !optional.includes(k)) {
        p.push(`Received unknown parameter: ${k}`);
      }
    }
    for (const k of [...SESSION_FIELDS, ...kind]) if (!form.get(k)) p.push(`Missing required param: ${k}`);
    const f = rec.form;
    if (priceData) {
      if (!/^[a-z]{3}$/.test(f[PRICE_DATA_FIELDS[0]])) p.push('price_data currency is not 3 lower-case letters');
      if (!/^[1-9]\d{0,7}$/.test(f[PRICE_DATA_FIELDS[1]] || '')) p.push('price_data unit_amount is not a positive integer');
    }
    if (f.mode && f.mode !== 'payment') p.push(`mode is ${f.mode}, not payment`);
    if (f['line_items[0][quantity]'] && f['line_items[0][quantity]'] !== '1') p.push('quantity is not 1');
    for (const k of ['success_url', 'cancel_url']) {
      if (f[k] && !/^https?:\/\/[^\s]+$/.test(f[k])) p.push(`${k} is not an http(s) URL`);
    }
    if (f.success_url && !/[?&]session_id=\{CHECKOUT_SESSION_ID\}$/.test(f.success_url)) {
      p.push('success_url does not end in session_id={CHECKOUT_SESSION_ID}');
    }
    if (f.client_reference_id && f['metadata[org_id]'] && f.client_reference_id !== f['metadata[org_id]']) {
      p.push('client_reference_id is not the org id');
    }
    if (f.customer_email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.customer_email)) {
      p.push('customer_email is not an e-mail address');
    }
    return { form: f, idem, acct };
  }

  #createSession(key, req, rec) {
    const acct = this.accounts.get(key);
    const { form: f, idem } = this.#checkSessionForm(req, rec, acct);
    if (rec.problems.length > 0) {
      return stripeError(400, 'invalid_request_error', rec.problems.join('; '));
    }
    const seen = acct.idem.get(idem);
    if (seen) {
      if (seen.raw !== rec.raw) {
        return stripeError(400, 'idempotency_error', 'Keys for idempotent requests can only be used '
          + `with the same parameters they were first used with. Try using a key other than '${idem}' `
          + 'if you meant to execute a different request.');
      }
      rec.replayed = true;
      return { ...seen.answer, headers: { 'Idempotent-Replayed': 'true' } };
    }
    const answer = this.#newSession(key, acct, f);
    if (answer.status < 500) acct.idem.set(idem, { raw: rec.raw, answer });
    return answer;
  }

  #newSession(key, acct, f) {
    if (f['line_items[0][price_data][currency]']) {
      return this.#sessionOf(key, f, Number(f['line_items[0][price_data][unit_amount]']),
        f['line_items[0][price_data][currency]'], null);
    }
    const priceId = f['line_items[0][price]'];
    const price = acct.prices.get(priceId);
    if (!price || this.mode === 'invalid_price') return this.#noSuchPrice(priceId, 'line_items[0][price]');
    if (!price.active) {
      return stripeError(400, 'invalid_request_error', 'The price specified is inactive. This field '
        + 'only accepts active prices.', { param: 'line_items[0][price]' });
    }
    if (price.type !== 'one_time') {
      return stripeError(400, 'invalid_request_error', 'You specified `payment` mode but passed a '
        + 'recurring price. Either switch to `subscription` mode or use only one-time prices.',
      { param: 'line_items[0][price]' });
    }
    return this.#sessionOf(key, f, price.unit_amount, price.currency, priceId);
  }

  #sessionOf(key, f, amount, currency, priceId) {
    const id = `cs_test_${rand(58)}`;
    const metadata = { org_id: f['metadata[org_id]'] };
    if (f['metadata[user_id]']) metadata.user_id = f['metadata[user_id]'];
    const session = {
      id, object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid',
      amount_subtotal: amount, amount_total: amount, currency,
      client_reference_id: f.client_reference_id, customer_email: f.customer_email ?? null,
      customer_details: null, metadata,
      success_url: f.success_url, cancel_url: f.cancel_url, livemode: false, payment_intent: null,
      created: Math.floor(Date.now() / 1000), url: `${this.url}/c/pay/${id}#fake`,
      line_items_price: priceId,
    };
    this.sessions.set(id, { session, key });
    return { status: 200, body: session };
  }

  async #checkoutPage(req, res, url, rec) {
    const id = decodeURIComponent(url.pathname.slice('/c/pay/'.length));
    const entry = this.sessions.get(id);
    if (!entry) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('no such checkout session');
    }
    const action = req.method === 'POST' ? (new URLSearchParams(rec.raw).get('action') || 'pay')
      : url.searchParams.get('action');
    const s = entry.session;
    if (action === 'cancel') {
      res.writeHead(303, { Location: s.cancel_url });
      return res.end();
    }
    if (action === 'pay') {
      await this.pay(id);
      res.writeHead(303, { Location: s.success_url.replace('{CHECKOUT_SESSION_ID}', id) });
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    const amount = `${(s.amount_total / 100).toFixed(2)} ${s.currency.toUpperCase()}`;
    return res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Fake Stripe Checkout</title>`
      + `</head><body><h1>Fake Stripe Checkout</h1><p id="amount">${amount}</p>`
      + `<p id="email">${(s.customer_email || '').replace(/[<>&"]/g, '')}</p>`
      + `<form method="post"><button name="action" value="pay" id="pay">Pay</button>`
      + `<button name="action" value="cancel" id="cancel">Cancel</button></form></body></html>`);
  }

  // Marks the session paid and sends checkout.session.completed once.
  // Returns {event, delivery}; paying again returns the first event.
  async pay(sessionId) {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new Error(`no such session ${sessionId}`);
    if (entry.event) return { event: entry.event, delivery: null };
    const s = entry.session;
    Object.assign(s, { status: 'complete', payment_status: 'paid', payment_intent: `pi_test_${rand(24)}`,
      customer_details: { email: s.customer_email } });
    entry.event = this.makeEvent('checkout.session.completed', s);
    const delivery = await this.deliver(entry.event, { secretKey: entry.key });
    return { event: entry.event, delivery };
  }

  makeEvent(type, object) {
    return {
      id: `evt_test_${rand(24)}`, object: 'event', api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1,
      request: { id: null, idempotency_key: null }, type, data: { object: structuredClone(object) },
    };
  }

  // Sends event (an object or an already-serialised string) to the
  // account's webhook as Stripe does: pretty-printed JSON, signed. Options
  // override the header (header), the secret or the timestamp.
  async deliver(event, { secretKey, url, secret, timestamp, header } = {}) {
    const acct = secretKey ? this.#account(secretKey) : null;
    const target = url || acct?.webhookUrl;
    const payload = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
    const parsed = typeof event === 'string' ? JSON.parse(event) : event;
    const record = { eventId: parsed.id, type: parsed.type, sessionId: parsed.data?.object?.id,
      status: 0, error: null, body: null };
    this.deliveries.push(record);
    if (!target) { record.error = 'no webhook URL configured'; return record; }
    const sig = header ?? signedHeader(payload, secret || acct?.webhookSecret, { timestamp });
    try {
      const r = await fetch(target, { method: 'POST', body: payload, signal: AbortSignal.timeout(15_000),
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': sig,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' } });
      record.status = r.status;
      record.body = await r.text();
    } catch (e) {
      record.error = e.message;
    }
    return record;
  }
}

export async function startFakeStripe({ port = 0 } = {}) {
  return new FakeStripe().listen(port);
}

// A fake with one account selling one price: what a test's whitelabel
// settings name, so that activating the portal passes wlportal's price check.
export async function fakeStripeSelling({ secretKey, priceId, productId, unitAmount = 4000, currency = 'eur' }) {
  const fake = await startFakeStripe();
  fake.addAccount({ secretKey });
  fake.setPrice(secretKey, { id: priceId, product: productId, unit_amount: unitAmount, currency });
  return fake;
}
