/**
 * Shared set-up of the engine tests: one sandbox per test file (fast job timing), reset before
 * every test, credentials for the seed users, and small helpers over the sandbox's control API.
 */
import path from 'path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import type { RequestLogEntry, Sandbox, SandboxOptions } from '../../sandbox/types';
import { REPO_ROOT, shutdownEngine } from '../helpers/engine';
import type { OpenClinicaCredentialData } from '../helpers/engine';

/**
 * How many page jobs Return All runs at once after page 1 came back full, read from the very
 * module the engine loads (dist/), so paging expectations follow the node as built. With Return
 * All the node consumes pages in order and keeps this many jobs running, so before it awaits page
 * n, pages n..n+PAGE_CONCURRENCY-1 have been started: an export whose last page is L (L > 1)
 * submits pages 1..L+PAGE_CONCURRENCY-1, i.e. up to PAGE_CONCURRENCY-1 (empty) jobs past the end.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { PAGE_CONCURRENCY } = require(path.join(REPO_ROOT, 'dist/nodes/OpenClinica/paging.js')) as {
	PAGE_CONCURRENCY: number;
};

export const PASSWORD = 'Sandbox-Pass-1';

/** Starts a sandbox for the test file; the getter is valid inside tests and hooks. */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, jobBaseMs: 5, perParticipantMs: 0.01, ...options });
	});
	beforeEach(() => {
		sandbox?.control.reset();
	});
	afterAll(async () => {
		await sandbox?.close();
		shutdownEngine();
	});
	return () => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
}

export function credentialsFor(sandbox: Sandbox, username: string): OpenClinicaCredentialData {
	return {
		studyUrl: sandbox.studyUrl,
		tokenUrl: sandbox.tokenUrl,
		username,
		password: PASSWORD,
	};
}

/** Fast polling for tests: the first interval is 50 ms (later ones grow, per the issue). */
export const FAST = { pollInterval: 0.05 };

export function exportParams(params: INodeParameters = {}): INodeParameters {
	const { options, ...rest } = params;
	return {
		resource: 'participantContact',
		operation: 'export',
		studyOid: 'S_JUNO',
		siteOid: 'S_JUNO_LYO',
		...rest,
		options: { ...FAST, ...((options as IDataObject | undefined) ?? {}) },
	};
}

/** Labels of the site's participants a 4.13 export returns (available + signed), creation order. */
export function eligibleLabels(sandbox: Sandbox, siteOid: string): string[] {
	return sandbox.control
		.listParticipants(siteOid)
		.filter((p) => p.status === 'available' || p.status === 'signed')
		.map((p) => p.label);
}

export const isToken = (r: RequestLogEntry) => r.path.includes('/oauth/token');
export const isSubmit = (r: RequestLogEntry) => /extractPart(i)?cipantsInfo/.test(r.path);
export const isDownload = (r: RequestLogEntry) => r.path.endsWith('/downloadFile');

export function requests(sandbox: Sandbox, filter: (r: RequestLogEntry) => boolean = () => true) {
	return sandbox.control.listRequests().filter(filter);
}

/** The query string of a logged request as an object. */
export function query(r: RequestLogEntry): Record<string, string> {
	return Object.fromEntries(new URLSearchParams(r.query));
}

/**
 * Waits until a sandbox-side condition holds (checked every few ms). Used to act at a given point
 * of a running export, e.g. "once the node has started polling"; never to wait for time to pass.
 */
export async function waitFor(condition: () => boolean, what: string, limitMs = 15000): Promise<void> {
	const deadline = Date.now() + limitMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export const participantIds = (items: INodeExecutionData[]) => items.map((i) => i.json.participantId as string);

/** Error message and description as one string (for "the message says …" checks). */
export function errorText(error: { message?: string; description?: string | null } | undefined): string {
	return `${error?.message ?? ''}\n${error?.description ?? ''}`;
}
