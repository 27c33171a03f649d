/**
 * Engine tests: every server error code the seed users can provoke becomes a clear message and a
 * description that says how to fix it; bad input (issue 4) is refused before any request, with an
 * error naming the parameter, and every run is checked for leaked secrets.
 */
import net from 'net';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/types';

import { logger, runNode } from '../helpers/engine';
import type { EngineResult } from '../helpers/engine';
import {
	credentialsFor,
	errorText,
	exportParams,
	isDownload,
	isSubmit,
	PASSWORD,
	requests,
	useSandbox,
} from './context';
import { runChecked } from './secrets';

function expectNodeError(result: EngineResult) {
	expect(result.status).toBe('error');
	expect(result.error).toBeDefined();
	const isNodeError = result.error instanceof NodeApiError || result.error instanceof NodeOperationError;
	expect(isNodeError).toBe(true);
	expect(result.error!.message).not.toMatch(/^(error|errorCode)\.\w+$/);
	expect((result.error!.description ?? '').length).toBeGreaterThan(0);
	return errorText(result.error);
}

const sandbox = useSandbox();

describe('OpenClinica node, server errors (engine)', () => {
	it('wrong study OID (studyNotExist)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_NOPE', siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/study/i);
		expect(text).toContain('S_NOPE');
		// A 400 created no job; the node must not resubmit.
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(sb.control.listJobs()).toHaveLength(0);
	});

	it('a site OID given as the study OID (studyNotValidOid)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_JUNO_BOS', siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectNodeError(result);
		expect(text).toContain('S_JUNO_BOS');
		expect(text).toMatch(/study/i);
	});

	it('unknown site OID (siteNotExist)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_JUNO', siteOid: 'S_NOSITE' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/site/i);
		expect(text).toContain('S_NOSITE');
	});

	it('a study OID given as the site OID (siteNotValidOid)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_JUNO', siteOid: 'S_VEGA' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/"S_VEGA" is a study OID, not a site OID/);
		expect(text).toMatch(/Site OID must be/);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('site not in the study (studyTositeNotValidOid)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_JUNO', siteOid: 'S_VEGA_01' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/site/i);
		expect(text).toContain('S_VEGA_01');
		expect(text).toContain('S_JUNO');
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it('no role in the study (noRoleSetUp, norole.sam)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'norole.sam'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS' }),
		});
		expectNodeError(result);
		expect(result.error!.message).toMatch(/role/i);
	});

	it('insufficient role (noSufficientPrivileges, mon.kim) names the roles that can export', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'mon.kim'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/role|privilege|permission/i);
		expect(text).toMatch(/Clinical Research Coordinator|CRC/);
		expect(text).toMatch(/Investigator/);
	});

	it('Participate not enabled (participateInActive, crc.mars)', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.mars'),
			parameters: exportParams({ studyOid: 'S_MARS', siteOid: 'S_MARS_01' }),
		});
		const text = expectNodeError(result);
		expect(result.error!.message).toMatch(/Participate/);
		expect(text).toMatch(/enable/i);
		expect(requests(sb, isSubmit)).toHaveLength(1);
	});

	it("the API user's active study is another study (download 404 invalidUuid, crc.away)", async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.away'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS' }),
		});
		const text = expectNodeError(result);
		expect(text).toMatch(/active study/i);
		expect(requests(sb, isSubmit)).toHaveLength(1);
		expect(requests(sb, (r) => isDownload(r) && r.status === 404).length).toBeGreaterThanOrEqual(1);
	});

	it('a failed export logs neither the token nor the password, and the error does not carry them', async () => {
		const sb = sandbox();
		logger.clear();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.away'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS' }),
		});
		expect(result.status).toBe('error');
		const token = String(result.credentialsHelper.stored('1').accessToken);
		expect(token.length).toBeGreaterThan(10);
		const logs = logger.text();
		expect(logs).not.toContain(token);
		expect(logs).not.toContain(PASSWORD);
		const serialisedError = JSON.stringify({ ...result.error, message: result.error?.message }, (_k, v: unknown) =>
			typeof v === 'bigint' ? String(v) : v,
		);
		expect(serialisedError).not.toContain(token);
		expect(JSON.stringify(result.runError)).not.toContain(token);
	});

	it('a wrong password gives a login error, not a server error', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: { ...credentialsFor(sb, 'crc.jane'), password: 'wrong' },
			parameters: exportParams({ siteOid: 'S_JUNO_LYO' }),
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeDefined();
		expect(errorText(result.error)).toMatch(/log ?in|sign ?in|credential|password|authenticat/i);
		expect(requests(sb, isSubmit)).toHaveLength(0);
	});
});

type Params = Record<string, unknown>;

const exportOf = (extra: Params = {}) => exportParams({ siteOid: 'S_JUNO_BOS', ...extra } as never);
const startOf = (extra: Params = {}) => ({
	resource: 'participantContact',
	operation: 'startExport',
	studyOid: 'S_JUNO',
	siteOid: 'S_JUNO_BOS',
	...extra,
});
const downloadOf = (jobUuid: string) => ({
	resource: 'participantContact',
	operation: 'downloadExport',
	jobUuid,
	options: { pollInterval: 0.05 },
});

interface BadInput {
	name: string;
	parameters: () => Params;
	/** The parameter the error must name. */
	names: RegExp;
}

const BAD_INPUTS: BadInput[] = [
	// Empty values typed into a required field are refused by n8n itself before the run; the node
	// sees them through expressions (values from earlier nodes).
	{ name: 'empty study OID', parameters: () => exportOf({ studyOid: '={{ "" }}' }), names: /Study OID/ },
	{ name: 'blank study OID', parameters: () => exportOf({ studyOid: '   ' }), names: /Study OID/ },
	{ name: 'empty site OID', parameters: () => exportOf({ siteOid: '={{ "" }}' }), names: /Site OID/ },
	{ name: 'blank site OID', parameters: () => exportOf({ siteOid: ' \t ' }), names: /Site OID/ },
	{ name: 'study OID with "/"', parameters: () => exportOf({ studyOid: 'S_JUNO/sites/S_X' }), names: /Study OID/ },
	{ name: 'study OID with "?"', parameters: () => exportOf({ studyOid: 'S_JUNO?page_size=1' }), names: /Study OID/ },
	{ name: 'study OID with "#"', parameters: () => exportOf({ studyOid: 'S_JUNO#x' }), names: /Study OID/ },
	{ name: 'study OID ".."', parameters: () => exportOf({ studyOid: '..' }), names: /Study OID/ },
	{ name: 'study OID with spaces', parameters: () => exportOf({ studyOid: 'Juno Study' }), names: /Study OID/ },
	{ name: 'site OID with "/"', parameters: () => exportOf({ siteOid: '../../jobs' }), names: /Site OID/ },
	{ name: 'site OID with "?"', parameters: () => exportOf({ siteOid: 'S_JUNO_BOS?x' }), names: /Site OID/ },
	{ name: 'site OID with "#"', parameters: () => exportOf({ siteOid: 'S_JUNO_BOS#' }), names: /Site OID/ },
	{ name: 'site OID with ".."', parameters: () => exportOf({ siteOid: 'S_JUNO_BOS..' }), names: /Site OID/ },
	{ name: 'site OID with spaces', parameters: () => exportOf({ siteOid: 'Boston site' }), names: /Site OID/ },
	{ name: 'Start Export, OID with "/"', parameters: () => startOf({ siteOid: 'S/X' }), names: /Site OID/ },
	{ name: 'malformed job UUID', parameters: () => downloadOf('job uuid: 1234'), names: /Job UUID/ },
	{ name: 'job UUID that is a path', parameters: () => downloadOf('../../studies'), names: /Job UUID/ },
	{ name: 'empty job UUID', parameters: () => downloadOf('={{ $json.missing ?? "" }}'), names: /Job UUID/ },
	{ name: 'limit 0', parameters: () => exportOf({ returnAll: false, limit: 0 }), names: /Limit/ },
	{ name: 'negative limit', parameters: () => exportOf({ returnAll: false, limit: -5 }), names: /Limit/ },
	{ name: 'page size 0', parameters: () => exportOf({ returnAll: true, options: { pageSize: 0 } }), names: /Page Size/ },
	{ name: 'negative page size', parameters: () => exportOf({ returnAll: true, options: { pageSize: -10 } }), names: /Page Size/ },
	{ name: 'Start Export page size 0', parameters: () => startOf({ options: { pageSize: 0 } }), names: /Page Size/ },
	{ name: 'Start Export page number 0', parameters: () => startOf({ options: { pageNumber: 0 } }), names: /Page Number/ },
	{ name: 'timeout 0', parameters: () => exportOf({ options: { timeout: 0 } }), names: /Timeout/ },
	{ name: 'negative poll interval', parameters: () => exportOf({ options: { pollInterval: -1 } }), names: /Poll Interval/ },
];

describe('OpenClinica node, bad input (engine): refused before any request, naming the parameter', () => {
	it.each(BAD_INPUTS)('$name', async ({ parameters, names }) => {
		const sb = sandbox();
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: parameters() as never });
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(names);
		expect((result.error!.description ?? '').length).toBeGreaterThan(0);
		expect(sb.control.listRequests()).toEqual([]);
		expect(sb.control.listJobs()).toEqual([]);
	});

	const studyUrls: Array<[string, (sb: Sandbox) => string, RegExp]> = [
		['without scheme', (sb) => sb.studyUrl.replace(/^http:\/\//, ''), /must start with https:\/\/ or http:\/\//],
		['with /pages/… pasted on', (sb) => `${sb.studyUrl}/pages/auth/api/clinicaldata`, /\/pages/],
		['pointing at the token host', () => 'https://acme.build.openclinica.io/OpenClinica', /token \(study build\) host/],
		['pointing at the token endpoint', (sb) => sb.tokenUrl, /token \(study build\) host/],
	];
	it.each(studyUrls)('study URL %s', async (_name, studyUrl, problem) => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: { ...credentialsFor(sb, 'crc.jane'), studyUrl: studyUrl(sb) },
			parameters: exportOf(),
		});
		expect(result.status).toBe('error');
		expect(result.error!.message).toMatch(problem);
		expect(result.error!.message).toMatch(/Study URL/);
		expect(sb.control.listRequests()).toEqual([]);
	});

	it('wrong password: a login error naming the token URL, and no runtime request', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: { ...credentialsFor(sb, 'crc.jane'), password: 'Wrong-Password-9' },
			parameters: exportOf(),
		});
		expect(result.status).toBe('error');
		expect(result.error!.message).toContain(`Login to ${sb.tokenUrl} failed (HTTP 401)`);
		expect(errorText(result.error)).toMatch(/Username and Password/);
		expect(requests(sb, (r) => !r.path.includes('/oauth/token'))).toEqual([]);
		expect(requests(sb)).toHaveLength(1);
	});

	it('unreachable study host: the message names the host', async () => {
		const sb = sandbox();
		const port = await closedPort();
		const result = await runChecked(sb, {
			credentials: { ...credentialsFor(sb, 'crc.jane'), studyUrl: `http://127.0.0.1:${port}/OpenClinica` },
			parameters: exportOf(),
		});
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`Could not reach OpenClinica at 127.0.0.1:${port}: the connection was refused`);
		expect(errorText(result.error)).toMatch(/ECONNREFUSED/);
		// The login went to the (reachable) token host; nothing else reached the sandbox.
		expect(requests(sb).map((r) => r.path)).toEqual(['/user-service/api/oauth/token']);
	});

	it('unreachable token host: the message names the token URL', async () => {
		const sb = sandbox();
		const port = await closedPort();
		const tokenUrl = `http://127.0.0.1:${port}/user-service/api/oauth/token`;
		const result = await runChecked(sb, {
			credentials: { ...credentialsFor(sb, 'crc.jane'), tokenUrl },
			parameters: exportOf(),
		});
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`Could not reach the token URL ${tokenUrl}: the connection was refused`);
		expect(sb.control.listRequests()).toEqual([]);
	});
});

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
