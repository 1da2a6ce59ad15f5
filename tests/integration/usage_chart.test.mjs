// The minutes-per-day chart (server-rendered SVG) on the agency dashboard
// (for the org chosen in the switcher) and the client portal's home: a
// known set of days gives its bars (count, tooltips, heights with one huge
// day), the totals beside it equal the usage API's summary, an empty range
// draws no bar, and a range of more than 366 days or a reversed one is a
// clear 400. Calls are made today and moved to their days in the database
// (rows and daily totals together, so `audit` still passes).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, sql, grantMinutes, utcDay, completedCall } from './lib.mjs';
import { loginSession, page } from './dashboard_lib.mjs';
import { agencyWithPortal, PortalClient, signUp } from './portal_lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY);
const dayText = (d) => new Date(d * DAY).toISOString().slice(0, 10);

// Moves each call's usage row to noon of its day and rebuilds the daily
// totals of the orgs involved from their rows.
function moveCalls(srv, moves, orgs) {
  const list = orgs.map((o) => `'${o}'`).join(',');
  const stmts = moves.map(([callId, day]) => `UPDATE usage SET created_at = ${day * DAY + DAY / 2} WHERE call_id = '${callId}';`);
  stmts.push(`DELETE FROM usage_days WHERE org_id IN (${list});`);
  stmts.push('INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) SELECT org_id, 0, created_at / 86400000, ' +
    `SUM(duration_sec), COUNT(*) FROM usage WHERE org_id IN (${list}) GROUP BY org_id, created_at / 86400000;`);
  stmts.push('INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) SELECT billed_org_id, 1, created_at / 86400000, ' +
    `SUM(duration_sec), COUNT(*) FROM usage WHERE billed_org_id IN (${list}) GROUP BY billed_org_id, created_at / 86400000;`);
  sql(srv, stmts.join('\n'));
}

function chart(html) {
  const at = html.indexOf('<svg id="usage-chart"');
  assert.ok(at >= 0, 'the chart is on the page');
  const svg = html.slice(at, html.indexOf('</svg>', at) + 6);
  const bars = [...svg.matchAll(/<rect class="bar" data-date="([^"]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"><title>([^<]*)<\/title><\/rect>/g)]
    .map((m) => ({ date: m[1], x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]), title: m[6] }));
  const text = (id) => {
    const m = html.match(new RegExp(`id="${id}">([^<]*)<`));
    return m ? m[1] : null;
  };
  return { svg, bars, minutes: text('chart-minutes'), calls: text('chart-calls'), cost: text('chart-cost'),
    error: text('chart-error'), empty: html.includes('id="chart-empty"') };
}

describe('minutes per day chart', { timeout: 180_000 }, () => {
  let srv;
  let fake;
  let agency;
  let client;
  let clientOrg;
  let cookie;
  const d10 = today - 10;
  const d3 = today - 3;
  const d1 = today - 1;
  const range = `from=${dayText(today - 14)}&to=${dayText(today)}`;

  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = await agencyWithPortal(srv, `chart${process.pid % 10000}`, { fake });
    assert.equal(grantMinutes(srv, agency.org_id, 100000).status, 0);
    client = new PortalClient(srv, { slug: agency.slug });
    const email = `chart-client-${process.pid}@example.test`;
    const r = await signUp(client, email);
    assert.equal(r.status, 303, r.text);
    clientOrg = sql(srv, `SELECT org_id FROM users WHERE email = '${email}';`).trim();
    assert.ok(clientOrg.length > 0);
    assert.equal(grantMinutes(srv, clientOrg, 100000).status, 0);
    const calls = [];
    for (const [s, day] of [[60, d10], [30, d10], [50000, d3], [1, d1]]) calls.push([await completedCall(srv, clientOrg, s), day]);
    calls.push([await completedCall(srv, agency.org_id, 120), d3]);
    moveCalls(srv, calls, [clientOrg, agency.org_id]);
    cookie = await loginSession(srv, agency.email, agency.password);
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('the agency dashboard, switched to the client: bars, tooltips, one huge day, totals = the API summary', async () => {
    const r = await page(srv, cookie, `/dashboard?org=${clientOrg}&${range}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const c = chart(r.text);
    assert.match(c.svg, /role="img"/);
    assert.match(c.svg, new RegExp(`aria-label="Minutes per day from ${dayText(today - 14)} to ${dayText(today)}: 834.85 minutes in 4 calls"`));
    assert.deepEqual(c.bars.map((b) => b.date), [dayText(d10), dayText(d3), dayText(d1)]);
    assert.equal(c.bars[0].title, `${dayText(d10)}: 1.5 min in 2 calls`);
    assert.equal(c.bars[1].title, `${dayText(d3)}: 833.33 min in 1 call`);
    // the axis: 0 to 1000 min in steps of 200; the huge day at 833.33/1000 of the plot
    assert.deepEqual([...c.svg.matchAll(/text-anchor="end" font-size="11" fill="#6b7280">(\d+)</g)].map((m) => m[1]),
      ['0', '200', '400', '600', '800', '1000']);
    assert.equal(c.bars[1].h, 166.66, 'the huge day sets the scale');
    assert.equal(c.bars[1].y + c.bars[1].h, 212, 'bars stand on the axis');
    assert.equal(c.bars[2].h, 1, 'a 1 s day stays visible');
    assert.ok(c.bars[0].x < c.bars[1].x && c.bars[1].x < c.bars[2].x);
    assert.equal(c.minutes, '834.85');
    assert.equal(c.calls, '4');
    const u = await api(srv, 'GET', `/api/v1/usage?start_date=${dayText(today - 14)}&end_date=${dayText(today)}`,
      { key: agency.api_key, headers: { 'X-Organization-Id': clientOrg } });
    assert.equal(u.status, 200, u.text);
    assert.equal(String(u.json.summary.total_minutes), c.minutes);
    assert.ok(r.text.includes(`name="org" value="${clientOrg}"`), 'the range form keeps the org chosen');
  });

  it("the agency's own dashboard counts what its minutes paid for", async () => {
    const c = chart((await page(srv, cookie, `/dashboard?${range}`)).text);
    assert.equal(c.bars.length, 3);
    assert.equal(c.bars[1].title, `${dayText(d3)}: 835.33 min in 2 calls`);
    assert.equal(c.calls, '5');
    assert.equal(c.cost, '€58.58'); // 836.85 min at the platform price 0.07
  });

  it("the client portal's home draws the same days", async () => {
    const r = await client.get(`/dashboard?${range}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const c = chart(r.text);
    assert.deepEqual(c.bars.map((b) => b.title), [`${dayText(d10)}: 1.5 min in 2 calls`,
      `${dayText(d3)}: 833.33 min in 1 call`, `${dayText(d1)}: 0.02 min in 1 call`]);
    assert.equal(c.minutes, '834.85');
    assert.match(r.text, /action="\/dashboard" class="chart-range"/);
  });

  it('the default range is the last 30 days; an empty range draws no bar', async () => {
    const def = await page(srv, cookie, `/dashboard?org=${clientOrg}`);
    assert.equal(def.status, 200);
    assert.match(def.text, new RegExp(`name="from" value="${dayText(today - 29)}"`));
    assert.match(def.text, new RegExp(`name="to" value="${dayText(today)}"`));
    assert.equal(chart(def.text).bars.length, 3);
    const e = await page(srv, cookie, '/dashboard?from=2020-01-01&to=2020-01-31');
    assert.equal(e.status, 200);
    const c = chart(e.text);
    assert.equal(c.bars.length, 0);
    assert.ok(c.empty);
    assert.equal(c.minutes, '0');
    assert.match(c.svg, /aria-label="Minutes per day from 2020-01-01 to 2020-01-31: 0 minutes in 0 calls"/);
  });

  it('a range of more than 366 days, a reversed or a malformed one is a clear 400', async () => {
    for (const [q, msg] of [['from=2024-01-01&to=2025-01-01', /at most 366 days/],
      ['from=2025-02-01&to=2025-01-01', /must not be after/], ['from=2025-13-01&to=2025-12-31', /start date must be a date/]]) {
      const r = await page(srv, cookie, `/dashboard?${q}`);
      assert.equal(r.status, 400, q);
      assert.match(chart(r.text).error ?? '', msg, q);
      const p = await client.get(`/dashboard?${q}`);
      assert.equal(p.status, 400, q);
    }
    const leap = await page(srv, cookie, '/dashboard?from=2024-01-01&to=2024-12-31'); // 366 days
    assert.equal(leap.status, 200);
  });
});
