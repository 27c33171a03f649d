// Runs the BUILT node in n8n-core's real WorkflowExecute (test/helpers/engine.ts) against a sandbox
// that lives in the parent process, so this process's peak RSS is the engine's alone.
//   mode 'export':  one Export (Return All) of a site; wall time, item count, idle and peak RSS.
//   mode 'polling': many single-job exports of different sizes at once (delays are computed by the
//                   parent from the sandbox's request log and job timestamps).
// The node runs as shipped, with its own defaults; only `paging` (the parent's --sweep) changes
// anything, and only in this process.
import { createRequire } from 'node:module';
import path from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { binaryBuffer, loadPackage, shutdownEngine, startRun, TestCredentialsHelper } from '../test/helpers/engine';
import type { LoadedPackage } from '../test/helpers/engine';
import { childArgs, DIST, emit, type Endpoint, PASSWORD, type PagingWhatIf, peakRssMiB, ROOT, rssMiB, STUDY, USER } from './lib';

export interface EngineArgs {
	mode: 'export' | 'polling';
	endpoint: Endpoint;
	siteOid: string;
	output?: 'items' | 'file';
	/** mode 'export', `--sweep` only: what-if page size and concurrency; undefined: as shipped. */
	paging?: PagingWhatIf;
	/** mode 'polling': one single-job export per size, all started at once. */
	sizes?: number[];
	/** Export a small site first (JIT, module loading), then record the idle RSS. */
	warmSiteOid?: string;
}

export interface ExportRunResult {
	wallMs: number;
	items: number;
	fileBytes: number;
	idleRssMiB: number;
	peakRssMiB: number;
}

export interface PollingRunResult {
	runs: Array<{ size: number; items: number; wallMs: number }>;
}

/**
 * `--sweep`: the page size is the node's own Page Size option; the number of page jobs at once has
 * no option, so it is set on the paging module, which the node reads at call time (the same module
 * instance n8n's loader required: one module cache per process).
 */
function applyPaging(paging: PagingWhatIf | undefined) {
	if (!paging) return;
	const load = createRequire(__filename);
	(load(path.join(DIST, 'paging.js')) as { PAGE_CONCURRENCY: number }).PAGE_CONCURRENCY = paging.concurrency;
}

function parameters(args: EngineArgs, extra: INodeParameters): INodeParameters {
	const options: INodeParameters = args.paging ? { pageSize: args.paging.pageSize } : {};
	return {
		resource: 'participantContact',
		operation: 'export',
		studyOid: STUDY,
		siteOid: args.siteOid,
		includeAccessCodes: true,
		returnAll: true,
		output: args.output ?? 'items',
		binaryPropertyName: 'data',
		...extra,
		options: { ...options, ...((extra.options as INodeParameters | undefined) ?? {}) },
	};
}

async function runExport(pkg: LoadedPackage, args: EngineArgs, params: INodeParameters) {
	const credentialsHelper = new TestCredentialsHelper(pkg);
	const handle = await startRun({
		package: pkg,
		credentialsHelper,
		credentials: { ...args.endpoint, username: USER, password: PASSWORD },
		parameters: params,
	});
	const result = await handle.done;
	if (result.error || result.status !== 'success') {
		throw new Error(`export failed: ${result.error?.message ?? JSON.stringify(result.runError)}`);
	}
	return result;
}

async function main() {
	const args = childArgs<EngineArgs>();
	const pkg = await loadPackage(ROOT);
	applyPaging(args.paging);
	const gc = (globalThis as { gc?: () => void }).gc;

	if (args.mode === 'export') {
		if (args.warmSiteOid) await runExport(pkg, args, parameters(args, { siteOid: args.warmSiteOid }));
		gc?.();
		const idle = rssMiB();
		const startedAt = Date.now();
		const result = await runExport(pkg, args, parameters(args, {}));
		const wallMs = Date.now() - startedAt;
		const fileItem = result.items.find((item) => item.binary?.data !== undefined);
		const out: ExportRunResult = {
			wallMs,
			items: result.items.length,
			fileBytes: fileItem ? binaryBuffer(fileItem).length : 0,
			idleRssMiB: idle,
			peakRssMiB: peakRssMiB(),
		};
		emit(out);
	} else {
		const sizes = args.sizes ?? [];
		const runs = await Promise.all(
			sizes.map(async (size) => {
				const start = Date.now();
				const result = await runExport(
					pkg,
					args,
					parameters(args, { returnAll: false, limit: size, options: { pageSize: size } }),
				);
				return { size, items: result.items.length, wallMs: Date.now() - start };
			}),
		);
		const out: PollingRunResult = { runs };
		emit(out);
	}
	shutdownEngine();
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
