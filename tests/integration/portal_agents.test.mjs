// The client portal shows a client its own agents (read only): the ones its
// agency made for it through X-Organization-Id, not a sibling client's.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, sql } from './lib.mjs';
import { startFakeStripe } from './fake_stripe.mjs';
import { agencyWithPortal, PortalClient, signUp } from './portal_lib.mjs';

describe('agents on the client portal', { timeout: 120_000 }, () => {
  let srv, fake, agency;
  before(async () => {
    fake = await startFakeStripe();
    srv = await startServer({ env: { WLPORTAL_STRIPE_API: fake.url } });
    agency = await agencyWithPortal(srv, 'agentsco', { fake, company_name: 'Agents Co' });
  });
  after(async () => {
    await srv?.stop();
    await fake?.close();
  });

  it('a client sees its own agents and not its sibling\'s', async () => {
    const ann = new PortalClient(srv, { slug: 'agentsco' });
    const bob = new PortalClient(srv, { slug: 'agentsco' });
    assert.equal((await signUp(ann, 'ann@clients.example.test')).status, 303);
    assert.equal((await signUp(bob, 'bob@clients.example.test')).status, 303);
    const orgOf = (email) => sql(srv, `SELECT org_id FROM users WHERE email = '${email}'`).trim();
    const annOrg = orgOf('ann@clients.example.test');

    let page = await ann.get('/dashboard');
    assert.equal(page.status, 200);
    assert.match(page.text, /id="agents-empty"/);

    const made = await api(srv, 'POST', '/api/v1/agents', { key: agency.api_key,
      headers: { 'X-Organization-Id': annOrg }, body: { name: 'Ann <Receptionist>', language: 'en-GB', voice_id: 'verse' } });
    assert.equal(made.status, 201, made.text);

    page = await ann.get('/dashboard');
    assert.match(page.text, /<td class="agent-name">Ann &lt;Receptionist&gt;<\/td><td>en-GB<\/td><td>verse<\/td>/);
    assert.doesNotMatch(page.text, /action="[^"]*agents/, 'read only: no agent forms');
    page = await bob.get('/dashboard');
    assert.match(page.text, /id="agents-empty"/);
    assert.doesNotMatch(page.text, /Receptionist/);
  });
});
