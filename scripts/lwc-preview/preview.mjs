#!/usr/bin/env node
/* global window, document -- functions passed to page.evaluate run in the browser */
// `npm run lwc:preview`: renders the Ledgerline LWCs outside an org, in every state the Jest tests cover, with the
// real open-source base components (lightning-base-components) and SLDS, in headless Chromium from Debian's
// `chromium` package, and saves one PNG per state to preview/out/. The states and their fixtures are in states.mjs.
// Usage: npm run lwc:preview [-- <state name filter>]. Needs no org and no network; never downloads a browser.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { NOW, STATES, TIME_ZONE } from './states.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '../..');
const LWC_DIR = path.join(ROOT, 'force-app/main/default/lwc');
const LABELS_FILE = path.join(ROOT, 'force-app/main/default/labels/CustomLabels.labels-meta.xml');
const SLDS_ASSETS = path.join(ROOT, 'node_modules/@salesforce-ux/design-system/assets');
const OUT = path.join(ROOT, 'preview/out');
const BUILD = path.join(OUT, 'build');
const STUBS = path.join(HERE, 'stubs');

// Base-component templates trigger a few harmless compiler warnings; everything else is shown.
const QUIET_WARNINGS = /LWC1149|LWC1137|LWC1145|LWC1057|THIS_IS_UNDEFINED|CIRCULAR_DEPENDENCY/;

if (!existsSync(CHROMIUM)) {
  console.error(
    [
      `lwc:preview needs Chromium at ${CHROMIUM}, and it is not there.`,
      'Install the Debian package (the preview never downloads a browser):',
      '  sudo apt-get update && sudo apt-get install -y chromium',
      'or point CHROMIUM_PATH at another Chromium binary.',
    ].join('\n'),
  );
  process.exit(1);
}

/** Our own labels, from the same file the package deploys: fullName → value. */
function readLabels() {
  const parsed = new XMLParser({ isArray: (name) => name === 'labels' }).parse(readFileSync(LABELS_FILE, 'utf8'));
  return Object.fromEntries(parsed.CustomLabels.labels.map((label) => [label.fullName, String(label.value)]));
}

/** One alias per LWC bundle: the DX layout has no <namespace>/<name> folders for the resolver's `dir` records. */
function componentModules() {
  return readdirSync(LWC_DIR)
    .filter((name) => statSync(path.join(LWC_DIR, name)).isDirectory())
    .filter((name) => existsSync(path.join(LWC_DIR, name, `${name}.js`)))
    .map((name) => ({ name: `c/${name}`, path: path.join(LWC_DIR, name, `${name}.js`) }));
}

/** The platform modules an org would supply, placed before lwc() so they win. */
function platformModules(labels) {
  const VIRTUAL = '\0ldgr-preview:';
  const files = {
    'lightning/graphql': 'graphql.js',
    'lightning/uiGraphQLApi': 'graphql.js',
    'lightning/empApi': 'empApi.js',
    'lightning/platformShowToastEvent': 'toast.js',
    'lightning/navigation': 'navigation.js',
    'force/navigation': 'navigation.js',
  };
  return {
    name: 'ldgr-preview-platform',
    resolveId(source) {
      if (files[source]) return path.join(STUBS, files[source]);
      if (
        source === '@salesforce/apex' ||
        source.startsWith('@salesforce/apex/') ||
        source.startsWith('@salesforce/label/c.') ||
        source.startsWith('@salesforce/schema/') ||
        /^@salesforce\/i18n\/(timeZone|locale|currency)$/.test(source)
      ) {
        return VIRTUAL + source;
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const source = id.slice(VIRTUAL.length);
      const runtime = JSON.stringify(path.join(STUBS, 'runtime.js'));
      if (source === '@salesforce/apex') {
        return `export { refreshApex } from ${JSON.stringify(path.join(STUBS, 'apex.js'))};`;
      }
      if (source.startsWith('@salesforce/apex/')) {
        const method = source.slice('@salesforce/apex/'.length);
        return `import { apexMethod } from ${JSON.stringify(path.join(STUBS, 'apex.js'))};
export default apexMethod(${JSON.stringify(method)});`;
      }
      if (source.startsWith('@salesforce/label/c.')) {
        const name = source.slice('@salesforce/label/c.'.length);
        if (!(name in labels)) this.warn(`label c.${name} is not in CustomLabels.labels-meta.xml`);
        return `export default ${JSON.stringify(labels[name] ?? `c.${name}`)};`;
      }
      if (source.startsWith('@salesforce/schema/')) {
        const [objectApiName, fieldApiName] = source.slice('@salesforce/schema/'.length).split('.');
        return `export default ${JSON.stringify(fieldApiName ? { objectApiName, fieldApiName } : { objectApiName })};`;
      }
      const setting = source.slice('@salesforce/i18n/'.length);
      const fallback = { timeZone: TIME_ZONE, locale: 'en-US', currency: 'USD' }[setting];
      return `import { state } from ${runtime};
export default state().${setting} ?? ${JSON.stringify(fallback)};`;
    },
  };
}

async function build() {
  const { rollup } = await import('rollup');
  const { default: lwc } = await import('@lwc/rollup-plugin');
  const { default: replace } = await import('@rollup/plugin-replace');
  const started = Date.now();
  let hidden = 0;
  const bundle = await rollup({
    input: path.join(HERE, 'app.js'),
    plugins: [
      platformModules(readLabels()),
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' },
      }),
      lwc({
        rootDir: ROOT,
        enableDynamicComponents: true,
        modules: [...componentModules(), { npm: 'lightning-base-components' }],
      }),
    ],
    onwarn(warning) {
      if (QUIET_WARNINGS.test(`${warning.code} ${warning.message}`)) hidden += 1;
      else console.warn(`build warning: ${warning.message}`);
    },
  });
  await bundle.write({ dir: BUILD, format: 'es', entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js' });
  await bundle.close();
  console.log(
    `built in ${((Date.now() - started) / 1000).toFixed(1)} s (${hidden} known base-component warnings hidden)`,
  );
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** A small static server: the built page on /, SLDS assets on /slds/. Chromium will not load modules from file://. */
function serve() {
  const server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    let file;
    if (url === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (url === '/' || url === '/index.html') file = path.join(HERE, 'index.html');
    else if (url.startsWith('/slds/')) file = path.join(SLDS_ASSETS, url.slice('/slds/'.length));
    else file = path.join(BUILD, url);
    const allowed = [HERE, SLDS_ASSETS, BUILD].some((dir) => file.startsWith(dir + path.sep));
    if (!allowed || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function screenshot(browser, baseUrl, state) {
  const context = await browser.newContext({
    viewport: { width: state.width + 24, height: 900 },
    deviceScaleFactor: state.phone ? 2 : 1,
    isMobile: !!state.phone,
    hasTouch: !!state.phone,
    locale: state.locale ?? 'en-US',
    timezoneId: state.timeZone ?? TIME_ZONE,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.clock.setFixedTime(new Date(NOW));
  const { waitFor, ...pageState } = state;
  await page.addInitScript((value) => {
    window.__PREVIEW__ = value;
  }, pageState);
  await page.goto(`${baseUrl}/index.html`);
  await page.waitForFunction(() => window.__previewReady === true);
  await page.locator(waitFor).first().waitFor({ timeout: 10000 });

  if (state.action === 'retry') {
    await page.locator('lightning-button.retry button').first().click();
    await page.locator('#toasts .slds-notify').first().waitFor({ timeout: 5000 });
  } else if (state.action === 'expand') {
    const collapsed = page.locator('button.toggle[aria-expanded="false"]');
    while ((await collapsed.count()) > 0) await collapsed.first().click();
    await page.mouse.click(2, 2); // a click on the page margin moves focus away: no focus ring in the picture
  } else if (state.action === 'events') {
    const subscribers = await page.evaluate(() => window.__previewDeliverEvents());
    if (subscribers === 0) problems.push('no Sync_Update__e subscription to deliver to');
  } else if (state.steps) {
    // What a user does in the state, in order: click, fill a field, pick an option, or wait for something to show.
    for (const step of state.steps) {
      if (step.click) await page.locator(step.click).first().click();
      if (step.fill) await page.locator(step.fill[0]).first().fill(step.fill[1]);
      if (step.select) await page.locator(step.select[0]).first().selectOption(step.select[1]);
      if (step.waitFor) await page.locator(step.waitFor).first().waitFor({ timeout: 5000 });
    }
    await page.mouse.click(2, 2); // focus off the last control: no focus ring in the picture
  } else if (state.action === 'hide-show' || state.action === 'focus') {
    // The Page Visibility API and window focus as a browser tab going to the background and coming back.
    const seen = await page.evaluate(async (action) => {
      const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
      const show = (value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      await settle();
      const before = window.__previewSubscriptions();
      let whileHidden = before;
      if (action === 'hide-show') {
        show('hidden');
        await settle();
        whileHidden = window.__previewSubscriptions();
        show('visible');
      }
      window.dispatchEvent(new Event('focus'));
      await settle();
      const refreshes = (window.__previewLog ?? []).filter((entry) => entry === 'refresh:graphql').length;
      return { before, whileHidden, after: window.__previewSubscriptions(), refreshes };
    }, state.action);
    const live = state.apex?.['LiveRefreshController.isEnabled']?.data === true;
    const expected = live
      ? {
          before: 1,
          whileHidden: state.action === 'hide-show' ? 0 : 1,
          after: 1,
          refreshes: state.action === 'hide-show' ? 1 : 0,
        }
      : { before: 0, whileHidden: 0, after: 0, refreshes: 1 };
    if (JSON.stringify(seen) !== JSON.stringify(expected)) {
      problems.push(`live refresh: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`);
    }
  }
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300); // let icons (loaded with dynamic import) and refreshes settle
  const file = path.join(OUT, `${state.name}.png`);
  await page.locator('#frame').screenshot({ path: file });
  await context.close();
  return { file, problems };
}

async function main() {
  const filter = process.argv[2];
  const states = STATES.filter((state) => !filter || state.name.includes(filter));
  if (states.length === 0) throw new Error(`no state matches "${filter}"`);
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await build();

  const { chromium } = await import('playwright-core');
  const server = await serve();
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  let failed = 0;
  try {
    for (const state of states) {
      try {
        const { file, problems } = await screenshot(browser, baseUrl, state);
        console.log(`${problems.length ? 'FAIL' : 'ok  '} ${path.relative(ROOT, file)}  ${state.title}`);
        for (const problem of problems) console.log(`     ${problem}`);
        if (problems.length) failed += 1;
      } catch (error) {
        failed += 1;
        console.log(`FAIL ${state.name}: ${error.message.split('\n')[0]}`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(
    `lwc:preview: ${states.length - failed} of ${states.length} states rendered to ${path.relative(ROOT, OUT)}/`,
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
