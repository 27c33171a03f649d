// `npm run dev`: n8n's editor on 127.0.0.1 with this package installed, the sandbox running,
// a ready credential and the example workflows imported. Prints the URL and the login.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox } from '../sandbox';
import { createInstance, ensureN8n, importCredentials, importWorkflow, packPackage, repoRoot, startEditor } from './n8nCli';

const OWNER = { email: 'coordinator@example.org', firstName: 'Study', lastName: 'Coordinator', password: 'Sandbox-Editor-1' };

async function main() {
	const port = Number(process.env.N8N_PORT ?? 5678);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? 8089);
	const instance = createInstance(ensureN8n(), packPackage());
	const sandbox = await startSandbox({ port: sandboxPort, bigSiteSize: 2000 });

	await importCredentials(instance, [
		{
			id: 'ocSandboxCredential',
			name: 'OpenClinica sandbox',
			type: 'openClinicaApi',
			data: { studyUrl: sandbox.studyUrl, tokenUrl: sandbox.tokenUrl, username: 'crc.jane', password: 'Sandbox-Pass-1', ignoreSslIssues: false },
		},
	]);
	for (const file of fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8'));
		// The SMTP credential of the email example is not set up here: the node shows it as missing.
		await importWorkflow(instance, workflow);
	}

	const editor = await startEditor(instance, port, OWNER);
	process.stdout.write(
		[
			'',
			`n8n editor:   ${editor.url}`,
			`login:        ${OWNER.email} / ${OWNER.password}`,
			`sandbox:      ${sandbox.studyUrl} (token URL ${sandbox.tokenUrl})`,
			'credential:   "OpenClinica sandbox" (user crc.jane, study S_JUNO, sites S_JUNO_BOS, S_JUNO_LYO, S_JUNO_BIG)',
			'Press Ctrl+C to stop.',
			'',
		].join('\n'),
	);

	const stop = async () => {
		editor.process.kill('SIGTERM');
		await new Promise((resolve) => editor.process.once('exit', resolve));
		await sandbox.close();
		fs.rmSync(instance.userFolder, { recursive: true, force: true });
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
	process.stderr.write(`npm run dev failed: ${error.message}\n`);
	process.exit(1);
});

