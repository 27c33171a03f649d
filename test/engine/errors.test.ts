/**
 * Engine tests: every server error code the seed users can provoke becomes a clear message and a
 * description that says how to fix it; bad input is refused before any request.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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

describe('OpenClinica node, input validation (engine)', () => {
	it('a blank study OID is refused, naming the parameter, before any request', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: '   ', siteOid: 'S_JUNO_BOS' }),
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(errorText(result.error)).toMatch(/Study OID/);
		expect(sb.control.listRequests()).toEqual([]);
	});

	it('a blank site OID is refused, naming the parameter, before any request', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ studyOid: 'S_JUNO', siteOid: ' ' }),
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(errorText(result.error)).toMatch(/Site OID/);
		expect(sb.control.listRequests()).toEqual([]);
	});

	it('a malformed job UUID is refused, naming the parameter, before any request', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: 'job uuid: 1234',
				options: { pollInterval: 0.05 },
			},
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(errorText(result.error)).toMatch(/Job UUID/i);
		expect(sb.control.listRequests()).toEqual([]);
	});
});
