/**
 * Fault matrix (issue 4): every fault switch of the sandbox, alone on a one-page export and
 * combined with paging (5 page jobs, PAGE_CONCURRENCY running at once), with the expected outcome
 * asserted:
 * - what the user gets: every eligible participant, or a clear error;
 * - nothing lost or duplicated: participant IDs compared with the sandbox's own list;
 * - no job submitted twice: each page number submitted once, one sandbox job per accepted submit;
 * - the number of requests stays bounded.
 * Plus the download answers that are not faults (another user's job, not waiting) and the submit,
 * which is never retried. Every run goes through the leak checks of secrets.ts.
 */
import type { FaultsInput, RequestLogEntry, Sandbox } from '../../sandbox/types';
import type { EngineResult } from '../helpers/engine';
import {
	credentialsFor,
	eligibleLabels,
	errorText,
	exportParams,
	FAST,
	isDownload,
	isSubmit,
	isToken,
	PAGE_CONCURRENCY,
	participantIds,
	query,
	requests,
	useSandbox,
	waitFor,
} from './context';
import { runChecked, startChecked } from './secrets';

const sandbox = useSandbox();

interface Mode {
	name: string;
	siteOid: string;
	pageSize?: number;
	/** Pages an export of the site needs. */
	pages: number;
}

const MODES: Mode[] = [
	{ name: 'one page', siteOid: 'S_JUNO_LYO', pages: 1 },
	{ name: 'with paging', siteOid: 'S_JUNO_BOS', pageSize: 60, pages: 5 },
];

interface FaultCase {
	name: string;
	faults: FaultsInput;
	/** Options added to the node's (e.g. a short timeout). */
	options?: Record<string, unknown>;
	/** undefined: the export succeeds; otherwise the error must match. */
	error?: RegExp;
	/** The error names the job UUID of the first job. */
	namesJob?: boolean;
	/** Upper bound of runtime requests per job submitted, besides its submit. */
	maxRequestsPerJob: number;
	/** Token requests expected. */
	tokens?: number;
	/** Extra checks. */
	check?: (sb: Sandbox, result: EngineResult) => void;
	/** Acts while the export runs (e.g. expire tokens once polling started). */
	during?: (sb: Sandbox) => Promise<void>;
}

const downloadsWithStatus = (sb: Sandbox, status: number) =>
	requests(sb, (r: RequestLogEntry) => isDownload(r) && r.status === status).length;

const CASES: FaultCase[] = [
	{
		name: 'HTTP 500 on two downloads: retried with backoff',
		faults: { serverErrors: { count: 2, status: 500, match: 'downloadFile' } },
		maxRequestsPerJob: 8,
		check: (sb) => expect(downloadsWithStatus(sb, 500)).toBe(2),
	},
	{
		name: 'HTTP 503 on two downloads: retried with backoff',
		faults: { serverErrors: { count: 2, status: 503, match: 'downloadFile' } },
		maxRequestsPerJob: 8,
		check: (sb) => expect(downloadsWithStatus(sb, 503)).toBe(2),
	},
	{
		name: 'HTTP 502 on every download: a clear error after 3 retries',
		faults: { serverErrors: { count: 1000, status: 502, match: 'downloadFile' } },
		error: /internal error \(HTTP 502\)/,
		maxRequestsPerJob: 4,
		check: (sb) => expect(downloadsWithStatus(sb, 502)).toBe(4),
	},
	{
		name: 'dropped connections on two downloads: retried',
		faults: { dropConnections: { count: 2, match: 'downloadFile' } },
		maxRequestsPerJob: 8,
		check: (sb) => expect(downloadsWithStatus(sb, 0)).toBe(2),
	},
	{
		name: 'every download connection dropped: an error naming the host after 3 retries',
		faults: { dropConnections: { count: 1000, match: 'downloadFile' } },
		error: /Could not reach OpenClinica at 127\.0\.0\.1:\d+/,
		maxRequestsPerJob: 4,
		check: (sb) => expect(downloadsWithStatus(sb, 0)).toBe(4),
	},
	{
		name: 'transient noLogFileFound: retried',
		faults: { noLogFileFound: { count: 2, match: 'downloadFile' } },
		maxRequestsPerJob: 8,
	},
	{
		name: 'persistent noLogFileFound: retried 3 times, then "file missing"',
		faults: { noLogFileFound: { count: 1000, match: 'downloadFile' } },
		error: /export file of job .* is missing on the server/,
		namesJob: true,
		maxRequestsPerJob: 8,
	},
	{
		name: 'slow job (in progress for 3 polls): waited for',
		faults: { finishAfterPolls: 3 },
		maxRequestsPerJob: 6,
	},
	{
		name: 'stalled job: deadline error naming the job',
		faults: { stallJobs: true },
		options: { timeout: 0.5 },
		error: /did not finish within/,
		namesJob: true,
		maxRequestsPerJob: 20,
		check: (sb) => expect(sb.control.listJobs()[0].status).toBe('IN_PROGRESS'),
	},
	{
		name: 'tokens expiring mid-run: one refresh, then the export continues',
		faults: { finishAfterPolls: 4 },
		during: async (sb) => {
			await waitFor(() => requests(sb, isDownload).length >= 1, 'the first download poll');
			sb.control.setFaults({ expireTokens: true });
		},
		maxRequestsPerJob: 10,
		tokens: 2,
		check: (sb, result) => {
			expect(downloadsWithStatus(sb, 401)).toBeGreaterThanOrEqual(1);
			expect(result.credentialsHelper.stored('1').accessToken).not.toBe(result.credentialsHelper.updates[0].data.accessToken);
		},
	},
	{
		name: '429 on login: waits as Retry-After says, then logs in',
		faults: { token429: { count: 1, retryAfter: 1 } },
		maxRequestsPerJob: 6,
		tokens: 2,
		check: (sb) => expect(requests(sb, isToken).map((r) => r.status)).toEqual([429, 200]),
	},
	{
		name: '429 on login twice in a row: one wait, then a clear error',
		faults: { token429: { count: 2, retryAfter: 1 } },
		error: /rate limiting logins \(HTTP 429\)/,
		maxRequestsPerJob: 0,
		tokens: 2,
		check: (sb) => expect(requests(sb, (r) => !isToken(r))).toEqual([]),
	},
	{
		// Over the 30 s cap (a cancelled execution cannot interrupt the wait): fails at once.
		name: '429 on login asking for longer than the node waits: a clear error at once',
		faults: { token429: { count: 5, retryAfter: 45 } },
		error: /rate limiting logins \(HTTP 429\)/,
		maxRequestsPerJob: 0,
		tokens: 1,
		check: (sb) => expect(requests(sb, (r) => !isToken(r))).toEqual([]),
	},
	{
		name: '0-byte file: an error naming the job, never "no participants"',
		faults: { emptyFile: true },
		error: /is empty \(0 bytes\)/,
		namesJob: true,
		maxRequestsPerJob: 6,
	},
	{
		name: 'HTML page instead of the file, twice: retried',
		faults: { htmlInsteadOfFile: { count: 2, match: 'downloadFile' } },
		maxRequestsPerJob: 8,
	},
	{
		name: 'HTML page instead of the file, always: a clear error',
		faults: { htmlInsteadOfFile: { count: 1000, match: 'downloadFile' } },
		error: /HTML page instead of the export file of job/,
		namesJob: true,
		maxRequestsPerJob: 4,
	},
	{
		name: 'job deleted right after submission: job-not-found error naming the job',
		// finishAfterPolls keeps the worker from completing the deleted job (it "reappears" otherwise).
		faults: { deleteJobsWhileRunning: true, finishAfterPolls: 1 },
		error: /was not found|deleted/,
		namesJob: true,
		maxRequestsPerJob: 2,
	},
];

async function deleteJobAsUser(sb: Sandbox, token: string, uuid: string): Promise<number> {
	const response = await fetch(`${sb.studyUrl}/pages/auth/api/jobs/${uuid}`, {
		method: 'DELETE',
		headers: { Authorization: `Bearer ${token}`, 'User-Agent': 'test' },
	});
	return response.status;
}

describe.each(MODES)('fault matrix ($name)', (mode) => {
	it.each(CASES)('$name', async (fault) => {
		const sb = sandbox();
		const expected = eligibleLabels(sb, mode.siteOid);
		sb.control.setFaults(fault.faults);
		const handle = await startChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({
				siteOid: mode.siteOid,
				returnAll: true,
				options: { ...(mode.pageSize ? { pageSize: mode.pageSize } : {}), ...(fault.options ?? {}) },
			}),
		});
		await fault.during?.(sb);
		const result = await handle.done;

		const jobs = sb.control.listJobs();
		const submits = requests(sb, isSubmit);
		// No job submitted twice: each page once, and one job per accepted submit.
		const pages = submits.map((r) => Number(query(r).page_number));
		expect(new Set(pages).size).toBe(pages.length);
		expect(jobs).toHaveLength(submits.filter((r) => r.status === 200).length);

		if (fault.error) {
			expect(result.status).toBe('error');
			expect(result.error!.message).toMatch(fault.error);
			expect((result.error!.description ?? '').length).toBeGreaterThan(0);
			if (fault.namesJob) expect(result.error!.message).toContain(jobs[0].uuid);
			// A failing first page ends the export: no page after it is started.
			expect(pages).toEqual(jobs.length > 0 ? [1] : []);
			expect(result.items).toEqual([]);
		} else {
			expect(result.error).toBeUndefined();
			const ids = participantIds(result.items);
			expect(ids).toEqual(expected);
			expect([...pages].sort((a, b) => a - b).slice(0, mode.pages)).toEqual(
				Array.from({ length: mode.pages }, (_, i) => i + 1),
			);
			// Paging may start up to PAGE_CONCURRENCY-1 page jobs beyond the last page (that many run
			// at once), never more.
			expect(pages.length).toBeLessThanOrEqual(mode.pages + PAGE_CONCURRENCY - 1);
		}

		const runtime = requests(sb, (r) => !isToken(r));
		expect(runtime.length).toBeLessThanOrEqual(submits.length + jobs.length * fault.maxRequestsPerJob + 1);
		expect(requests(sb, isToken)).toHaveLength(fault.tokens ?? 1);
		fault.check?.(sb, result);
	});
});

describe('faults outside the matrix', () => {
	it('a job deleted while the node waits for it: "deleted while waiting", naming the job', async () => {
		const sb = sandbox();
		sb.control.setFaults({ finishAfterPolls: 5 });
		const handle = await startChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO' }),
		});
		await waitFor(() => requests(sb, isDownload).length >= 1, 'the first download poll');
		const [job] = sb.control.listJobs();
		const token = String(handle.credentialsHelper.stored('1').accessToken);
		expect(await deleteJobAsUser(sb, token, job.uuid)).toBe(200);
		const result = await handle.done;
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`Export job ${job.uuid} was deleted while waiting for it`);
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(downloadsWithStatus(sb, 404)).toBe(1);
	});

	it('a dropped connection on the submit is not retried (the job may exist): one submit, a clear error', async () => {
		const sb = sandbox();
		sb.control.setFaults({ dropConnections: { count: 1, match: 'extractParticipantsInfo' } });
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		expect(errorText(result.error)).toMatch(/Could not reach OpenClinica at 127\.0\.0\.1:\d+/);
		expect(errorText(result.error)).toMatch(/Bulk Actions Log/);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('a 500 on the submit is not retried either: one submit, a server-error message', async () => {
		const sb = sandbox();
		sb.control.setFaults({ serverErrors: { count: 1, status: 500, match: 'extractParticipantsInfo' } });
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		expect(result.error!.message).toMatch(/internal error \(HTTP 500\)/);
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(sb.control.listJobs()).toHaveLength(0);
	});

	it("downloading another user's job gives the another-user error", async () => {
		const sb = sandbox();
		const started = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS' },
		});
		expect(started.error).toBeUndefined();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'inv.omar'),
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: started.items[0].json.jobUuid as string,
				options: FAST,
			},
		});
		expect(result.status).toBe('error');
		expect(errorText(result.error)).toMatch(/another user|other user|belongs to|created by/i);
		expect(requests(sb, isDownload)).toHaveLength(1);
	});

	it('Download Export without waiting reports a job still in progress instead of failing', async () => {
		const sb = sandbox();
		sb.control.setFaults({ stallJobs: true });
		const credentials = credentialsFor(sb, 'crc.jane');
		const started = await runChecked(sb, {
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		const jobUuid = started.items[0].json.jobUuid as string;
		const result = await runChecked(sb, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid,
				waitForCompletion: false,
				options: FAST,
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({ jobUuid, ready: false });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(requests(sb, isDownload)).toHaveLength(1);
	});
});
