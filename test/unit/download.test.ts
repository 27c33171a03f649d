import { classifyDownload } from '../../nodes/OpenClinica/exportJob/wait';
import { parseJobUuid, submitQuery } from '../../nodes/OpenClinica/exportJob/submit';

function answer(status: number, body: string, headers: Record<string, string> = {}) {
	const bytes = Buffer.from(body, 'utf8');
	return { status, headers, body: bytes, text: () => body };
}

const FILE = 'ParticipantId,Participate Status\nSS-001,ACTIVE\n\n';

describe('classifyDownload (spec §3.2, §6.2 D)', () => {
	it('a 200 with Content-Disposition is the file, named from the header', () => {
		expect(
			classifyDownload(
				answer(200, FILE, {
					'content-type': 'application/force-download;charset=UTF-8',
					'content-disposition': 'attachment; filename=JUNO-PROD_Participant%20Access%20Code_2020-10-26-214642123Z.csv',
				}),
			),
		).toEqual({ kind: 'file', fileName: 'JUNO-PROD_Participant Access Code_2020-10-26-214642123Z.csv' });
	});

	it('a 200 force-download without Content-Disposition is the file, unnamed', () => {
		expect(classifyDownload(answer(200, FILE, { 'content-type': 'application/force-download' }))).toEqual({
			kind: 'file',
			fileName: undefined,
		});
	});

	it('a 0-byte file with Content-Disposition is still the file (the parser reports it)', () => {
		expect(classifyDownload(answer(200, '', { 'content-disposition': 'attachment; filename=x.csv' })).kind).toBe('file');
	});

	it('a 200 contact file whose headers a proxy stripped is the file', () => {
		expect(classifyDownload(answer(200, FILE, { 'content-type': 'text/plain' })).kind).toBe('file');
		expect(classifyDownload(answer(200, 'Participant Id|First Name\n')).kind).toBe('file');
	});

	it.each([
		[200, 'error.jobInProgress', 'jobinprogress'],
		[200, 'errorCode.jobInProgress', 'jobinprogress'],
		[200, 'error.noLogFileFound', 'nologfilefound'],
		[200, 'errorCode.noSufficientPrivileges', 'nosufficientprivileges'],
		[404, 'error.invalidUuid', 'invaliduuid'],
		[404, 'errorCode.invalidUuid', 'invaliduuid'],
	])('%d %s is the status %s', (status, body, code) => {
		expect(classifyDownload(answer(status, body, { 'content-type': 'application/json;charset=ISO-8859-1' }))).toEqual({
			kind: 'status',
			code,
		});
	});

	it('5xx and HTML pages are server errors', () => {
		expect(classifyDownload(answer(500, '<html>NPE</html>'))).toEqual({ kind: 'serverError', html: true });
		expect(classifyDownload(answer(503, ''))).toEqual({ kind: 'serverError', html: false });
		expect(classifyDownload(answer(200, '<!DOCTYPE html><html></html>', { 'content-type': 'text/html' }))).toEqual({
			kind: 'serverError',
			html: true,
		});
	});

	it('anything else is an error for the error mapping', () => {
		expect(classifyDownload(answer(404, '<html>Not Found</html>')).kind).toBe('error');
		expect(classifyDownload(answer(400, '', { 'x-runtimeapp-error': 'Incorrect User.' })).kind).toBe('error');
	});
});

describe('submit helpers (spec §1.2, §6.2 C)', () => {
	const uuid = '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90';

	it.each([
		`job uuid: ${uuid}`,
		`"job uuid: ${uuid}"`,
		`Job UUID:${uuid}`,
		`job uuid : "${uuid.toUpperCase()}"`,
	])('reads the job UUID from %p', (body) => {
		expect(parseJobUuid(body)).toBe(uuid);
	});

	it('finds no UUID in other answers', () => {
		expect(parseJobUuid('job uuid: hi12345j-2b02-4e8b-9c55-0f6f1a2b7d90')).toBeUndefined();
		expect(parseJobUuid('')).toBeUndefined();
		expect(parseJobUuid('{"message":"errorCode.studyNotExist"}')).toBeUndefined();
	});

	it('sends the flag under every name servers ever read, as y|n, with paging', () => {
		expect(submitQuery({ studyOid: 'S', siteOid: 'T', includeAccessCodes: true, pageNumber: 2, pageSize: 500 })).toEqual({
			includeParticipateInfo: 'y',
			includeParticipateRelatedInfo: 'y',
			register: 'y',
			page_number: 2,
			page_size: 500,
		});
		expect(
			submitQuery({ studyOid: 'S', siteOid: 'T', includeAccessCodes: false, pageNumber: 1, pageSize: 100 }),
		).toMatchObject({ includeParticipateInfo: 'n', includeParticipateRelatedInfo: 'n', register: 'n' });
	});
});
