// Spec §3.2 (download endpoint, 4.13): every row of the answers table in check order,
// Content-Disposition by User-Agent, open=true, missing User-Agent, the active-study lookup,
// content types of the error strings.
import { randomUUID } from 'node:crypto';
import { AXIOS_ACCEPT, downloadJob, header, jobUuidOf, pollDownload, request, submitJob } from '../helpers/http';
import { javaUrlEncode, parseFile, PROD_NAME, useSandbox } from './support';

const ctx = useSandbox();

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

beforeEach(async () => {
	await ctx.control.reset();
});

async function newJob(user = 'crc.jane', site = 'S_JUNO_LYO'): Promise<string> {
	return jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token(user), { site }));
}

async function finishedJob(user = 'crc.jane', site = 'S_JUNO_LYO'): Promise<string> {
	const uuid = await newJob(user, site);
	await ctx.control.waitForJob(uuid);
	return uuid;
}

async function deleteJob(user: string, uuid: string) {
	const res = await request(`${ctx.studyUrl}/pages/auth/api/jobs/${uuid}`, {
		method: 'DELETE',
		headers: { authorization: `Bearer ${await ctx.token(user)}` },
	});
	expect(res.status).toBe(200);
}

const TEXT = 'text/plain;charset=ISO-8859-1';
const JSON_CT = 'application/json;charset=ISO-8859-1';

describe('answers in check order (§3.2)', () => {
	it('#1 unknown uuid → 404 error.invalidUuid', async () => {
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), randomUUID());
		expect({ status: res.status, body: res.text, ct: header(res, 'content-type') }).toEqual({
			status: 404,
			body: 'error.invalidUuid',
			ct: TEXT,
		});
	});

	it("#2 another user's finished job → 200 errorCode.noSufficientPrivileges", async () => {
		const uuid = await finishedJob('crc.jane', 'S_JUNO_BOS');
		const res = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: 'errorCode.noSufficientPrivileges' });
		expect(header(res, 'content-disposition')).toBeUndefined();
	});

	it("#2 is checked before in-progress: another user's stalled job → errorCode.noSufficientPrivileges", async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await newJob('crc.jane', 'S_JUNO_BOS');
		const res = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: 'errorCode.noSufficientPrivileges' });
		const own = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect({ status: own.status, body: own.text }).toEqual({ status: 200, body: 'error.jobInProgress' });
	});

	it("#2 is checked before deleted: another user's deleted job → errorCode.noSufficientPrivileges", async () => {
		const uuid = await finishedJob('crc.jane', 'S_JUNO_BOS');
		await deleteJob('crc.jane', uuid);
		const res = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: 'errorCode.noSufficientPrivileges' });
	});

	it('#3 own deleted job → 404 error.invalidUuid', async () => {
		const uuid = await finishedJob();
		await deleteJob('crc.jane', uuid);
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
	});

	it('#4 job in progress (stallJobs) → 200 error.jobInProgress, repeatedly', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await newJob();
		for (let i = 0; i < 3; i++) {
			const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect({ status: res.status, body: res.text, ct: header(res, 'content-type') }).toEqual({
				status: 200,
				body: 'error.jobInProgress',
				ct: TEXT,
			});
		}
		expect((await ctx.control.job(uuid))?.status).toBe('IN_PROGRESS');
	});

	it('#4 is checked before the User-Agent quirk: no UA on a stalled job → error.jobInProgress', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await newJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { userAgent: null });
		expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: 'error.jobInProgress' });
	});

	it('#5a finished job, non-browser UA → the file as application/force-download, filename= percent-encoded with %20', async () => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { userAgent: 'curl/8.5.0' });
		expect(res.status).toBe(200);
		expect(header(res, 'content-type')).toMatch(/^application\/force-download(;\s*charset=UTF-8)?$/i);
		const job = await ctx.control.job(uuid);
		expect(job?.fileName).toMatch(PROD_NAME);
		const cd = header(res, 'content-disposition') ?? '';
		expect(cd).toBe(`attachment; filename=${javaUrlEncode(job?.fileName ?? '')}`);
		expect(cd).toContain('JUNO-PROD_Participant%20Access%20Code_');
		expect(cd).not.toContain(' Access');
		parseFile(res.body);
	});

	it.each([
		['Chrome (contains Safari)', CHROME],
		['Firefox', FIREFOX],
		['Safari', 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15'],
	])("#5a browser UA %s → filename*=UTF-8''…", async (_n, ua) => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { userAgent: ua });
		expect(res.status).toBe(200);
		const job = await ctx.control.job(uuid);
		expect(header(res, 'content-disposition')).toBe(`attachment; filename*=UTF-8''${javaUrlEncode(job?.fileName ?? '')}`);
	});

	it.each([
		['axios', 'axios/1.7.9'],
		['n8n', 'n8n'],
		['python', 'python-requests/2.31'],
	])('#5a non-browser UA %s → plain filename=', async (_n, ua) => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { userAgent: ua });
		expect(header(res, 'content-disposition')).toMatch(/^attachment; filename=JUNO-PROD_Participant%20Access%20Code_\d{4}-\d{2}-\d{2}-\d{9}Z\.csv$/);
	});

	it('#5b open=true → the same bytes with no Content-Type and no Content-Disposition', async () => {
		const uuid = await finishedJob();
		const token = await ctx.token('crc.jane');
		const attached = await downloadJob(ctx.studyUrl, token, uuid);
		const inline = await downloadJob(ctx.studyUrl, token, uuid, { query: 'open=true' });
		expect(inline.status).toBe(200);
		expect(header(inline, 'content-type')).toBeUndefined();
		expect(header(inline, 'content-disposition')).toBeUndefined();
		expect(inline.body.equals(attached.body)).toBe(true);
		expect(inline.body.length).toBeGreaterThan(0);
	});

	it.each(['open=false', 'open=TRUE', 'open=1', 'open='])('#5a %s is not open=true → attachment', async (query) => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { query });
		expect(res.status).toBe(200);
		expect(header(res, 'content-disposition')).toMatch(/^attachment; filename=/);
	});

	it('#5c no User-Agent header on a finished job → 200 error.noLogFileFound', async () => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { userAgent: null });
		expect({ status: res.status, body: res.text, ct: header(res, 'content-type') }).toEqual({
			status: 200,
			body: 'error.noLogFileFound',
			ct: TEXT,
		});
		const again = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect(again.status).toBe(200);
		expect(header(again, 'content-disposition')).toMatch(/^attachment/);
	});

	it('#5c the noLogFileFound fault answers the next `count` downloads of finished jobs', async () => {
		const uuid = await finishedJob();
		await ctx.control.setFaults({ noLogFileFound: { count: 2 } });
		const token = await ctx.token('crc.jane');
		for (let i = 0; i < 2; i++) {
			const r = await downloadJob(ctx.studyUrl, token, uuid);
			expect({ status: r.status, body: r.text }).toEqual({ status: 200, body: 'error.noLogFileFound' });
		}
		const ok = await downloadJob(ctx.studyUrl, token, uuid);
		expect(header(ok, 'content-disposition')).toMatch(/^attachment/);
	});

	it('a file can be downloaded more than once with identical bytes', async () => {
		const uuid = await finishedJob();
		const token = await ctx.token('crc.jane');
		const a = await downloadJob(ctx.studyUrl, token, uuid);
		const b = await downloadJob(ctx.studyUrl, token, uuid);
		expect(a.body.equals(b.body)).toBe(true);
	});
});

describe('the job is looked up in the caller’s active study (§3.2)', () => {
	it('crc.away (active study S_VEGA) → 404 error.invalidUuid for its own finished job', async () => {
		const uuid = await finishedJob('crc.away', 'S_JUNO_BOS');
		expect((await ctx.control.job(uuid))?.status).toBe('COMPLETED');
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.away'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
	});

	it('crc.away → 404 error.invalidUuid even while its job is in progress', async () => {
		await ctx.control.setFaults({ stallJobs: true });
		const uuid = await newJob('crc.away', 'S_JUNO_BOS');
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.away'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
	});

	it("a job of another study is 404 for another user too (crc.test's job, read by crc.jane)", async () => {
		const uuid = jobUuidOf(
			await submitJob(ctx.studyUrl, await ctx.token('crc.test'), { study: 'S_JUNO(TEST)', site: 'S_BOS(TEST)' }),
		);
		await ctx.control.waitForJob(uuid);
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
		const own = await pollDownload(ctx.studyUrl, await ctx.token('crc.test'), uuid);
		expect(own.status).toBe(200);
		expect(header(own, 'content-disposition')).toMatch(/^attachment; filename=JUNO-TEST_Participant%20Access%20Code_/);
	});
});

describe('content type of the error strings follows Accept (§3.2)', () => {
	it.each([
		['none', null, TEXT],
		['*/*', '*/*', TEXT],
		['text/plain', 'text/plain', TEXT],
		['axios default', AXIOS_ACCEPT, JSON_CT],
		['application/json', 'application/json', JSON_CT],
	])('Accept %s → %s', async (_n, accept, ct) => {
		await ctx.control.setFaults({ stallJobs: true });
		const token = await ctx.token('crc.jane');
		const uuid = await newJob();
		const missing = await downloadJob(ctx.studyUrl, token, randomUUID(), { accept });
		expect({ status: missing.status, body: missing.text, ct: header(missing, 'content-type') }).toEqual({
			status: 404,
			body: 'error.invalidUuid',
			ct,
		});
		const busy = await downloadJob(ctx.studyUrl, token, uuid, { accept });
		expect({ status: busy.status, body: busy.text, ct: header(busy, 'content-type') }).toEqual({
			status: 200,
			body: 'error.jobInProgress',
			ct,
		});
		const other = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid, { accept });
		expect({ status: other.status, body: other.text, ct: header(other, 'content-type') }).toEqual({
			status: 200,
			body: 'errorCode.noSufficientPrivileges',
			ct,
		});
	});

	it('the file itself keeps application/force-download whatever the Accept', async () => {
		const uuid = await finishedJob();
		const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { accept: AXIOS_ACCEPT });
		expect(header(res, 'content-type')).toMatch(/^application\/force-download/i);
	});
});
