// `npm run screenshots`: the README's pictures, taken with headless Chromium (Debian's
// `chromium` package) from a real n8n editor with this package installed, the sandbox running and
// the example workflows imported. Writes PNGs under docs/.
// It also builds a workflow by hand in the editor, as a user would (node creator, action list,
// credential, parameters, Execute step), and fails unless that node outputs the site's 250
// participants. Selectors are n8n's data-test-id attributes, checked against n8n 2.8.4.
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';

import { startSandbox } from '../sandbox';
import { createInstance, ensureN8n, importCredentials, importWorkflow, packPackage, repoRoot, type RunningEditor, startEditor } from './n8nCli';

const OWNER = { email: 'coordinator@example.org', firstName: 'Study', lastName: 'Coordinator', password: 'Sandbox-Editor-1' };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DOCS = path.join(repoRoot, 'docs');
const EXPORT_NODE = 'Export Participant Contacts';
const CREDENTIAL = { id: 'ocSandboxCredential', name: 'OpenClinica sandbox' };
/** Node type of our node as the node creator names it (package name + node name). */
const NODE_TYPE = 'n8n-nodes-openclinica.openClinica';
const ACTION = 'Export participant contacts';
const SITE = { studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS', eligible: 250 };
const testId = (id: string) => `[data-test-id="${id}"]`;

/**
 * What the page callbacks read of a DOM element: tools/ compiles without the DOM lib, and the
 * callbacks run in the browser, so they cast inline (no helper functions there).
 */
interface Dom {
	innerText: string;
	value: string;
	src: string;
	complete: boolean;
	naturalWidth: number;
	getAttribute(name: string): string | null;
}
type Element = NonNullable<Awaited<ReturnType<Page['$']>>>;

async function pause(page: Page, ms: number) {
	await page.evaluate((wait) => new Promise((resolve) => setTimeout(resolve, wait)), ms);
}

/** Runs one step of the hand-built workflow; a failure names the step. */
async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
	process.stdout.write(`  - ${name}\n`);
	try {
		return await action();
	} catch (error) {
		throw new Error(`building the workflow in the editor: cannot ${name}: ${(error as Error).message}`);
	}
}

/** The visible texts of all elements matching a selector. */
async function texts(page: Page, selector: string): Promise<string[]> {
	return await page.$$eval(selector, (elements) => elements.map((e) => (e as unknown as Dom).innerText.trim()));
}

/** The element matching a selector whose visible text is exactly `text`. */
async function byText(page: Page, selector: string, text: string): Promise<Element> {
	for (const element of await page.$$(selector)) {
		if ((await element.evaluate((e) => (e as unknown as Dom).innerText.trim())) === text) return element;
	}
	throw new Error(`no ${selector} reads "${text}"; found: ${JSON.stringify(await texts(page, selector))}`);
}

/**
 * A new workflow: Manual Trigger, then OpenClinica > "Export participant contacts" picked in the
 * node creator, the imported credential, the Boston site, Return All, Execute step. Takes
 * docs/node-creator.png of our node's action list; returns the node's output item count.
 */
async function buildWorkflowInEditor(page: Page, editorUrl: string): Promise<number> {
	await step('open a new workflow', async () => {
		await page.goto(`${editorUrl}/workflow/new`, { waitUntil: 'networkidle2' });
		await page.waitForSelector(testId('canvas-add-button'), { visible: true, timeout: 30_000 });
	});
	await step('add a Manual Trigger from "Add first step"', async () => {
		await page.click(testId('canvas-add-button'));
		await page.waitForSelector(testId('node-creator-search-bar'), { visible: true });
		await page.type(testId('node-creator-search-bar'), 'Manual');
		await page.waitForSelector(testId('node-creator-item-name'), { visible: true });
		await (await byText(page, testId('node-creator-item-name'), 'Manual Trigger')).click();
		await page.waitForSelector(testId('canvas-trigger-node'), { visible: true });
	});
	await step('search "OpenClinica" in the node creator after the trigger', async () => {
		await page.click(testId('canvas-handle-plus-wrapper'));
		await page.waitForSelector(testId('node-creator-search-bar'), { visible: true });
		await page.type(testId('node-creator-search-bar'), 'OpenClinica');
		// A search result whose node type is ours (the creator's keyboard id is `<type>-<uuid>`).
		await page.waitForSelector(`${testId('node-creator')} [data-keyboard-nav-type="node"][data-keyboard-nav-id^="${NODE_TYPE}-"]`, { visible: true });
		const result = await byText(page, testId('node-creator-item-name'), 'OpenClinica');
		const icon = await page.$eval(`${testId('node-creator-action-item')} img`, (img) => ({
			src: (img as unknown as Dom).src,
			loaded: (img as unknown as Dom).complete && (img as unknown as Dom).naturalWidth > 0,
		}));
		if (!icon.src.includes('/icons/n8n-nodes-openclinica/') || !icon.loaded) throw new Error(`the search result does not show our icon: ${JSON.stringify(icon)}`);
		await result.click();
	});
	const actions = await step(`find "${ACTION}" in OpenClinica's action list`, async () => {
		await page.waitForSelector(testId('node-creator-category-item'), { visible: true });
		const items = await page.$$eval(`${testId('node-creator')} [data-keyboard-nav-type="action"]`, (elements) =>
			elements.map((e) => ({ type: (e as unknown as Dom).getAttribute('data-keyboard-nav-id') ?? '', name: (e as unknown as Dom).innerText.trim() })),
		);
		const foreign = items.filter((item) => !item.type.startsWith(`${NODE_TYPE}-`));
		if (items.length === 0 || foreign.length > 0) throw new Error(`the action list is not our node's: ${JSON.stringify(items)}`);
		const names = items.map((item) => item.name);
		if (!names.includes(ACTION)) throw new Error(`it lists ${JSON.stringify(names)}`);
		await pause(page, 800); // the panel slides in
		await page.screenshot({ path: path.join(DOCS, 'node-creator.png') });
		return names;
	});
	await step(`pick the action "${ACTION}"`, async () => {
		await (await byText(page, testId('node-creator-item-name'), ACTION)).click();
		await page.waitForSelector(testId('ndv'), { visible: true });
		await page.waitForSelector(testId('parameter-input-studyOid'), { visible: true });
		const title = await page.$eval(testId('node-title-container'), (e) => (e as unknown as Dom).innerText.trim());
		if (title !== ACTION) throw new Error(`the node panel opened for "${title}"`);
	});
	await step(`choose the credential "${CREDENTIAL.name}"`, async () => {
		await page.click(`${testId('node-credentials-select')} input`);
		const option = await page.waitForSelector(testId(`node-credentials-select-item-${CREDENTIAL.id}`), { visible: true });
		await option?.click();
		const chosen = await page.$eval(`${testId('node-credentials-select')} input`, (e) => (e as unknown as Dom).value);
		if (chosen !== CREDENTIAL.name) throw new Error(`the credential field reads "${chosen}"`);
	});
	await step(`fill Study OID ${SITE.studyOid}, Site OID ${SITE.siteOid} and turn on Return All`, async () => {
		await page.type(`${testId('parameter-input-studyOid')} input`, SITE.studyOid);
		await page.type(`${testId('parameter-input-siteOid')} input`, SITE.siteOid);
		await page.click(`${testId('parameter-input-returnAll')} .el-switch`);
		await page.waitForSelector(`${testId('parameter-input-returnAll')} input[aria-checked="true"]`);
		await page.waitForSelector(testId('parameter-input-limit'), { hidden: true }); // Limit only shows without Return All
	});
	return await step('click "Execute step" and read the output item count', async () => {
		await page.click(testId('node-execute-button'));
		await page
			.waitForSelector(`${testId('output-panel')} ${testId('ndv-items-count')}`, { visible: true, timeout: 60_000 })
			.catch(async () => {
				const output = await page.$eval(testId('output-panel'), (e) => (e as unknown as Dom).innerText.replace(/\s+/g, ' ').slice(0, 400));
				throw new Error(`no item count in the output panel after 60 s; it shows: ${output}`);
			});
		// n8n announces a finished node before its data arrives, so read the count once it holds still.
		const readCount = () => page.$eval(`${testId('output-panel')} ${testId('ndv-items-count')}`, (e) => (e as unknown as Dom).innerText.trim());
		let count = await readCount();
		for (let stableSince = Date.now(), deadline = Date.now() + 30_000; Date.now() - stableSince < 2000 && Date.now() < deadline; ) {
			await pause(page, 250);
			const now = await readCount();
			if (now !== count) [count, stableSince] = [now, Date.now()];
		}
		const match = /^(\d+) items?$/.exec(count);
		if (!match) throw new Error(`the output panel reads "${count}"`);
		process.stdout.write(`    node "${ACTION}" (${NODE_TYPE}, actions: ${actions.join(', ')}) output: ${count}\n`);
		return Number(match[1]);
	});
}

/** Stops `n8n start` and waits for it: orphaned by an early process.exit, it keeps running. */
async function stopEditor(editor: RunningEditor) {
	if (editor.process.exitCode !== null || editor.process.signalCode !== null) return;
	const exited = new Promise((resolve) => editor.process.once('exit', resolve));
	editor.process.kill('SIGTERM');
	const timer = setTimeout(() => editor.process.kill('SIGKILL'), 30_000);
	await exited;
	clearTimeout(timer);
}

async function main() {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
	const instance = createInstance(ensureN8n(), packPackage());
	const sandbox = await startSandbox({ port: 0 });
	await importCredentials(instance, [
		{
			...CREDENTIAL,
			type: 'openClinicaApi',
			data: { studyUrl: sandbox.studyUrl, tokenUrl: sandbox.tokenUrl, username: 'crc.jane', password: 'Sandbox-Pass-1', ignoreSslIssues: false },
		},
	]);
	const workflow = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'export-contacts-to-spreadsheet.json'), 'utf8'));
	workflow.nodes.find((n: { name: string }) => n.name === EXPORT_NODE).parameters.siteOid = 'S_JUNO_BOS';
	await importWorkflow(instance, workflow);
	const port = 5690 + Math.floor(Math.random() * 100);
	const editor = await startEditor(instance, port, OWNER);

	const browser = await puppeteer.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
		defaultViewport: { width: 1440, height: 900 },
	});
	try {
		const page = await browser.newPage();
		page.setDefaultTimeout(20_000);
		page.on('dialog', (dialog) => void dialog.accept()); // "leave unsaved changes?" when navigating away
		await page.goto(`${editor.url}/signin`, { waitUntil: 'networkidle2' });
		await page.type('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]', OWNER.email);
		await page.type('input[type="password"]', OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForNavigation({ waitUntil: 'networkidle2' }).catch(() => undefined);

		fs.mkdirSync(DOCS, { recursive: true });
		await page.goto(`${editor.url}/workflow/${workflow.id}`, { waitUntil: 'networkidle2' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30_000 });
		await pause(page, 1500);
		// Run the workflow, so the canvas shows item counts and the panel shows real rows.
		await page.click('[data-test-id="execute-workflow-button"]');
		await page.waitForFunction("document.body.innerText.includes('250 items')", { timeout: 60_000 }).catch(() => undefined);
		await pause(page, 1000);
		await page.screenshot({ path: path.join(DOCS, 'workflow.png') });

		// The node's panel: its parameters and the output table.
		const node = await page.waitForSelector(`[data-test-id="canvas-node"][data-node-name="${EXPORT_NODE}"]`);
		await node?.click({ count: 2 });
		await page.waitForSelector('[data-test-id="ndv"]', { timeout: 15_000 }).catch(() => undefined);
		await pause(page, 1500);
		await page.screenshot({ path: path.join(DOCS, 'node-panel.png') });

		// A workflow built by hand in the editor, not imported.
		process.stdout.write('building a workflow in the editor:\n');
		const items = await buildWorkflowInEditor(page, editor.url);
		if (items !== SITE.eligible) {
			throw new Error(`the hand-built workflow's "${ACTION}" output ${items} items, expected the ${SITE.eligible} eligible participants of ${SITE.siteOid}`);
		}
		const written = ['workflow.png', 'node-panel.png', 'node-creator.png'].map((name) => path.relative(process.cwd(), path.join(DOCS, name)));
		process.stdout.write(`written: ${written.join(', ')}\n`);
	} finally {
		await browser.close();
		await stopEditor(editor);
		await sandbox.close();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`npm run screenshots failed: ${error.message}\n`);
	process.exit(1);
});
