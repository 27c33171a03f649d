// `npm run screenshots`: the README's pictures, taken with headless Chromium (Debian's
// `chromium` package) from a real n8n editor with this package installed, the sandbox running and
// the example workflows imported. Writes PNGs under docs/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';

import { startSandbox } from '../sandbox';
import { createInstance, ensureN8n, importCredentials, importWorkflow, packPackage, repoRoot, startEditor } from './n8nCli';

const OWNER = { email: 'coordinator@example.org', firstName: 'Study', lastName: 'Coordinator', password: 'Sandbox-Editor-1' };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DOCS = path.join(repoRoot, 'docs');
const EXPORT_NODE = 'Export Participant Contacts';

async function pause(page: Page, ms: number) {
	await page.evaluate((wait) => new Promise((resolve) => setTimeout(resolve, wait)), ms);
}

async function main() {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
	const instance = createInstance(ensureN8n(), packPackage());
	const sandbox = await startSandbox({ port: 0 });
	await importCredentials(instance, [
		{
			id: 'ocSandboxCredential',
			name: 'OpenClinica sandbox',
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
		process.stdout.write(`written: ${path.relative(process.cwd(), path.join(DOCS, 'workflow.png'))}, ${path.relative(process.cwd(), path.join(DOCS, 'node-panel.png'))}\n`);
	} finally {
		await browser.close();
		editor.process.kill('SIGTERM');
		await sandbox.close();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`npm run screenshots failed: ${error.message}\n`);
	process.exit(1);
});
