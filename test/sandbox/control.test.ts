// The control API and fault switches (sandbox README), plus startSandbox option handling.
import { startSandbox } from '../../sandbox';
import { downloadJob, header, isInProgress, jobUuidOf, login, pollDownload, request, submitJob } from '../helpers/http';
import { expectRows, HEADER, isAvailableOrSigned, parseFile, useSandbox } from './support';

describe('control API', () => {
	const ctx = useSandbox();

	beforeEach(async () => {
		await ctx.control.reset();
	});

	const submit = async (site = 'S_JUNO_LYO', query = '') =>
		jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site, query }));

	const exportLyo = async (query = '') => {
		const uuid = await submit('S_JUNO_LYO', query);
		const res = await pollDownload(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
		expect(res.status).toBe(200);
		return parseFile(res.body);
	};

	describe('faults consumed by count', () => {
		it('serverErrors {count: 2}: the next two runtime requests get 500 HTML, then normal; getFaults shows the remaining count', async () => {
			await ctx.control.setFaults({ serverErrors: { count: 2 } });
			const token = await ctx.token('crc.jane');
			const first = await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' });
			expect(first.status).toBe(500);
			expect(header(first, 'content-type') ?? '').toMatch(/^text\/html/);
			expect((await ctx.control.getFaults()).serverErrors).toMatchObject({ count: 1 });
			expect((await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' })).status).toBe(500);
			expect(await ctx.control.jobs()).toHaveLength(0);
			jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' }));
			expect((await ctx.control.getFaults()).serverErrors).toBeUndefined();
		});

		it('serverErrors with status and match: only matching paths are hit', async () => {
			const uuid = await submit();
			await ctx.control.waitForJob(uuid);
			await ctx.control.setFaults({ serverErrors: { count: 1, status: 503, match: 'downloadFile' } });
			jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site: 'S_JUNO_LYO' }));
			const hit = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect(hit.status).toBe(503);
			const next = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect(next.status).toBe(200);
			expect(header(next, 'content-disposition')).toMatch(/^attachment/);
		});

		it('dropConnections {count: 1}: the socket is destroyed without an answer, once', async () => {
			await ctx.control.setFaults({ dropConnections: { count: 1 } });
			const token = await ctx.token('crc.jane');
			await expect(submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' })).rejects.toThrow();
			jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' }));
		});

		it('htmlInsteadOfFile {count: 1}: one download answers 200 text/html, the next is the file', async () => {
			const uuid = await submit();
			await ctx.control.waitForJob(uuid);
			await ctx.control.setFaults({ htmlInsteadOfFile: { count: 1 } });
			const token = await ctx.token('crc.jane');
			const html = await downloadJob(ctx.studyUrl, token, uuid);
			expect(html.status).toBe(200);
			expect(header(html, 'content-type') ?? '').toMatch(/^text\/html/);
			expect(header(html, 'content-disposition')).toBeUndefined();
			const file = await downloadJob(ctx.studyUrl, token, uuid);
			expect(header(file, 'content-disposition')).toMatch(/^attachment/);
		});

		it('noLogFileFound with match: only the matching job is hit', async () => {
			const a = await submit();
			const b = await submit();
			await ctx.control.waitForJob(a);
			await ctx.control.waitForJob(b);
			await ctx.control.setFaults({ noLogFileFound: { count: 1, match: b } });
			const token = await ctx.token('crc.jane');
			expect(header(await downloadJob(ctx.studyUrl, token, a), 'content-disposition')).toMatch(/^attachment/);
			expect((await downloadJob(ctx.studyUrl, token, b)).text).toBe('error.noLogFileFound');
			expect(header(await downloadJob(ctx.studyUrl, token, b), 'content-disposition')).toMatch(/^attachment/);
		});

		it('serverErrors never hit the token endpoint (token429 is its fault)', async () => {
			await ctx.control.setFaults({ serverErrors: { count: 1 } });
			await login(ctx.sb.tokenUrl, 'inv.omar');
			expect((await ctx.control.getFaults()).serverErrors).toMatchObject({ count: 1 });
		});

		it('expireTokens is one-shot and never listed', async () => {
			await ctx.control.setFaults({ expireTokens: true });
			ctx.forgetTokens();
			expect((await ctx.control.getFaults()).expireTokens).toBeUndefined();
		});

		it('faults can be cleared with null', async () => {
			await ctx.control.setFaults({ serverErrors: { count: 5 } });
			await ctx.control.setFaults({ serverErrors: null });
			jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('crc.jane'), { site: 'S_JUNO_LYO' }));
		});
	});

	describe('job faults', () => {
		it('stallJobs: the job stays IN_PROGRESS', async () => {
			await ctx.control.setFaults({ stallJobs: true });
			const uuid = await submit();
			const token = await ctx.token('crc.jane');
			for (let i = 0; i < 5; i++) expect(isInProgress(await downloadJob(ctx.studyUrl, token, uuid))).toBe(true);
			expect((await ctx.control.job(uuid))?.status).toBe('IN_PROGRESS');
		});

		it('finishAfterPolls: 3 → exactly three in-progress answers, then the file', async () => {
			await ctx.control.setFaults({ finishAfterPolls: 3 });
			const uuid = await submit();
			const res = await pollDownload(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { intervalMs: 30 });
			expect(res.inProgressPolls).toBe(3);
			expect(header(res, 'content-disposition')).toMatch(/^attachment/);
		});

		it('emptyFile: the job completes with a 0-byte file', async () => {
			await ctx.control.setFaults({ emptyFile: true });
			const uuid = await submit();
			const res = await pollDownload(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect(res.status).toBe(200);
			expect(header(res, 'content-type') ?? '').toMatch(/^application\/force-download/);
			expect(res.body.length).toBe(0);
			expect((await ctx.control.job(uuid))?.status).toBe('COMPLETED');
		});

		it('deleteJobsWhileRunning (with stallJobs): the job is DELETED at once and downloads 404', async () => {
			await ctx.control.setFaults({ deleteJobsWhileRunning: true, stallJobs: true });
			const uuid = await submit();
			expect((await ctx.control.job(uuid))?.status).toBe('DELETED');
			const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid);
			expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
		});

		it('deleteJobsWhileRunning (no stall): DELETED at once, then the worker brings it back COMPLETED (§2.1)', async () => {
			await ctx.control.setConfig({ jobBaseMs: 150 });
			await ctx.control.setFaults({ deleteJobsWhileRunning: true });
			const uuid = await submit();
			expect((await ctx.control.job(uuid))?.status).toBe('DELETED');
			const deadline = Date.now() + 5000;
			let status: string | undefined = 'DELETED';
			while (status === 'DELETED' && Date.now() < deadline) {
				await new Promise((r) => setTimeout(r, 20));
				status = (await ctx.control.job(uuid))?.status;
			}
			expect(status).toBe('COMPLETED');
		});

		it('the faults option of startSandbox applies from the start', async () => {
			const sb = await startSandbox({ port: 0, bigSiteSize: 10, faults: { stallJobs: true } });
			try {
				const token = await login(sb.tokenUrl, 'crc.jane');
				const uuid = jobUuidOf(await submitJob(sb.studyUrl, token, { site: 'S_JUNO_LYO' }));
				expect(isInProgress(await downloadJob(sb.studyUrl, token, uuid))).toBe(true);
			} finally {
				await sb.close();
			}
		});
	});

	describe('reset', () => {
		it('restores the timing config given at start', async () => {
			await ctx.control.setConfig({ workers: 5, jobBaseMs: 77 });
			await ctx.control.reset();
			expect(await ctx.control.setConfig({})).toMatchObject({ workers: 2, jobBaseMs: 2, tokenRateLimit: false });
		});

		it('control errors answer 400 {"error": …} (unknown site, unknown label)', async () => {
			const a = await request(`${ctx.sb.baseUrl}/__sandbox/participants?siteOid=S_NOPE`);
			expect(a.status).toBe(400);
			expect(typeof JSON.parse(a.text).error).toBe('string');
			const b = await request(`${ctx.sb.baseUrl}/__sandbox/participants/NOPE-1`, {
				method: 'PATCH',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ status: 'removed' }),
			});
			expect(b.status).toBe(400);
			expect(typeof JSON.parse(b.text).error).toBe('string');
		});

		it('clears jobs, faults, the request log and data edits', async () => {
			await submit();
			const added = await ctx.control.addParticipant({ siteOid: 'S_JUNO_LYO', detail: { firstName: 'Reset', lastName: 'Me' } });
			await ctx.control.setFaults({ stallJobs: true, serverErrors: { count: 3, match: 'nothing-matches-this' } });
			await ctx.control.reset();
			expect(await ctx.control.jobs()).toEqual([]);
			expect(await ctx.control.requests()).toEqual([]);
			expect((await ctx.control.participants('S_JUNO_LYO')).map((p) => p.label)).not.toContain(added.label);
			const faults = await ctx.control.getFaults();
			expect(faults.stallJobs ?? false).toBe(false);
			expect(faults.serverErrors).toBeUndefined();
			const uuid = await submit();
			expect((await ctx.control.waitForJob(uuid)).status).toBe('COMPLETED');
		});
	});

	describe('data edits', () => {
		it('an added participant appears at the end of the next export', async () => {
			const before = (await ctx.control.participants('S_JUNO_LYO')).filter(isAvailableOrSigned);
			const added = await ctx.control.addParticipant({
				siteOid: 'S_JUNO_LYO',
				detail: { firstName: 'Added', lastName: 'Person', email: 'added@example.org', phone: '+33 612345678', identifier: 'ID-9' },
				userStatus: 'INVITED',
				status: 'available',
			});
			expect(added).toMatchObject({ siteOid: 'S_JUNO_LYO', status: 'available', userStatus: 'INVITED' });
			expect(added.label).toBeTruthy();
			const after = await ctx.control.participants('S_JUNO_LYO');
			expect(after[after.length - 1].label).toBe(added.label);
			const parsed = await exportLyo('includeParticipateInfo=n');
			expect(parsed.header).toBe(HEADER.siteN);
			expect(parsed.rows[parsed.rows.length - 1]).toBe(`${added.label},Added,Person,added@example.org,+33 612345678,ID-9,INVITED`);
			expectRows(parsed.rows, [...before, added], 'site-n', true);
		});

		it('a patch changes the row (partial detail merge, status, access code); detail null empties it', async () => {
			const target = (await ctx.control.participants('S_JUNO_LYO')).filter((p) => isAvailableOrSigned(p) && p.detail)[0];
			const patched = await ctx.control.updateParticipant(target.label, {
				detail: { firstName: 'Patched' },
				userStatus: 'ACTIVE',
				accessCode: 'aB3cD4eF6',
			});
			expect(patched.detail).toEqual({ ...target.detail, firstName: 'Patched' });
			let parsed = await exportLyo('includeParticipateInfo=y');
			const d = target.detail;
			expect(parsed.rows).toContain(
				[target.label, 'Patched', d?.lastName ?? '', d?.email ?? '', d?.phone ?? '', d?.identifier ?? '', 'aB3cD4eF6', 'ACTIVE'].join(','),
			);
			await ctx.control.updateParticipant(target.label, { detail: null });
			parsed = await exportLyo('includeParticipateInfo=n');
			expect(parsed.rows).toContain(`${target.label},,,,,,`);
		});

		it('null contact fields become empty strings', async () => {
			const added = await ctx.control.addParticipant({ siteOid: 'S_JUNO_LYO', detail: { firstName: 'Only' }, userStatus: null });
			const parsed = await exportLyo('includeParticipateInfo=n');
			expect(parsed.rows[parsed.rows.length - 1]).toBe(`${added.label},Only,,,,,`);
		});

		it('a participant set to removed leaves the export', async () => {
			const target = (await ctx.control.participants('S_JUNO_LYO')).filter(isAvailableOrSigned)[0];
			await ctx.control.updateParticipant(target.label, { status: 'removed' });
			const parsed = await exportLyo();
			expect(parsed.rows.map((r) => r.split(',')[0])).not.toContain(target.label);
		});
	});

	describe('request log', () => {
		it('records runtime and token requests without the token itself; DELETE clears it', async () => {
			await ctx.control.clearRequests();
			const token = await login(ctx.sb.tokenUrl, 'crc.jane');
			const uuid = jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO', query: 'page_size=7', accept: 'application/json' }));
			await downloadJob(ctx.studyUrl, token, uuid, { userAgent: null });
			await request(`${ctx.studyUrl}/pages/auth/api/jobs/${uuid}/downloadFile`);
			const log = await ctx.control.requests();
			const raw = JSON.stringify(log);
			expect(raw).not.toContain(token);
			expect(log.length).toBeGreaterThanOrEqual(4);
			const submitEntry = log.find((e) => e.method === 'POST' && e.path.endsWith('/extractParticipantsInfo'));
			expect(submitEntry).toMatchObject({ query: 'page_size=7', status: 200, accept: 'application/json', authorization: 'bearer' });
			const dl = log.filter((e) => e.path.endsWith('/downloadFile'));
			expect(dl.map((e) => [e.userAgent, e.authorization, e.status])).toEqual([
				[null, 'bearer', 200],
				[expect.any(String), 'none', 401],
			]);
			expect(log.some((e) => e.path === '/user-service/api/oauth/token')).toBe(true);
			expect(log.some((e) => e.path.includes('__sandbox'))).toBe(false);
			await ctx.control.clearRequests();
			expect(await ctx.control.requests()).toEqual([]);
		});
	});

	describe('config', () => {
		it('workers: 1 runs jobs one at a time (the second stays IN_PROGRESS while queued)', async () => {
			await ctx.control.setConfig({ workers: 1, jobBaseMs: 150 });
			try {
				const a = await submit();
				const b = await submit();
				const doneA = await ctx.control.waitForJob(a);
				const atA = await ctx.control.job(b);
				expect(atA?.status).toBe('IN_PROGRESS');
				const doneB = await ctx.control.waitForJob(b);
				expect(Date.parse(doneB.dateCompleted ?? '')).toBeGreaterThanOrEqual(Date.parse(doneA.dateCompleted ?? '') + 100);
			} finally {
				await ctx.control.setConfig({ workers: 2, jobBaseMs: 2 });
			}
		});

		it('setConfig returns the merged timing config', async () => {
			const cfg = await ctx.control.setConfig({ workers: 3 });
			expect(cfg).toMatchObject({ workers: 3 });
			await ctx.control.setConfig({ workers: 2 });
		});
	});
});

describe('startSandbox options', () => {
	it('an unknown profile rejects and lists the valid ones', async () => {
		await expect(startSandbox({ port: 0, profile: 'v99' as never })).rejects.toThrow(/oc-4\.13/);
	});

	it('a port in use rejects with a clear error', async () => {
		const a = await startSandbox({ port: 0, bigSiteSize: 5 });
		try {
			await expect(startSandbox({ port: a.port, bigSiteSize: 5 })).rejects.toThrow(/port|EADDRINUSE|in use/i);
		} finally {
			await a.close();
		}
	});

	it('the same seed gives the same data; another seed changes only generated filler', async () => {
		const s1 = await startSandbox({ port: 0, seed: 1, bigSiteSize: 20 });
		const s2 = await startSandbox({ port: 0, seed: 1, bigSiteSize: 20 });
		const s3 = await startSandbox({ port: 0, seed: 2, bigSiteSize: 20 });
		try {
			const big = (s: typeof s1) =>
				s.control.listParticipants('S_JUNO_BIG').map((p) => [p.label, p.status, p.detail, p.userStatus, p.accessCode]);
			expect(big(s2)).toEqual(big(s1));
			expect(big(s3)).not.toEqual(big(s1));
			for (const s of [s1, s3]) expect(s.control.listParticipants('S_JUNO_BIG')).toHaveLength(20);
		} finally {
			await Promise.all([s1.close(), s2.close(), s3.close()]);
		}
	});

	it('serves HTTPS when given a key and certificate', async () => {
		const { execFileSync } = await import('node:child_process');
		const { mkdtempSync, readFileSync } = await import('node:fs');
		const { join } = await import('node:path');
		const { tmpdir } = await import('node:os');
		const dir = mkdtempSync(join(tmpdir(), 'oc-sb-tls-'));
		try {
			execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
		} catch {
			console.warn('openssl not available: HTTPS test skipped');
			return;
		}
		const key = readFileSync(join(dir, 'k.pem'), 'utf8');
		const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
		const sb = await startSandbox({ port: 0, bigSiteSize: 5, https: { key, cert } });
		try {
			expect(sb.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
			const res = await request(sb.tokenUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ username: 'crc.jane', password: 'Sandbox-Pass-1' }),
				ca: cert,
			});
			expect(res.status).toBe(200);
		} finally {
			await sb.close();
		}
	});
});
