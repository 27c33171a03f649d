// Spec §1 (submit endpoint, 4.13 reference profile): success body and content type, every check
// of §1.3 in order, parameter binding (§1.1), roles (§1.4), Participate (§1.5), and "no job on error".
import { AXIOS_ACCEPT, extractUrl, header, JOB_UUID_BODY, jobUuidOf, request, submitJob } from '../helpers/http';
import { errorJson, useSandbox } from './support';

const ctx = useSandbox();

beforeEach(async () => {
	await ctx.control.reset();
});

async function jobCount(): Promise<number> {
	return (await ctx.control.jobs()).length;
}

describe('success (§1.2)', () => {
	it('answers 200 with exactly `job uuid: <v4 uuid>` and no newline, and creates the job record', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const res = await submitJob(ctx.studyUrl, await ctx.token('crc.jane'));
		expect(res.status).toBe(200);
		expect(res.text).toMatch(JOB_UUID_BODY);
		expect(res.text.endsWith('\n')).toBe(false);
		const uuid = jobUuidOf(res);
		const jobs = await ctx.control.jobs();
		expect(jobs).toHaveLength(1);
		expect(Object.keys(jobs[0]).sort()).toEqual(
			['createdBy', 'dateCompleted', 'dateCreated', 'dateStarted', 'fileName', 'includeParticipateInfo', 'pageNumber', 'pageSize', 'rows', 'siteOid', 'status', 'studyOid', 'type', 'uuid'],
		);
		expect(jobs[0]).toMatchObject({
			uuid,
			status: 'IN_PROGRESS',
			type: 'ACCESS_CODE',
			createdBy: 'crc.jane',
			siteOid: 'S_JUNO_BOS',
			studyOid: 'S_JUNO',
		});
	});

	it('issues a different uuid for every job', async () => {
		const token = await ctx.token('crc.jane');
		const a = jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' }));
		const b = jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' }));
		expect(a).not.toBe(b);
		expect(await jobCount()).toBe(2);
	});

	it.each([
		['no Accept header', null, 'text/plain;charset=ISO-8859-1'],
		['*/*', '*/*', 'text/plain;charset=ISO-8859-1'],
		['text/plain', 'text/plain', 'text/plain;charset=ISO-8859-1'],
		['axios/n8n default', AXIOS_ACCEPT, 'application/json;charset=ISO-8859-1'],
		['application/json', 'application/json', 'application/json;charset=ISO-8859-1'],
	])('Accept: %s (%p) → Content-Type %s with the same raw body', async (_name, accept, contentType) => {
		const res = await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site: 'S_JUNO_LYO', accept });
		expect(res.status).toBe(200);
		expect(header(res, 'content-type')).toBe(contentType);
		expect(res.text).toMatch(JOB_UUID_BODY);
	});

	it('ignores a request body', async () => {
		const res = await request(extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_LYO'), {
			method: 'POST',
			headers: { authorization: `Bearer ${await ctx.token('crc.jane')}`, 'content-type': 'application/json' },
			body: JSON.stringify({ includeParticipateInfo: 'y', page_number: 'x' }),
		});
		expect(res.status).toBe(200);
		expect(res.text).toMatch(JOB_UUID_BODY);
	});

	it('accepts the lower-case `bearer` scheme (§5.1)', async () => {
		const res = await request(extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_LYO'), {
			method: 'POST',
			headers: { authorization: `bearer ${await ctx.token('crc.jane')}` },
		});
		expect(res.status).toBe(200);
		expect(res.text).toMatch(JOB_UUID_BODY);
	});
});

describe('query parameters (§1.1)', () => {
	it.each([
		['absent', '', 1, 100],
		['empty values = defaults', 'page_number=&page_size=', 1, 100],
		['explicit', 'page_number=2&page_size=50', 2, 50],
		['+3 is accepted', 'page_number=%2B3', 3, 100],
		['surrounding spaces are trimmed', 'page_number=%202%20&page_size=%207%20', 2, 7],
		['no upper limit on page_size', 'page_size=2147483647', 1, 2147483647],
		['register and unknown parameters are ignored', 'register=y&foo=bar&page_size=5', 1, 5],
	])('%s (%s) → page %d, size %d', async (_name, query, pageNumber, pageSize) => {
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site: 'S_JUNO_LYO', query }));
		expect(await ctx.control.job(uuid)).toMatchObject({ pageNumber, pageSize });
	});

	it.each([
		['y', 'includeParticipateInfo=y', true],
		['Y', 'includeParticipateInfo=Y', true],
		['" y " (trimmed)', 'includeParticipateInfo=%20y%20', true],
		['n', 'includeParticipateInfo=n', false],
		['yes', 'includeParticipateInfo=yes', false],
		['true', 'includeParticipateInfo=true', false],
		['1', 'includeParticipateInfo=1', false],
		['empty', 'includeParticipateInfo=', false],
		['absent', '', false],
		['repeated y&y (joined "y,y")', 'includeParticipateInfo=y&includeParticipateInfo=y', false],
		['register=y alone', 'register=y', false],
		['the V6 name includeParticipateRelatedInfo=y', 'includeParticipateRelatedInfo=y', false],
	])('includeParticipateInfo %s (%s) → flag %s', async (_name, query, flag) => {
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site: 'S_JUNO_LYO', query }));
		expect((await ctx.control.job(uuid))?.includeParticipateInfo).toBe(flag);
	});
});

interface ErrorCase {
	name: string;
	user?: string;
	study?: string;
	site?: string;
	query?: string;
	message: string;
	/** Echoed values when they differ from the path segments (e.g. percent-decoded). */
	echo?: { siteOid: string; studyOid: string };
}

// Checks of §1.3 in order; each case also proves that earlier checks win over later ones.
const errorCases: ErrorCase[] = [
	{ name: '#1 page_number=abc', query: 'page_number=abc', message: 'errorCode.invalidPageNumberParameter' },
	{ name: '#1 page_number=0', query: 'page_number=0', message: 'errorCode.invalidPageNumberParameter' },
	{ name: '#1 page_number=-1', query: 'page_number=-1', message: 'errorCode.invalidPageNumberParameter' },
	{ name: '#1 page_number=1.5', query: 'page_number=1.5', message: 'errorCode.invalidPageNumberParameter' },
	{ name: '#1 page_number overflow', query: 'page_number=2147483648', message: 'errorCode.invalidPageNumberParameter' },
	{ name: '#1 page_number repeated', query: 'page_number=1&page_number=2', message: 'errorCode.invalidPageNumberParameter' },
	{
		name: '#1 beats an unknown study and a bad page_size',
		study: 'S_NOPE',
		query: 'page_number=x&page_size=0',
		message: 'errorCode.invalidPageNumberParameter',
	},
	{ name: '#2 page_size=0', query: 'page_size=0', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 page_size=-5', query: 'page_size=-5', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 page_size=abc', query: 'page_size=abc', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 page_size=2.5', query: 'page_size=2.5', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 page_size overflow', query: 'page_size=99999999999', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 page_size repeated (10,20)', query: 'page_size=10&page_size=20', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#2 beats an unknown study', study: 'S_NOPE', query: 'page_size=0', message: 'errorCode.invalidPageSizeParameter' },
	{ name: '#3 unknown study', study: 'S_NOPE', message: 'errorCode.studyNotExist' },
	{ name: '#3 echoes the study as sent (not upper-cased)', study: 's_nope', site: 's_site', message: 'errorCode.studyNotExist' },
	{ name: '#3 beats an unknown site and no role', user: 'norole.sam', study: 'S_NOPE', site: 'S_NOPE2', message: 'errorCode.studyNotExist' },
	{ name: '#4 study OID that is a site', study: 'S_JUNO_LYO', message: 'errorCode.studyNotValidOid' },
	{ name: '#5 unknown site', site: 'S_NOPE', message: 'errorCode.siteNotExist' },
	{ name: '#6 site OID that is a study (itself)', site: 'S_JUNO', message: 'errorCode.siteNotValidOid' },
	{ name: '#6 site OID that is another study', site: 'S_VEGA', message: 'errorCode.siteNotValidOid' },
	{ name: '#7 site of another study', site: 'S_VEGA_01', message: 'errorCode.studyTositeNotValidOid' },
	{ name: '#7 beats no role', user: 'norole.sam', site: 'S_VEGA_01', message: 'errorCode.studyTositeNotValidOid' },
	{ name: '#8 no role in the study (norole.sam)', user: 'norole.sam', message: 'errorCode.noRoleSetUp' },
	{ name: '#8 a role only at another site counts as none (inv.omar at LYO)', user: 'inv.omar', site: 'S_JUNO_LYO', message: 'errorCode.noRoleSetUp' },
	{ name: '#8 a role only in another study (crc.test)', user: 'crc.test', message: 'errorCode.noRoleSetUp' },
	{ name: '#8 beats Participate disabled', user: 'norole.sam', study: 'S_MARS', site: 'S_MARS_01', message: 'errorCode.noRoleSetUp' },
	{ name: '#9 monitor (mon.kim)', user: 'mon.kim', message: 'errorCode.noSufficientPrivileges' },
	{ name: '#9 site Data Entry Person ra2 (dep.pat)', user: 'dep.pat', message: 'errorCode.noSufficientPrivileges' },
	{ name: '#9 mon.kim also with flag y', user: 'mon.kim', query: 'includeParticipateInfo=y', message: 'errorCode.noSufficientPrivileges' },
	{ name: '#10 Participate disabled (crc.mars)', user: 'crc.mars', study: 'S_MARS', site: 'S_MARS_01', message: 'errorCode.participateInActive' },
	{
		name: '#10 Participate disabled, even with flag n',
		user: 'crc.mars',
		study: 'S_MARS',
		site: 'S_MARS_01',
		query: 'includeParticipateInfo=n',
		message: 'errorCode.participateInActive',
	},
	{
		name: '(TEST) OIDs are echoed percent-decoded',
		user: 'crc.test',
		study: 'S_JUNO(TEST)',
		site: 'S_NOPE(TEST)',
		message: 'errorCode.siteNotExist',
	},
];

describe('failures (§1.3): 400 + exact JSON, first failing check wins, no job', () => {
	it.each(errorCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
		const study = c.study ?? 'S_JUNO';
		const site = c.site ?? 'S_JUNO_BOS';
		const res = await submitJob(ctx.studyUrl, await ctx.token(c.user ?? 'crc.jane'), { study, site, query: c.query });
		expect({ status: res.status, body: res.text }).toEqual({
			status: 400,
			body: errorJson(c.message, c.echo?.siteOid ?? site, c.echo?.studyOid ?? study),
		});
		expect(header(res, 'content-type')).toBe('application/json;charset=UTF-8');
		expect(await jobCount()).toBe(0);
	});

	it('an error with the axios Accept is still the JSON error', async () => {
		const res = await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { study: 'S_NOPE', accept: AXIOS_ACCEPT });
		expect(res.status).toBe(400);
		expect(res.text).toBe(errorJson('errorCode.studyNotExist', 'S_JUNO_BOS', 'S_NOPE'));
		expect(header(res, 'content-type')).toBe('application/json;charset=UTF-8');
	});

	it('an error with `Accept: text/plain` only → 406 with an empty body, no job', async () => {
		const res = await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { study: 'S_NOPE', accept: 'text/plain' });
		expect(res.status).toBe(406);
		expect(res.text).toBe('');
		expect(await jobCount()).toBe(0);
	});
});

describe('roles that are allowed (§1.4, V12 rule)', () => {
	it.each([
		['crc.jane (site ra)', 'crc.jane', 'n'],
		['crc.jane (site ra)', 'crc.jane', 'y'],
		['inv.omar (site Investigator)', 'inv.omar', 'y'],
		['dm.lee (study coordinator)', 'dm.lee', 'n'],
		['dm.lee (study coordinator)', 'dm.lee', 'y'],
		['ds.ana (study Investigator)', 'ds.ana', 'y'],
		['crc.away (site ra, active study elsewhere)', 'crc.away', 'n'],
	])('%s as %s, flag %s → job', async (_name, user, flag) => {
		const res = await submitJob(ctx.studyUrl, await ctx.token(user), { query: `includeParticipateInfo=${flag}` });
		const uuid = jobUuidOf(res);
		expect(await ctx.control.job(uuid)).toMatchObject({ createdBy: user, siteOid: 'S_JUNO_BOS', studyOid: 'S_JUNO' });
	});

	it('(TEST) OIDs, percent-encoded, work for crc.test', async () => {
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.test'), { study: 'S_JUNO(TEST)', site: 'S_BOS(TEST)' }));
		expect(await ctx.control.job(uuid)).toMatchObject({ createdBy: 'crc.test', siteOid: 'S_BOS(TEST)', studyOid: 'S_JUNO(TEST)' });
	});

	it('crc.jane can export the unpublished study S_DRAFT', async () => {
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { study: 'S_DRAFT', site: 'S_DRAFT_01' }));
		expect(await ctx.control.job(uuid)).toMatchObject({ siteOid: 'S_DRAFT_01', studyOid: 'S_DRAFT' });
	});
});

describe('method and path (§1.6, §7)', () => {
	it('GET on the 4.13 submit path → 405 with `Allow: POST`, no job', async () => {
		const res = await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { method: 'GET' });
		expect(res.status).toBe(405);
		expect(header(res, 'allow')).toBe('POST');
		expect(await jobCount()).toBe(0);
	});

	it('the old spelling extractPartcipantsInfo → 404 on 4.13, no job (POST and GET)', async () => {
		const token = await ctx.token('crc.jane');
		for (const method of ['POST', 'GET']) {
			const res = await submitJob(ctx.studyUrl, token, { method, segment: 'extractPartcipantsInfo' });
			expect(res.status).toBe(404);
		}
		expect(await jobCount()).toBe(0);
	});

	it('a path outside the API → 404', async () => {
		const res = await request(`${ctx.studyUrl}/pages/auth/api/nothing/here`, {
			headers: { authorization: `Bearer ${await ctx.token('crc.jane')}` },
		});
		expect(res.status).toBe(404);
	});
});
