/**
 * Engine tests, Participant → Get: the built node in n8n-core's WorkflowExecute against the
 * sandbox's single-participant endpoint (issue 5, spec §4.3).
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/types';
import type { EngineResult } from '../helpers/engine';
import { credentialsFor, errorText, exportParams, query, requests, useSandbox } from './context';
import { runChecked } from './secrets';

const sandbox = useSandbox();

function participantParams(params: INodeParameters = {}): INodeParameters {
	return {
		resource: 'participant',
		operation: 'get',
		studyOid: 'S_JUNO',
		siteOid: 'S_JUNO_BOS',
		participantId: 'BOS-0001',
		...params,
	};
}

const isParticipantCall = (r: { path: string }) => r.path.endsWith('/participant');

function seeded(sb: Sandbox, label: string) {
	const p = sb.control.listParticipants('S_JUNO_BOS').find((candidate) => candidate.label === label);
	if (!p) throw new Error(`no participant ${label}`);
	return p;
}

function expectApiError(result: EngineResult): string {
	expect(result.status).toBe('error');
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error!.description ?? '').length).toBeGreaterThan(0);
	return errorText(result.error);
}

function expectInputError(sb: Sandbox, result: EngineResult, parameter: string) {
	expect(result.status).toBe('error');
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error!.message).toContain(parameter);
	expect(sb.control.listRequests()).toHaveLength(0);
}

const JAVA_DATE = /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/;

describe('OpenClinica node, Participant → Get (engine)', () => {
	it('returns the participant with the export field names plus the endpoint fields, without an access code', async () => {
		const sb = sandbox();
		const jane = seeded(sb, 'BOS-0001');
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: participantParams() });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const { createdAt, ...rest } = result.items[0].json;
		expect(rest).toEqual({
			participantId: 'BOS-0001',
			subjectOid: 'SS_BOS0001',
			firstName: 'Jane',
			lastName: 'Doe',
			email: jane.detail!.email,
			mobile: jane.detail!.phone,
			identifier: 'MRN-0001',
			participateStatus: 'ACTIVE',
			participateStatusLabel: 'Active',
			createdBy: 'root',
			lastModified: null,
			lastModifiedBy: null,
		});
		expect(createdAt).toMatch(JAVA_DATE);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });

		const calls = requests(sb, isParticipantCall);
		expect(calls).toHaveLength(1);
		expect(calls[0].method).toBe('GET');
		expect(calls[0].path).toBe('/OpenClinica/pages/auth/api/clinicaldata/studies/S_JUNO/sites/S_JUNO_BOS/participant');
		expect(query(calls[0])).toMatchObject({ participantID: 'BOS-0001', includeParticipateInfo: 'n' });
	});

	it('with Include Access Codes returns the access code (includeParticipateInfo=y)', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: participantParams({ participantId: 'BOS-0004', includeAccessCodes: true }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			participantId: 'BOS-0004',
			firstName: 'Zoë',
			accessCode: seeded(sb, 'BOS-0004').accessCode,
			participateStatus: 'INVITED',
			participateStatusLabel: 'Invited',
		});
		expect(result.hints).toEqual([]);
		expect(query(requests(sb, isParticipantCall)[0]).includeParticipateInfo).toBe('y');
	});

	it('gives the same values as an export row for every field they share', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		const exported = await runChecked(sb, {
			credentials,
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', includeAccessCodes: true, returnAll: false, limit: 11 }),
		});
		expect(exported.error).toBeUndefined();
		for (const row of exported.items.map((item) => item.json)) {
			if (row.malformed) continue;
			const single = await runChecked(sb, {
				credentials,
				parameters: participantParams({ participantId: row.participantId as string, includeAccessCodes: true }),
			});
			const json = single.items[0].json;
			for (const [field, value] of Object.entries(row)) {
				// The file writes nulls as empty strings; the endpoint keeps them null.
				expect([field, json[field] ?? '']).toEqual([field, value]);
			}
		}
	});

	it('maps every Participate status to the export name, and a participant without contact record to nulls', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		const statuses: Array<[string, string, string]> = [
			['BOS-0005', 'INACTIVE', 'Inactive'],
			['BOS-0006', 'CONTACT_INFO_ENTERED', 'Contact Info Entered'],
			['BOS-0007', 'INVALID', 'Invalid'],
			['BOS-0016', 'CREATED', 'Created'],
			['BOS-0015', '', ''],
		];
		for (const [participantId, name, label] of statuses) {
			const result = await runChecked(sb, { credentials, parameters: participantParams({ participantId }) });
			expect([participantId, result.items[0].json.participateStatus, result.items[0].json.participateStatusLabel]).toEqual([
				participantId,
				name,
				label,
			]);
		}
		const empty = await runChecked(sb, { credentials, parameters: participantParams({ participantId: 'BOS-0003' }) });
		expect(empty.items[0].json).toMatchObject({
			participantId: 'BOS-0003',
			firstName: null,
			lastName: null,
			email: null,
			mobile: null,
			identifier: null,
			participateStatus: '',
		});
	});

	it('reports lastModified once the participant was changed', async () => {
		const sb = sandbox();
		sb.control.updateParticipant('BOS-0001', { detail: { email: 'jane.new@example.org' } });
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: participantParams() });
		expect(result.items[0].json.email).toBe('jane.new@example.org');
		expect(result.items[0].json.lastModified).toMatch(JAVA_DATE);
		expect(result.items[0].json.lastModifiedBy).toBe('root');
	});

	it('finds a participant of another site of the study (OpenClinica looks it up study-wide)', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: participantParams({ siteOid: 'S_JUNO_LYO', participantId: 'BOS-0001' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ participantId: 'BOS-0001', firstName: 'Jane' });
	});

	it('a study-level user (Data Manager) gets nulls for contact details and the access code, with a hint', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'dm.lee'),
			parameters: participantParams({ includeAccessCodes: true }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			participantId: 'BOS-0001',
			firstName: null,
			lastName: null,
			email: null,
			mobile: null,
			identifier: null,
			accessCode: null,
			participateStatus: 'ACTIVE',
		});
		expect(result.hints.map((h) => h.message)).toEqual([
			expect.stringMatching(/No access code was returned: .*Clinical Research Coordinator or Investigator/),
		]);
	});

	it('an unknown participant: participantNotFound names the participant ID', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: participantParams({ participantId: 'BOS-9999' }),
		});
		const text = expectApiError(result);
		expect(result.error!.message).toBe('Participant "BOS-9999" was not found in study "S_JUNO"');
		expect(text).toMatch(/participant label/);
		expect(result.error!.httpCode).toBe('400');
		// 400 is final: no retry.
		expect(requests(sb, isParticipantCall)).toHaveLength(1);
	});

	it('a removed participant: participantIDNotAvailable names the ID and no contact data', async () => {
		const sb = sandbox();
		for (const participantId of ['BOS-0012', 'BOS-0013']) {
			const result = await runChecked(sb, {
				credentials: credentialsFor(sb, 'crc.jane'),
				parameters: participantParams({ participantId }),
			});
			const text = expectApiError(result);
			expect(result.error!.message).toBe(`Participant "${participantId}" is removed`);
			const detail = seeded(sb, participantId).detail!;
			expect(text).not.toContain(detail.firstName);
			expect(text).not.toContain(detail.email);
		}
	});

	it('server-side refusals are explained: Participate disabled, no role', async () => {
		const sb = sandbox();
		const mars = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.mars'),
			parameters: participantParams({ studyOid: 'S_MARS', siteOid: 'S_MARS_01', participantId: 'X' }),
		});
		expectApiError(mars);
		expect(mars.error!.message).toBe('Participate is not enabled for study "S_MARS"');

		const norole = await runChecked(sb, { credentials: credentialsFor(sb, 'norole.sam'), parameters: participantParams() });
		expectApiError(norole);
		expect(norole.error!.message).toBe('The API user has no role in study "S_JUNO" or site "S_JUNO_BOS"');

		const monitor = await runChecked(sb, { credentials: credentialsFor(sb, 'mon.kim'), parameters: participantParams() });
		expectApiError(monitor);
		expect(monitor.error!.message).toBe('The API user\'s role does not allow reading participants of site "S_JUNO_BOS"');
	});

	it('bad input is refused before any request, naming the parameter', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		// Blank values come from expressions (n8n itself refuses to start with an empty required field).
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: participantParams({ participantId: '={{ "  " }}' }) }),
			'Participant ID',
		);
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: participantParams({ siteOid: '={{ $json.site }}' }) }),
			'Site OID',
		);
		expectInputError(
			sb,
			await runChecked(sb, { credentials, parameters: participantParams({ studyOid: 'S_JUNO?x=1' }) }),
			'Study OID',
		);
	});

	it('a participant ID with characters that need encoding reaches the server intact', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: participantParams({ participantId: 'BOS 0001&x=#1' }),
		});
		expectApiError(result);
		expect(result.error!.message).toBe('Participant "BOS 0001&x=#1" was not found in study "S_JUNO"');
		const [call] = requests(sb, isParticipantCall);
		expect(new URLSearchParams(call.query).getAll('participantID')).toEqual(['BOS 0001&x=#1']);
	});
});
