// The GraphQL-over-HTTP audit of graphql-http against a running server:
//
//	node audit.mjs URL [--header 'Name: value']...
//
// It prints every audit's result and a count of each status, and exits 1
// when any audit answered warn or error (notices are the spec's MAYs and
// pass), 2 when the audit could not run at all. Headers given with
// --header go with every request the audit sends (the CRM test runs it
// once without and once with a CSRF preflight header).
import { auditServer } from 'graphql-http';

const args = process.argv.slice(2);
const headers = {};
let url;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--header') {
    const h = args[++i] ?? '';
    const at = h.indexOf(':');
    if (at <= 0) usage(`--header wants "Name: value", got ${JSON.stringify(h)}`);
    headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  } else if (!url) {
    url = args[i];
  } else {
    usage(`unexpected argument ${JSON.stringify(args[i])}`);
  }
}
if (!url) usage('the URL of the GraphQL endpoint is missing');

function usage(msg) {
  console.error(`${msg}\nusage: node audit.mjs URL [--header 'Name: value']...`);
  process.exit(2);
}

// fetchFn adds the extra headers to each request, unless the audit sets
// the same header itself.
const fetchFn = (input, init = {}) => {
  const h = new Headers(init.headers);
  for (const [k, v] of Object.entries(headers)) if (!h.has(k)) h.set(k, v);
  return fetch(input, { ...init, headers: h });
};

let results;
try {
  results = await auditServer({ url, fetchFn });
} catch (err) {
  console.error(`the audit could not run against ${url}: ${err?.stack ?? err}`);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const r of results) {
  counts[r.status]++;
  let line = `${r.status.padEnd(6)} ${r.id} ${r.name}`;
  if (r.status !== 'ok') {
    let body = '';
    try {
      body = await r.response.text();
    } catch {}
    if (body.length > 300) body = body.slice(0, 300) + '...';
    line += `\n       ${r.reason}: ${r.response.status} ${r.response.headers.get('content-type') ?? ''} ${body}`;
  }
  console.log(line);
}
const extra = Object.keys(headers).length ? ` (with ${Object.keys(headers).join(', ')})` : '';
console.log(`graphql-http audit of ${url}${extra}: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
