// Browser test of the API reference: /docs in headless Chromium draws the
// OpenAPI document with the renderer copied from npm (scripts/vendor.sh),
// served by wlportal itself (no CDN: every request of the page stays on the
// server, and nothing breaks its Content-Security-Policy). Screenshot:
// tests/e2e/artifacts/docs.png.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, artifacts } from './browser.mjs';
import { startServer } from '../integration/lib.mjs';

describe('the API reference at /docs', { timeout: 120_000 }, () => {
  let srv, browser, page;
  before(async () => {
    srv = await startServer();
    ({ browser, page } = await launchBrowser());
  });
  after(async () => {
    await browser?.close();
    await srv?.stop({ audit: false });
  });

  it('renders the title and the routes from /openapi.json', async () => {
    const foreign = [];
    const problems = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(srv.url) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(`${srv.url}/docs`);
    assert.equal(res.status(), 200);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 30_000 });
    const title = await page.textContent('.swagger-ui .info .title');
    assert.match(title, /wlportal API/);
    // The sections start folded (a document of this size drawn all open at
    // once leaves the browser's renderer behind): open two and find a route in each.
    const tags = await page.locator('.opblock-tag').allTextContents();
    assert.ok(tags.length >= 6, `the sections: ${tags.join(', ')}`);
    await page.locator('.opblock-tag', { hasText: 'Platform' }).first().click();
    const account = page.locator('.opblock-summary-path', { hasText: '/api/v1/account' }).first();
    await account.waitFor({ timeout: 30_000 });
    await page.locator('.opblock-tag', { hasText: 'Engine' }).first().click();
    await page.locator('.opblock-summary-path', { hasText: '/engine/v1/calls/{id}/events' }).first()
      .waitFor({ timeout: 30_000 });
    // one operation opens with its responses
    await account.click();
    await page.locator('.responses-table').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(artifacts, 'docs.png'), fullPage: false });
    assert.deepEqual(foreign, [], 'the page loads nothing from elsewhere');
    assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused/.test(p)), [], problems.join('\n'));
  });
});
