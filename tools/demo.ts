// `npm run demo`: the README's main command. Runs the "export participant contacts to CSV and
// XLSX" example workflow in the real n8n CLI, against the bundled sandbox or, when
// OPENCLINICA_* variables are set, against a real OpenClinica 4 server.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox, type Sandbox } from '../sandbox';
import {
	createInstance,
	ensureN8n,
	executeWorkflow,
	importCredentials,
	importWorkflow,
	nodeOutput,
	packPackage,
	readBinary,
	repoRoot,
} from './n8nCli';

const WORKFLOW_FILE = path.join(repoRoot, 'examples', 'export-contacts-to-spreadsheet.json');
const EXPORT_NODE = 'Export Participant Contacts';
const OUTPUT_DIR = path.join(repoRoot, 'demo-output');
const SANDBOX_PASSWORD = 'Sandbox-Pass-1';

interface Target {
	credential: Record<string, unknown>;
	studyOid: string;
	siteOid: string;
	description: string;
}

function realServerTarget(): Target | undefined {
	const env = process.env;
	if (!env.OPENCLINICA_STUDY_URL) return undefined;
	const missing = ['OPENCLINICA_USERNAME', 'OPENCLINICA_PASSWORD', 'OPENCLINICA_STUDY_OID', 'OPENCLINICA_SITE_OID'].filter(
		(name) => !env[name],
	);
	if (missing.length) throw new Error(`OPENCLINICA_STUDY_URL is set, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`);
	return {
		credential: {
			studyUrl: env.OPENCLINICA_STUDY_URL,
			tokenUrl: env.OPENCLINICA_TOKEN_URL ?? '',
			username: env.OPENCLINICA_USERNAME,
			password: env.OPENCLINICA_PASSWORD,
			ignoreSslIssues: false,
		},
		studyOid: env.OPENCLINICA_STUDY_OID as string,
		siteOid: env.OPENCLINICA_SITE_OID as string,
		description: `OpenClinica server ${env.OPENCLINICA_STUDY_URL}`,
	};
}

function sandboxTarget(sandbox: Sandbox): Target {
	return {
		credential: {
			studyUrl: sandbox.studyUrl,
			tokenUrl: sandbox.tokenUrl,
			username: 'crc.jane',
			password: SANDBOX_PASSWORD,
			ignoreSslIssues: false,
		},
		studyOid: 'S_JUNO',
		siteOid: 'S_JUNO_BOS',
		description: `the bundled sandbox at ${sandbox.studyUrl} (user crc.jane)`,
	};
}

function step(message: string) {
	process.stdout.write(`\n▸ ${message}\n`);
}

function printTable(rows: Array<Record<string, unknown>>, columns: string[]) {
	const cell = (value: unknown) => (value === undefined || value === null ? '' : String(value));
	const widths = columns.map((column) => Math.min(28, Math.max(column.length, ...rows.map((row) => cell(row[column]).length))));
	const line = (values: string[]) => values.map((value, i) => value.slice(0, widths[i]).padEnd(widths[i])).join('  ');
	process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
	for (const row of rows) process.stdout.write(`${line(columns.map((column) => cell(row[column])))}\n`);
}

async function main() {
	const started = Date.now();
	step('Preparing n8n (the first run installs the n8n CLI into a cache folder; later runs re-use it)');
	const n8nDir = ensureN8n();

	step('Packing this package and installing it into an isolated n8n user folder');
	const instance = createInstance(n8nDir, packPackage());

	let sandbox: Sandbox | undefined;
	let target = realServerTarget();
	if (!target) {
		step('Starting the OpenClinica sandbox');
		sandbox = await startSandbox({ port: 0, tokenRateLimit: true });
		target = sandboxTarget(sandbox);
	}

	try {
		step(`Exporting site ${target.siteOid} of study ${target.studyOid} from ${target.description}`);
		await importCredentials(instance, [
			{ id: 'ocSandboxCredential', name: 'OpenClinica sandbox', type: 'openClinicaApi', data: target.credential },
		]);
		const workflow = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
		const exportNode = workflow.nodes.find((node: { name: string }) => node.name === EXPORT_NODE);
		exportNode.parameters.studyOid = target.studyOid;
		exportNode.parameters.siteOid = target.siteOid;
		await importWorkflow(instance, workflow);

		const exportStarted = Date.now();
		const result = await executeWorkflow(instance, workflow.id);
		const seconds = (Date.now() - exportStarted) / 1000;
		if (!result.ok || !result.run) {
			const error = result.run?.data.resultData.error;
			throw new Error(
				error ? `${error.message}${error.description ? `\n  ${error.description}` : ''}` : `n8n execute failed:\n${result.stdout}\n${result.stderr}`,
			);
		}

		const participants = nodeOutput(result.run, EXPORT_NODE).map((item) => item.json);
		const columns = ['participantId', 'firstName', 'lastName', 'email', 'mobile', 'identifier', 'participateStatus'];
		step(`First ${Math.min(10, participants.length)} of ${participants.length} participants`);
		printTable(participants.slice(0, 10), columns);

		fs.mkdirSync(OUTPUT_DIR, { recursive: true });
		const written: string[] = [];
		for (const nodeName of ['Contacts as CSV', 'Contacts as XLSX']) {
			const binary = nodeOutput(result.run, nodeName)[0]?.binary?.data;
			if (!binary) continue;
			const file = path.join(OUTPUT_DIR, binary.fileName ?? `${nodeName}.bin`);
			fs.writeFileSync(file, readBinary(instance, binary));
			written.push(file);
		}

		const jobs = sandbox ? sandbox.control.listJobs() : undefined;
		const malformed = participants.filter((row) => row.malformed).length;
		step('Totals');
		process.stdout.write(
			[
				`participants: ${participants.length}${malformed ? ` (${malformed} rows flagged malformed, kept with their raw text)` : ''}`,
				jobs ? `pages with participants: ${jobs.filter((job) => (job.rows ?? 0) > 0).length}` : undefined,
				jobs ? `export jobs (one per page, including empty pages that find the end of the site): ${jobs.length}` : undefined,
				`export time in n8n: ${seconds.toFixed(1)} s (whole demo ${((Date.now() - started) / 1000).toFixed(1)} s)`,
				...written.map((file) => `written: ${path.relative(process.cwd(), file)}`),
			]
				.filter(Boolean)
				.join('\n') + '\n',
		);
	} finally {
		await sandbox?.close();
		fs.rmSync(instance.userFolder, { recursive: true, force: true });
	}
}

main().catch((error: Error) => {
	process.stderr.write(`\nThe demo failed: ${error.message}\n`);
	process.exit(1);
});
