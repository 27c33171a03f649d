// End to end: the packed package installed into the real n8n CLI as a community package,
// the example workflows imported and executed with `n8n execute`, contacts reaching real
// downstream nodes (Convert to File, Send Email into a local SMTP sink).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';
import * as XLSX from 'xlsx';

import { startSandbox, type Sandbox } from '../../sandbox';
import {
	createInstance,
	ensureN8n,
	executeWorkflow,
	importCredentials,
	importWorkflow,
	loginToEditor,
	nodeOutput,
	packPackage,
	publishWorkflow,
	readBinary,
	startEditor,
	repoRoot,
	testCredential,
	type N8nInstance,
	type RunningEditor,
} from '../../tools/n8nCli';

jest.setTimeout(20 * 60 * 1000);

// 2.8.4: the newest n8n that runs on Node 20. 2.41.1: the newest installable here, on Node 24
// (tools/install-n8n.sh brings Node 24 from the npm registry). E2E_N8N_VERSIONS narrows the list.
const N8N_VERSIONS = (process.env.E2E_N8N_VERSIONS ?? '2.8.4,2.41.1').split(',').map((v) => v.trim());
const PASSWORD = 'Sandbox-Pass-1';
const OWNER = { email: 'e2e@example.org', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Owner-Pass-1' };

interface ReceivedMail {
	to: string[];
	raw: string;
}

function readExample(name: string) {
	return JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', name), 'utf8'));
}

/** Waits for a condition the system under test must bring about; fails after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

function eligibleIds(sandbox: Sandbox, siteOid: string): string[] {
	return sandbox.control
		.listParticipants(siteOid)
		.filter((p) => p.status === 'available' || p.status === 'signed')
		.map((p) => p.label);
}

describe.each(N8N_VERSIONS)('n8n %s CLI with the packed package', (N8N_VERSION) => {
	let sandbox: Sandbox;
	let instance: N8nInstance;
	let smtp: SMTPServer;
	let smtpPort: number;
	const mails: ReceivedMail[] = [];
	let openClinica: Record<string, unknown>;
	// One `n8n start` per version, shared by the tests that need the server; stopped in afterAll.
	let editor: Promise<RunningEditor> | undefined;
	const runningEditor = () => (editor ??= startEditor(instance, 5800 + Math.floor(Math.random() * 150), OWNER));

	beforeAll(async () => {
		const n8nDir = ensureN8n(N8N_VERSION);
		instance = createInstance(n8nDir, packPackage());
		sandbox = await startSandbox({ port: 0, bigSiteSize: 300 });

		smtp = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS', 'AUTH'],
			logger: false,
			onData(stream, session, callback) {
				const chunks: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('end', () => {
					mails.push({
						to: session.envelope.rcptTo.map((r) => r.address),
						raw: Buffer.concat(chunks).toString('utf8'),
					});
					callback();
				});
			},
		});
		await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
		smtpPort = (smtp.server.address() as { port: number }).port;

		openClinica = { studyUrl: sandbox.studyUrl, tokenUrl: sandbox.tokenUrl, username: 'crc.jane', ignoreSslIssues: false };
		await importCredentials(instance, [
			{ id: 'ocSandboxCredential', name: 'OpenClinica sandbox', type: 'openClinicaApi', data: { ...openClinica, password: PASSWORD } },
			{ id: 'ocWrongPassword', name: 'OpenClinica wrong password', type: 'openClinicaApi', data: { ...openClinica, password: 'not-the-password' } },
			// Tested through the editor's REST API; separate, because a passing test stores its token.
			{ id: 'ocCredentialTest', name: 'OpenClinica credential test', type: 'openClinicaApi', data: { ...openClinica, password: PASSWORD } },
			{ id: 'ocSmtpCredential', name: 'Study SMTP', type: 'smtp', data: { host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true } },
		]);
	});

	afterAll(async () => {
		const running = await editor?.catch(() => undefined);
		if (running && running.process.exitCode === null) {
			const exited = new Promise((resolve) => running.process.once('exit', resolve));
			running.process.kill('SIGTERM');
			await exited;
		}
		await sandbox?.close();
		await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
		if (instance) fs.rmSync(instance.userFolder, { recursive: true, force: true });
	});

	test('Export (Return All) → Convert to File: the CSV and XLSX hold every eligible participant exactly once', async () => {
		const workflow = readExample('export-contacts-to-spreadsheet.json');
		const exportNode = workflow.nodes.find((n: { name: string }) => n.name === 'Export Participant Contacts');
		exportNode.parameters.siteOid = 'S_JUNO_BIG';
		exportNode.parameters.options = { pageSize: 120, pollInterval: 0.1 };
		await importWorkflow(instance, workflow);

		const result = await executeWorkflow(instance, workflow.id);
		expect(result.run?.data.resultData.error).toBeUndefined();
		expect(result.ok).toBe(true);

		const expected = eligibleIds(sandbox, 'S_JUNO_BIG').sort();
		expect(expected.length).toBeGreaterThan(240);
		const items = nodeOutput(result.run!, 'Export Participant Contacts');
		expect(items.map((i) => i.json.participantId).sort()).toEqual(expected);

		for (const [nodeName, extension] of [
			['Contacts as CSV', 'csv'],
			['Contacts as XLSX', 'xlsx'],
		]) {
			const binary = nodeOutput(result.run!, nodeName)[0]?.binary?.data;
			expect(binary?.fileName).toBe(`participant-contacts.${extension}`);
			const book = XLSX.read(readBinary(instance, binary!), { type: 'buffer' });
			const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[book.SheetNames[0]], { raw: false });
			expect(rows.map((r) => String(r.participantId)).sort()).toEqual(expected);
		}
	});

	test('Export → Send Email: one message per participant with an email address, to that address', async () => {
		const workflow = readExample('export-contacts-to-email.json');
		await importWorkflow(instance, workflow);
		mails.length = 0;

		const result = await executeWorkflow(instance, workflow.id);
		expect(result.run?.data.resultData.error).toBeUndefined();
		expect(result.ok).toBe(true);

		const withEmail = sandbox.control
			.listParticipants('S_JUNO_LYO')
			.filter((p) => (p.status === 'available' || p.status === 'signed') && p.detail?.email);
		expect(withEmail.length).toBeGreaterThan(0);
		expect(mails.map((m) => m.to.join(',')).sort()).toEqual(withEmail.map((p) => p.detail!.email).sort());
		for (const participant of withEmail) {
			const mail = mails.find((m) => m.to.includes(participant.detail!.email as string));
			expect(mail?.raw).toContain(participant.label);
		}
	});

	test('Start Export → Wait → Download Export gives the same rows as Export', async () => {
		const workflow = readExample('start-wait-download.json');
		await importWorkflow(instance, workflow);

		const result = await executeWorkflow(instance, workflow.id);
		expect(result.run?.data.resultData.error).toBeUndefined();
		const started = nodeOutput(result.run!, 'Start Export')[0].json;
		expect(started.jobUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

		const downloaded = nodeOutput(result.run!, 'Download Export').map((i) => i.json.participantId);
		expect(downloaded).toEqual(eligibleIds(sandbox, 'S_JUNO_LYO'));
	});

	test('Participant lookup: Get Participant returns the listed participants with the export field names', async () => {
		const workflow = readExample('participant-lookup.json');
		await importWorkflow(instance, workflow);

		const result = await executeWorkflow(instance, workflow.id);
		expect(result.run?.data.resultData.error).toBeUndefined();
		const items = nodeOutput(result.run!, 'Get Participant').map((i) => i.json);
		const byLabel = new Map(sandbox.control.listParticipants('S_JUNO_BOS').map((p) => [p.label, p]));
		expect(items.map((i) => i.participantId)).toEqual(['BOS-0001', 'BOS-0004', 'BOS-0018']);
		for (const item of items) {
			const participant = byLabel.get(item.participantId as string)!;
			expect(item.firstName).toBe(participant.detail?.firstName ?? null);
			expect(item.email).toBe(participant.detail?.email ?? null);
		}
	});

	test('Job cleanup: every finished export job of the site is deleted on the server', async () => {
		const finishedJobs = () =>
			sandbox.control
				.listJobs()
				.filter((job) => job.createdBy === 'crc.jane' && job.siteOid === 'S_JUNO_LYO' && job.status === 'COMPLETED');
		const before = finishedJobs().map((job) => job.uuid);
		expect(before.length).toBeGreaterThan(0); // the email and start/download workflows made some

		const workflow = readExample('job-cleanup.json');
		await importWorkflow(instance, workflow);
		const result = await executeWorkflow(instance, workflow.id);
		expect(result.run?.data.resultData.error).toBeUndefined();

		const deleted = nodeOutput(result.run!, 'Delete Job').map((i) => i.json);
		expect(deleted.map((d) => d.jobUuid).sort()).toEqual([...before].sort());
		expect(deleted.every((d) => d.deleted === true)).toBe(true);
		expect(finishedJobs()).toEqual([]);
	});

	test('a credential with a wrong password fails the execution with a clear message', async () => {
		const workflow = readExample('export-contacts-to-spreadsheet.json');
		workflow.id = 'ocWrongPasswordRun';
		const exportNode = workflow.nodes.find((n: { name: string }) => n.name === 'Export Participant Contacts');
		exportNode.credentials.openClinicaApi = { id: 'ocWrongPassword', name: 'OpenClinica wrong password' };
		await importWorkflow(instance, workflow);

		const result = await executeWorkflow(instance, workflow.id);
		expect(result.ok).toBe(false);
		const output = `${JSON.stringify(result.run?.data.resultData.error ?? {})}\n${result.stdout}\n${result.stderr}`;
		expect(output).toMatch(/Login to http\S+ failed \(HTTP 401\)/);
		expect(output).not.toContain('not-the-password');
	});

	// `n8n execute` cannot start at a polling trigger, so this one runs the real server: the
	// workflow is published, n8n polls every minute, and the test waits (bounded) for what the
	// trigger must cause: the first poll records the site, a participant added afterwards gets
	// exactly one welcome email. It must be the test that starts the shared editor: n8n activates
	// published workflows when it starts.
	test('Trigger → Send Email: a participant added after activation gets one welcome email', async () => {
		const workflow = readExample('trigger-new-participants-to-email.json');
		await importWorkflow(instance, workflow);
		await publishWorkflow(instance, workflow.id);
		mails.length = 0;
		sandbox.control.clearRequests();

		await runningEditor();
		const triggerPolled = () =>
			sandbox.control.listRequests().some((r) => r.method === 'DELETE' && r.path.includes('/pages/auth/api/jobs/'));
		await waitFor(triggerPolled, 150_000, 'the trigger to poll once after activation');
		expect(mails).toEqual([]);

		const added = sandbox.control.addParticipant({
			siteOid: 'S_JUNO_LYO',
			detail: { firstName: 'Ines', lastName: 'Newcomer', email: 'ines.newcomer@example.org', phone: '+33 612345678', identifier: 'MRN-NEW-1' },
		});
		await waitFor(() => mails.length > 0, 150_000, 'the welcome email');
		// One more poll must not send it again.
		const deletesSoFar = sandbox.control.listRequests().filter((r) => r.method === 'DELETE').length;
		await waitFor(
			() => sandbox.control.listRequests().filter((r) => r.method === 'DELETE').length > deletesSoFar,
			150_000,
			'the next poll',
		);
		expect(mails.map((m) => m.to)).toEqual([['ines.newcomer@example.org']]);
		expect(mails[0].raw).toContain(added.label);
	});

	// n8n's own credential tester (the editor's "Test" button) runs preAuthentication, then the
	// credential's test request. Driven through the REST API of the running editor.
	test('Credential test in the editor: OK with the sandbox login, our message for a wrong password and for a foreign token', async () => {
		const session = await loginToEditor(await runningEditor(), OWNER.email, OWNER.password);
		const checkPath = '/pages/auth/api/n8n-token-check';

		sandbox.control.clearRequests();
		expect(
			await testCredential(session, {
				id: 'ocCredentialTest',
				name: 'OpenClinica credential test',
				type: 'openClinicaApi',
				data: { ...openClinica, password: PASSWORD },
			}),
		).toEqual({ status: 'OK', message: 'Connection successful!' });
		// It really logged in and had the study host check the token (preAuthentication).
		const requests = sandbox.control.listRequests();
		expect(requests.some((r) => r.method === 'POST' && r.path === '/user-service/api/oauth/token' && r.status === 200)).toBe(true);
		expect(requests.some((r) => r.method === 'GET' && r.path === `/OpenClinica${checkPath}` && r.authorization === 'bearer' && r.status !== 401)).toBe(true);

		const wrongPassword = await testCredential(session, {
			id: 'ocWrongPassword',
			name: 'OpenClinica wrong password',
			type: 'openClinicaApi',
			data: { ...openClinica, password: 'not-the-password' },
		});
		expect(wrongPassword.status).toBe('Error');
		expect(wrongPassword.message).toBe(`Login to ${sandbox.tokenUrl} failed (HTTP 401)`);

		// The Token URL of another OpenClinica instance: the login there works, but this study host
		// does not accept that instance's token.
		const other = await startSandbox({ port: 0, bigSiteSize: 10 });
		sandbox.control.clearRequests();
		try {
			const foreignToken = await testCredential(session, {
				id: 'ocCredentialTest',
				name: 'OpenClinica credential test',
				type: 'openClinicaApi',
				data: { ...openClinica, tokenUrl: other.tokenUrl, password: PASSWORD },
			});
			expect(other.control.listRequests().filter((r) => r.method === 'POST' && r.status === 200)).toHaveLength(1);
			expect(sandbox.control.listRequests().some((r) => r.method === 'GET' && r.path === `/OpenClinica${checkPath}` && r.status === 401)).toBe(true);
			expect(foreignToken.status).toBe('Error');
			expect(foreignToken.message).toBe(`The login worked, but ${new URL(sandbox.studyUrl).host} rejected the token`);
		} finally {
			await other.close();
		}
	});
});
