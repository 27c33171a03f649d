/**
 * Engine tests: Start Export / Download Export, and how the node waits for a job (in-progress
 * answers, a token that expires mid-wait, a stalled job, cancellation).
 */
import { runNode, startRun } from '../helpers/engine';
import {
	credentialsFor,
	eligibleLabels,
	errorText,
	exportParams,
	FAST,
	isDownload,
	isSubmit,
	isToken,
	participantIds,
	query,
	requests,
	useSandbox,
	waitFor,
} from './context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('OpenClinica node, job operations and waiting (engine)', () => {
	const sandbox = useSandbox();

	it('Start Export submits one job and outputs its UUID and request', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: {
				resource: 'participantContact',
				operation: 'startExport',
				studyOid: 'S_JUNO',
				siteOid: 'S_JUNO_LYO',
				includeAccessCodes: true,
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const jobs = sb.control.listJobs();
		expect(jobs).toHaveLength(1);
		const out = result.items[0].json;
		expect(Object.keys(out).sort()).toEqual(
			['includeAccessCodes', 'jobUuid', 'pageNumber', 'pageSize', 'siteOid', 'studyOid'].sort(),
		);
		expect(out.jobUuid).toMatch(UUID);
		expect(out).toMatchObject({
			jobUuid: jobs[0].uuid,
			studyOid: 'S_JUNO',
			siteOid: 'S_JUNO_LYO',
			includeAccessCodes: true,
			pageNumber: jobs[0].pageNumber,
			pageSize: jobs[0].pageSize,
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(requests(sb, isDownload)).toHaveLength(0);
	});

	it('Download Export by job UUID waits for the job and outputs its participants', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		sb.control.setFaults({ finishAfterPolls: 2 });
		const started = await runNode({
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		expect(started.error).toBeUndefined();
		const jobUuid = started.items[0].json.jobUuid as string;

		const result = await runNode({
			credentials,
			items: [{ jobUuid }],
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: '={{ $json.jobUuid }}',
				waitForCompletion: true,
				options: FAST,
			},
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(requests(sb, isDownload).length).toBeGreaterThanOrEqual(3);
	});

	it('Download Export can output the file only', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		const started = await runNode({
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		const result = await runNode({
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: started.items[0].json.jobUuid as string,
				output: 'file',
				options: FAST,
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].binary?.data?.mimeType).toBe('text/csv');
		expect(result.items[0].binary?.data?.fileName).toBe(sb.control.listJobs()[0].fileName);
	});

	it('Export waits through in-progress answers', async () => {
		const sb = sandbox();
		sb.control.setFaults({ finishAfterPolls: 4 });
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(requests(sb, isDownload).length).toBeGreaterThanOrEqual(5);
	});

	it('a token that expires in the middle of a wait is refreshed exactly once and the export completes', async () => {
		const sb = sandbox();
		sb.control.setFaults({ finishAfterPolls: 6 });
		const handle = await startRun({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true }),
		});
		// Once the node is polling the job, expire every token issued so far.
		await waitFor(() => requests(sb, isDownload).length >= 1, 'the first download poll');
		sb.control.setFaults({ expireTokens: true });
		const result = await handle.done;

		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(result.credentialsHelper.refreshes).toBe(1);
		expect(result.credentialsHelper.logins).toBe(2);
		expect(requests(sb, isToken)).toHaveLength(2);
		expect(requests(sb, (r) => isDownload(r) && r.status === 401)).toHaveLength(1);
		// The job was not resubmitted.
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(sb.control.listJobs()).toHaveLength(1);
	});

	it('a stalled job times out with its job UUID in the error', async () => {
		const sb = sandbox();
		sb.control.setFaults({ stallJobs: true });
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', options: { timeout: 1, pollInterval: 0.05 } }),
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeDefined();
		const [job] = sb.control.listJobs();
		expect(job.status).toBe('IN_PROGRESS');
		expect(result.error!.description ?? '').toContain(job.uuid);
		expect(errorText(result.error)).toMatch(/time|still running|in progress/i);
		expect(errorText(result.error)).toMatch(/Download Export/);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('cancelling the execution stops a waiting export', async () => {
		const sb = sandbox();
		sb.control.setFaults({ stallJobs: true });
		const handle = await startRun({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', options: { timeout: 600, pollInterval: 0.05 } }),
		});
		await waitFor(() => requests(sb, isDownload).length >= 2, 'the node polling the stalled job');
		handle.cancel();
		// With a stalled job and a 10-minute timeout, only the cancellation can end this run.
		const result = await handle.done;
		expect(result.status).toBe('canceled');
		expect(result.items).toEqual([]);

		// Nothing keeps polling the stalled job in the background: while a second export runs to
		// completion (many poll intervals of the first), the stalled job gets no further download.
		const [stalled] = sb.control.listJobs();
		const stalledPolls = () => requests(sb, (r) => isDownload(r) && r.path.includes(stalled.uuid)).length;
		const pollsAtCancel = stalledPolls();
		sb.control.setFaults({ stallJobs: false, finishAfterPolls: 5 });
		const second = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO' }),
		});
		expect(second.error).toBeUndefined();
		expect(stalledPolls()).toBe(pollsAtCancel);
	}, 20000);

	it('deleteJobAfterDownload deletes the job once its file is downloaded', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', options: { deleteJobAfterDownload: true } }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.length).toBeGreaterThan(0);
		const jobs = sb.control.listJobs();
		expect(jobs).toHaveLength(1);
		expect(jobs[0].status).toBe('DELETED');
		const deletes = requests(sb, (r) => r.method === 'DELETE');
		expect(deletes).toHaveLength(1);
		expect(deletes[0].path).toContain(jobs[0].uuid);
		expect(query(requests(sb, isSubmit)[0]).page_number).toBe('1');
	});
});
