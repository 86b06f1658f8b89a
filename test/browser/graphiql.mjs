// Loads GraphiQL at URL in headless Chromium (CHROMIUM, or
// /usr/bin/chromium), runs its example query with the run button, and
// prints as JSON what the panes hold and where GraphiQL loaded a schema
// from: {"query": ..., "result": ..., "introspected": [URL...]}.
// node graphiql.mjs URL
import { chromium } from 'playwright-core';

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // The machine's network is closed: no background connections, no
  // lookups of Google's hosts at start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('pageerror', (e) => failed.push('page error: ' + e.message));
  // The URLs that answered GraphiQL's introspection query with a schema.
  const introspected = [];
  page.on('response', async (r) => {
    if (!(r.request().postData() || '').includes('__schema')) return;
    try {
      const body = await r.json();
      if (body.data && body.data.__schema && !body.errors) introspected.push(r.url());
    } catch (e) {
      failed.push('introspection answer: ' + e.message);
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  const editorText = (selector) => page.evaluate((s) => {
    const cm = document.querySelector(s + ' .CodeMirror');
    return cm ? cm.CodeMirror.getValue() : null;
  }, selector);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 30000 });
  const query = await editorText('.graphiql-query-editor');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => {
    const cm = document.querySelector('.result-window .CodeMirror');
    return cm && cm.CodeMirror.getValue().includes('"data"');
  }, null, { timeout: 30000 });
  const result = await editorText('.result-window');
  for (let i = 0; i < 100 && introspected.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const explorer = await page.locator('[aria-label="Show GraphiQL Explorer"]').count();
  process.stdout.write(JSON.stringify({ query, result, explorer, failed, introspected }));
} finally {
  await browser.close();
}
