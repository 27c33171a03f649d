// Shared fixtures for the sandbox contract tests: one sandbox per describe block, the control API
// spoken over HTTP (as documented in sandbox/README.md), and the expected-file builders written
// from the spec (shared/openclinica-api.md §2.3, §2.5).
import { startSandbox } from '../../sandbox';
import type {
	FaultsInput,
	JobView,
	NewParticipant,
	ParticipantPatch,
	ParticipantView,
	RequestLogEntry,
	SandboxOptions,
	TimingConfig,
} from '../../sandbox/types';
import { header, HttpResponse, login, request } from '../helpers/http';

export type { JobView, ParticipantView } from '../../sandbox/types';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/** The control API over HTTP (`/__sandbox/*`). Every call asserts a 2xx answer. */
export class Control {
	constructor(private readonly baseUrl: string) {}

	private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await request(`${this.baseUrl}/__sandbox/${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (res.status < 200 || res.status > 299) {
			throw new Error(`control ${method} ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
		}
		return (res.text.trim() === '' ? undefined : JSON.parse(res.text)) as T;
	}

	reset(): Promise<void> {
		return this.call('POST', 'reset');
	}
	setFaults(f: FaultsInput): Promise<unknown> {
		return this.call('POST', 'faults', f);
	}
	getFaults(): Promise<Record<string, unknown>> {
		return this.call('GET', 'faults');
	}
	participants(siteOid: string): Promise<ParticipantView[]> {
		return this.call('GET', `participants?siteOid=${encodeURIComponent(siteOid)}`);
	}
	addParticipant(p: NewParticipant): Promise<ParticipantView> {
		return this.call('POST', 'participants', p);
	}
	updateParticipant(label: string, patch: ParticipantPatch): Promise<ParticipantView> {
		return this.call('PATCH', `participants/${encodeURIComponent(label)}`, patch);
	}
	jobs(): Promise<JobView[]> {
		return this.call('GET', 'jobs');
	}
	async job(uuid: string): Promise<JobView | undefined> {
		return (await this.jobs()).find((j) => j.uuid === uuid);
	}
	requests(): Promise<RequestLogEntry[]> {
		return this.call('GET', 'requests');
	}
	clearRequests(): Promise<void> {
		return this.call('DELETE', 'requests');
	}
	setConfig(c: Partial<TimingConfig>): Promise<TimingConfig> {
		return this.call('POST', 'config', c);
	}

	/** Bounded wait (control API only, no download polls) until the job has left IN_PROGRESS. */
	async waitForJob(uuid: string, timeoutMs = 10_000): Promise<JobView> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const j = await this.job(uuid);
			if (j && j.status !== 'IN_PROGRESS') return j;
			if (Date.now() > deadline) throw new Error(`job ${uuid} not finished: ${JSON.stringify(j)}`);
			await new Promise((r) => setTimeout(r, 15));
		}
	}
}

export interface Ctx {
	sb: Sandbox;
	control: Control;
	studyUrl: string;
	/** A cached token per user (call `forgetTokens` after `expireTokens`). */
	token(user: string): Promise<string>;
	forgetTokens(): void;
}

/** Fast timings and a small big site: the suite must stay quick on 2 cores. */
export const FAST: SandboxOptions = { bigSiteSize: 40, jobBaseMs: 2, perParticipantMs: 0.01 };

/** Start one sandbox for the enclosing describe block (beforeAll/afterAll). */
export function useSandbox(options: SandboxOptions = {}): Ctx {
	const tokens = new Map<string, string>();
	const ctx = {
		forgetTokens: () => tokens.clear(),
		async token(user: string): Promise<string> {
			let t = tokens.get(user);
			if (!t) {
				t = await login(ctx.sb.tokenUrl, user);
				tokens.set(user, t);
			}
			return t;
		},
	} as Ctx;
	beforeAll(async () => {
		ctx.sb = await startSandbox({ port: 0, ...FAST, ...options });
		ctx.control = new Control(ctx.sb.baseUrl);
		ctx.studyUrl = ctx.sb.studyUrl;
	});
	afterAll(async () => {
		await ctx.sb?.close();
	});
	return ctx;
}

// ---------------------------------------------------------------------------------------------
// Expected file contents

export const HEADER = {
	siteN: 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status',
	siteY: 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status',
	study: 'ParticipantId,Participate Status',
	csv8: 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status',
	pipeV2: 'ParticipantId|First Name|Last Name|Email|Mobile|Identifier|Access Code|Participate Status',
	pipeV1: 'Participant Id|First Name|Last Name|Email Address|Phone Number|Identifier|Access Code|Participant Status',
};

export const ACCESS_CODE = /^[2346789aAbBcCdDeEfFgGhHijJkKLmMnNpPqQrRstTuUvVwWxXyYzZ]{9}$/;

/**
 * Layout of a file:
 * - `site-n` / `site-y` / `study`: 4.13 (§2.3), status only copied when a contact record exists;
 * - `csv8-n` / `csv8-y`: V6–V11 (8 columns; with n the code and status are empty);
 * - `always-csv` / `always-pipe`: V1–V5 (code and status always filled).
 */
export type Layout = 'site-n' | 'site-y' | 'study' | 'csv8-n' | 'csv8-y' | 'always-csv' | 'always-pipe';

export interface RowExpectation {
	label: string;
	canonical: string;
	matches(line: string): boolean;
}

type FieldCheck = { canonical: string; ok(v: string): boolean };
const exactly = (v: string): FieldCheck => ({ canonical: v, ok: (x) => x === v });
const oneOf = (...vs: string[]): FieldCheck => ({ canonical: vs[0], ok: (x) => vs.includes(x) });

export interface RowOptions {
	/** Profiles without CONTACT_INFO_ENTERED (before 4.11): that status must not be written. */
	noContactInfoEntered?: boolean;
}

/**
 * The expected line of one participant. Spec silences are tolerated, not guessed:
 * - the access code of a participant with no contact record may be written or empty (§2.3 only
 *   says the *status* is dropped in that case);
 * - in V1–V5 files the status/code of a participant without a contact record may be empty.
 */
export function expectedRow(p: ParticipantView, layout: Layout, o: RowOptions = {}): RowExpectation {
	const sep = layout === 'always-pipe' ? '|' : ',';
	const d = p.detail;
	const fixed =
		layout === 'study'
			? [p.label]
			: [p.label, d?.firstName ?? '', d?.lastName ?? '', d?.email ?? '', d?.phone ?? '', d?.identifier ?? ''];
	const code = p.accessCode ?? '';
	const status = p.userStatus ?? '';
	const variable: FieldCheck[] = [];
	const withCode = layout === 'site-y' || layout === 'csv8-y' || layout === 'csv8-n' || layout.startsWith('always');
	if (withCode) {
		if (layout === 'csv8-n') variable.push(exactly(''));
		else variable.push(d ? exactly(code) : oneOf('', code));
	}
	let st: FieldCheck;
	if (layout === 'csv8-n') st = exactly('');
	else if (layout.startsWith('always')) st = d ? exactly(status) : oneOf('', status);
	else st = d ? exactly(status) : exactly('');
	if (o.noContactInfoEntered && p.userStatus === 'CONTACT_INFO_ENTERED') {
		// The spec only says the status cannot appear before 4.11; the sandbox README chooses
		// "no Participate account": empty status and empty access code.
		st = exactly('');
		if (withCode) variable[0] = exactly('');
	}
	variable.push(st);
	const prefix = fixed.join(sep) + sep;
	return {
		label: p.label,
		canonical: prefix + variable.map((v) => v.canonical).join(sep),
		matches(line: string): boolean {
			if (!line.startsWith(prefix)) return false;
			const rest = line.slice(prefix.length).split(sep);
			return rest.length === variable.length && rest.every((v, i) => variable[i].ok(v));
		},
	};
}

export const isAvailableOrSigned = (p: ParticipantView) => p.status === 'available' || p.status === 'signed';
export const isNotRemoved = (p: ParticipantView) => p.status !== 'removed' && p.status !== 'auto-removed';
export const isAvailable = (p: ParticipantView) => p.status === 'available';

export interface ParsedFile {
	text: string;
	header: string;
	rows: string[];
}

/** Split a downloaded file, asserting the framing every version shares: LF only, ends in `\n\n`. */
export function parseFile(body: Buffer): ParsedFile {
	const text = body.toString('utf8');
	expect(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
	expect(text).not.toContain('\r');
	expect(text.endsWith('\n\n')).toBe(true);
	const lines = text.slice(0, -2).split('\n');
	const [head, ...rows] = lines;
	return { text, header: head, rows };
}

/**
 * Assert the data rows are exactly `expected` (one line each). `ordered`: in this order, except
 * that participants with the same `dateCreated` may come in either order (§2.4: ties have no
 * defined order). Unordered: the same multiset of rows.
 */
export function expectRows(actual: string[], expected: ParticipantView[], layout: Layout, ordered: boolean, o: RowOptions = {}) {
	const exps = expected.map((p) => expectedRow(p, layout, o));
	const canonicalActual = actual.map((line) => exps.find((e) => e.matches(line))?.canonical ?? line);
	const canonicalExpected = exps.map((e) => e.canonical);
	if (!ordered) {
		expect([...canonicalActual].sort()).toEqual([...canonicalExpected].sort());
		return;
	}
	let i = 0;
	while (i < expected.length) {
		let j = i + 1;
		while (j < expected.length && expected[j].dateCreated === expected[i].dateCreated) j++;
		if (j - i > 1) {
			sortRange(canonicalActual, i, j);
			sortRange(canonicalExpected, i, j);
		}
		i = j;
	}
	expect(canonicalActual).toEqual(canonicalExpected);
}

function sortRange(a: string[], from: number, to: number) {
	const part = a.slice(from, to).sort();
	a.splice(from, part.length, ...part);
}

/** Java `URLEncoder.encode(s, "UTF-8")`, then `+` → `%20` (the 4.13 Content-Disposition value). */
export function javaUrlEncode(s: string, plus = '%20'): string {
	let out = '';
	for (const b of Buffer.from(s, 'utf8')) {
		const c = String.fromCharCode(b);
		if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
		else if (c === ' ') out += plus;
		else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
	}
	return out;
}

export function errorJson(message: string, siteOid: string, studyOid: string): string {
	return JSON.stringify({ message, params: { siteOid, studyOid } });
}

/** Parse a 400/417 JSON error body; key order is not asserted by this helper. */
export function parsedError(res: HttpResponse): unknown {
	return JSON.parse(res.text);
}

export { header };

export const PROD_NAME = /^JUNO-PROD_Participant Access Code_(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(\d{3})Z\.csv$/;

/** The GMT time written in a V5+ file name. */
export function fileNameTime(name: string): number {
	const m = /_(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(\d{3})Z\.csv$/.exec(name);
	if (!m) throw new Error(`not a V5+ file name: ${name}`);
	const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
	return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}
