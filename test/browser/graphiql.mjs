// Loads GraphiQL at URL in headless Chromium (CHROMIUM, or
// /usr/bin/chromium), checks that it opened on its example query, runs it
// with the run button, and prints what the panes hold as JSON:
// {"query": ..., "result": ...}. node graphiql.mjs URL
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
  const explorer = await page.locator('[aria-label="Show GraphiQL Explorer"]').count();
  process.stdout.write(JSON.stringify({ query, result, explorer, failed }));
} finally {
  await browser.close();
}
