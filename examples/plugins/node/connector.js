// connector.js: a dsrhost connector for the demo CRM (examples/genericrest/
// demoapi): access finds the subject's contacts, deletion deletes them one
// by one. The CRM's API:
//
//   GET    /v1/me                            200 when the bearer token is good
//   GET    /v1/contacts?email=&limit=&after= {"results": [...], "paging": {"next": {"after": "..."}}}
//   DELETE /v1/contacts/{id}                 204, or 404 when already gone
'use strict';

// settings holds each integration's settings: one plugin process serves
// every integration that uses the plugin, and each job names its own.
const settings = new Map();

const schema = {
  attributes: [
    { name: 'url', type: 'ATTRIBUTE_TYPE_STRING', required: true, description: "The CRM API's address, such as https://crm.example/v1." },
    { name: 'token', type: 'ATTRIBUTE_TYPE_STRING', required: true, sensitive: true, description: 'A bearer token with contacts.read and contacts.write.' },
  ],
};

function describe() {
  return {
    name: 'node-crm', version: '0.1.0', type: 'INTEGRATION_TYPE_SYNCHRONOUS_API',
    description: 'The demo CRM, from a connector written in Node.js.',
    capabilities: ['CAPABILITY_ACCESS', 'CAPABILITY_DELETE'],
    settingsSchema: schema,
  };
}

// problem is an error in the wire shape. Its message names what failed,
// never the subject nor a URL (whose query holds the email).
function problem(type, message, status = 0, remediation = '', retryAfterSeconds = 0) {
  const retryable = ['ERROR_TYPE_RATE_LIMITED', 'ERROR_TYPE_UNAVAILABLE', 'ERROR_TYPE_TIMEOUT'].includes(type);
  const e = { type, message, statusCode: status, remediation, retryable };
  if (retryAfterSeconds > 0) e.retryAfter = { seconds: retryAfterSeconds, nanos: 0 };
  return e;
}

// statusProblem maps a CRM answer that is not 2xx.
function statusProblem(what, res) {
  const s = res.status;
  if (s === 401) return problem('ERROR_TYPE_AUTH', `the CRM refused the token (${what})`, s, 'Set settings.token to a valid CRM token.');
  if (s === 403) return problem('ERROR_TYPE_PERMISSION', `the token lacks a scope (${what})`, s, 'Give the token contacts.read and contacts.write.');
  if (s === 404) return problem('ERROR_TYPE_NOT_FOUND', `the CRM found nothing (${what})`, s, 'Check settings.url.');
  if (s === 429) {
    const wait = Number.parseInt(res.headers.get('retry-after') || '0', 10);
    return problem('ERROR_TYPE_RATE_LIMITED', `the CRM is rate limited (${what})`, s, 'Retried automatically.', wait > 0 ? wait : 0);
  }
  if (s >= 500) return problem('ERROR_TYPE_UNAVAILABLE', `the CRM is unavailable (${what})`, s, 'Retried automatically.');
  return problem('ERROR_TYPE_INTERNAL', `the CRM rejected the request (${what})`, s, 'Report this to the connector author.');
}

// call makes one request; it returns the response or a problem.
async function call(s, method, path) {
  try {
    const res = await fetch(s.url.replace(/\/$/, '') + path, {
      method, headers: { Authorization: `Bearer ${s.token}`, Accept: 'application/json' }, signal: AbortSignal.timeout(30000),
    });
    return { res };
  } catch (err) {
    const type = err && err.name === 'TimeoutError' ? 'ERROR_TYPE_TIMEOUT' : 'ERROR_TYPE_UNAVAILABLE';
    return { error: problem(type, `the CRM could not be reached (${method})`, 0, 'Check settings.url and the network.') };
  }
}

async function configure(req, log) {
  let given = {};
  try {
    given = JSON.parse(Buffer.from(req.settingsJson).toString() || '{}') || {};
  } catch {
    return { diagnostics: [{ severity: 'SEVERITY_ERROR', summary: 'Settings are not a JSON object' }] };
  }
  const diagnostics = [];
  for (const a of schema.attributes) {
    if (a.required && (typeof given[a.name] !== 'string' || given[a.name] === '')) {
      diagnostics.push({ severity: 'SEVERITY_ERROR', summary: 'Missing required setting', detail: `Set ${a.name}: ${a.description}`, attributePath: [a.name] });
    }
  }
  if (diagnostics.length === 0 && !/^https?:\/\//.test(given.url)) {
    diagnostics.push({ severity: 'SEVERITY_ERROR', summary: 'Invalid URL', detail: 'url must start with http:// or https://.', attributePath: ['url'] });
  }
  if (diagnostics.length === 0 && !req.validateOnly) {
    const { res, error } = await call(given, 'GET', '/me');
    const refused = error || (res.ok ? null : statusProblem('me', res));
    if (refused) {
      diagnostics.push({ severity: 'SEVERITY_ERROR', summary: refused.message, detail: refused.remediation, attributePath: ['token'], error: refused });
    }
  }
  // A check (validateOnly) or refused settings leave the running ones.
  if (diagnostics.length === 0 && !req.validateOnly) {
    settings.set(req.integration, { url: given.url, token: given.token });
    log.info('configured', { integration: req.integration });
  }
  return { diagnostics };
}

function configured(job) {
  const s = settings.get(job.integration);
  return s ? { s } : { error: problem('ERROR_TYPE_INVALID_CONFIG', `integration ${job.integration} is not configured`) };
}

async function access(req) {
  const { s, error } = configured(req.job);
  if (error) return { error };
  const records = [];
  let after = '';
  do {
    const query = new URLSearchParams({ email: req.job.subject.email, limit: '100' });
    if (after) query.set('after', after);
    const { res, error: callError } = await call(s, 'GET', `/contacts?${query}`);
    if (callError) return { error: callError };
    if (!res.ok) return { error: statusProblem('contacts', res) };
    const page = await res.json();
    for (const c of page.results || []) {
      records.push({ id: String(c.id), kind: 'contact', dataJson: Buffer.from(JSON.stringify(c)) });
    }
    after = page.paging && page.paging.next ? page.paging.next.after : '';
  } while (after);
  return { result: { records } };
}

async function pollAccess() {
  return { error: problem('ERROR_TYPE_INVALID_CONFIG', 'this connector answers access at once; there is nothing to poll') };
}

// delete deletes each record; one already gone (404) counts as deleted,
// since a job may be delivered twice.
async function deleteRecords(req) {
  const { s, error } = configured(req.job);
  if (error) return { error };
  let deleted = 0;
  for (const r of req.records) {
    const { res, error: callError } = await call(s, 'DELETE', `/contacts/${encodeURIComponent(r.id)}`);
    if (callError) return { error: callError };
    if (!res.ok && res.status !== 404) return { error: statusProblem('delete contact', res) };
    deleted++;
  }
  return { result: { recordsDeleted: deleted } };
}

async function pollDelete() {
  return { error: problem('ERROR_TYPE_INVALID_CONFIG', 'this connector deletes at once; there is nothing to poll') };
}

module.exports = { describe, configure, access, pollAccess, delete: deleteRecords, pollDelete };
