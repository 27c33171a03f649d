import { NodeApiError } from 'n8n-workflow';

import {
	apiError,
	explainCode,
	explainStatus,
	normaliseCode,
	readServerCode,
	statusToken,
	type ErrorContext,
} from '../../nodes/OpenClinica/transport/errors';
import { node } from './support';

function response(status: number, body: string, headers: Record<string, string> = {}) {
	return { status, headers, text: () => body };
}

const subject = {
	studyOid: 'S_JUNO',
	siteOid: 'S_JUNO_BOS',
	jobUuid: '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90',
	studyUrl: 'https://acme.eu.openclinica.io/OpenClinica',
};

describe('normaliseCode (spec §6.2 C.6)', () => {
	it.each([
		['errorCode.participateInActive', 'participateinactive'],
		['errorCode.participateInactive', 'participateinactive'],
		['error.participateInactive', 'participateinactive'],
		['error.invalidUuid', 'invaliduuid'],
		['errorCode.invalidUuid', 'invaliduuid'],
		['ERRORCODE.studyTositeNotValidOid', 'studytositenotvalidoid'],
		[' "error.jobInProgress" ', 'jobinprogress'],
	])('%p → %p', (raw, code) => {
		expect(normaliseCode(raw)).toBe(code);
	});
});

describe('statusToken', () => {
	it('reads the short download answers, with either prefix', () => {
		expect(statusToken('error.jobInProgress')).toBe('jobinprogress');
		expect(statusToken('errorCode.jobInProgress\n')).toBe('jobinprogress');
		expect(statusToken('"errorCode.noSufficientPrivileges"')).toBe('nosufficientprivileges');
	});

	it('ignores anything else', () => {
		expect(statusToken('ParticipantId,Participate Status')).toBeUndefined();
		expect(statusToken('<html>error.jobInProgress</html>')).toBeUndefined();
		expect(statusToken('')).toBeUndefined();
	});
});

describe('readServerCode', () => {
	it('reads the JSON {message, params} body of 400 and 417 answers', () => {
		const body = '{"message":"errorCode.studyNotExist","params":{"siteOid":"S_SITE1","studyOid":"S_BAD"}}';
		expect(readServerCode(response(400, body))).toEqual({ code: 'studynotexist' });
		expect(readServerCode(response(417, body))).toEqual({ code: 'studynotexist' });
	});

	it('falls back to the X-runtimeApp-error header when the body is empty (V1)', () => {
		const h = (sentence: string) => readServerCode(response(400, '', { 'x-runtimeapp-error': sentence }));
		expect(h('InValid StudyOID. The StudyOID is invalid or does not exist')).toEqual({ code: 'studynotexist' });
		// "should have a Site Level Oid": sent for an unknown site OID and for a study OID alike.
		expect(h('InValid SiteOID. The SiteOID should have a Site Level Oid')).toEqual({ code: 'sitenotsitelevel' });
		expect(h('InValid SiteOID. The SiteOID is invalid or does not exist')).toEqual({ code: 'sitenotexist' });
		expect(h('Mismatch StudyOID and SiteOID. The StudyOID and SiteOID relation is invalid')).toEqual({
			code: 'studytositenotvalidoid',
		});
		expect(h('Incorrect User Role. The user role should be either a CRC or an Investigator')).toEqual({
			code: 'nosufficientprivileges',
		});
		expect(h('Participate is Inactive. Participate module for the study is inactive')).toEqual({
			code: 'participateinactive',
		});
		expect(h('Incorrect User. The user is not the owner of this log file')).toEqual({ code: 'nosufficientprivileges' });
		expect(h('error.participateInactive')).toEqual({ code: 'participateinactive' });
		expect(h('Something new')).toEqual({ headerText: 'Something new' });
	});

	it('finds nothing in an HTML page', () => {
		expect(readServerCode(response(500, '<html><body>Internal error</body></html>'))).toEqual({});
	});
});

describe('every server code has a message and a fix (spec §1.3, §3.2, §4.3)', () => {
	const cases: Array<[string, ErrorContext, RegExp, RegExp]> = [
		['invalidPageNumberParameter', 'submit', /page number/, /Page Number/],
		['invalidPageSizeParameter', 'submit', /page size/, /Page Size/],
		['studyNotExist', 'submit', /Study OID "S_JUNO" was not found/, /parent study/],
		['studyNotValidOid', 'submit', /"S_JUNO" is a site OID/, /parent study's OID/],
		['siteNotExist', 'submit', /Site OID "S_JUNO_BOS" was not found/, /site of the study/],
		['siteNotValidOid', 'submit', /"S_JUNO_BOS" is a study OID/, /Site OID must be/],
		['siteNotSiteLevel', 'jobs', /"S_JUNO_BOS" is not a site of this server \(unknown, or a study OID\)/, /Site OID must be/],
		['studyTositeNotValidOid', 'submit', /does not belong to study "S_JUNO"/, /site OID of this study/],
		['noRoleSetUp', 'submit', /no role in study "S_JUNO" or site "S_JUNO_BOS"/, /Clinical Research Coordinator/],
		['noSufficientPrivileges', 'submit', /role does not allow/, /Data Manager.*Monitors/],
		['participateInActive', 'submit', /Participate is not enabled for study "S_JUNO"/, /Participate module/],
		['participateInactive', 'submit', /Participate is not enabled/, /Participate module/],
		['invalidUuid', 'download', /job 3f2b8c1e-.* was not found/, /active study/],
		['noSufficientPrivileges', 'download', /belongs to another user/, /user who ran Start Export/],
		['noLogFileFound', 'download', /missing on the server/, /new export/],
		['jobInProgress', 'download', /still running/, /Download Export/],
		['participantNotFound', 'participant', /not found/, /Participant ID/],
		['participantIDNotAvailable', 'participant', /removed/, /removed/],
	];

	it.each(cases)('%s (%s)', (rawCode, context, message, description) => {
		const explanation = explainCode(normaliseCode(`errorCode.${rawCode}`), context, subject);
		expect(explanation?.message).toMatch(message);
		expect(explanation?.description).toMatch(description);
	});

	it('gives NodeApiErrors with the HTTP status and the explanation', () => {
		const error = apiError(node, response(400, '{"message":"errorCode.noRoleSetUp","params":{}}'), 'submit', subject);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The API user has no role in study "S_JUNO" or site "S_JUNO_BOS"');
		expect(error.description).toMatch(/Clinical Research Coordinator/);
		expect(error.httpCode).toBe('400');
	});

	it('explains the active-study 404 of downloads', () => {
		const error = apiError(node, response(404, 'error.invalidUuid'), 'download', subject);
		expect(error.message).toMatch(/was not found/);
		expect(error.description).toMatch(/active study/);
		expect(error.httpCode).toBe('404');
	});

	it('treats 500 and HTML pages as server errors', () => {
		const error = apiError(node, response(500, '<html>boom</html>'), 'submit', subject);
		expect(error.message).toBe('OpenClinica had an internal error (HTTP 500)');
		expect(error.httpCode).toBe('500');
	});

	it('says which host has no endpoint on 404/405 without a code', () => {
		const error = apiError(node, response(404, '<html>Not Found</html>'), 'submit', subject);
		expect(error.message).toMatch(/acme\.eu\.openclinica\.io has no OpenClinica export endpoint/);
		expect(error.description).toMatch(/ending in the context path/);
	});

	it('names the endpoint of the call on 404/405: export, job, jobs list or participant', () => {
		const at = (context: ErrorContext) => explainStatus(404, context, subject).message;
		expect(at('submit')).toMatch(/no OpenClinica export endpoint here \(HTTP 404\)/);
		expect(at('download')).toMatch(/no OpenClinica job endpoint/);
		expect(at('delete')).toMatch(/no OpenClinica job endpoint/);
		expect(at('jobs')).toMatch(/no OpenClinica jobs list endpoint/);
		expect(at('participant')).toMatch(/no OpenClinica participant endpoint/);
	});

	it('a 5xx on the submit warns that the export may have started (a proxy in front of the server)', () => {
		for (const status of [500, 502, 504]) {
			const explanation = explainStatus(status, 'submit', subject);
			expect(explanation.message).toBe(`OpenClinica had an internal error (HTTP ${status})`);
			expect(explanation.description).toMatch(/export may have started.*Bulk Actions Log.*Get Many.*before retrying/);
		}
	});

	it('reports an unknown code by name and an unknown header sentence as is', () => {
		expect(apiError(node, response(400, '{"message":"errorCode.somethingNew"}'), 'submit', subject).message).toBe(
			'OpenClinica refused the request: somethingnew',
		);
		expect(
			apiError(node, response(400, '', { 'x-runtimeapp-error': 'Something new' }), 'submit', subject).message,
		).toBe('OpenClinica refused the request: Something new');
	});

	it('never echoes the body of an answer into the error', () => {
		const secret = 'Jane,Doe,jane@example.org';
		const error = apiError(node, response(200, `ParticipantId,First Name\n${secret}`), 'download', subject);
		expect(`${error.message} ${error.description}`).not.toContain('jane@example.org');
	});
});
