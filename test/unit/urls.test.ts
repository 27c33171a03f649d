import {
	checkStudyUrl,
	deriveTokenUrl,
	downloadPath,
	encodePathSegment,
	jobPath,
	submitPath,
	tokenCheckPath,
} from '../../nodes/OpenClinica/transport/urls';

describe('checkStudyUrl', () => {
	it('normalises trailing slashes and whitespace', () => {
		expect(checkStudyUrl(' https://acme.eu.openclinica.io/OpenClinica/ ')).toEqual({
			ok: true,
			url: 'https://acme.eu.openclinica.io/OpenClinica',
		});
		expect(checkStudyUrl('http://127.0.0.1:8080/OpenClinica//')).toEqual({
			ok: true,
			url: 'http://127.0.0.1:8080/OpenClinica',
		});
	});

	it.each([
		['', /empty/],
		[undefined, /empty/],
		['acme.eu.openclinica.io/OpenClinica', /https:\/\//],
		['ftp://acme.eu.openclinica.io/OpenClinica', /https:\/\//],
		['https://acme.eu.openclinica.io/OpenClinica/pages/auth/api', /\/pages/],
		['https://acme.eu.openclinica.io/OpenClinica/pages/login/login', /\/pages/],
		['https://acme.build.openclinica.io', /token/],
		['https://acme.example.org/user-service/api/oauth/token', /token/],
		['https://acme.eu.openclinica.io/OpenClinica?x=1', /"\?"/],
		['https://', /valid URL/],
	])('rejects %p', (input, problem) => {
		const check = checkStudyUrl(input);
		expect(check.ok).toBe(false);
		if (!check.ok) {
			expect(check.problem).toMatch(problem);
			expect(check.hint).not.toBe('');
		}
	});
});

describe('deriveTokenUrl', () => {
	it('uses the first host label on the build host (spec §5.3)', () => {
		expect(deriveTokenUrl('https://studyxyz.eu.openclinica.io/OpenClinica')).toBe(
			'https://studyxyz.build.openclinica.io/user-service/api/oauth/token',
		);
		expect(deriveTokenUrl('https://opencovid.openclinica.io/OpenClinica')).toBe(
			'https://opencovid.build.openclinica.io/user-service/api/oauth/token',
		);
	});

	it('gives up on hosts without a customer label', () => {
		expect(deriveTokenUrl('http://127.0.0.1:8080/OpenClinica')).toBeUndefined();
		expect(deriveTokenUrl('http://localhost/OpenClinica')).toBeUndefined();
		expect(deriveTokenUrl('http://[::1]:8080/OpenClinica')).toBeUndefined();
	});
});

describe('path building', () => {
	it('percent-encodes (TEST) OIDs as OpenClinica documents them', () => {
		expect(encodePathSegment('S_JUO(TEST)')).toBe('S_JUO%28TEST%29');
		expect(submitPath('S_JUNO(TEST)', 'S_BOS(TEST)', 'extractParticipantsInfo')).toBe(
			'/pages/auth/api/clinicaldata/studies/S_JUNO%28TEST%29/sites/S_BOS%28TEST%29/participants/extractParticipantsInfo',
		);
	});

	it('keeps the old path spelling when asked', () => {
		expect(submitPath('S_A', 'S_B', 'extractPartcipantsInfo')).toMatch(/\/participants\/extractPartcipantsInfo$/);
	});

	it.each(['a/b', 'a?b', 'a#b', 'a b', "a'b", 'a*b', 'a!b', 'a%2Fb', 'ä'])(
		'no input can change the path: %p stays one segment',
		(oid) => {
			const segment = encodePathSegment(oid);
			expect(segment).not.toMatch(/[/?#\s'*!()]/);
			expect(decodeURIComponent(segment)).toBe(oid);
			const url = new URL(`https://h.example${submitPath(oid, 'S_B', 'extractParticipantsInfo')}`);
			expect(url.pathname.split('/')).toHaveLength(11);
			expect(url.pathname.split('/')[6]).toBe(segment);
			expect(url.search).toBe('');
			expect(url.hash).toBe('');
		},
	);

	it('refuses dot segments, which URL parsers resolve even when encoded', () => {
		expect(() => encodePathSegment('..')).toThrow();
		expect(() => encodePathSegment('.')).toThrow();
		expect(() => encodePathSegment('')).toThrow();
	});

	it('builds the job paths', () => {
		const uuid = '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90';
		expect(downloadPath(uuid)).toBe(`/pages/auth/api/jobs/${uuid}/downloadFile`);
		expect(jobPath(uuid)).toBe(`/pages/auth/api/jobs/${uuid}`);
		expect(tokenCheckPath()).toMatch(/^\/pages\/auth\/api\/[a-z0-9-]+$/);
	});
});
