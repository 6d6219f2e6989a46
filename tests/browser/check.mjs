// Headless Chromium checks of rind's pages, driven by tests/browser.rs.
//
//   node tests/browser/check.mjs PLAN.json
//
// The plan (JSON) names a base URL, the viewports to check at, and a list of pages. Each
// viewport gets one fresh browser context (its own cookies), in which the pages are
// visited in order; each page is reached by steps (goto, fill, check, select, set_value,
// click) and then checked:
//   - the main document answered the expected HTTP status (200 unless the page says);
//   - no console error, uncaught exception, failed request or HTTP error on any other
//     request happened while it was reached and shown;
//   - axe-core finds no `serious` or `critical` violation (the minor and moderate ones are
//     printed as notes, not failures);
//   - optionally (`reflow`), nothing scrolls sideways (WCAG 1.4.10 at 320-360 px);
//   - a full-page PNG is saved to `screenshots/<page>-<viewport>.png`.
// Exit status: 0 all passed, 1 a check failed (the report says which and why), 2 the plan
// or the browser could not be used at all.
//
// Plan:
// {
//   "name": "survey",
//   "base": "http://127.0.0.1:41234",
//   "screenshots": "/abs/path/target/browser-screenshots/sqlite/survey",
//   "reflow": true,
//   "viewports": [{"name": "desktop", "width": 1280, "height": 800,
//                  "vars": {"link": "/s/..."}}, ...],
//   "pages": [
//     {"name": "signin", "steps": [{"goto": "/signin"}]},
//     {"name": "overview", "steps": [{"fill": "#email", "value": "..."},
//        {"fill": "#password", "value": "..."}, {"click": "button[type=submit]"}],
//      "status": 200, "url": "/", "text": "Overview"},
//     ...
//   ]
// }
// `{{name}}` in a page's steps stands for the viewport's `vars.name` (each viewport can
// then answer its own survey link). A page's optional "url" is the path the browser must
// end up on (after redirects), and "text" a string its visible text must contain.
// axe-core runs the rules tagged WCAG 2.0/2.1 A and AA, WCAG 2.2 AA and best-practice.
//
// The app sends a strict Content-Security-Policy (`default-src 'none'`: no script of any
// kind). The pages are visited WITH that policy in force, so a CSP violation (an inline
// style, a stray script) shows up as the console error it is. axe-core is therefore not
// added with `addScriptTag` (which the CSP blocks), and the context does not use
// `bypassCSP`: its source is evaluated through the Chrome DevTools Protocol
// (`Runtime.evaluate` on a CDP session of the page), which, like the DevTools console, is
// not subject to the page's CSP. axe-core itself needs no `eval`.

import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function usage(message) {
  console.error(`check.mjs: ${message}`);
  console.error('usage: node tests/browser/check.mjs PLAN.json');
  process.exit(2);
}

let chromium;
let axeSource;
try {
  ({ chromium } = require('playwright-core'));
  axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  usage(
    `cannot load playwright-core or axe-core (${e.message}); run \`cd tests/browser && npm ci\` (or \`bash .ci/run\`)`,
  );
}

const planPath = process.argv[2];
if (!planPath) usage('no plan given');
let plan;
try {
  plan = JSON.parse(readFileSync(planPath, 'utf8'));
} catch (e) {
  usage(`cannot read the plan ${planPath}: ${e.message}`);
}
for (const key of ['name', 'base', 'screenshots', 'viewports', 'pages']) {
  if (plan[key] === undefined) usage(`the plan has no "${key}"`);
}

const executablePath = process.env.RIND_CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 15_000;
// Rules at these impacts fail the check; the others are reported as notes.
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** Runs axe-core in the page through CDP (see the header) and returns its results. */
async function runAxe(context, page) {
  const cdp = await context.newCDPSession(page);
  try {
    const injected = await cdp.send('Runtime.evaluate', {
      expression: `${axeSource};\ntypeof axe`,
      returnByValue: true,
    });
    if (injected.exceptionDetails || injected.result.value !== 'object') {
      throw new Error(
        `axe-core could not be loaded into the page: ${JSON.stringify(injected.exceptionDetails ?? injected.result)}`,
      );
    }
    const run = await cdp.send('Runtime.evaluate', {
      expression: `axe.run(document, {
          resultTypes: ['violations'],
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }
        }).then(r => JSON.stringify({ violations: r.violations, version: axe.version }))`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (run.exceptionDetails) {
      throw new Error(`axe.run failed: ${JSON.stringify(run.exceptionDetails)}`);
    }
    return JSON.parse(run.result.value);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

function describeViolation(v) {
  const lines = [`[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`];
  for (const node of v.nodes.slice(0, 5)) {
    lines.push(`    at ${node.target.join(' ')}`);
    lines.push(`       ${node.html.slice(0, 200).replace(/\s+/g, ' ')}`);
    if (node.failureSummary) {
      for (const l of node.failureSummary.split('\n')) lines.push(`       ${l.trim()}`);
    }
  }
  if (v.nodes.length > 5) lines.push(`    ... and ${v.nodes.length - 5} more elements`);
  return lines.join('\n');
}

/** One step towards a page. Returns once any navigation it caused has loaded. */
async function step(page, s, base) {
  if (s.goto !== undefined) {
    await page.goto(new URL(s.goto, base).href, { waitUntil: 'load' });
  } else if (s.fill !== undefined) {
    await page.fill(s.fill, String(s.value ?? ''));
  } else if (s.check !== undefined) {
    await page.check(s.check);
  } else if (s.select !== undefined) {
    await page.selectOption(s.select, String(s.value));
  } else if (s.set_value !== undefined) {
    // A tampered or outdated form: the value the control submits, changed in the DOM.
    // (Playwright's evaluate goes through CDP, so the CSP does not stop it.)
    await page.locator(s.set_value).evaluate((el, v) => {
      el.value = v;
    }, String(s.value));
  } else if (s.click !== undefined) {
    // A click on a submit button or link: wait for the next document to load.
    await Promise.all([page.waitForEvent('load'), page.click(s.click)]);
  } else {
    throw new Error(`unknown step ${JSON.stringify(s)}`);
  }
}

/** The page's steps with `{{name}}` replaced by the viewport's `vars` (e.g. its own link). */
function stepsFor(spec, viewport) {
  const vars = viewport.vars ?? {};
  const text = JSON.stringify(spec.steps ?? []).replace(/\{\{(\w+)\}\}/g, (whole, name) => {
    if (vars[name] === undefined) throw new Error(`${spec.name}: no "${name}" in the vars of viewport ${viewport.name}`);
    return String(vars[name]);
  });
  return JSON.parse(text);
}

async function checkViewport(browser, viewport, out) {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    // A phone-sized viewport is also a touch device. (One device pixel per CSS pixel: axe
    // measures in CSS pixels, and the full-page screenshots of long forms stay quick.)
    deviceScaleFactor: 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
    javaScriptEnabled: true,
    bypassCSP: false,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();

  // Everything the browser complains about, tagged with the page being reached.
  let events = [];
  const mainDocs = new Map(); // url -> last status of a main-frame document
  const inflight = new Set();
  page.on('request', (req) => inflight.add(req));
  page.on('requestfinished', (req) => inflight.delete(req));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      events.push({ kind: 'console', text: msg.text(), url: loc?.url ?? '' });
    }
  });
  page.on('pageerror', (err) => events.push({ kind: 'exception', text: String(err) }));
  page.on('requestfailed', (req) => {
    inflight.delete(req);
    // Chromium fetches the favicon on its own, after the page, and aborts that fetch when
    // the next step navigates away: a race of the test's, not a fault of the page. (A
    // favicon that is missing answers 404, which is still reported.)
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && /\/favicon\.[a-z]+$/.test(new URL(req.url()).pathname)) return;
    events.push({
      kind: 'request',
      text: `${req.method()} ${req.url()} failed: ${req.failure()?.errorText ?? 'unknown'}`,
    });
  });
  page.on('response', (res) => {
    const req = res.request();
    const status = res.status();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      if (status < 300 || status >= 400) mainDocs.set(res.url(), status);
      return;
    }
    if (status >= 400) {
      events.push({ kind: 'request', text: `${req.method()} ${res.url()} answered ${status}` });
    }
  });

  for (const spec of plan.pages) {
    const started = Date.now();
    const label = `${plan.name}/${spec.name} @ ${viewport.name} (${viewport.width}px)`;
    const problems = [];
    const notes = [];
    events = [];
    mainDocs.clear();
    const expected = spec.status ?? 200;
    try {
      for (const s of stepsFor(spec, viewport)) await step(page, s, plan.base);
    } catch (e) {
      problems.push(`could not reach the page: ${e.message.split('\n')[0]}`);
    }
    const url = page.url();
    const status = mainDocs.get(url);
    if (status === undefined) {
      problems.push(`no document was loaded for ${url}`);
    } else if (status !== expected) {
      problems.push(`HTTP ${status}, expected ${expected}`);
    }
    if (spec.url !== undefined) {
      const want = new URL(spec.url, plan.base).href;
      if (url !== want) problems.push(`ended on ${url}, expected ${want}`);
    }
    if (spec.text !== undefined && problems.length === 0) {
      const body = await page.locator('body').innerText();
      if (!body.includes(spec.text)) problems.push(`the page does not say "${spec.text}"`);
    }
    // Let late requests (the icon) finish or fail before judging the page. (Cheaper than
    // Playwright's `networkidle`, which always waits 500 ms.)
    for (const until = Date.now() + 5_000; inflight.size > 0 && Date.now() < until; ) {
      await page.waitForTimeout(20);
    }
    for (const req of inflight) {
      problems.push(`request: ${req.method()} ${req.url()} still unanswered after 5 s`);
    }

    for (const ev of events) {
      // Chromium logs the main document's own error status as a console error: that one
      // is expected on the 404 and 410 pages.
      const ownStatus =
        ev.kind === 'console' &&
        expected >= 400 &&
        ev.url === url &&
        ev.text.startsWith(`Failed to load resource: the server responded with a status of ${expected}`);
      if (!ownStatus) problems.push(`${ev.kind}: ${ev.text}${ev.url ? ` (${ev.url})` : ''}`);
    }

    if (plan.reflow) {
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      if (widths.scroll > widths.client + 1) {
        problems.push(
          `the page scrolls sideways: ${widths.scroll}px of content in a ${widths.client}px viewport`,
        );
      }
    }

    const reached = Date.now();
    try {
      const axe = await runAxe(context, page);
      for (const v of axe.violations) {
        if (FAILING_IMPACTS.has(v.impact)) problems.push(`axe ${describeViolation(v)}`);
        else notes.push(`axe ${describeViolation(v)}`);
      }
    } catch (e) {
      problems.push(e.message);
    }

    const checked = Date.now();
    const shot = path.join(plan.screenshots, `${spec.name}-${viewport.name}.png`);
    try {
      await page.screenshot({ path: shot, fullPage: true });
    } catch (e) {
      problems.push(`no screenshot: ${e.message.split('\n')[0]}`);
    }

    const ms = Date.now() - started;
    const times = `reached ${reached - started} ms, axe ${checked - reached} ms, screenshot ${Date.now() - checked} ms`;
    out.push({ label, problems, notes, ms, times, shot, url, status });
  }
  await context.close();
}

const started = Date.now();
let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    // No sandbox (CI runs as root); no background connections (the network is closed, and
    // Chromium's own requests must not show up as failures or slow the pages down).
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
} catch (e) {
  console.error(
    `check.mjs: cannot start Chromium at ${executablePath}: ${e.message.split('\n')[0]}\n` +
      'install it with `apt-get install chromium` (or run `bash .ci/run`), or set RIND_CHROMIUM',
  );
  process.exit(2);
}

mkdirSync(plan.screenshots, { recursive: true });
const results = [];
try {
  for (const viewport of plan.viewports) await checkViewport(browser, viewport, results);
} finally {
  await browser.close();
}

let failed = 0;
for (const r of results) {
  const ok = r.problems.length === 0;
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.label}: HTTP ${r.status ?? '-'}, ${r.ms} ms (${r.times})`);
  console.log(`     ${r.shot}`);
  for (const p of r.problems) console.log(`     - ${p.replace(/\n/g, '\n       ')}`);
  for (const n of r.notes) console.log(`     note: ${n.replace(/\n/g, '\n       ')}`);
}
console.log(
  `${plan.name}: ${results.length} page views checked in ${Date.now() - started} ms, ${failed} with problems`,
);
process.exit(failed === 0 ? 0 : 1);
