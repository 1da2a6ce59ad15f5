// Knowledge bases and their documents: upload as a raw body or as
// multipart/form-data (text, Markdown, CSV, PDF; other types 422), the
// SHA-256 returned, download with its type, the text pdftotext extracts
// from a PDF (a PDF written by hand here), delete; the file size limit
// (413 with the contract body) and the org's quota (422); tenant
// isolation; If-Match on the knowledge base itself.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  startServer, createOrg, api, request, assertError, UUID_RE, randomUUID,
} from './lib.mjs';

// A one-page PDF with one line of text in Helvetica, its xref offsets computed.
function tinyPdf(line) {
  const stream = `BT /F1 18 Tf 20 100 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function multipart(filename, type, data, boundary = 'wlb' + randomBytes(8).toString('hex')) {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nignored field\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
    (type ? `Content-Type: ${type}\r\n` : '') + '\r\n';
  const body = Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

describe('knowledge bases and documents', { timeout: 180_000 }, () => {
  let srv, agency, client, sibling;
  const MAX = 64 * 1024;
  const QUOTA = 160 * 1024;
  before(async () => {
    srv = await startServer({ env: { WLPORTAL_KB_MAX_FILE_BYTES: String(MAX), WLPORTAL_KB_ORG_QUOTA_BYTES: String(QUOTA) } });
    agency = createOrg(srv, { minutes: 10 });
    client = createOrg(srv, { parent: agency.org_id });
    sibling = createOrg(srv, { parent: agency.org_id });
  });
  after(async () => { await srv?.stop(); });

  const upload = (key, kb, data, type, { query = '', headers = {} } = {}) =>
    api(srv, 'POST', `/api/v1/knowledge-bases/${kb}/documents${query}`, { key, rawBody: data, headers: { 'Content-Type': type, ...headers } });

  it('creates knowledge bases, uploads, lists, downloads and deletes documents', async () => {
    const key = client.api_key;
    const kb = await api(srv, 'POST', '/api/v1/knowledge-bases', { key, body: { name: 'Practice', description: 'Opening hours and prices' } });
    assert.equal(kb.status, 201, kb.text);
    assert.match(kb.json.id, UUID_RE);
    assert.equal(kb.json.document_count, 0);

    const text = Buffer.from('Wij zijn open van 9 tot 5. Prijs: € 40\n');
    const t = await upload(key, kb.json.id, text, 'text/plain; charset=utf-8', { query: '?filename=hours.txt' });
    assert.equal(t.status, 201, t.text);
    assert.equal(t.json.sha256, sha256(text));
    assert.equal(t.json.size_bytes, text.length);
    assert.equal(t.json.content_type, 'text/plain');
    assert.equal(t.json.filename, 'hours.txt');

    const md = multipart('faq.md', 'text/markdown', Buffer.from('# FAQ\n\n* parking: yes\n'));
    const m = await upload(key, kb.json.id, md.body, md.type);
    assert.equal(m.status, 201, m.text);
    assert.equal(m.json.filename, 'faq.md');
    assert.equal(m.json.content_type, 'text/markdown');
    // A part sent as application/octet-stream takes its type from its name.
    const csv = multipart('prices.csv', 'application/octet-stream', Buffer.from('item,price\ncleaning,40\n'));
    const c = await upload(key, kb.json.id, csv.body, csv.type);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.content_type, 'text/csv');

    const list = await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents`, { key });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.documents.map((d) => d.id), [t.json.id, m.json.id, c.json.id]);
    const kbNow = await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}`, { key });
    assert.equal(kbNow.json.document_count, 3);

    const dl = await request(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${t.json.id}/content`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(dl.text, text.toString('utf8'));
    assert.match(dl.headers['content-disposition'], /attachment; filename="hours.txt"/);
    const dlm = await request(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${m.json.id}/content`, { headers: { Authorization: `Bearer ${key}` } });
    assert.match(dlm.headers['content-type'], /^text\/markdown/);

    assert.equal((await api(srv, 'DELETE', `/api/v1/knowledge-bases/${kb.json.id}/documents/${c.json.id}`, { key })).status, 200);
    assertError(await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${c.json.id}`, { key }), 404, 'not_found');
    assertError(await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${c.json.id}/content`, { key }), 404, 'not_found');
  });

  it('extracts and keeps the text of a PDF', async () => {
    const key = client.api_key;
    const kb = await api(srv, 'POST', '/api/v1/knowledge-bases', { key, body: { name: 'Brochures' } });
    const pdf = tinyPdf('Opening hours Monday to Friday 9 to 17');
    const up = multipart('brochure.pdf', 'application/pdf', pdf);
    const r = await upload(key, kb.json.id, up.body, up.type);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.content_type, 'application/pdf');
    assert.equal(r.json.sha256, sha256(pdf));
    assert.ok(r.json.text_bytes > 0, r.text);
    const txt = await request(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${r.json.id}/text`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(txt.status, 200, txt.text);
    assert.match(txt.headers['content-type'], /^text\/plain/);
    assert.match(txt.text, /Opening hours Monday to Friday 9 to 17/);
    // The PDF itself comes back byte for byte.
    const raw = await new Promise((resolve, reject) => {
      import('node:http').then(({ default: http }) => {
        const req = http.get({ host: '127.0.0.1', port: srv.port, path: `/api/v1/knowledge-bases/${kb.json.id}/documents/${r.json.id}/content`, headers: { Authorization: `Bearer ${key}` } }, (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
      });
    });
    assert.equal(raw.status, 200);
    assert.equal(raw.type, 'application/pdf');
    assert.equal(sha256(raw.body), sha256(pdf));
    // Raw PDF body too; something that only claims to be a PDF is refused.
    const r2 = await upload(key, kb.json.id, pdf, 'application/pdf');
    assert.equal(r2.status, 201, r2.text);
    const fake = await upload(key, kb.json.id, Buffer.from('not a pdf at all'), 'application/pdf');
    assert.equal(fake.status, 422, fake.text);
    assert.ok('file' in fake.json.error.fields, fake.text);
  });

  it('refuses other types, bad names, empty files and non-UTF-8 text', async () => {
    const key = client.api_key;
    const kb = (await api(srv, 'POST', '/api/v1/knowledge-bases', { key, body: { name: 'Refusals' } })).json;
    for (const type of ['image/png', 'application/zip', 'text/html', '']) {
      const r = await upload(key, kb.id, Buffer.from('data'), type);
      assert.ok([415, 422].includes(r.status), `${type}: ${r.text}`);
    }
    const exe = multipart('tool.exe', 'application/octet-stream', Buffer.from('MZ'));
    assert.equal((await upload(key, kb.id, exe.body, exe.type)).status, 422);
    const empty = await upload(key, kb.id, Buffer.alloc(0), 'text/plain');
    assert.equal(empty.status, 422, empty.text);
    const latin1 = await upload(key, kb.id, Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'text/plain');
    assert.equal(latin1.status, 422, latin1.text);
    const slash = await upload(key, kb.id, Buffer.from('x'), 'text/plain', { query: '?filename=a%2Fb.txt' });
    assert.equal(slash.status, 422, slash.text);
    const broken = await upload(key, kb.id, Buffer.from('--nope\r\n'), 'multipart/form-data; boundary=other');
    assert.equal(broken.status, 400, broken.text);
    const docs = await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.id}/documents`, { key });
    assert.equal(docs.json.documents.length, 0);
  });

  it('a file over the limit is 413, past the quota is 422, and neither is stored', async () => {
    const key = sibling.api_key;
    const kb = (await api(srv, 'POST', '/api/v1/knowledge-bases', { key, body: { name: 'Big' } })).json;
    // Just over the file limit but within the body's room: refused by size.
    const over = await upload(key, kb.id, Buffer.alloc(MAX + 1, 0x61), 'text/plain');
    assertError(over, 413, 'too_large');
    // Far past it: refused before the body is read.
    const huge = await upload(key, kb.id, Buffer.alloc(MAX + 200 * 1024, 0x61), 'text/plain');
    assertError(huge, 413, 'too_large');
    const mp = multipart('big.txt', 'text/plain', Buffer.alloc(MAX + 1, 0x62));
    assertError(await upload(key, kb.id, mp.body, mp.type), 413, 'too_large');
    // Exactly the limit is fine; two of them fit the quota, the third does not.
    const full = Buffer.alloc(MAX, 0x63);
    for (let i = 0; i < 2; i++) {
      const ok = await upload(key, kb.id, full, 'text/plain');
      assert.equal(ok.status, 201, ok.text);
    }
    const past = await upload(key, kb.id, full, 'text/plain');
    assert.equal(past.status, 422, past.text);
    assert.equal(past.json.error.code, 'validation_failed');
    assert.match(past.json.error.message, /quota/i);
    assert.ok('file' in past.json.error.fields);
    const docs = await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.id}/documents`, { key });
    assert.equal(docs.json.documents.length, 2);
    // Another org's quota is its own.
    const other = (await api(srv, 'POST', '/api/v1/knowledge-bases', { key: client.api_key, body: { name: 'Own quota' } })).json;
    assert.equal((await upload(client.api_key, other.id, Buffer.alloc(1000, 0x64), 'text/plain')).status, 201);
    // Deleting frees the room.
    assert.equal((await api(srv, 'DELETE', `/api/v1/knowledge-bases/${kb.id}/documents/${docs.json.documents[0].id}`, { key })).status, 200);
    assert.equal((await upload(key, kb.id, full, 'text/plain')).status, 201);
  });

  it('tenant isolation, If-Match, and knowledge bases in use by an agent', async () => {
    const key = client.api_key;
    const kb = await api(srv, 'POST', '/api/v1/knowledge-bases', { key, body: { name: 'Private' } });
    const doc = await upload(key, kb.json.id, Buffer.from('secret price list'), 'text/plain');
    const paths = [
      ['GET', `/api/v1/knowledge-bases/${kb.json.id}`], ['PATCH', `/api/v1/knowledge-bases/${kb.json.id}`],
      ['DELETE', `/api/v1/knowledge-bases/${kb.json.id}`], ['GET', `/api/v1/knowledge-bases/${kb.json.id}/documents`],
      ['GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}`],
      ['GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}/content`],
      ['GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}/text`],
      ['DELETE', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}`],
    ];
    for (const k of [sibling.api_key, agency.api_key]) {
      for (const [method, path] of paths) {
        const r = await api(srv, method, path, { key: k, body: method === 'PATCH' ? { name: 'x' } : undefined });
        assertError(r, 404, 'not_found', `${method} ${path}`);
      }
      assertError(await upload(k, kb.json.id, Buffer.from('intruder'), 'text/plain'), 404, 'not_found');
    }
    assertError(await api(srv, 'GET', `/api/v1/knowledge-bases/${randomUUID()}/documents`, { key }), 404, 'not_found');
    // The agency, acting as its client, reads it.
    const asClient = { key: agency.api_key, headers: { 'X-Organization-Id': client.org_id } };
    const g = await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}/content`, asClient);
    assert.equal(g.status, 200);
    assert.equal(g.text, 'secret price list');

    const p = await api(srv, 'PATCH', `/api/v1/knowledge-bases/${kb.json.id}`, { key, headers: { 'If-Match': kb.headers.etag }, body: { description: 'v2' } });
    assert.equal(p.status, 200, p.text);
    assertError(await api(srv, 'PATCH', `/api/v1/knowledge-bases/${kb.json.id}`, { key, headers: { 'If-Match': kb.headers.etag }, body: { description: 'v3' } }), 412, 'precondition_failed');

    const agent = await api(srv, 'POST', '/api/v1/agents', { key, body: { name: 'Reader', knowledge_base_ids: [kb.json.id] } });
    assert.equal(agent.status, 201, agent.text);
    assertError(await api(srv, 'DELETE', `/api/v1/knowledge-bases/${kb.json.id}`, { key }), 409, 'conflict');
    assert.equal((await api(srv, 'PATCH', `/api/v1/agents/${agent.json.id}`, { key, body: { knowledge_base_ids: [] } })).status, 200);
    assert.equal((await api(srv, 'DELETE', `/api/v1/knowledge-bases/${kb.json.id}`, { key })).status, 200);
    assertError(await api(srv, 'GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${doc.json.id}`, { key }), 404, 'not_found');
  });
});
