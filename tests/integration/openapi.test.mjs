// The OpenAPI document (openapi/openapi.json): served at GET /openapi.json
// as kept in the repository; valid OpenAPI 3.1 and in step with the route
// table (scripts/openapi_check.mjs, which names what is missing where);
// and the response check that lib.mjs's api() applies to every answer of
// the integration suite refuses answers the document does not describe.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, api, request } from './lib.mjs';
import { checkResponse, OPENAPI_FILE } from './openapi_check.mjs';

const CHECK = path.resolve('scripts/openapi_check.mjs');
const ROUTES = path.resolve('src/http/routes.c');

function runCheck(doc, routes = ROUTES) {
  const r = spawnSync(process.execPath, [CHECK, doc, routes], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('openapi document', { timeout: 120_000 }, () => {
  let srv;
  let tmp;
  before(async () => {
    srv = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-openapi-'));
  });
  after(async () => {
    await srv?.stop({ audit: false });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('GET /openapi.json is the document of the repository', async () => {
    const r = await api(srv, 'GET', '/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.deepEqual(r.json, JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')));
    assert.equal(r.json.openapi, '3.1.0');
  });

  it('is valid and documents exactly the routes of src/http/routes.c', () => {
    const r = runCheck(OPENAPI_FILE);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /all documented and nothing else/);
  });

  it('names a route missing from the document and an operation that is no route', () => {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
    delete doc.paths['/api/v1/calls/{id}'];
    doc.paths['/api/v1/nothing'] = { get: doc.paths['/healthz'].get };
    const file = path.join(tmp, 'doc.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = runCheck(file);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /undocumented route: GET \/api\/v1\/calls\/\{id\} \(src\/http\/routes\.c:\d+, api_calls_get\)/);
    assert.match(r.out, /documented but not a route: GET \/api\/v1\/nothing/);
  });

  it('refuses a document that is not valid OpenAPI', () => {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
    doc.paths['/healthz'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Missing' };
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = runCheck(file);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /not valid OpenAPI 3\.1/);
  });

  it('the response check refuses answers the document does not describe', async () => {
    const ok = await request(srv, 'GET', '/healthz');
    checkResponse('GET', '/healthz', ok);
    const json = { 'content-type': 'application/json' };
    // a field missing, a field too many, a status not listed, a wrong error code
    assert.throws(() => checkResponse('GET', '/api/v1/account', { status: 200, headers: json, json: { id: 'x' }, text: '' }),
      /must have required property 'company_name'/);
    assert.throws(() => checkResponse('GET', '/healthz', { status: 200, headers: json, json: { status: 'ok', extra: 1 }, text: '' }),
      /additional properties \(extra\)/);
    assert.throws(() => checkResponse('GET', '/api/v1/account', { status: 418, headers: json, json: {}, text: '{}' }),
      /status 418 is not documented for GET \/api\/v1\/account/);
    assert.throws(() => checkResponse('GET', '/api/v1/calls/abc', { status: 404, headers: json,
      json: { error: { code: 'forbidden', message: 'no' } }, text: '' }), /must be equal to constant/);
    // an unknown path must answer the error body
    const unknown = await api(srv, 'GET', '/api/v1/no-such-thing');
    assert.equal(unknown.status, 404);
    assert.throws(() => checkResponse('GET', '/api/v1/no-such-thing', { ...unknown, json: { oops: true } }),
      /not the error body/);
  });
});
