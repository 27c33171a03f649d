/**
 * Engine tests: how the node classifies download answers and survives transient faults (spec
 * §3.2, §6.2 D), and that it never resubmits a job.
 */
import { runNode } from '../helpers/engine';
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
	requests,
	useSandbox,
} from './context';

const sandbox = useSandbox();

describe('OpenClinica node, download answers and faults (engine)', () => {
	it('a transient noLogFileFound answer is retried and the export completes', async () => {
		const sb = sandbox();
		sb.control.setFaults({ noLogFileFound: { count: 2, match: 'downloadFile' } });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, isDownload).length).toBeGreaterThanOrEqual(3);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('a 503 on a download is retried, without resubmitting the job', async () => {
		const sb = sandbox();
		sb.control.setFaults({ serverErrors: { count: 1, status: 503, match: 'downloadFile' } });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, (r) => isDownload(r) && r.status === 503)).toHaveLength(1);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('a dropped connection on a download is retried', async () => {
		const sb = sandbox();
		sb.control.setFaults({ dropConnections: { count: 1, match: 'downloadFile' } });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('a dropped connection on the submit is not retried (the job may exist): one submit, a clear error', async () => {
		const sb = sandbox();
		sb.control.setFaults({ dropConnections: { count: 1, match: 'extractParticipantsInfo' } });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		expect(result.error).toBeDefined();
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('a 0-byte export file is an error naming the job', async () => {
		const sb = sandbox();
		sb.control.setFaults({ emptyFile: true });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		const [job] = sb.control.listJobs();
		expect(errorText(result.error)).toContain(job.uuid);
		expect(errorText(result.error)).toMatch(/empty/i);
	});

	it('a job deleted while waiting gives the unknown-or-deleted job error', async () => {
		const sb = sandbox();
		sb.control.setFaults({ deleteJobsWhileRunning: true });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.status).toBe('error');
		const [job] = sb.control.listJobs();
		expect(errorText(result.error)).toContain(job.uuid);
		expect(errorText(result.error)).toMatch(/deleted|not found/i);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it("downloading another user's job gives the another-user error", async () => {
		const sb = sandbox();
		const started = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS' },
		});
		expect(started.error).toBeUndefined();
		const result = await runNode({
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
	});

	it('Download Export without waiting reports a job still in progress instead of failing', async () => {
		const sb = sandbox();
		sb.control.setFaults({ stallJobs: true });
		const credentials = credentialsFor(sb, 'crc.jane');
		const started = await runNode({
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		const jobUuid = started.items[0].json.jobUuid as string;
		const result = await runNode({
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
		expect(result.items[0].json.jobUuid).toBe(jobUuid);
		expect(result.items[0].json.participantId).toBeUndefined();
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(requests(sb, isDownload)).toHaveLength(1);
	});

	it('a 429 from the token endpoint is waited out as Retry-After says, then the login succeeds', async () => {
		const sb = sandbox();
		sb.control.setFaults({ token429: { count: 1, retryAfter: 1 } });
		const result = await runNode({ credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(requests(sb, isToken).map((r) => r.status)).toEqual([429, 200]);
	});
});
