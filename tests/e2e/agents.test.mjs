// Browser test of the dashboard's Agents and Phone numbers pages: an agency
// logs in, switches to a client organization with the organization
// switcher, creates an agent there (a refused form keeps what was typed and
// says why), edits it, adds a phone number answered by it, and sees that
// the agent and the number belong to the client (the API agrees) and not
// to the agency. A form saved over a newer version is refused.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, artifacts } from './browser.mjs';
import { startServer, createOrg, api } from '../integration/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const PASSWORD = 'agency-pass-456';

describe('agents and phone numbers in the dashboard', { timeout: 300_000 }, () => {
  let srv, agency, client, browser, page;

  before(async () => {
    srv = await startServer({ env: { WLPORTAL_WEB_DIR: path.join(root, 'web') } });
    agency = createOrg(srv, { name: 'Nova Agency', email: 'owner@nova.test', password: PASSWORD, minutes: 100 });
    client = createOrg(srv, { name: 'Harbor Clinic', email: 'desk@harbor.test', parent: agency.org_id, minutes: 5 });
    ({ browser, page } = await launchBrowser());
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const url = (p) => `${srv.url}${p}`;

  it('an agency switches to a client and creates an agent there', async () => {
    await page.goto(url('/login'));
    await page.fill('input[name=email]', 'owner@nova.test');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await Promise.all([page.waitForNavigation(), page.selectOption('#org-switcher', client.org_id)]);
    assert.match(await page.textContent('.banner-info'), /You are viewing Harbor Clinic/);

    await Promise.all([page.waitForNavigation(), page.click('nav >> text=Agents')]);
    assert.match(page.url(), new RegExp(`/dashboard/agents\\?org=${client.org_id}`));
    assert.match(await page.textContent('h2'), /Agents of Harbor Clinic/);
    await Promise.all([page.waitForNavigation(), page.click('#new-agent')]);

    // A refused form says why and keeps what was typed.
    await page.fill('input[name=name]', 'Harbor receptionist');
    await page.fill('textarea[name=system_prompt]', 'You book appointments for Harbor Clinic.');
    await page.fill('input[name=language]', 'english please');
    const [bad] = await Promise.all([page.waitForNavigation(), page.click('#save-agent')]);
    assert.equal(bad.status(), 422);
    assert.match(await page.textContent('#form-error'), /language/);
    assert.equal(await page.inputValue('input[name=name]'), 'Harbor receptionist');
    assert.equal(await page.inputValue('textarea[name=system_prompt]'), 'You book appointments for Harbor Clinic.');
    await shot('agents-01-refused');

    await page.fill('input[name=language]', 'nl-NL');
    await page.fill('input[name=voice_id]', 'alloy');
    await page.fill('input[name=temperature]', '0.4');
    await page.fill('input[name=first_message]', 'Goedemiddag, Harbor Clinic.');
    await Promise.all([page.waitForNavigation(), page.click('#save-agent')]);
    assert.match(page.url(), new RegExp(`/dashboard/agents\\?org=${client.org_id}&saved=1`));
    assert.match(await page.textContent('#flash'), /Agent saved/);
    assert.deepEqual(await page.$$eval('.agent-name', (n) => n.map((x) => x.textContent)), ['Harbor receptionist']);
    await shot('agents-02-created');

    // The agent is the client's: the API says so, the agency's own list is empty.
    const mine = await api(srv, 'GET', '/api/v1/agents', { key: client.api_key });
    assert.equal(mine.json.agents.length, 1);
    const agent = mine.json.agents[0];
    assert.equal(agent.name, 'Harbor receptionist');
    assert.equal(agent.language, 'nl-NL');
    assert.equal(agent.temperature, 0.4);
    assert.equal(agent.first_message, 'Goedemiddag, Harbor Clinic.');
    assert.equal((await api(srv, 'GET', '/api/v1/agents', { key: agency.api_key })).json.agents.length, 0);

    // Edit it.
    await Promise.all([page.waitForNavigation(), page.click(`#agent-${agent.id} >> text=Edit`)]);
    assert.equal(await page.inputValue('input[name=temperature]'), '0.4');
    await page.fill('input[name=name]', 'Harbor front desk');
    await Promise.all([page.waitForNavigation(), page.click('#save-agent')]);
    assert.deepEqual(await page.$$eval('.agent-name', (n) => n.map((x) => x.textContent)), ['Harbor front desk']);

    // An edit form opened before someone else's change is refused, not saved over it.
    await Promise.all([page.waitForNavigation(), page.click(`#agent-${agent.id} >> text=Edit`)]);
    const patch = await api(srv, 'PATCH', `/api/v1/agents/${agent.id}`, { key: client.api_key, body: { voice_id: 'verse' } });
    assert.equal(patch.status, 200, patch.text);
    await page.fill('input[name=name]', 'Stale edit');
    const [stale] = await Promise.all([page.waitForNavigation(), page.click('#save-agent')]);
    assert.equal(stale.status(), 412);
    assert.match(await page.textContent('#form-error'), /changed this agent after you opened it/);
    assert.equal((await api(srv, 'GET', `/api/v1/agents/${agent.id}`, { key: client.api_key })).json.name, 'Harbor front desk');
  });

  it('adds a phone number for the client, answered by its agent', async () => {
    await page.goto(url(`/dashboard/numbers?org=${client.org_id}`));
    assert.match(await page.textContent('h2'), /Add a phone number to Harbor Clinic/);
    await page.fill('#number-form input[name=number]', '0201234567');
    const [bad] = await Promise.all([page.waitForNavigation(), page.click('#add-number')]);
    assert.equal(bad.status(), 422);
    assert.match(await page.textContent('#form-error'), /E\.164/);

    await page.fill('#number-form input[name=number]', '+31207654321');
    await page.fill('#number-form input[name=name]', 'Reception');
    await page.selectOption('#number-form select[name=agent_id]', { label: 'Harbor front desk' });
    await Promise.all([page.waitForNavigation(), page.click('#add-number')]);
    assert.match(await page.textContent('#flash'), /saved/);
    assert.equal((await page.textContent('.number-cell')).trim(), '+31207654321');
    assert.equal((await page.textContent('.agent-cell')).trim(), 'Harbor front desk');
    await shot('agents-03-number');

    const nums = await api(srv, 'GET', '/api/v1/phone-numbers', { key: client.api_key });
    assert.equal(nums.json.phone_numbers.length, 1);
    assert.equal(nums.json.phone_numbers[0].number, '+31207654321');
    const agents = await api(srv, 'GET', '/api/v1/agents', { key: client.api_key });
    assert.equal(nums.json.phone_numbers[0].agent_id, agents.json.agents[0].id);
    // The same number cannot be added twice on the platform.
    await page.fill('#number-form input[name=number]', '+31207654321');
    const [dup] = await Promise.all([page.waitForNavigation(), page.click('#add-number')]);
    assert.equal(dup.status(), 409);
    assert.match(await page.textContent('#form-error'), /in use/);
  });
});
