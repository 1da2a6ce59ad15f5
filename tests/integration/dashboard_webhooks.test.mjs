// The dashboard's Webhooks pages over HTTP: the delivery log is paged 50 at
// a time (newest first, a link to the older ones), a receiver's answer is
// shown escaped, a parent reaches its client's endpoints only through the
// switcher's ?org=, and another org's endpoint is 404.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, request, sql, randomUUID } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';

function apiCall(srv, method, urlPath, key, body) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return request(srv, method, urlPath, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('dashboard webhooks pages', { timeout: 120_000 }, () => {
  let srv, agency, client, stranger, cookie, hook, strangerHook;
  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { name: 'Hook Agency', email: 'hooks@agency.test', password: 'hook-pass-123', minutes: 10 });
    client = createOrg(srv, { name: 'Hook Client', parent: agency.org_id, minutes: 5 });
    stranger = createOrg(srv, { name: 'Stranger', minutes: 5 });
    const made = await apiCall(srv, 'POST', '/api/v1/webhooks', client.api_key,
      { url: 'https://hooks.example.com/in', events: ['status-update'], description: 'crm' });
    assert.equal(made.status, 201, made.text);
    hook = made.json;
    strangerHook = (await apiCall(srv, 'POST', '/api/v1/webhooks', stranger.api_key,
      { url: 'https://other.example.com/in', events: ['status-update'] })).json;
    // 60 settled deliveries, one a millisecond apart, the newest answering markup.
    const base = Date.now() - 60_000;
    const rows = Array.from({ length: 60 }, (_, i) => {
      const at = base + i;
      const answer = i === 59 ? '<script>alert(1)</script>' : `ok ${i}`;
      return `('${randomUUID()}', '${client.org_id}', '${hook.id}', 'status-update', '{}', 'delivered', 1, ` +
        `${at}, ${at + 86_400_000}, 200, 5, '${answer}', ${at}, ${at})`;
    });
    sql(srv, 'INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event, body, status, attempts, ' +
      'next_attempt_at, retry_until, last_status_code, last_duration_ms, last_response, created_at, updated_at) ' +
      `VALUES ${rows.join(', ')};`);
    cookie = await loginSession(srv, 'hooks@agency.test', 'hook-pass-123');
  });
  after(async () => { await srv?.stop(); });

  it('the client\'s endpoints through ?org=, not as the agency itself', async () => {
    const own = await page(srv, cookie, '/dashboard/webhooks');
    assert.equal(own.status, 200);
    assert.ok(!own.text.includes('hooks.example.com'), 'the agency has no endpoint of its own');
    const theirs = await page(srv, cookie, `/dashboard/webhooks?org=${client.org_id}`);
    assert.equal(theirs.status, 200);
    assert.match(theirs.text, /Webhooks of Hook Client/);
    assert.match(theirs.text, /https:\/\/hooks\.example\.com\/in/);
    assert.match(theirs.text, /signing endpoint/);
    assert.match(theirs.text, /name="event_balance\.low"/);
    assert.match(theirs.text, /id="alerts-form"/);
  });

  it('the delivery log: 50 a page, newest first, escaped, then the older ones', async () => {
    const first = await page(srv, cookie, `/dashboard/webhooks/${hook.id}?org=${client.org_id}`);
    assert.equal(first.status, 200, first.text.slice(0, 300));
    const ids = [...first.text.matchAll(/<tr id="delivery-([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(ids.length, 50);
    assert.ok(!first.text.includes('<script>alert(1)</script>'), 'the answer is escaped');
    assert.match(first.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.equal((first.text.match(/>Resend</g) || []).length, 50);
    const next = first.text.match(/id="next-page" href="([^"]+)"/);
    assert.ok(next, 'a link to the older deliveries');
    const second = await page(srv, cookie, next[1].replace(/&amp;/g, '&'));
    assert.equal(second.status, 200);
    const more = [...second.text.matchAll(/<tr id="delivery-([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(more.length, 10);
    assert.equal(new Set([...ids, ...more]).size, 60);
    assert.ok(!/id="next-page"/.test(second.text));
    assert.match(second.text, /ok 0</);
  });

  it('another org\'s endpoint is 404; so is the client\'s without ?org=', async () => {
    const r = await page(srv, cookie, `/dashboard/webhooks/${strangerHook.id}?org=${client.org_id}`);
    assert.equal(r.status, 404);
    assert.equal((await page(srv, cookie, `/dashboard/webhooks/${hook.id}`)).status, 404);
    assert.equal((await page(srv, cookie, `/dashboard/webhooks/not-an-id?org=${client.org_id}`)).status, 404);
  });
});
