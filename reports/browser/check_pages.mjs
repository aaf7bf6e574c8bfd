// Open every page of the built dashboard in headless Chromium (Debian's /usr/bin/chromium,
// never a downloaded browser), keep what a reader sees, and write it down for the test.
//
//   node reports/browser/check_pages.mjs BASE_URL PAGES_JSON OUT_DIR
//
// BASE_URL: where the site is served (http://127.0.0.1:PORT/). PAGES_JSON: the site's
// build.json (its "pages" list). OUT_DIR: gets one PNG screenshot per page and results.json:
// per page, its title, the console errors, failed requests and uncaught exceptions, and the
// text of every element with a data-testid (with the data-segment, data-code, data-entity,
// data-group, data-reason, data-family, data-from, data-to, data-model, data-parameter of the
// element or its nearest ancestor that has one), which tests/python/test_dashboard.py compares
// with the marts.
// CHROMIUM overrides the browser's path.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [baseUrl, pagesJson, outDir] = process.argv.slice(2);
if (!baseUrl || !pagesJson || !outDir) {
	console.error('usage: node check_pages.mjs BASE_URL PAGES_JSON OUT_DIR');
	process.exit(2);
}
const pages = JSON.parse(fs.readFileSync(pagesJson, 'utf8')).pages;
const userDataDir = fs.mkdtempSync(path.join(outDir, 'chromium-profile-'));
fs.mkdirSync(path.join(outDir, 'screenshots'), { recursive: true });

const context = await chromium.launchPersistentContext(userDataDir, {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: [
		'--headless',
		'--no-sandbox',
		'--disable-gpu',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run'
	],
	viewport: { width: 1280, height: 900 }
});

const results = {};
try {
	for (const name of pages) {
		const page = await context.newPage();
		const problems = { console_errors: [], page_errors: [], failed_requests: [] };
		page.on('console', (message) => {
			if (message.type() === 'error') problems.console_errors.push(message.text());
		});
		page.on('pageerror', (error) => problems.page_errors.push(String(error)));
		page.on('requestfailed', (request) =>
			problems.failed_requests.push(`${request.url()}: ${request.failure()?.errorText}`)
		);
		page.on('response', (response) => {
			if (response.status() >= 400)
				problems.failed_requests.push(`${response.url()}: HTTP ${response.status()}`);
		});
		const response = await page.goto(new URL(name, baseUrl).href, { waitUntil: 'load' });
		const shown = await page.evaluate(() =>
			Array.from(document.querySelectorAll('[data-testid]')).map((element) => {
				// Each key from the nearest element (itself or an ancestor) that carries it: a cell's
				// data-to, its row's data-from, its section's data-family.
				const keys = {};
				for (const key of ['segment', 'code', 'entity', 'group', 'reason', 'family', 'from', 'to', 'model', 'parameter']) {
					const holder = element.closest(`[data-${key}]`);
					if (holder) keys[key] = holder.dataset[key];
				}
				return { testid: element.dataset.testid, text: element.innerText.trim(), ...keys };
			})
		);
		const screenshot = path.join(outDir, 'screenshots', name.replaceAll('/', '__').replace(/\.html$/, '.png'));
		await page.screenshot({ path: screenshot, fullPage: true });
		results[name] = {
			status: response ? response.status() : null,
			title: await page.title(),
			heading: (await page.locator('h1').first().innerText()).trim(),
			screenshot,
			shown,
			...problems
		};
		await page.close();
	}
} finally {
	await context.close();
	fs.rmSync(userDataDir, { recursive: true, force: true });
}
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
console.log(`checked ${Object.keys(results).length} pages: ${path.join(outDir, 'results.json')}`);
