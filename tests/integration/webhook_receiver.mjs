// A webhook receiver for the tests, on loopback: records every delivery
// (headers and raw body), answers with the status the test chooses (a
// queue of statuses, then the default), verifies X-Webhook-Signature with
// node:crypto, and can be stopped and started again on the same port.
// Every delivery is checked against the "webhooks" of openapi/openapi.json;
// waitFor throws when one it returns is not what the document says.

import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkWebhookDelivery } from './openapi_check.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The signatures a body carries: every "sha256=<hex>" of the header.
export function signatures(header) {
  return String(header || '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('sha256='))
    .map((s) => s.slice(7));
}

// Whether one of the header's signatures is HMAC-SHA256(secret, "{ts}.{body}").
export function verify(secret, ts, body, header) {
  const want = createHmac('sha256', secret).update(`${ts}.`).update(body).digest();
  return signatures(header).some((hex) => {
    const got = Buffer.from(hex, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

export async function startReceiver({ port = 0 } = {}) {
  const r = {
    deliveries: [],
    statuses: [], // answered first, one each
    status: 200,
    delayMs: 0,
    server: null,
    port,
    get url() { return `http://127.0.0.1:${r.port}/hook`; },
    async start() {
      r.server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = r.statuses.length ? r.statuses.shift() : r.status;
          const openapiError = checkWebhookDelivery(req.headers['x-webhook-event'], body);
          r.deliveries.push({ headers: req.headers, body, status, method: req.method, url: req.url, at: Date.now(), openapiError });
          if (r.delayMs) await sleep(r.delayMs);
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(`answer ${status}`);
        });
      });
      await new Promise((resolve, reject) => {
        r.server.once('error', reject);
        r.server.listen(r.port, '127.0.0.1', () => { r.port = r.server.address().port; resolve(); });
      });
    },
    async stop() {
      if (!r.server) return;
      const s = r.server;
      r.server = null;
      s.closeAllConnections?.();
      await new Promise((resolve) => s.close(() => resolve()));
    },
    // Deliveries whose X-Webhook-Event is `event` (and that match `pred`).
    of(event, pred = () => true) {
      return r.deliveries.filter((d) => d.headers['x-webhook-event'] === event && pred(d));
    },
    // Waits (bounded) until `count` deliveries match; returns them.
    async waitFor(event, count = 1, pred = () => true, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const got = r.of(event, pred);
        const wrong = got.find((d) => d.openapiError);
        if (wrong) throw new Error(wrong.openapiError);
        if (got.length >= count) return got;
        if (Date.now() > until) {
          throw new Error(`waited ${timeoutMs} ms for ${count} ${event} deliveries, got ${got.length}: ` +
            JSON.stringify(r.deliveries.map((d) => [d.headers['x-webhook-event'], d.status])));
        }
        await sleep(50);
      }
    },
  };
  await r.start();
  return r;
}
