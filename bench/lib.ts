// Shared pieces of `npm run bench`: paths, the sandbox's worker model, child processes, statistics
// and plain-HTTP OpenClinica calls (for the "today's practice" baseline and the transfer measurement).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above with this package's package.json. */
export function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		const file = path.join(dir, 'package.json');
		if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'n8n-nodes-openclinica') {
			return dir;
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error('bench: repository root not found');
		dir = parent;
	}
}

export const ROOT = repoRoot();
export const DIST = path.join(ROOT, 'dist', 'nodes', 'OpenClinica');
export const PASSWORD = 'Sandbox-Pass-1';
export const STUDY = 'S_JUNO';
export const BIG_SITE = 'S_JUNO_BIG';
export const USER = 'crc.jane';
export const API = '/pages/auth/api';

/**
 * The sandbox's "realistic" worker model. OpenClinica runs export jobs on Spring's async executor
 * (the JVM common pool: cores - 1 threads, so 3 on a typical 4-core server). Each job has a fixed
 * cost (job row, study schema lookup, file creation and audit) and a per-participant cost (the
 * participant query plus, with Participate info, one Keycloak call per participant with an
 * account: the sandbox doubles the cost of those).
 */
export const MODEL = { workers: 3, jobBaseMs: 300, perParticipantMs: 2 } as const;
export const SITE_SIZE = 20_000;
export const MEMORY_SITE_SIZE = 50_000;
/** Memory is measured with instant jobs: timing does not change what the engine holds. */
export const MEMORY_MODEL = { workers: 3, jobBaseMs: 0, perParticipantMs: 0 } as const;
/** Polling cost is measured with a pool large enough that no job queues: duration = own cost. */
export const POLLING_MODEL = { workers: 64, jobBaseMs: MODEL.jobBaseMs, perParticipantMs: MODEL.perParticipantMs } as const;

/** `--sweep` only: a what-if page size and concurrency of Export, set in its own child process. */
export interface PagingWhatIf {
	pageSize: number;
	concurrency: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes: one JSON result on a line starting with RESULT_PREFIX.
// ---------------------------------------------------------------------------------------------

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function emit(result: unknown): void {
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

export function runChild<T>(script: string, args: unknown, label: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, script), JSON.stringify(args)], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			out += chunk;
		});
		child.on('error', reject);
		child.on('close', (code) => {
			const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (code !== 0 || !line) {
				reject(new Error(`bench child "${label}" failed (exit ${code}):\n${out.slice(-2000)}`));
				return;
			}
			resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
		});
	});
}

export function childArgs<T>(): T {
	return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
	return process.resourceUsage().maxRSS / 1024;
}

export function rssMiB(): number {
	return process.memoryUsage().rss / 1024 / 1024;
}

// ---------------------------------------------------------------------------------------------
// Statistics.
// ---------------------------------------------------------------------------------------------

export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const pos = (sorted.length - 1) * q;
	const lo = Math.floor(pos);
	const hi = Math.ceil(pos);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values: number[]) => quantile(values, 0.5);

/** Least squares y = a + b·x. */
export function fitLine(xs: number[], ys: number[]): { a: number; b: number; r2: number } {
	const n = xs.length;
	const mx = xs.reduce((s, x) => s + x, 0) / n;
	const my = ys.reduce((s, y) => s + y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (let i = 0; i < n; i++) {
		sxy += (xs[i] - mx) * (ys[i] - my);
		sxx += (xs[i] - mx) ** 2;
		syy += (ys[i] - my) ** 2;
	}
	const b = sxx === 0 ? 0 : sxy / sxx;
	return { a: my - b * mx, b, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Plain HTTP against the sandbox (what an HTTP Request node sends).
// ---------------------------------------------------------------------------------------------

export interface Endpoint {
	studyUrl: string;
	tokenUrl: string;
}

export async function login(endpoint: Endpoint, username = USER): Promise<string> {
	const response = await fetch(endpoint.tokenUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD }),
	});
	if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
	return (await response.text()).trim();
}

export async function submitJob(
	endpoint: Endpoint,
	token: string,
	siteOid: string,
	pageNumber: number,
	pageSize: number,
	includeParticipateInfo = true,
): Promise<string> {
	const flag = includeParticipateInfo ? 'y' : 'n';
	const url =
		`${endpoint.studyUrl}${API}/clinicaldata/studies/${encodeURIComponent(STUDY)}/sites/${encodeURIComponent(siteOid)}` +
		`/participants/extractParticipantsInfo?includeParticipateInfo=${flag}&page_number=${pageNumber}&page_size=${pageSize}`;
	const response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Accept: '*/*' } });
	const text = await response.text();
	const match = /job\s*uuid\s*:\s*"?([0-9a-f-]{36})/i.exec(text);
	if (response.status !== 200 || !match) throw new Error(`submit failed: ${response.status} ${text.slice(0, 200)}`);
	return match[1];
}

export interface DownloadAnswer {
	ready: boolean;
	body: Buffer;
	status: number;
}

export async function downloadJob(endpoint: Endpoint, token: string, uuid: string): Promise<DownloadAnswer> {
	const response = await fetch(`${endpoint.studyUrl}${API}/jobs/${uuid}/downloadFile`, {
		headers: { Authorization: `Bearer ${token}`, Accept: '*/*', 'User-Agent': 'n8n-bench' },
	});
	const body = Buffer.from(await response.arrayBuffer());
	const ready = response.status === 200 && response.headers.get('content-disposition') !== null;
	return { ready, body, status: response.status };
}
