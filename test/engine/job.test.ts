/**
 * Engine tests, Job → Get, Get Many, Delete: the built node in n8n-core's WorkflowExecute against
 * the sandbox (issue 5). Jobs are created straight on the sandbox over HTTP, as another client
 * (or the OpenClinica UI) would.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/types';
import type { EngineResult } from '../helpers/engine';
import { jobUuidOf, login, submitJob } from '../helpers/http';
import { credentialsFor, errorText, requests, useSandbox, waitFor } from './context';
import { runChecked } from './secrets';

const sandbox = useSandbox();

const DTO_FIELDS = [
	'uuid',
	'status',
	'type',
	'createdByUsername',
	'updatedByUsername',
	'siteOid',
	'studyOid',
	'dateCreated',
	'dateUpdated',
	'dateCompleted',
	'sourceFileName',
];
const UNKNOWN_UUID = '0f0e0d0c-0b0a-4909-8807-060504030201';

function jobParams(operation: string, params: INodeParameters = {}): INodeParameters {
	return { resource: 'job', operation, studyOid: 'S_JUNO', ...params };
}

/** Requests to the runtime API, without the login (token call and the credential's token check). */
const runtime = (sb: Sandbox) =>
	requests(sb, (r) => !r.path.includes('/oauth/token') && !r.path.endsWith('/n8n-token-check'));

/**
 * Submits export jobs as `username`, one after the other with a few ms between them so that their
 * creation times differ (the order tests compare against). Returns the uuids in creation order.
 */
async function createJobs(sb: Sandbox, username: string, siteOid: string, count: number): Promise<string[]> {
	const token = await login(sb.tokenUrl, username);
	const uuids: string[] = [];
	for (let i = 0; i < count; i++) {
		const answer = await submitJob(sb.studyUrl, token, { site: siteOid, query: 'includeParticipateInfo=n&page_size=5' });
		uuids.push(jobUuidOf(answer));
		const created = Date.now();
		await waitFor(() => Date.now() > created + 2, 'a new millisecond');
	}
	return uuids;
}

async function completed(sb: Sandbox, uuids: string[]) {
	await waitFor(
		() => uuids.every((uuid) => sb.control.listJobs().find((j) => j.uuid === uuid)?.status === 'COMPLETED'),
		'jobs completed',
	);
}

const uuidsOf = (result: EngineResult) => result.items.map((item) => item.json.uuid as string);

function expectApiError(result: EngineResult): string {
	expect(result.status).toBe('error');
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error!.description ?? '').length).toBeGreaterThan(0);
	return errorText(result.error);
}

/** A bad-input error: names the parameter, and no request (not even a login) was sent. */
function expectInputError(sb: Sandbox, result: EngineResult, parameter: string) {
	expect(result.status).toBe('error');
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error!.message).toContain(parameter);
	expect(sb.control.listRequests()).toHaveLength(0);
}

describe('OpenClinica node, Job → Get Many (engine)', () => {
	it("lists the API user's own jobs of the site, newest first, with the server's fields", async () => {
		const sb = sandbox();
		const mine = await createJobs(sb, 'crc.jane', 'S_JUNO_BOS', 3);
		await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 1);
		await createJobs(sb, 'inv.omar', 'S_JUNO_BOS', 1);
		await completed(sb, mine);
		sb.control.clearRequests();

		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS', returnAll: true }),
		});

		expect(result.error).toBeUndefined();
		expect(uuidsOf(result)).toEqual([...mine].reverse());
		for (const item of result.items) {
			expect(Object.keys(item.json).sort()).toEqual([...DTO_FIELDS].sort());
			expect(item.json).toMatchObject({
				status: 'COMPLETED',
				type: 'ACCESS_CODE',
				createdByUsername: 'crc.jane',
				siteOid: 'S_JUNO_BOS',
				studyOid: 'S_JUNO',
			});
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		const calls = runtime(sb);
		expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
			'GET /OpenClinica/pages/auth/api/studies/S_JUNO/sites/S_JUNO_BOS/jobs',
		]);
	});

	it('without a site OID lists the jobs of the whole study, every site included (a study-level user)', async () => {
		const sb = sandbox();
		const bos = await createJobs(sb, 'dm.lee', 'S_JUNO_BOS', 2);
		const lyo = await createJobs(sb, 'dm.lee', 'S_JUNO_LYO', 1);
		await createJobs(sb, 'inv.omar', 'S_JUNO_BOS', 1);
		sb.control.clearRequests();

		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'dm.lee'),
			parameters: jobParams('getMany', { siteOid: '', returnAll: true }),
		});

		expect(result.error).toBeUndefined();
		expect(uuidsOf(result)).toEqual([...bos, ...lyo].reverse());
		expect(result.items.map((i) => i.json.siteOid)).toEqual(['S_JUNO_LYO', 'S_JUNO_BOS', 'S_JUNO_BOS']);
		expect(runtime(sb).map((r) => r.path)).toEqual(['/OpenClinica/pages/auth/api/studies/S_JUNO/jobs']);
	});

	it('the study list needs a role in the study itself: a site-only user gets a clear error', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: '' }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe('OpenClinica refused to list the jobs of study "S_JUNO" (HTTP 500)');
		expect(text).toMatch(/the study-level list needs a role in the study itself/);
	});

	it('limit keeps the newest jobs (default 50 when Return All is off)', async () => {
		const sb = sandbox();
		const uuids = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 4);

		const limited = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_LYO', limit: 2 }),
		});
		expect(limited.error).toBeUndefined();
		expect(uuidsOf(limited)).toEqual([uuids[3], uuids[2]]);

		const byDefault = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_LYO' }),
		});
		expect(uuidsOf(byDefault)).toEqual([...uuids].reverse());
	});

	it('filters by status and type', async () => {
		const sb = sandbox();
		const done = await createJobs(sb, 'crc.jane', 'S_JUNO_BOS', 2);
		await completed(sb, done);
		sb.control.setFaults({ stallJobs: true });
		const [running] = await createJobs(sb, 'crc.jane', 'S_JUNO_BOS', 1);
		const credentials = credentialsFor(sb, 'crc.jane');
		const run = async (filters: INodeParameters) =>
			uuidsOf(
				await runChecked(sb, {
					credentials,
					parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS', returnAll: true, filters }),
				}),
			);

		expect(await run({ status: ['IN_PROGRESS'] })).toEqual([running]);
		expect(await run({ status: ['COMPLETED'] })).toEqual([...done].reverse());
		expect(await run({ status: ['COMPLETED', 'IN_PROGRESS'] })).toEqual([running, ...[...done].reverse()]);
		expect(await run({ status: ['FAILED', 'IN_QUEUE'] })).toEqual([]);
		expect(await run({ type: ['ACCESS_CODE'] })).toHaveLength(3);
		expect(await run({ type: ['IMPORT', 'PUBLISH_STUDY'] })).toEqual([]);
		expect(await run({ status: ['COMPLETED'], type: ['ACCESS_CODE'] })).toEqual([...done].reverse());
	});

	it('a deleted job is not listed any more', async () => {
		const sb = sandbox();
		const uuids = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 3);
		await completed(sb, uuids);
		const credentials = credentialsFor(sb, 'crc.jane');

		const deleted = await runChecked(sb, { credentials, parameters: jobParams('delete', { jobUuid: uuids[1] }) });
		expect(deleted.error).toBeUndefined();

		const result = await runChecked(sb, {
			credentials,
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_LYO', returnAll: true, filters: { status: [] } }),
		});
		expect(uuidsOf(result)).toEqual([uuids[2], uuids[0]]);
		const deletedOnly = await runChecked(sb, {
			credentials,
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_LYO', returnAll: true, filters: { status: ['DELETED'] } }),
		});
		expect(deletedOnly.items).toEqual([]);
		expect(sb.control.listJobs().find((j) => j.uuid === uuids[1])?.status).toBe('DELETED');
	});

	it('an empty list gives no items and no error', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS', returnAll: true }),
		});
		expect(result.status).toBe('success');
		expect(result.items).toEqual([]);
	});

	it('a site of another study: the header-only 400 becomes a clear error naming both OIDs', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { siteOid: 'S_VEGA_01', returnAll: true }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe('Site "S_VEGA_01" does not belong to study "S_JUNO"');
		expect(text).toContain('site OID of this study');
		expect(result.error!.httpCode).toBe('400');
	});

	it('an unknown study OID is named in the error', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('getMany', { studyOid: 'S_NOPE', siteOid: '' }),
		});
		expectApiError(result);
		expect(result.error!.message).toBe('Study OID "S_NOPE" was not found on the server');
	});

	it('a role that may not list jobs (the 500 page) says which roles may, without retrying', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'dep.pat'),
			parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe('OpenClinica refused to list the jobs of site "S_JUNO_BOS" (HTTP 500)');
		expect(text).toMatch(/Clinical Research Coordinator, Investigator or Monitor role at the site/);
		expect(runtime(sb)).toHaveLength(1);
	});

	it('bad input is refused before any request, naming the parameter', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: jobParams('getMany', { studyOid: '={{ " " }}', siteOid: '' }) }),
			'Study OID',
		);
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS/../x' }) }),
			'Site OID',
		);
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: jobParams('getMany', { siteOid: 'S_JUNO_BOS', limit: 0 }) }),
			'Limit',
		);
	});
});

describe('OpenClinica node, Job → Get (engine)', () => {
	it("finds a job in its site's list and outputs its record", async () => {
		const sb = sandbox();
		const [first, second] = await createJobs(sb, 'crc.jane', 'S_JUNO_BOS', 2);
		await completed(sb, [first, second]);
		sb.control.clearRequests();

		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('get', { jobUuid: ` ${first.toUpperCase()} `, siteOid: 'S_JUNO_BOS' }),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const job = result.items[0].json;
		expect(Object.keys(job).sort()).toEqual([...DTO_FIELDS].sort());
		const stored = sb.control.listJobs().find((j) => j.uuid === first)!;
		expect(job).toMatchObject({
			uuid: first,
			status: 'COMPLETED',
			type: 'ACCESS_CODE',
			createdByUsername: 'crc.jane',
			siteOid: 'S_JUNO_BOS',
			studyOid: 'S_JUNO',
			dateCreated: stored.dateCreated,
		});
		expect(typeof job.dateCompleted).toBe('string');
		expect(runtime(sb).map((r) => r.path)).toEqual([
			'/OpenClinica/pages/auth/api/studies/S_JUNO/sites/S_JUNO_BOS/jobs',
		]);
	});

	it('reads a running job as IN_PROGRESS', async () => {
		const sb = sandbox();
		sb.control.setFaults({ stallJobs: true });
		const [uuid] = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 1);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('get', { jobUuid: uuid, siteOid: 'S_JUNO_LYO' }),
		});
		expect(result.items.map((i) => [i.json.uuid, i.json.status, i.json.dateCompleted])).toEqual([
			[uuid, 'IN_PROGRESS', null],
		]);
	});

	it('without a site OID finds the job in the study list', async () => {
		const sb = sandbox();
		const [uuid] = await createJobs(sb, 'dm.lee', 'S_JUNO_LYO', 1);
		sb.control.clearRequests();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'dm.lee'),
			parameters: jobParams('get', { jobUuid: uuid }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => [i.json.uuid, i.json.siteOid])).toEqual([[uuid, 'S_JUNO_LYO']]);
		expect(runtime(sb).map((r) => r.path)).toEqual(['/OpenClinica/pages/auth/api/studies/S_JUNO/jobs']);
	});

	it('a job of another site is not found there, and the error says to leave Site OID empty', async () => {
		const sb = sandbox();
		const [uuid] = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 1);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('get', { jobUuid: uuid, siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe(`Job ${uuid} is not in the jobs list of site "S_JUNO_BOS"`);
		expect(text).toMatch(/leave Site OID empty to search every site/);
	});

	it("another user's job is not found, and the error says why it may be missing", async () => {
		const sb = sandbox();
		const [omars] = await createJobs(sb, 'inv.omar', 'S_JUNO_BOS', 1);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('get', { jobUuid: omars, siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toContain(omars);
		expect(text).toMatch(/unknown, was deleted, belongs to another user/);
	});

	it('an unknown and a deleted job are not found', async () => {
		const sb = sandbox();
		const [uuid] = await createJobs(sb, 'crc.jane', 'S_JUNO_BOS', 1);
		const credentials = credentialsFor(sb, 'crc.jane');
		await runChecked(sb, { credentials, parameters: jobParams('delete', { jobUuid: uuid }) });
		for (const jobUuid of [UNKNOWN_UUID, uuid]) {
			const result = await runChecked(sb, { credentials, parameters: jobParams('get', { jobUuid, siteOid: 'S_JUNO_BOS' }) });
			expectApiError(result);
			expect(result.error!.message).toBe(`Job ${jobUuid} is not in the jobs list of site "S_JUNO_BOS"`);
		}
	});

	it('a malformed job UUID is refused before any request', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('get', { jobUuid: 'not-a-uuid', siteOid: 'S_JUNO_BOS' }),
		});
		expectInputError(sb, result, 'Job UUID');
	});
});

describe('OpenClinica node, Job → Delete (engine)', () => {
	it('deletes an own job (and again: deleting is idempotent)', async () => {
		const sb = sandbox();
		const [uuid, other] = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 2);
		await completed(sb, [uuid, other]);
		sb.control.clearRequests();
		const credentials = credentialsFor(sb, 'crc.jane');

		const result = await runChecked(sb, { credentials, parameters: jobParams('delete', { jobUuid: uuid }) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json)).toEqual([{ deleted: true, jobUuid: uuid }]);
		const jobs = sb.control.listJobs();
		expect(jobs.find((j) => j.uuid === uuid)?.status).toBe('DELETED');
		expect(jobs.find((j) => j.uuid === other)?.status).toBe('COMPLETED');
		expect(runtime(sb).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			`DELETE /OpenClinica/pages/auth/api/jobs/${uuid} 200`,
		]);

		const again = await runChecked(sb, { credentials, parameters: jobParams('delete', { jobUuid: uuid }) });
		expect(again.items.map((i) => i.json)).toEqual([{ deleted: true, jobUuid: uuid }]);
	});

	it('deletes one job per input item', async () => {
		const sb = sandbox();
		const uuids = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 3);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			items: uuids.map((uuid) => ({ uuid })),
			parameters: jobParams('delete', { jobUuid: '={{ $json.uuid }}' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => [i.json.jobUuid, i.pairedItem])).toEqual(
			uuids.map((uuid, item) => [uuid, { item }]),
		);
		expect(sb.control.listJobs().every((j) => j.status === 'DELETED')).toBe(true);
	});

	it("another user's job: a clear error, and the job stays", async () => {
		const sb = sandbox();
		const [omars] = await createJobs(sb, 'inv.omar', 'S_JUNO_BOS', 1);
		await completed(sb, [omars]);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('delete', { jobUuid: omars }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe(`Job ${omars} belongs to another user`);
		expect(text).toMatch(/Only the user who created a job can delete it/);
		expect(result.error!.httpCode).toBe('400');
		expect(sb.control.listJobs().find((j) => j.uuid === omars)?.status).toBe('COMPLETED');
	});

	it('an unknown job UUID (the 500 page) says the job is unknown, with the active-study caveat, without retrying', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('delete', { jobUuid: UNKNOWN_UUID }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe(`Job ${UNKNOWN_UUID} is unknown to OpenClinica (HTTP 500)`);
		expect(text).toMatch(/active study/);
		expect(runtime(sb).filter((r) => r.method === 'DELETE')).toHaveLength(1);
	});

	it('with continue on fail, a failed delete becomes an error item and the next item still runs', async () => {
		const sb = sandbox();
		const [mine] = await createJobs(sb, 'crc.jane', 'S_JUNO_LYO', 1);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			continueOnFail: true,
			items: [{ uuid: 'nope' }, { uuid: mine }],
			parameters: jobParams('delete', { jobUuid: '={{ $json.uuid }}' }),
		});
		expect(result.items.map((i) => i.json)).toEqual([
			{ error: 'Job UUID is not a valid UUID' },
			{ deleted: true, jobUuid: mine },
		]);
	});

	it('a malformed job UUID is refused before any request', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: jobParams('delete', { jobUuid: '={{ $json.missing }}' }),
		});
		expectInputError(sb, result, 'Job UUID');
	});
});
