// Spec §4.1 (listing jobs) and §4.2 (deleting a job), 4.13.
import { randomUUID } from 'node:crypto';
import { API, downloadJob, encodeOid, header, HttpResponse, jobUuidOf, request, submitJob } from '../helpers/http';
import { useSandbox } from './support';

const ctx = useSandbox();

beforeEach(async () => {
	await ctx.control.reset();
});

async function get(user: string, path: string): Promise<HttpResponse> {
	return request(`${ctx.studyUrl}${API}${path}`, { headers: { authorization: `Bearer ${await ctx.token(user)}` } });
}

async function del(user: string, uuid: string): Promise<HttpResponse> {
	return request(`${ctx.studyUrl}${API}/jobs/${uuid}`, {
		method: 'DELETE',
		headers: { authorization: `Bearer ${await ctx.token(user)}` },
	});
}

const siteJobs = (user: string, study: string, site: string) => get(user, `/studies/${encodeOid(study)}/sites/${encodeOid(site)}/jobs`);
const studyJobs = (user: string, study: string) => get(user, `/studies/${encodeOid(study)}/jobs`);

async function submit(user: string, site: string, wait = true): Promise<string> {
	const uuid = jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token(user), { site }));
	if (wait) await ctx.control.waitForJob(uuid);
	return uuid;
}

const DTO_KEYS = [
	'createdByUsername',
	'dateCompleted',
	'dateCreated',
	'dateUpdated',
	'siteOid',
	'sourceFileName',
	'status',
	'studyOid',
	'type',
	'updatedByUsername',
	'uuid',
];
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Dto {
	uuid: string;
	status: string;
	dateCreated: string;
	dateCompleted: string | null;
	[k: string]: unknown;
}

function parseList(res: HttpResponse): Dto[] {
	expect(res.status).toBe(200);
	expect(header(res, 'content-type') ?? '').toMatch(/^application\/json/);
	return JSON.parse(res.text) as Dto[];
}

describe('list by site (§4.1)', () => {
	it("returns the caller's own non-deleted jobs of that site, with the DTO fields", async () => {
		const mine = await submit('crc.jane', 'S_JUNO_BOS');
		const gone = await submit('crc.jane', 'S_JUNO_BOS');
		await submit('crc.jane', 'S_JUNO_LYO');
		await submit('inv.omar', 'S_JUNO_BOS');
		expect((await del('crc.jane', gone)).status).toBe(200);

		const list = parseList(await siteJobs('crc.jane', 'S_JUNO', 'S_JUNO_BOS'));
		expect(list.map((j) => j.uuid)).toEqual([mine]);
		const [dto] = list;
		expect(Object.keys(dto).sort()).toEqual(DTO_KEYS);
		expect(dto).toMatchObject({
			uuid: mine,
			status: 'COMPLETED',
			type: 'ACCESS_CODE',
			createdByUsername: 'crc.jane',
			updatedByUsername: null,
			siteOid: 'S_JUNO_BOS',
			studyOid: 'S_JUNO',
			dateUpdated: null,
			sourceFileName: null,
		});
		expect(dto.dateCreated).toMatch(DATE);
		expect(dto.dateCompleted).toMatch(DATE);
		expect(Date.parse(dto.dateCompleted ?? '')).toBeGreaterThanOrEqual(Date.parse(dto.dateCreated));
		const truth = await ctx.control.job(mine);
		expect(Date.parse(dto.dateCreated)).toBe(Date.parse(truth?.dateCreated ?? ''));
	});

	it('an in-progress job is listed as IN_PROGRESS with dateCompleted null', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await submit('crc.jane', 'S_JUNO_LYO', false);
		const list = parseList(await siteJobs('crc.jane', 'S_JUNO', 'S_JUNO_LYO'));
		expect(list).toEqual([expect.objectContaining({ uuid, status: 'IN_PROGRESS', dateCompleted: null })]);
	});

	it('another user sees only their own jobs (inv.omar)', async () => {
		await submit('crc.jane', 'S_JUNO_BOS');
		const omar = await submit('inv.omar', 'S_JUNO_BOS');
		expect(parseList(await siteJobs('inv.omar', 'S_JUNO', 'S_JUNO_BOS')).map((j) => j.uuid)).toEqual([omar]);
	});

	it('a study-level user (dm.lee) may list a site', async () => {
		const uuid = await submit('dm.lee', 'S_JUNO_BOS');
		expect(parseList(await siteJobs('dm.lee', 'S_JUNO', 'S_JUNO_BOS')).map((j) => j.uuid)).toEqual([uuid]);
	});

	it('a site monitor (mon.kim) may list the site: an empty array', async () => {
		expect(parseList(await siteJobs('mon.kim', 'S_JUNO', 'S_JUNO_BOS'))).toEqual([]);
	});

	it.each([
		['unknown study', 'S_NOPE', 'S_JUNO_BOS', 'InValid StudyOID. The StudyOID is invalid or does not exist'],
		['site OID that is a study', 'S_JUNO', 'S_VEGA', 'InValid SiteOID. The SiteOID should have a Site Level Oid'],
		['site of another study', 'S_JUNO', 'S_VEGA_01', 'Mismatch StudyOID and SiteOID. The StudyOID and SiteOID relation is invalid'],
		['unknown site', 'S_JUNO', 'S_NOPE', undefined],
	])('bad OID (%s) → 400, empty body, X-runtimeApp-error', async (_n, study, site, message) => {
		const res = await siteJobs('crc.jane', study, site);
		expect(res.status).toBe(400);
		expect(res.text).toBe('');
		if (message) expect(header(res, 'x-runtimeapp-error')).toBe(message);
		else expect(header(res, 'x-runtimeapp-error')).toBeTruthy();
		expect(header(res, 'x-runtimeapp-params')).toBe('JobController');
	});

	it.each([
		['dep.pat (ra2 at the site)', 'dep.pat', 'S_JUNO_BOS'],
		['norole.sam (no role)', 'norole.sam', 'S_JUNO_BOS'],
		['inv.omar at a site where it has no role', 'inv.omar', 'S_JUNO_LYO'],
	])('wrong role: %s → 500', async (_n, user, site) => {
		const res = await siteJobs(user, 'S_JUNO', site);
		expect(res.status).toBe(500);
	});
});

describe('list by study (§4.1)', () => {
	it("returns the caller's own jobs of every site of the study, deleted excluded", async () => {
		const bos = await submit('dm.lee', 'S_JUNO_BOS');
		const lyo = await submit('dm.lee', 'S_JUNO_LYO');
		const gone = await submit('dm.lee', 'S_JUNO_LYO');
		await submit('crc.jane', 'S_JUNO_BOS');
		expect((await del('dm.lee', gone)).status).toBe(200);
		const list = parseList(await studyJobs('dm.lee', 'S_JUNO'));
		expect(list.map((j) => j.uuid).sort()).toEqual([bos, lyo].sort());
		for (const dto of list) {
			expect(Object.keys(dto).sort()).toEqual(DTO_KEYS);
			expect(dto).toMatchObject({ studyOid: 'S_JUNO', createdByUsername: 'dm.lee', type: 'ACCESS_CODE' });
			expect(dto.dateCreated).toMatch(DATE);
		}
		expect(list.find((j) => j.uuid === bos)?.siteOid).toBe('S_JUNO_BOS');
	});

	it('bad study OID → 400, empty body, X-runtimeApp-error', async () => {
		const res = await studyJobs('dm.lee', 'S_NOPE');
		expect(res.status).toBe(400);
		expect(res.text).toBe('');
		expect(header(res, 'x-runtimeapp-error')).toBe('InValid StudyOID. The StudyOID is invalid or does not exist');
		expect(header(res, 'x-runtimeapp-params')).toBe('JobController');
	});

	it.each([
		['norole.sam', 'norole.sam'],
		['dep.pat (ra2)', 'dep.pat'],
	])('wrong role: %s → 500', async (_n, user) => {
		expect((await studyJobs(user, 'S_JUNO')).status).toBe(500);
	});
});

describe('delete (§4.2)', () => {
	it('own job → 200, empty body, alert headers; then 404 on download, absent from the list, DELETED', async () => {
		const uuid = await submit('crc.jane', 'S_JUNO_BOS');
		const res = await del('crc.jane', uuid);
		expect(res.status).toBe(200);
		expect(res.text).toBe('');
		expect(header(res, 'x-studyserviceapp-alert')).toBe(`A JobController is deleted with identifier ${uuid}`);
		expect(header(res, 'x-studyserviceapp-params')).toBe(uuid);
		const dl = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect({ status: dl.status, body: dl.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
		expect(parseList(await siteJobs('crc.jane', 'S_JUNO', 'S_JUNO_BOS'))).toEqual([]);
		expect((await ctx.control.job(uuid))?.status).toBe('DELETED');
	});

	it("another user's job → 400, empty body, X-runtimeApp-error; the job is untouched", async () => {
		const uuid = await submit('crc.jane', 'S_JUNO_BOS');
		const res = await del('inv.omar', uuid);
		expect(res.status).toBe(400);
		expect(res.text).toBe('');
		expect(header(res, 'x-runtimeapp-error')).toBe('Incorrect User. The user is not the owner of this log file');
		expect(header(res, 'x-runtimeapp-params')).toBe('JobController');
		expect((await ctx.control.job(uuid))?.status).toBe('COMPLETED');
		const dl = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect(header(dl, 'content-disposition')).toMatch(/^attachment/);
	});

	it('unknown uuid → 500', async () => {
		expect((await del('crc.jane', randomUUID())).status).toBe(500);
	});

	it('already deleted → 200 again', async () => {
		const uuid = await submit('crc.jane', 'S_JUNO_BOS');
		expect((await del('crc.jane', uuid)).status).toBe(200);
		const again = await del('crc.jane', uuid);
		expect(again.status).toBe(200);
		expect(again.text).toBe('');
	});

	it('deleting an in-progress (stalled) job → 200 and DELETED', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await submit('crc.jane', 'S_JUNO_BOS', false);
		expect((await del('crc.jane', uuid)).status).toBe(200);
		expect((await ctx.control.job(uuid))?.status).toBe('DELETED');
		const dl = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect({ status: dl.status, body: dl.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
	});

	it('deleting a running job can be undone when the worker finishes (§2.1, [C, inferred]): it ends COMPLETED and downloadable', async () => {
		await ctx.control.setConfig({ jobBaseMs: 300 });
		try {
			const uuid = await submit('crc.jane', 'S_JUNO_LYO', false);
			expect((await del('crc.jane', uuid)).status).toBe(200);
			expect((await ctx.control.job(uuid))?.status).toBe('DELETED');
			const deadline = Date.now() + 5000;
			let status = 'DELETED';
			while (status !== 'COMPLETED' && Date.now() < deadline) {
				await new Promise((r) => setTimeout(r, 25));
				status = (await ctx.control.job(uuid))?.status ?? '';
			}
			expect(status).toBe('COMPLETED');
			const dl = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect(header(dl, 'content-disposition')).toMatch(/^attachment/);
		} finally {
			await ctx.control.setConfig({ jobBaseMs: 2 });
		}
	});

	it('the job is looked up in the active study: crc.away deleting its own job → 500 (unknown in that schema)', async () => {
		const uuid = await submit('crc.away', 'S_JUNO_BOS');
		expect((await del('crc.away', uuid)).status).toBe(500);
		expect((await ctx.control.job(uuid))?.status).toBe('COMPLETED');
	});
});
