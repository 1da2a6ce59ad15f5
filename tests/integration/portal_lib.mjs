// Helpers for tests of the client portal: an agency with an active branded
// portal (its Stripe price known to the fake Stripe, so activation passes
// the price check), and a browser-like client of one portal host with its
// own cookie jar that fills forms (hidden fields included) the way a
// browser does and follows the links of mails.

import assert from 'node:assert/strict';
import { api, createOrg, request } from './lib.mjs';

export const SECRET = 'sk_test_51Portal' + 'SecretKeyValue0123456789';
export const WHSEC = 'whsec_' + 'PortalSigningSecret0123456789';

export function portalSettings(slug, extra = {}) {
  return {
    company_name: extra.company_name ?? 'Acme Voice',
    slug,
    logo_url: extra.logo_url ?? 'https://cdn.example.test/acme.png',
    primary_color: extra.primary_color ?? '#1E3A8A',
    accent_color: extra.accent_color ?? '#FDE047',
    stripe: {
      publishable_key: 'pk_test_51PortalPublishable0123',
      secret_key: extra.secret_key ?? SECRET,
      product_id: 'prod_Portal123456',
      price_id: 'price_Portal123456',
      webhook_secret: WHSEC,
    },
    package: { credits: 100, price_cents: 4000, currency: 'EUR' },
    active: true,
  };
}

// A new agency with an active portal at slug; fake (optional) learns its price.
export async function agencyWithPortal(srv, slug, { fake, name, ...extra } = {}) {
  const email = `owner-${slug}@agency.example.test`;
  const password = `agency-${slug}-password`;
  const agency = { ...createOrg(srv, { name: name ?? `Agency ${slug}`, email, password, minutes: 1000 }),
    email, password };
  const settings = portalSettings(slug, extra);
  if (fake) {
    if (!fake.accounts.has(settings.stripe.secret_key)) {
      fake.addAccount({ secretKey: settings.stripe.secret_key,
        webhookUrl: `${srv.url}/api/webhooks/stripe/${slug}`, webhookSecret: WHSEC });
    }
    fake.setPrice(settings.stripe.secret_key, { id: settings.stripe.price_id,
      product: settings.stripe.product_id, unit_amount: 4000, currency: 'eur' });
  }
  const r = await api(srv, 'PUT', '/api/v1/whitelabel', { key: agency.api_key, body: settings });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.active, true, r.text);
  return { ...agency, slug, settings };
}

function setCookies(res) {
  const sc = res.headers['set-cookie'];
  return sc ? (Array.isArray(sc) ? sc : [sc]) : [];
}

// A browser on one host: `host` is a portal host ({slug}.portal.localhost)
// with paths from /, or the platform host with paths under /p/{slug}.
export class PortalClient {
  constructor(srv, { slug, viaPath = false } = {}) {
    this.srv = srv;
    this.host = viaPath ? `127.0.0.1:${srv.port}` : `${slug}.portal.localhost:${srv.port}`;
    this.base = viaPath ? `/p/${slug}` : '';
    this.jar = new Map();
    this.lastSetCookies = [];
  }

  get origin() { return `http://${this.host}`; }
  cookie(name) { return this.jar.get(name); }
  setCookie(name, value) { this.jar.set(name, value); }

  #absorb(res) {
    this.lastSetCookies = setCookies(res);
    for (const c of this.lastSetCookies) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(c) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  #headers(extra = {}) {
    const h = { Host: this.host, ...extra };
    if (this.jar.size) h.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return h;
  }

  async get(path) {
    return this.#absorb(await request(this.srv, 'GET', this.base + path, { headers: this.#headers() }));
  }

  async postRaw(path, fields, extraHeaders = {}) {
    return this.#absorb(await request(this.srv, 'POST', this.base + path, {
      headers: this.#headers({ 'Content-Type': 'application/x-www-form-urlencoded',
        Origin: this.origin, ...extraHeaders }),
      body: new URLSearchParams(fields).toString(),
    }));
  }

  // GETs the page holding the form posting to action, then posts it with
  // its hidden fields and `fields`.
  async submit(pagePath, action, fields = {}) {
    const page = await this.get(pagePath);
    assert.equal(page.status, 200, `${pagePath}: ${page.status} ${page.text.slice(0, 300)}`);
    return this.postRaw(action, { ...hiddenFields(page.text, this.base + action), ...fields });
  }

  // A link from a mail (absolute URL on a portal host): path and query only.
  async openLink(url) {
    const u = new URL(url);
    assert.equal(u.host, this.host, `the link's host ${u.host} is this browser's`);
    return this.#absorb(await request(this.srv, 'GET', u.pathname + u.search, { headers: this.#headers() }));
  }
}

// The hidden fields of the form whose action is `action` (the first form when null).
export function hiddenFields(html, action = null) {
  let scope = html;
  if (action) {
    const at = html.indexOf(`action="${action}"`);
    assert.ok(at >= 0, `a form posting to ${action}`);
    scope = html.slice(at, html.indexOf('</form>', at));
  }
  const fields = {};
  for (const m of scope.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[m[1]] = m[2].replace(/&amp;/g, '&');
  }
  return fields;
}

export async function signUp(client, email, password = 'correct horse battery') {
  const r = await client.submit('/signup', '/signup', { email, password, confirm: password });
  return r;
}
