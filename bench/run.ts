// `npm run bench`: the five measurements of issue 7, each against a baseline measured in the same
// run. Sandboxes live in this process; every measurement that needs its own memory runs in a child
// process. Prints one table and writes it as JSON under bench/results/.
//   --full-baseline   run today's-practice baseline over the whole site (about 17 minutes)
//   --only=a,b        run some measurements: parser, export, baseline, polling, memory
//   --sweep[=S×C,…]   what-if: also export the 20,000 site with page size S and C page jobs at once
//                     (default grid 100/250/500 × 3/4/6/8), against the limit of the shipped run
// Everything else measures the node as shipped: its own defaults, nothing overridden or patched.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { startSandbox } from '../sandbox';
import { renderContactsFile } from '../sandbox/contactsFile';
import type { JobView, RequestLogEntry, Sandbox } from '../sandbox/types';
import { World } from '../sandbox/world';
import type { BaselineArgs, BaselineResult } from './baseline.child';
import type { EngineArgs, ExportRunResult, PollingRunResult } from './engine.child';
import {
	BIG_SITE,
	DIST,
	downloadJob,
	fitLine,
	login,
	median,
	MEMORY_MODEL,
	MEMORY_SITE_SIZE,
	MODEL,
	type PagingWhatIf,
	POLLING_MODEL,
	quantile,
	ROOT,
	runChild,
	SITE_SIZE,
} from './lib';
import type { ParserArgs, ParserName, ParserResult } from './parser.child';

/** The node's defaults as built in dist/ (what every measurement runs), for the labels and the JSON. */
const load = createRequire(__filename);
const paging = load(path.join(DIST, 'paging.js')) as typeof import('../nodes/OpenClinica/paging');
const wait = load(path.join(DIST, 'exportJob', 'wait.js')) as typeof import('../nodes/OpenClinica/exportJob/wait');
const validation = load(path.join(DIST, 'validation.js')) as typeof import('../nodes/OpenClinica/validation');
const SHIPPED = {
	pageSize: paging.DEFAULT_PAGE_SIZE,
	concurrency: paging.PAGE_CONCURRENCY,
	pollIntervalS: validation.DEFAULT_POLL_INTERVAL_S,
	pollGrowth: wait.POLL_GROWTH,
	maxPollMs: wait.MAX_POLL_INTERVAL_MS,
};
const BASELINE_PAGE_SIZE = 100;
const BASELINE_WAIT_MS = 5000;
const BASELINE_SAMPLE_PAGES = 10;
const PARSER_ROWS = 100_000;
/**
 * Sizes of the single-job exports of the polling measurement: 40 jobs of 100 to 20,000 participants
 * (~0.7 s to ~73 s), one at a random point of each of 40 equal steps on a log scale (stratified,
 * fixed seed). Evenly log-spaced sizes would step by ×1.146, in lockstep with a ×1.15 polling curve,
 * and every job would finish at the same phase of its polls.
 */
const POLLING_JOBS = 40;
const POLLING_SIZES = (() => {
	let seed = 7;
	const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
	return Array.from({ length: POLLING_JOBS }, (_, i) => Math.min(SITE_SIZE, Math.round(100 * 200 ** ((i + random()) / POLLING_JOBS))));
})();

const argv = process.argv.slice(2);
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wants = (name: string) => !only || only.includes(name);
const fullBaseline = argv.includes('--full-baseline');
const sweepArg = argv.find((a) => a === '--sweep' || a.startsWith('--sweep='));
const sweep = sweepArg !== undefined;
const sweepGrid: Array<[number, number]> = sweepArg?.includes('=')
	? sweepArg.slice(8).split(',').map((cell) => cell.split(/[x×]/).map(Number) as [number, number])
	: [100, 250, 500].flatMap((size) => [3, 4, 6, 8].map((c): [number, number] => [size, c]));

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const s = (ms: number) => ms / 1000;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

type Row = { measurement: string; ours: string; baseline: string; ratio: string; target: string; met: string };

// ---------------------------------------------------------------------------------------------
// 1. Parser
// ---------------------------------------------------------------------------------------------

async function measureParser() {
	const world = new World(42, PARSER_ROWS);
	const eligible = world.participantsOf(BIG_SITE).filter((p) => p.status === 'available' || p.status === 'signed');
	const file = renderContactsFile(eligible, { format: 'csv-conditional', studyLevel: false, includeInfo: true, contactInfoEnteredStatus: true });
	const dir = path.join(os.tmpdir(), `oc-bench-${process.pid}`);
	mkdirSync(dir, { recursive: true });
	const filePath = path.join(dir, 'contacts.csv');
	writeFileSync(filePath, file.text);
	log(`parser: ${file.rows} rows, ${(Buffer.byteLength(file.text) / 1e6).toFixed(1)} MB`);
	const results: Partial<Record<ParserName, ParserResult>> = {};
	try {
		for (const parser of ['csv-parse', 'papaparse', 'ours'] as ParserName[]) {
			// Speed: warm runs; memory: one parse in a fresh process (no garbage of earlier runs).
			const speed = await runChild<ParserResult>('parser.child.js', { parser, file: filePath, warmup: 3, iterations: 9 } satisfies ParserArgs, parser);
			const memory = await runChild<ParserResult>('parser.child.js', { parser, file: filePath, warmup: 0, iterations: 1 } satisfies ParserArgs, parser);
			results[parser] = { ...speed, peakRssMiB: memory.peakRssMiB, idleRssMiB: memory.idleRssMiB };
			log(`parser ${parser}: ${Math.round(results[parser]!.rowsPerSecond)} rows/s, peak ${results[parser]!.peakRssMiB.toFixed(0)} MiB`);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const ours = results.ours!;
	const libs = [results['csv-parse']!, results.papaparse!];
	const fastest = libs.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
	const sameObjects = libs.every((r) => r.hash === ours.hash && r.rows === ours.rows);
	return { rows: file.rows, bytes: Buffer.byteLength(file.text), results, fastest: fastest.parser, sameObjects, ratioToFastest: ours.rowsPerSecond / fastest.rowsPerSecond };
}

// ---------------------------------------------------------------------------------------------
// 2. Export against the physical limit (and 3's denominator)
// ---------------------------------------------------------------------------------------------

/** Participants a full export of the site returns (spec: 4.13, flag y). */
function siteRows(sandbox: Sandbox, siteOid: string): number {
	return sandbox.control.listParticipants(siteOid).filter((p) => p.status === 'available' || p.status === 'signed').length;
}

function runJobs(sandbox: Sandbox, since: number): JobView[] {
	return sandbox.control.listJobs().filter((j) => Date.parse(j.dateCreated) >= since);
}

/** How long the job held a worker: from pick-up to the file written (the sandbox's own timestamps). */
function workerMs(job: JobView): number {
	if (!job.dateStarted || !job.dateCompleted) throw new Error(`job ${job.uuid} did not complete`);
	return Date.parse(job.dateCompleted) - Date.parse(job.dateStarted);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Transfer: every file of the run downloaded once more, one after the other, over HTTP. */
async function transferMs(sandbox: Sandbox, jobs: JobView[]): Promise<number> {
	const token = await login(sandbox);
	const start = Date.now();
	for (const job of jobs) {
		const answer = await downloadJob(sandbox, token, job.uuid);
		if (!answer.ready) throw new Error(`transfer: job ${job.uuid} not downloadable`);
	}
	return Date.now() - start;
}

interface ExportRun {
	label: string;
	pageSize: number;
	concurrency: number;
	wallMs: number;
	items: number;
	jobs: number;
	/** Jobs past the last participant: the page that tells the end, and pages started alongside it. */
	emptyJobs: number;
	/** Worker time of the jobs that returned participants (the server's own work for the site). */
	rowJobsWorkerMs: number;
	/** Worker time of all the run's jobs. */
	workerMs: number;
	transferMs: number;
	/** First job created to last job completed. */
	serverSpanMs: number;
}

/** One Export (Return All) of the 20,000 site: as shipped, or with a `--sweep` what-if. */
async function exportSite(sandbox: Sandbox, rows: number, whatIf?: PagingWhatIf): Promise<ExportRun> {
	const label = whatIf ? `what-if ${whatIf.pageSize} × ${whatIf.concurrency}` : `as shipped, ${SHIPPED.pageSize} × ${SHIPPED.concurrency}`;
	sandbox.control.reset();
	const since = Date.now();
	const run = await runChild<ExportRunResult>(
		'engine.child.js',
		{ mode: 'export', endpoint: sandbox, siteOid: BIG_SITE, output: 'items', paging: whatIf, warmSiteOid: 'S_JUNO_LYO' } satisfies EngineArgs,
		`export ${label}`,
	);
	if (run.items !== rows) throw new Error(`export ${label}: ${run.items} items, expected ${rows}`);
	const jobs = runJobs(sandbox, since).filter((j) => j.siteOid === BIG_SITE);
	const rowJobs = jobs.filter((j) => (j.rows ?? 0) > 0);
	return {
		label,
		pageSize: whatIf?.pageSize ?? SHIPPED.pageSize,
		concurrency: whatIf?.concurrency ?? SHIPPED.concurrency,
		wallMs: run.wallMs,
		items: run.items,
		jobs: jobs.length,
		emptyJobs: jobs.length - rowJobs.length,
		rowJobsWorkerMs: sum(rowJobs.map(workerMs)),
		workerMs: sum(jobs.map(workerMs)),
		transferMs: await transferMs(sandbox, jobs),
		serverSpanMs: Math.max(...jobs.map((j) => Date.parse(j.dateCompleted!))) - Math.min(...jobs.map((j) => Date.parse(j.dateCreated))),
	};
}

/**
 * The physical limit, from the shipped run: the worker time its participant-carrying jobs took on
 * the sandbox (dateStarted → dateCompleted; pages of 500, the largest the spec recommends (§6.2 F),
 * so the fewest jobs), spread over the worker pool with none idle, plus the transfer of every file.
 * The empty jobs that find the end of the site are the node's cost, not the server's.
 */
function limitOf(run: ExportRun): number {
	return run.rowJobsWorkerMs / MODEL.workers + run.transferMs;
}

function logExport(run: ExportRun, limitMs: number) {
	log(`export ${run.label}: ${s(run.wallMs).toFixed(1)} s, ${run.jobs} jobs (${run.emptyJobs} empty), limit ${s(limitMs).toFixed(1)} s, ratio ${(run.wallMs / limitMs).toFixed(2)}`);
}

// ---------------------------------------------------------------------------------------------
// 3. Today's practice
// ---------------------------------------------------------------------------------------------

async function measureBaseline(sandbox: Sandbox, rows: number) {
	sandbox.control.reset();
	const maxPages = fullBaseline ? 0 : BASELINE_SAMPLE_PAGES;
	log(`baseline: page size ${BASELINE_PAGE_SIZE}, fixed ${BASELINE_WAIT_MS / 1000} s wait, ${maxPages === 0 ? 'whole site' : `${maxPages} pages sampled`}`);
	const result = await runChild<BaselineResult>(
		'baseline.child.js',
		{ endpoint: sandbox, siteOid: BIG_SITE, pageSize: BASELINE_PAGE_SIZE, waitMs: BASELINE_WAIT_MS, maxPages } satisfies BaselineArgs,
		'baseline',
	);
	// The loop stops at the first page shorter than the page size: page N/100 + 1 when N is a multiple.
	const pagesNeeded = Math.floor(rows / BASELINE_PAGE_SIZE) + 1;
	const pageMs = result.pages.map((p) => p.ms);
	const estimatedMs = result.complete ? result.totalMs : result.loginMs + (pageMs.reduce((a, b) => a + b, 0) / pageMs.length) * pagesNeeded;
	log(`baseline: ${result.pages.length} pages, median ${median(pageMs)} ms/page → ${s(estimatedMs).toFixed(0)} s for ${pagesNeeded} pages`);
	return {
		measuredPages: result.pages.length,
		pagesNeeded,
		complete: result.complete,
		medianPageMs: median(pageMs),
		maxPageMs: Math.max(...pageMs),
		pollsPerPage: median(result.pages.map((p) => p.polls)),
		measuredMs: result.totalMs,
		estimatedMs,
	};
}

// ---------------------------------------------------------------------------------------------
// 4. Polling cost
// ---------------------------------------------------------------------------------------------

interface PollingJob {
	rows: number;
	durationMs: number;
	delayMs: number;
	requests: number;
}

async function measurePolling() {
	const sandbox = await startSandbox({ port: 0, bigSiteSize: SITE_SIZE, ...POLLING_MODEL });
	try {
		await runChild<PollingRunResult>(
			'engine.child.js',
			{ mode: 'polling', endpoint: sandbox, siteOid: BIG_SITE, sizes: POLLING_SIZES } satisfies EngineArgs,
			'polling',
		);
		const requests = sandbox.control.listRequests();
		const jobs: PollingJob[] = sandbox.control.listJobs().map((job) => {
			// The job's download polls; the node stops at the file, so the last one is the download.
			const polls: RequestLogEntry[] = requests.filter((r) => r.path.includes(`/jobs/${job.uuid}/`));
			const download = polls[polls.length - 1];
			if (!download || download.status !== 200 || !job.dateCompleted) throw new Error(`polling: job ${job.uuid} has no download`);
			const completed = Date.parse(job.dateCompleted);
			return {
				rows: job.rows ?? 0,
				durationMs: completed - Date.parse(job.dateCreated),
				delayMs: Date.parse(download.time) - completed,
				requests: 1 + polls.length, // the submit, then every download poll of this job
			};
		});
		if (jobs.length !== POLLING_JOBS) throw new Error(`polling: ${jobs.length} jobs, expected ${POLLING_JOBS}`);
		jobs.sort((a, b) => a.durationMs - b.durationMs);
		const ratios = jobs.map((j) => j.delayMs / j.durationMs);
		const fit = fitLine(jobs.map((j) => Math.log(j.durationMs / 1000)), jobs.map((j) => j.requests));
		const m = {
			jobs: jobs.length,
			durationRangeS: [round(s(jobs[0].durationMs)), round(s(jobs[jobs.length - 1].durationMs))],
			delayMedianMs: median(jobs.map((j) => j.delayMs)),
			delayP95Ms: quantile(jobs.map((j) => j.delayMs), 0.95),
			delayRatioMedian: median(ratios),
			delayRatioP95: quantile(ratios, 0.95),
			requestsMedian: median(jobs.map((j) => j.requests)),
			requestsP95: quantile(jobs.map((j) => j.requests), 0.95),
			requestsMax: Math.max(...jobs.map((j) => j.requests)),
			/** requests ≈ a + b·ln(duration in s); growing no faster than log: good fit with this slope. */
			requestsVsLnDuration: { a: round(fit.a), b: round(fit.b), r2: round(fit.r2) },
			perJob: jobs.map((j) => ({ rows: j.rows, durationS: round(s(j.durationMs)), delayS: round(s(j.delayMs)), requests: j.requests })),
		};
		log(`polling: delay median ${(m.delayRatioMedian * 100).toFixed(1)}% of the job, requests median ${m.requestsMedian}, max ${m.requestsMax}`);
		return m;
	} finally {
		await sandbox.close();
	}
}

// ---------------------------------------------------------------------------------------------
// 5. Memory
// ---------------------------------------------------------------------------------------------

async function measureMemory() {
	const sandbox = await startSandbox({ port: 0, bigSiteSize: MEMORY_SITE_SIZE, ...MEMORY_MODEL });
	try {
		const out: Record<string, ExportRunResult> = {};
		for (const output of ['items', 'file'] as const) {
			sandbox.control.reset();
			out[output] = await runChild<ExportRunResult>(
				'engine.child.js',
				{ mode: 'export', endpoint: sandbox, siteOid: BIG_SITE, output, warmSiteOid: 'S_JUNO_LYO' } satisfies EngineArgs,
				`memory ${output}`,
			);
			log(`memory ${output}: peak ${out[output].peakRssMiB.toFixed(0)} MiB (idle ${out[output].idleRssMiB.toFixed(0)} MiB)`);
		}
		return out;
	} finally {
		await sandbox.close();
	}
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const started = Date.now();
	const meta = {
		date: new Date().toISOString(),
		cpus: os.cpus().length,
		node: process.version,
		loadAverageAtStart: os.loadavg().map((x) => round(x)),
		model: MODEL,
		siteSize: SITE_SIZE,
		shipped: SHIPPED,
	};
	log(`${meta.cpus} cpus, node ${meta.node}, load ${meta.loadAverageAtStart.join(' ')}`);
	const results: Record<string, unknown> = { meta };
	const table: Row[] = [];

	if (wants('parser')) {
		const p = await measureParser();
		results.parser = p;
		const ours = p.results.ours!;
		const fastest = p.results[p.fastest]!;
		const grown = (r: ParserResult) => Math.round(r.peakRssMiB - r.idleRssMiB);
		for (const name of ['csv-parse', 'papaparse'] as const) {
			const lib = p.results[name]!;
			table.push({
				measurement: `1. Parser, ${p.rows} rows (vs ${name})`,
				ours: `${Math.round(ours.rowsPerSecond / 1000)}k rows/s, +${grown(ours)} MiB peak`,
				baseline: `${Math.round(lib.rowsPerSecond / 1000)}k rows/s, +${grown(lib)} MiB peak`,
				ratio: `${(ours.rowsPerSecond / lib.rowsPerSecond).toFixed(2)}x speed, ${(grown(ours) / grown(lib)).toFixed(2)}x mem`,
				target: name === p.fastest ? '≥ 1.00x (fastest lib)' : '',
				met: name === p.fastest ? (ours.rowsPerSecond >= fastest.rowsPerSecond ? 'yes' : 'NO') : '',
			});
		}
		if (!p.sameObjects) table.push({ measurement: '1. Parser: same objects', ours: 'NO: outputs differ', baseline: '', ratio: '', target: '', met: 'NO' });
	}

	let limitSandbox: Sandbox | undefined;
	// The shipped export is also the reference of the sweep (its limit, its row count).
	const wantsExport = wants('export') || sweep;
	if (wantsExport || wants('baseline')) {
		limitSandbox = await startSandbox({ port: 0, bigSiteSize: SITE_SIZE, ...MODEL });
	}
	try {
		const rows = limitSandbox ? siteRows(limitSandbox, BIG_SITE) : 0;
		const shipped = limitSandbox && wantsExport ? await exportSite(limitSandbox, rows) : undefined;
		if (shipped) {
			const limitMs = limitOf(shipped);
			const ratio = shipped.wallMs / limitMs;
			logExport(shipped, limitMs);
			results.export = { ...shipped, rows, limitMs, ratioToLimit: ratio };
			table.push({
				measurement: `2. Export ${SITE_SIZE} vs limit (${shipped.label})`,
				ours: `${s(shipped.wallMs).toFixed(1)} s, ${shipped.jobs} jobs (${shipped.emptyJobs} empty)`,
				baseline: `limit ${s(limitMs).toFixed(1)} s (${shipped.jobs - shipped.emptyJobs} jobs' ${s(shipped.rowJobsWorkerMs).toFixed(1)} s / ${MODEL.workers} workers + transfer ${s(shipped.transferMs).toFixed(1)} s)`,
				ratio: `${ratio.toFixed(2)}x`,
				target: '≤ 1.20x',
				met: ratio <= 1.2 ? 'yes' : 'NO',
			});
		}
		if (sweep && limitSandbox && shipped) {
			const limitMs = limitOf(shipped);
			const cells: Array<ExportRun & { ratioToLimit: number }> = [];
			for (const [pageSize, concurrency] of sweepGrid) {
				const run = await exportSite(limitSandbox, rows, { pageSize, concurrency });
				logExport(run, limitMs);
				cells.push({ ...run, ratioToLimit: run.wallMs / limitMs });
			}
			results.sweep = { limitMs, cells };
			for (const c of cells) {
				table.push({
					measurement: `2. What-if (--sweep): ${c.pageSize} per page × ${c.concurrency} at once`,
					ours: `${s(c.wallMs).toFixed(1)} s, ${c.jobs} jobs (${c.emptyJobs} empty)`,
					baseline: `limit ${s(limitMs).toFixed(1)} s (shipped run's)`,
					ratio: `${c.ratioToLimit.toFixed(2)}x`,
					target: '',
					met: '',
				});
			}
		}

		// The baseline sleeps almost all the time: it shares its minute with the polling run,
		// which has its own sandbox.
		const [baseline, polling] = await Promise.all([
			limitSandbox && wants('baseline') ? measureBaseline(limitSandbox, rows) : undefined,
			wants('polling') ? measurePolling() : undefined,
		]);
		if (baseline) {
			results.baseline = baseline;
			const baselineCell = `${s(baseline.estimatedMs).toFixed(0)} s${baseline.complete ? '' : ` (${baseline.measuredPages}/${baseline.pagesNeeded} pages measured)`}`;
			if (shipped) {
				const ratio = baseline.estimatedMs / shipped.wallMs;
				table.push({
					measurement: `3. Export ${SITE_SIZE} vs today's practice (${shipped.label})`,
					ours: `${s(shipped.wallMs).toFixed(1)} s`,
					baseline: baselineCell,
					ratio: `${ratio.toFixed(1)}x faster`,
					target: '≥ 5x faster',
					met: ratio >= 5 ? 'yes' : 'NO',
				});
			} else {
				table.push({ measurement: "3. Today's practice alone", ours: '', baseline: baselineCell, ratio: '', target: '', met: '' });
			}
		}
		if (polling) {
			results.polling = polling;
			const m = polling;
			const logOk = m.requestsVsLnDuration.r2 >= 0.8;
			const curve = `as shipped: +${Math.round((SHIPPED.pollGrowth - 1) * 100)}% of the wait, ${SHIPPED.pollIntervalS}–${SHIPPED.maxPollMs / 1000} s`;
			table.push({
				measurement: `4. Polling, ${m.jobs} jobs ${m.durationRangeS[0]}–${m.durationRangeS[1]} s (${curve})`,
				ours: `delay median ${s(m.delayMedianMs).toFixed(2)} s, p95 ${s(m.delayP95Ms).toFixed(2)} s; requests/job median ${m.requestsMedian}, p95 ${m.requestsP95.toFixed(0)}`,
				baseline: "the job's own duration",
				ratio: `delay ${(m.delayRatioMedian * 100).toFixed(1)}% median, ${(m.delayRatioP95 * 100).toFixed(0)}% p95; requests ≈ ${m.requestsVsLnDuration.a} + ${m.requestsVsLnDuration.b}·ln(s), R² ${m.requestsVsLnDuration.r2}`,
				target: '< 10% median; requests O(log duration)',
				met: m.delayRatioMedian < 0.1 && logOk ? 'yes' : 'NO',
			});
		}
	} finally {
		await limitSandbox?.close();
	}

	if (wants('memory')) {
		const mem = await measureMemory();
		results.memory = mem;
		for (const [output, m] of Object.entries(mem)) {
			table.push({
				measurement: `5. Memory, export ${MEMORY_SITE_SIZE} as ${output}`,
				ours: `peak RSS ${m.peakRssMiB.toFixed(0)} MiB`,
				baseline: `engine idle ${m.idleRssMiB.toFixed(0)} MiB`,
				ratio: `+${(m.peakRssMiB - m.idleRssMiB).toFixed(0)} MiB (${(((m.peakRssMiB - m.idleRssMiB) * 1024 * 1024) / MEMORY_SITE_SIZE).toFixed(0)} B/participant)`,
				target: 'report',
				met: '',
			});
		}
	}

	results.loadAverageAtEnd = os.loadavg().map((x) => round(x));
	results.table = table;
	results.totalSeconds = round(s(Date.now() - started), 0);

	printTable(table);
	console.log(`\n${meta.cpus} cpus, Node ${meta.node}, load average ${meta.loadAverageAtStart.join('/')} → ${(results.loadAverageAtEnd as number[]).join('/')}, ${results.totalSeconds} s`);
	const dir = path.join(ROOT, 'bench', 'results');
	mkdirSync(dir, { recursive: true });
	const json = JSON.stringify(results, null, '\t');
	const file = path.join(dir, `bench-${meta.date.replace(/[:.]/g, '-')}.json`);
	writeFileSync(file, json);
	writeFileSync(path.join(dir, 'latest.json'), json);
	console.log(`results: ${path.relative(ROOT, file)} (and bench/results/latest.json)`);
}

function printTable(rows: Row[]) {
	const headers: Row = { measurement: 'Measurement', ours: 'This package', baseline: 'Baseline (same run)', ratio: 'Ratio', target: 'Target', met: 'Met' };
	const keys = Object.keys(headers) as Array<keyof Row>;
	const all = [headers, ...rows];
	const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
	const line = (r: Row) => `| ${keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
	console.log(line(headers));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const r of rows) console.log(line(r));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
