// Runs the BUILT node in n8n-core's real WorkflowExecute (test/helpers/engine.ts) against a sandbox
// that lives in the parent process, so this process's peak RSS is the engine's alone.
//   mode 'export':  one Export (Return All) of a site; wall time, item count, idle and peak RSS.
//   mode 'polling': many single-job exports of different sizes at once (delays are computed by the
//                   parent from its timestamping proxy and the sandbox's job timestamps).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { binaryBuffer, loadPackage, shutdownEngine, startRun, TestCredentialsHelper } from '../test/helpers/engine';
import type { LoadedPackage } from '../test/helpers/engine';
import { childArgs, DIST, emit, type Endpoint, type NodeConstants, PASSWORD, peakRssMiB, ROOT, rssMiB, STUDY, USER } from './lib';

export interface EngineArgs {
	mode: 'export' | 'polling';
	endpoint: Endpoint;
	siteOid: string;
	output?: 'items' | 'file';
	/** Overrides of the node's constants in this process; undefined: as shipped. */
	constants?: NodeConstants;
	/** mode 'polling': one single-job export per size, all started at once. */
	sizes?: number[];
	/** Export a small site first (JIT, module loading), then record the idle RSS. */
	warmSiteOid?: string;
}

export interface ExportRunResult {
	wallMs: number;
	items: number;
	fileBytes: number;
	jobUuids: string[];
	idleRssMiB: number;
	peakRssMiB: number;
	startedAt: number;
	endedAt: number;
}

export interface PollingRunResult {
	runs: Array<{ size: number; items: number; wallMs: number }>;
}

/** Sets the node's module constants in this process (the node reads them at call time). */
function applyConstants(constants: NodeConstants | undefined) {
	if (!constants) return;
	// Same module instances as the ones n8n's loader required (one module cache per process).
	const load = createRequire(__filename);
	const paging = load(path.join(DIST, 'paging.js')) as Record<string, number>;
	const wait = load(path.join(DIST, 'exportJob', 'wait.js')) as Record<string, number>;
	paging.DEFAULT_PAGE_SIZE = constants.pageSize;
	paging.PAGE_CONCURRENCY = constants.concurrency;
	wait.POLL_GROWTH = constants.pollGrowth;
	wait.MAX_POLL_INTERVAL_MS = constants.maxPollMs;
	if (constants.schedule === 'proportional') proportionalPolling(load, constants);
}

/**
 * What-if of a one-line change in wait.ts: the pause after an "in progress" answer is
 * clamp((growth − 1) × waited so far, Poll Interval, cap). Emulated without touching dist/: the
 * job's start is kept in an AsyncLocalStorage around downloadExportFile, and the sleep the wait
 * loop calls computes its pause from it (both are looked up on their module objects at call time).
 */
function proportionalPolling(load: NodeRequire, constants: NodeConstants) {
	const wait = load(path.join(DIST, 'exportJob', 'wait.js')) as Record<string, (...args: unknown[]) => Promise<unknown>>;
	const sleep = load(path.join(DIST, 'exportJob', 'sleep.js')) as Record<string, (ms: number, signal?: AbortSignal) => Promise<void>>;
	const started = new AsyncLocalStorage<number>();
	const download = wait.downloadExportFile;
	wait.downloadExportFile = function (this: unknown, ...args: unknown[]) {
		return started.run(Date.now(), () => download.apply(this, args));
	};
	const original = sleep.sleepCancellable;
	const floor = constants.firstPollSeconds * 1000;
	sleep.sleepCancellable = async (ms: number, signal?: AbortSignal) => {
		const start = started.getStore();
		if (start === undefined) return await original(ms, signal);
		const waited = Date.now() - start;
		return await original(Math.min(Math.max(floor, (constants.pollGrowth - 1) * waited), constants.maxPollMs), signal);
	};
}

function parameters(args: EngineArgs, extra: INodeParameters): INodeParameters {
	const options: INodeParameters = {};
	if (args.constants) {
		options.pollInterval = args.constants.firstPollSeconds;
		options.pageSize = args.constants.pageSize;
	}
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
	applyConstants(args.constants);
	const gc = (globalThis as { gc?: () => void }).gc;

	if (args.mode === 'export') {
		if (args.warmSiteOid) await runExport(pkg, args, parameters(args, { siteOid: args.warmSiteOid }));
		gc?.();
		const idle = rssMiB();
		const startedAt = Date.now();
		const result = await runExport(pkg, args, parameters(args, {}));
		const endedAt = Date.now();
		const fileItem = result.items.find((item) => item.binary?.data !== undefined);
		const summary = (fileItem ?? result.items[result.items.length - 1])?.json ?? {};
		const out: ExportRunResult = {
			wallMs: endedAt - startedAt,
			items: result.items.length,
			fileBytes: fileItem ? binaryBuffer(fileItem).length : 0,
			jobUuids: Array.isArray(summary.jobUuids) ? (summary.jobUuids as string[]) : [],
			idleRssMiB: idle,
			peakRssMiB: peakRssMiB(),
			startedAt,
			endedAt,
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
