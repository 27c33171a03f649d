/**
 * Findings of the code review, each against the sandbox through the real engine: a proxy's bare
 * 5xx on the submit is never sent again, only an exact 500 can mean "still running", the Timeout
 * bounds retries, rows moved between pages are reported, a failing page stops the others, errors
 * name their input item, Download Export warns about missing access codes, and Fields applies to
 * the file too.
 */
import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox/types';
import { binaryBuffer, runNode } from '../helpers/engine';
import {
	credentialsFor,
	eligibleLabels,
	errorText,
	exportParams,
	FAST,
	isDownload,
	isSubmit,
	PAGE_CONCURRENCY,
	PASSWORD,
	participantIds,
	query,
	requests,
	useSandbox,
	waitFor,
} from './context';
import { runChecked, startChecked } from './secrets';

const sandbox = useSandbox();

/** Starts an export job without the node, so the node has learnt nothing about the server. */
async function submitDirectly(sb: Sandbox, siteOid = 'S_JUNO_LYO', user = 'crc.jane'): Promise<string> {
	const token = await (
		await fetch(sb.tokenUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ username: user, password: PASSWORD }),
		})
	).text();
	const answer = await fetch(
		`${sb.studyUrl}/pages/auth/api/clinicaldata/studies/S_JUNO/sites/${siteOid}/participants/extractParticipantsInfo?includeParticipateInfo=n`,
		{ method: 'POST', headers: { Authorization: `Bearer ${token}`, 'User-Agent': 'test' } },
	);
	const uuid = /job uuid: (\S+)/.exec(await answer.text())?.[1];
	if (!uuid) throw new Error('direct submit failed');
	return uuid;
}

const downloadParams = (jobUuid: string, options: Record<string, unknown> = {}) => ({
	resource: 'participantContact',
	operation: 'downloadExport',
	jobUuid,
	options: { ...FAST, ...options },
});

const downloadsOf = (sb: Sandbox, uuid: string) => requests(sb, (r) => isDownload(r) && r.path.includes(uuid));

describe('B1: the submit is never sent twice', () => {
	it('a 502 with an empty body (a proxy in front of a server that created the job): one POST, a clear error', async () => {
		const sb = sandbox();
		sb.control.setFaults({ serverErrors: { count: 1, status: 502, emptyBody: true, match: 'extractParticipantsInfo' } });
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe('OpenClinica had an internal error (HTTP 502)');
		expect(result.error!.description).toMatch(/export may have started.*Bulk Actions Log.*before retrying/);
		expect(requests(sb, (r) => isSubmit(r) && r.method === 'POST')).toHaveLength(1);
		expect(sb.control.listJobs()).toHaveLength(0);
	});
});

describe('B2: only an exact 500 may mean "still running"', () => {
	// A server of its own: the node must not have learnt this study URL's era from a submit.
	let fresh: Sandbox | undefined;
	beforeAll(async () => {
		fresh = await startSandbox({ port: 0, jobBaseMs: 5, perParticipantMs: 0.01 });
	});
	afterAll(async () => {
		await fresh?.close();
	});

	it('a persistent 503 on 4.13 fails fast; a later download with a transient 503 still works', async () => {
		const sb = fresh!;
		const credentials = credentialsFor(sb, 'crc.jane');
		const outage = await submitDirectly(sb);
		sb.control.setFaults({ serverErrors: { count: 1000, status: 503, match: 'downloadFile' } });
		const failed = await runChecked(sb, { credentials, parameters: downloadParams(outage, { timeout: 5 }) });
		expect(failed.status).toBe('error');
		expect(failed.error!.message).toBe('OpenClinica had an internal error (HTTP 503)');
		// One poll and 3 retries; no probe of the server's era.
		expect(requests(sb, isDownload)).toHaveLength(4);

		sb.control.setFaults({ serverErrors: null });
		sb.control.clearRequests();
		const later = await submitDirectly(sb);
		sb.control.setFaults({ serverErrors: { count: 2, status: 503, match: 'downloadFile' } });
		const result = await runChecked(sb, { credentials, parameters: downloadParams(later, { timeout: 5 }) });
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(downloadsOf(sb, later).filter((r) => r.status === 503)).toHaveLength(2);
		expect(downloadsOf(sb, later).length).toBeLessThanOrEqual(5);
	});
});

describe('B3: the Timeout bounds the requests of a wait', () => {
	it('every download connection dropped: no retry after the deadline, the error names the job', async () => {
		const sb = sandbox();
		sb.control.setFaults({ dropConnections: { count: 1000, match: 'downloadFile' } });
		// Retries would wait 1, 2 and 4 s (Poll Interval 2 s), all past the 0.5 s Timeout.
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ options: { timeout: 0.5, pollInterval: 2 } }),
		});
		expect(result.status).toBe('error');
		const [job] = sb.control.listJobs();
		expect(errorText(result.error)).toMatch(/Could not reach OpenClinica at 127\.0\.0\.1:\d+/);
		expect(errorText(result.error)).toContain(job.uuid);
		expect(requests(sb, isDownload)).toHaveLength(1);
	});
});

describe('B6: rows moved between pages are reported', () => {
	it('a participant restored while paging: the duplicate is dropped and a hint says so', async () => {
		const sb = sandbox();
		const before = eligibleLabels(sb, 'S_JUNO_BOS');
		// Page 1 is held for two polls, long enough to change the site before page 2 is read.
		sb.control.setFaults({ finishAfterPolls: 2 });
		const handle = await startChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: true, options: { pageSize: 60 } }),
		});
		await waitFor(() => sb.control.listJobs()[0]?.rows !== null && sb.control.listJobs()[0]?.rows !== undefined, 'page 1 written');
		// BOS-0012 (removed) comes back before the page boundary: every later row moves one page on.
		sb.control.updateParticipant('BOS-0012', { status: 'available' });
		const result = await handle.done;
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(before);
		const hints = result.hints.map((h) => h.message);
		expect(hints).toEqual([
			'The site changed while paging: 1 duplicate row(s) were dropped and some rows may have been missed; run the export again.',
		]);
	});
});

describe('R5: a failing page stops the other page jobs', () => {
	it('page 2 deleted while the later pages stall: the error comes without waiting for them', async () => {
		const sb = sandbox();
		sb.control.setFaults({ finishAfterPolls: 2 });
		const handle = await startChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: true, options: { pageSize: 60, timeout: 10 } }),
		});
		// Page 1 finishes; the pages after it stall. Page 1 comes back full (60 of 5 pages), so pages
		// 2..PAGE_CONCURRENCY+1 are started at once: page 2 fails while the others are still running.
		await waitFor(() => requests(sb, isSubmit).length >= 1, 'page 1 submitted');
		sb.control.setFaults({ finishAfterPolls: null, stallJobs: true });
		const job = (page: number) => sb.control.listJobs().find((j) => j.pageNumber === page);
		const concurrent = Array.from({ length: PAGE_CONCURRENCY }, (_, i) => i + 2);
		const stalled = concurrent.slice(1);
		expect(stalled.length).toBeGreaterThan(0);
		await waitFor(
			() => concurrent.every((page) => job(page) !== undefined && downloadsOf(sb, job(page)!.uuid).length >= 1),
			`pages ${concurrent.join(', ')} polled`,
		);
		const token = String(handle.credentialsHelper.stored('1').accessToken);
		const deleted = await fetch(`${sb.studyUrl}/pages/auth/api/jobs/${job(2)!.uuid}`, {
			method: 'DELETE',
			headers: { Authorization: `Bearer ${token}`, 'User-Agent': 'test' },
		});
		expect(deleted.status).toBe(200);
		const pollsAtDelete = stalled.map((page) => downloadsOf(sb, job(page)!.uuid).length);

		const result = await handle.done;
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`Export job ${job(2)!.uuid} was deleted while waiting for it`);
		// Every other running page (Timeout 10 s) stopped within a poll or two instead of polling
		// until its timeout.
		stalled.forEach((page, i) => {
			expect(downloadsOf(sb, job(page)!.uuid).length).toBeLessThanOrEqual(pollsAtDelete[i] + 2);
			expect(job(page)!.status).toBe('IN_PROGRESS');
		});
		// No page started after the failure: page 1 and the pages running with page 2.
		expect(requests(sb, isSubmit).map((r) => Number(query(r).page_number)).sort((a, b) => a - b)).toEqual([
			1,
			...concurrent,
		]);
	});
});

describe('C1: a failing item is named in the error', () => {
	it('NodeApiError of item 2 of 2 (unknown site) carries itemIndex 1', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			items: [{ site: 'S_JUNO_LYO' }, { site: 'S_JUNO_NOPE' }],
			parameters: exportParams({ siteOid: '={{ $json.site }}' }),
		});
		expect(result.status).toBe('error');
		expect(result.error!.constructor.name).toBe('NodeApiError');
		expect(result.error!.message).toMatch(/S_JUNO_NOPE/);
		expect(result.error!.context?.itemIndex).toBe(1);
	});

	it('NodeOperationError of item 2 of 2 (a job that does not finish) carries itemIndex 1', async () => {
		const sb = sandbox();
		const done = await submitDirectly(sb);
		sb.control.setFaults({ stallJobs: true });
		const stalled = await submitDirectly(sb);
		sb.control.setFaults({ stallJobs: null });
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			items: [{ job: done }, { job: stalled }],
			parameters: downloadParams('={{ $json.job }}', { timeout: 0.3 }),
		});
		expect(result.status).toBe('error');
		expect(result.error!.constructor.name).toBe('NodeOperationError');
		expect(result.error!.message).toContain(stalled);
		expect(result.error!.context?.itemIndex).toBe(1);
	});

	it('an unsupported operation is an error item with Continue On Fail', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			continueOnFail: true,
			parameters: { resource: 'participantContact', operation: 'nope' },
		});
		expect(result.status).toBe('success');
		expect(result.items).toEqual([
			{ json: { error: 'The operation "nope" is not supported for resource "participantContact"' }, pairedItem: { item: 0 } },
		]);
	});
});

describe('C4: Download Export warns when access codes were asked for but not returned', () => {
	it('a study-level user (dm.lee) gets the rows and the access-code hint', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'dm.lee');
		const started = await runChecked(sb, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'startExport',
				studyOid: 'S_JUNO',
				siteOid: 'S_JUNO_LYO',
				includeAccessCodes: true,
			},
		});
		const result = await runChecked(sb, {
			credentials,
			parameters: { ...downloadParams(started.items[0].json.jobUuid as string), includeAccessCodes: true },
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(result.hints.map((h) => h.message)).toEqual([
			expect.stringMatching(/^No access codes were returned: .*Clinical Research Coordinator or Investigator role at the site/),
		]);
	});
});

describe('C5: Fields applies to the file too', () => {
	it('file output with Fields [participantId, email] holds only those columns', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ returnAll: true, output: 'file', options: { fields: ['participantId', 'email'] } }),
		});
		expect(result.error).toBeUndefined();
		const text = binaryBuffer(result.items[0]).toString('utf8');
		const lines = text.split('\n');
		expect(lines[0]).toBe('ParticipantId,Email');
		const participants = sb.control
			.listParticipants('S_JUNO_LYO')
			.filter((p) => p.status === 'available' || p.status === 'signed');
		expect(lines.slice(1, -2)).toEqual(participants.map((p) => `${p.label},${p.detail?.email ?? ''}`));
		expect(text.endsWith('\n\n')).toBe(true);
		for (const p of participants) {
			if (p.detail?.lastName) expect(text).not.toContain(p.detail.lastName);
		}
	});
});
