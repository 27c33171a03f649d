// Runs this package inside the real n8n CLI, the way users get it: the packed tarball
// installed into an isolated N8N_USER_FOLDER/.n8n/nodes. Used by the demo and the e2e tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The package folder, whether this runs from tools/ (jest) or build/tools/ (compiled). */
export const repoRoot = (() => {
	let dir = __dirname;
	while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'examples'))) {
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`package folder not found above ${__dirname}`);
		dir = parent;
	}
	return dir;
})();

export interface N8nInstance {
	/** Folder holding node_modules/.bin/n8n */
	n8nDir: string;
	/** The isolated N8N_USER_FOLDER of this instance */
	userFolder: string;
	env: NodeJS.ProcessEnv;
}

/** Installs (or re-uses from the cache folder) the pinned n8n CLI; progress goes to stderr. */
export function ensureN8n(version = '2.8.4'): string {
	const script = path.join(repoRoot, 'tools', 'install-n8n.sh');
	const out = execFileSync('bash', [script, version], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return out.trim().split('\n').pop() as string;
}

/** `npm pack`s the built package into a temp folder and returns the tarball path. */
export function packPackage(): string {
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-pack-'));
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], {
		cwd: repoRoot,
		encoding: 'utf8',
	});
	return path.join(dest, out.trim().split('\n').pop() as string);
}

/** A fresh N8N_USER_FOLDER with the tarball installed as a community package. */
export function createInstance(n8nDir: string, tarball: string): N8nInstance {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-n8n-'));
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
	);
	execFileSync(
		'npm',
		['install', tarball, '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{ cwd: nodesDir, stdio: ['ignore', 'ignore', 'inherit'] },
	);
	// n8n releases that need Node 24 come with a bin/node from the cache (tools/install-n8n.sh).
	const nodeBinDir = path.join(n8nDir, 'bin');
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: fs.existsSync(path.join(nodeBinDir, 'node')) ? `${nodeBinDir}:${process.env.PATH}` : process.env.PATH,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-openclinica-local-test-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		DB_SQLITE_POOL_SIZE: '1',
		// Each instance gets its own task-broker port, so it never meets another n8n on 5679.
		N8N_RUNNERS_BROKER_PORT: String(20000 + Math.floor(Math.random() * 30000)),
	};
	// Under jest NODE_ENV is "test", which silences n8n's logger and so the run JSON it prints.
	delete env.NODE_ENV;
	for (const name of Object.keys(env)) if (name.startsWith('JEST_')) delete env[name];
	return { n8nDir, userFolder, env };
}

function n8nBin(instance: N8nInstance): string {
	return path.join(instance.n8nDir, 'node_modules', '.bin', 'n8n');
}

interface ProcessResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs an n8n command without blocking this process (the sandbox often runs in the same process
 * and must keep answering). Output goes to files, not pipes: n8n exits right after printing the
 * run JSON, and output still queued for a pipe would be lost.
 */
function runN8n(instance: N8nInstance, args: string[]): Promise<ProcessResult> {
	const outFile = path.join(instance.userFolder, `n8n-${process.pid}-${Date.now()}.out`);
	const errFile = `${outFile}.err`;
	const out = fs.openSync(outFile, 'w');
	const err = fs.openSync(errFile, 'w');
	return new Promise<ProcessResult>((resolve, reject) => {
		const child = spawn(n8nBin(instance), args, { env: instance.env, stdio: ['ignore', out, err] });
		child.once('error', reject);
		child.once('close', (status) => resolve({ status, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') }));
	}).finally(() => {
		fs.closeSync(out);
		fs.closeSync(err);
		fs.rmSync(outFile, { force: true });
		fs.rmSync(errFile, { force: true });
	});
}

function writeTemp(instance: N8nInstance, name: string, data: unknown): string {
	const file = path.join(instance.userFolder, name);
	fs.writeFileSync(file, JSON.stringify(data, null, 2));
	return file;
}

export async function importCredentials(instance: N8nInstance, credentials: unknown[]): Promise<void> {
	const result = await runN8n(instance, ['import:credentials', `--input=${writeTemp(instance, 'credentials.json', credentials)}`]);
	if (result.status !== 0) throw new Error(`n8n import:credentials failed:\n${result.stdout}\n${result.stderr}`);
}

export async function importWorkflow(instance: N8nInstance, workflow: unknown): Promise<void> {
	const result = await runN8n(instance, ['import:workflow', `--input=${writeTemp(instance, 'workflow.json', workflow)}`]);
	if (result.status !== 0) throw new Error(`n8n import:workflow failed:\n${result.stdout}\n${result.stderr}`);
}

/** Publishes (activates) a workflow: `n8n start` then runs its triggers. */
export async function publishWorkflow(instance: N8nInstance, workflowId: string): Promise<void> {
	const result = await runN8n(instance, ['publish:workflow', `--id=${workflowId}`]);
	if (result.status !== 0) throw new Error(`n8n publish:workflow failed:\n${result.stdout}\n${result.stderr}`);
}

export interface N8nRun {
	ok: boolean;
	/** The run data (`--rawOutput`), when n8n printed it */
	run?: N8nRunData;
	stdout: string;
	stderr: string;
}

export interface N8nRunData {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, N8nBinary> }> | null> }; error?: { message: string; description?: string } }>>;
			error?: { message: string; description?: string; node?: { name: string } };
		};
	};
}

/** `n8n execute --id --rawOutput`; the run JSON follows log lines on stdout. */
export async function executeWorkflow(instance: N8nInstance, workflowId: string): Promise<N8nRun> {
	const result = await runN8n(instance, ['execute', `--id=${workflowId}`, '--rawOutput']);
	const stdout = result.stdout ?? '';
	// The run JSON starts at the first line that is a lone "{"; log lines come before it.
	const start = stdout.search(/^\{$/m);
	let run: N8nRunData | undefined;
	if (start >= 0) {
		try {
			run = JSON.parse(stdout.slice(start)) as N8nRunData;
		} catch {
			run = undefined;
		}
	}
	return { ok: result.status === 0, run, stdout, stderr: result.stderr ?? '' };
}

export interface RunningEditor {
	url: string;
	process: ChildProcess;
}

/** Starts `n8n start` on 127.0.0.1 and sets up the owner account; resolves when the REST API answers. */
export async function startEditor(
	instance: N8nInstance,
	port: number,
	owner: { email: string; firstName: string; lastName: string; password: string },
): Promise<RunningEditor> {
	const child = spawn(n8nBin(instance), ['start'], {
		env: {
			...instance.env,
			N8N_LOG_LEVEL: 'info',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(port),
			N8N_SECURE_COOKIE: 'false',
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const url = `http://127.0.0.1:${port}`;
	await new Promise<void>((resolve, reject) => {
		let log = '';
		const onData = (chunk: Buffer) => {
			log += chunk.toString();
			if (log.includes('Editor is now accessible')) resolve();
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', (code) => reject(new Error(`n8n start exited with ${code}:\n${log}`)));
	});
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!response.ok && response.status !== 400) {
		throw new Error(`owner setup failed: ${response.status} ${await response.text()}`);
	}
	return { url, process: child };
}

/** A logged-in REST session of a running editor: the auth cookie and the browser id it is bound to. */
export interface EditorSession {
	url: string;
	headers: Record<string, string>;
}

/**
 * Logs in as the editor does: POST /rest/login with {emailOrLdapLoginId, password} (the same body
 * in n8n 2.8 and 2.41). n8n binds the n8n-auth cookie to the browser-id header of the login, so
 * every later request must send both.
 */
export async function loginToEditor(editor: RunningEditor, email: string, password: string): Promise<EditorSession> {
	const browserId = randomUUID();
	const response = await fetch(`${editor.url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': browserId },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('n8n-auth='));
	if (!cookie) throw new Error('login answered without an n8n-auth cookie');
	return { url: editor.url, headers: { cookie, 'browser-id': browserId } };
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * n8n's credential test, as the editor's "Test" runs it: POST /rest/credentials/test with
 * {credentials: {id, name, type, data}}. Both 2.8 and 2.41 need the id of a stored credential the
 * user may read, and test the data of the body (the form's values) rather than the stored data.
 */
export async function testCredential(
	session: EditorSession,
	credentials: { id: string; name: string; type: string; data: Record<string, unknown> },
): Promise<CredentialTestResult> {
	const response = await fetch(`${session.url}/rest/credentials/test`, {
		method: 'POST',
		headers: { ...session.headers, 'content-type': 'application/json' },
		body: JSON.stringify({ credentials }),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`credential test request failed: ${response.status} ${text}`);
	return (JSON.parse(text) as { data: CredentialTestResult }).data;
}

export interface N8nBinary {
	data: string;
	id?: string;
	fileName?: string;
	mimeType: string;
}

/**
 * The bytes of a binary property of a run: inline base64, or (n8n's default binary mode) a file
 * in the instance's storage folder, named by the id after "filesystem-v2:".
 */
export function readBinary(instance: N8nInstance, binary: N8nBinary): Buffer {
	if (binary.id?.startsWith('filesystem')) {
		const relative = binary.id.slice(binary.id.indexOf(':') + 1);
		return fs.readFileSync(path.join(instance.userFolder, '.n8n', 'storage', relative));
	}
	return Buffer.from(binary.data, 'base64');
}

/** The items a node output in its (first) run. */
export function nodeOutput(run: N8nRunData, nodeName: string, outputIndex = 0) {
	const runs = run.data.resultData.runData[nodeName];
	return runs?.[0]?.data?.main[outputIndex] ?? [];
}
