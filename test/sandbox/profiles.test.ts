// Version profiles (sandbox README table; spec §6.1 rows 1–5 and 10–15, §1.6, §2.2, §2.4, §2.5,
// §3.3). One parametrised block per profile, each checking what differs from 4.13.
import { randomUUID } from 'node:crypto';
import type { ProfileName } from '../../sandbox/types';
import { downloadJob, header, HttpResponse, jobUuidOf, request, submitJob } from '../helpers/http';
import {
	Ctx,
	errorJson,
	expectRows,
	HEADER,
	isAvailable,
	isAvailableOrSigned,
	isNotRemoved,
	javaUrlEncode,
	Layout,
	parseFile,
	ParticipantView,
	PROD_NAME,
	useSandbox,
} from './support';

const NEW = 'extractParticipantsInfo';
const OLD = 'extractPartcipantsInfo';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

type FileFormat = 'csv-conditional' | 'csv8' | 'csv8-always' | 'pipe-v2' | 'pipe-v1';

interface Profile {
	name: ProfileName;
	method: 'GET' | 'POST';
	segment: string;
	flag: 'none' | 'includeParticipateRelatedInfo' | 'includeParticipateInfo';
	paging: boolean;
	errors: 400 | 417 | 'headerOnly';
	file: FileFormat;
	roles: 'v12' | 'v10' | 'site-only';
	downloads: 'strings' | 'v1-500s';
	cd: 'encoded-ua' | 'raw';
	selection: (p: ParticipantView) => boolean;
	selectionName: string;
	/** CONTACT_INFO_ENTERED exists from 4.11 (2020-07) only (§6.1 #16). */
	cie: boolean;
}

const P = (p: Profile) => p;
const profiles: Profile[] = [
	P({ name: 'oc-4.13', method: 'POST', segment: NEW, flag: 'includeParticipateInfo', paging: true, errors: 400, file: 'csv-conditional', roles: 'v12', downloads: 'strings', cd: 'encoded-ua', selection: isAvailableOrSigned, selectionName: 'available+signed', cie: true }),
	P({ name: 'v12', method: 'POST', segment: NEW, flag: 'includeParticipateInfo', paging: true, errors: 400, file: 'csv-conditional', roles: 'v12', downloads: 'strings', cd: 'encoded-ua', selection: isAvailable, selectionName: 'available only', cie: false }),
	P({ name: 'v11', method: 'POST', segment: NEW, flag: 'includeParticipateInfo', paging: true, errors: 400, file: 'csv8', roles: 'v10', downloads: 'strings', cd: 'encoded-ua', selection: isAvailable, selectionName: 'available only', cie: false }),
	P({ name: 'v9', method: 'POST', segment: NEW, flag: 'includeParticipateInfo', paging: false, errors: 400, file: 'csv8', roles: 'site-only', downloads: 'strings', cd: 'encoded-ua', selection: isAvailableOrSigned, selectionName: 'available+signed', cie: false }),
	P({ name: 'v8', method: 'POST', segment: OLD, flag: 'includeParticipateInfo', paging: false, errors: 400, file: 'csv8', roles: 'site-only', downloads: 'strings', cd: 'encoded-ua', selection: isAvailableOrSigned, selectionName: 'available+signed', cie: false }),
	P({ name: 'v7', method: 'POST', segment: OLD, flag: 'includeParticipateInfo', paging: false, errors: 417, file: 'csv8', roles: 'site-only', downloads: 'strings', cd: 'encoded-ua', selection: isAvailableOrSigned, selectionName: 'available+signed', cie: false }),
	P({ name: 'v6', method: 'POST', segment: OLD, flag: 'includeParticipateRelatedInfo', paging: false, errors: 417, file: 'csv8', roles: 'site-only', downloads: 'strings', cd: 'encoded-ua', selection: isAvailableOrSigned, selectionName: 'available+signed', cie: false }),
	P({ name: 'v5', method: 'POST', segment: OLD, flag: 'none', paging: false, errors: 417, file: 'csv8-always', roles: 'site-only', downloads: 'strings', cd: 'raw', selection: isNotRemoved, selectionName: 'all but removed', cie: false }),
	P({ name: 'v3', method: 'POST', segment: OLD, flag: 'none', paging: false, errors: 417, file: 'pipe-v2', roles: 'site-only', downloads: 'v1-500s', cd: 'raw', selection: isNotRemoved, selectionName: 'all but removed', cie: false }),
	P({ name: 'v2', method: 'GET', segment: OLD, flag: 'none', paging: false, errors: 417, file: 'pipe-v2', roles: 'site-only', downloads: 'v1-500s', cd: 'raw', selection: isNotRemoved, selectionName: 'all but removed', cie: false }),
	P({ name: 'v1', method: 'GET', segment: OLD, flag: 'none', paging: false, errors: 'headerOnly', file: 'pipe-v1', roles: 'site-only', downloads: 'v1-500s', cd: 'raw', selection: isNotRemoved, selectionName: 'all but removed', cie: false }),
];

/** Layout and header for a site-level user with the flag on or off. */
function layoutOf(p: Profile, flagOn: boolean): { layout: Layout; header: string } {
	switch (p.file) {
		case 'csv-conditional':
			return flagOn ? { layout: 'site-y', header: HEADER.siteY } : { layout: 'site-n', header: HEADER.siteN };
		case 'csv8':
			return { layout: flagOn ? 'csv8-y' : 'csv8-n', header: HEADER.csv8 };
		case 'csv8-always':
			return { layout: 'always-csv', header: HEADER.csv8 };
		case 'pipe-v2':
			return { layout: 'always-pipe', header: HEADER.pipeV2 };
		case 'pipe-v1':
			return { layout: 'always-pipe', header: HEADER.pipeV1 };
	}
}

/** The query that turns the flag on for this profile (for `none`, send the 4.13 name anyway). */
const flagOnQuery = (p: Profile) => `${p.flag === 'none' ? 'includeParticipateInfo' : p.flag}=y`;

function expectSubmitError(p: Profile, res: HttpResponse, message: string, site: string, study: string, english?: string) {
	if (p.errors === 'headerOnly') {
		expect(res.status).toBe(400);
		expect(res.text).toBe('');
		if (english) expect(header(res, 'x-runtimeapp-error')).toBe(english);
		else expect(header(res, 'x-runtimeapp-error')).toBeTruthy();
		expect(header(res, 'x-runtimeapp-params')).toBe('UserController');
	} else {
		expect({ status: res.status, body: res.text }).toEqual({ status: p.errors, body: errorJson(message, site, study) });
	}
}

describe.each(profiles.map((p) => [p.name, p] as const))('profile %s', (_name, p) => {
	const ctx: Ctx = useSandbox({ profile: p.name });
	let bos: ParticipantView[];

	beforeAll(async () => {
		bos = await ctx.control.participants('S_JUNO_BOS');
	});
	beforeEach(async () => {
		await ctx.control.reset();
	});

	const submit = async (user: string, query = '', o: { method?: string; segment?: string; site?: string; study?: string } = {}) =>
		submitJob(ctx.studyUrl, await ctx.token(user), {
			method: o.method ?? p.method,
			segment: o.segment ?? p.segment,
			site: o.site ?? 'S_JUNO_BOS',
			study: o.study ?? 'S_JUNO',
			query,
		});

	const finished = async (user: string, query = '', site = 'S_JUNO_BOS') => {
		const uuid = jobUuidOf(await submit(user, query, { site }));
		await ctx.control.waitForJob(uuid);
		return uuid;
	};

	const fileOf = async (user: string, query: string) => {
		const uuid = await finished(user, query);
		const res = await downloadJob(ctx.studyUrl, await ctx.token(user), uuid);
		expect(res.status).toBe(200);
		expect(header(res, 'content-type') ?? '').toMatch(/^application\/force-download/);
		return { uuid, res, parsed: parseFile(res.body) };
	};

	const jobCount = async () => (await ctx.control.jobs()).length;

	describe('submit method and path (§6.1 rows 1–2)', () => {
		it(`${p.method} …/${p.segment} → 200 job uuid`, async () => {
			const uuid = jobUuidOf(await submit('crc.jane'));
			expect(await ctx.control.job(uuid)).toMatchObject({ createdBy: 'crc.jane', siteOid: 'S_JUNO_BOS', studyOid: 'S_JUNO' });
		});

		it(`the other method → 405 with Allow: ${p.method}, no job`, async () => {
			const res = await submit('crc.jane', '', { method: p.method === 'GET' ? 'POST' : 'GET' });
			expect(res.status).toBe(405);
			expect(header(res, 'allow')).toBe(p.method);
			expect(await jobCount()).toBe(0);
		});

		it('the other spelling → 404 (either method), no job', async () => {
			for (const method of ['GET', 'POST']) {
				const res = await submit('crc.jane', '', { method, segment: p.segment === NEW ? OLD : NEW });
				expect(res.status).toBe(404);
			}
			expect(await jobCount()).toBe(0);
		});
	});

	describe(`submit errors: ${p.errors === 'headerOnly' ? 'header-only 400' : `${p.errors} + JSON`} (§6.1 row 5)`, () => {
		it('unknown study', async () => {
			const res = await submit('crc.jane', '', { study: 'S_NOPE' });
			expectSubmitError(p, res, 'errorCode.studyNotExist', 'S_JUNO_BOS', 'S_NOPE', 'InValid StudyOID. The StudyOID is invalid or does not exist');
			expect(await jobCount()).toBe(0);
		});

		it('Participate disabled (crc.mars)', async () => {
			const res = await submit('crc.mars', '', { study: 'S_MARS', site: 'S_MARS_01' });
			expectSubmitError(p, res, 'errorCode.participateInActive', 'S_MARS_01', 'S_MARS', 'Participate is Inactive. Participate module for the study is inactive');
			expect(await jobCount()).toBe(0);
		});

		if (p.paging) {
			it('invalid page_number is an error (paging on)', async () => {
				const res = await submit('crc.jane', 'page_number=abc');
				expectSubmitError(p, res, 'errorCode.invalidPageNumberParameter', 'S_JUNO_BOS', 'S_JUNO');
				expect(await jobCount()).toBe(0);
			});
		} else {
			it('page parameters are ignored, even invalid ones (paging off)', async () => {
				jobUuidOf(await submit('crc.jane', 'page_number=abc&page_size=0'));
				expect(await jobCount()).toBe(1);
			});
		}
	});

	describe(`file: ${p.file}, flag ${p.flag}, selection ${p.selectionName} (§6.1 rows 3, 11–15)`, () => {
		const expected = () => bos.filter(p.selection);
		const all = p.paging ? '&page_size=1000' : '';
		const opts = () => ({ noContactInfoEntered: !p.cie });

		it('flag on', async () => {
			const { header: head, layout } = layoutOf(p, true);
			const { parsed } = await fileOf('crc.jane', flagOnQuery(p) + all);
			expect(parsed.header).toBe(head);
			expectRows(parsed.rows, expected(), layout, p.paging, opts());
		});

		it('flag off', async () => {
			const { header: head, layout } = layoutOf(p, p.flag === 'none');
			const { parsed } = await fileOf('crc.jane', `${p.flag === 'none' ? 'includeParticipateInfo' : p.flag}=n${all}`);
			expect(parsed.header).toBe(head);
			expectRows(parsed.rows, expected(), layout, p.paging, opts());
		});

		if (p.flag !== 'none') {
			const other = p.flag === 'includeParticipateInfo' ? 'includeParticipateRelatedInfo' : 'includeParticipateInfo';
			it(`${other}=y is ignored (read as n); register=y too`, async () => {
				const { header: head, layout } = layoutOf(p, false);
				const { parsed } = await fileOf('crc.jane', `${other}=y&register=y${all}`);
				expect(parsed.header).toBe(head);
				expectRows(parsed.rows, expected(), layout, p.paging, opts());
			});
		}

		if (!p.cie) {
			it('CONTACT_INFO_ENTERED = no Participate account: single participant status "" and code null, access link 404', async () => {
				const cie = bos.find((x) => x.userStatus === 'CONTACT_INFO_ENTERED' && isAvailable(x));
				const label = encodeURIComponent(cie?.label ?? '');
				const auth = { authorization: `Bearer ${await ctx.token('crc.jane')}` };
				const single = await request(
					`${ctx.studyUrl}/pages/auth/api/clinicaldata/studies/S_JUNO/sites/S_JUNO_BOS/participant?participantID=${label}&includeParticipateInfo=y`,
					{ headers: auth },
				);
				expect(single.status).toBe(200);
				expect(JSON.parse(single.text)).toMatchObject({ status: '', accessCode: null });
				const link = await request(`${ctx.studyUrl}/pages/auth/api/clinicaldata/studies/S_JUNO/participants/${label}/accessLink?includeAccessCode=y`, {
					headers: auth,
				});
				expect({ status: link.status, body: link.text }).toEqual({ status: 404, body: '' });
			});

			it('never writes CONTACT_INFO_ENTERED', async () => {
				const { res } = await fileOf('crc.jane', flagOnQuery(p) + all);
				expect(res.text).not.toContain('CONTACT_INFO_ENTERED');
			});
		}

		it(p.file.startsWith('pipe') ? 'file name: {id}-{env}_Participant Access Code_{yyyy-MM-dd-hhmmssS}.txt' : 'file name: …_{yyyy-MM-dd-HHmmssSSS}Z.csv', async () => {
			const uuid = await finished('crc.jane');
			const name = (await ctx.control.job(uuid))?.fileName ?? '';
			if (p.file.startsWith('pipe')) {
				const m = /^JUNO-PROD_Participant Access Code_\d{4}-\d{2}-\d{2}-(\d{2})\d{4}\d{1,3}\.txt$/.exec(name);
				expect([name, !!m]).toEqual([name, true]);
				const hh = Number(m?.[1]);
				expect(hh >= 1 && hh <= 12).toBe(true);
			} else {
				expect(name).toMatch(PROD_NAME);
			}
		});
	});

	describe(`paging ${p.paging ? 'on' : 'off'} (§6.1 row 4)`, () => {
		it('page_number=2&page_size=5', async () => {
			const { layout } = layoutOf(p, false);
			const { parsed } = await fileOf('crc.jane', 'page_number=2&page_size=5');
			const sel = bos.filter(p.selection);
			if (p.paging) expectRows(parsed.rows, sel.slice(5, 10), layout, true, { noContactInfoEntered: !p.cie });
			else expectRows(parsed.rows, sel, layout, false, { noContactInfoEntered: !p.cie });
		});
	});

	describe(`roles: ${p.roles} (§6.1 row 17)`, () => {
		if (p.roles === 'v12') {
			it.each(['n', 'y'])('study-level dm.lee, flag %s → `ParticipantId,Participate Status`', async (flag) => {
				const { parsed } = await fileOf('dm.lee', `includeParticipateInfo=${flag}&page_size=1000`);
				expect(parsed.header).toBe(HEADER.study);
				expectRows(parsed.rows, bos.filter(p.selection), 'study', true, { noContactInfoEntered: !p.cie });
			});
		} else if (p.roles === 'v10') {
			it('study-level dm.lee with flag n → the same 8-column file as a site user', async () => {
				const { parsed } = await fileOf('dm.lee', 'includeParticipateInfo=n&page_size=1000');
				expect(parsed.header).toBe(HEADER.csv8);
				expectRows(parsed.rows, bos.filter(p.selection), 'csv8-n', true, { noContactInfoEntered: !p.cie });
			});
			it('study-level dm.lee with flag y → noSufficientPrivileges, no job', async () => {
				const res = await submit('dm.lee', 'includeParticipateInfo=y');
				expectSubmitError(p, res, 'errorCode.noSufficientPrivileges', 'S_JUNO_BOS', 'S_JUNO');
				expect(await jobCount()).toBe(0);
			});
		} else {
			it.each(['dm.lee', 'ds.ana'])('study-level %s is refused (site CRC/INV only), no job', async (user) => {
				const res = await submit(user, p.flag === 'none' ? '' : `${p.flag}=n`);
				if (p.errors === 'headerOnly') {
					expect(res.status).toBe(400);
					expect(res.text).toBe('');
					expect(header(res, 'x-runtimeapp-error')).toBeTruthy();
				} else {
					expect(res.status).toBe(p.errors);
					const body = JSON.parse(res.text);
					expect(['errorCode.noRoleSetUp', 'errorCode.noSufficientPrivileges']).toContain(body.message);
					expect(res.text).toBe(errorJson(body.message, 'S_JUNO_BOS', 'S_JUNO'));
				}
				expect(await jobCount()).toBe(0);
			});
			it('site Investigator inv.omar is allowed', async () => {
				jobUuidOf(await submit('inv.omar'));
			});
		}
	});

	describe(`download: ${p.downloads}, Content-Disposition ${p.cd} (§3.3, §6.1 rows 8–10)`, () => {
		if (p.downloads === 'strings') {
			it('unknown uuid → 404 error.invalidUuid; in progress → 200 error.jobInProgress; other user → 200 errorCode.noSufficientPrivileges', async () => {
				const token = await ctx.token('crc.jane');
				const unknown = await downloadJob(ctx.studyUrl, token, randomUUID());
				expect({ status: unknown.status, body: unknown.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
				await ctx.control.setFaults({ stallJobs: true });
				const uuid = jobUuidOf(await submit('crc.jane'));
				const busy = await downloadJob(ctx.studyUrl, token, uuid);
				expect({ status: busy.status, body: busy.text }).toEqual({ status: 200, body: 'error.jobInProgress' });
				const other = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid);
				expect({ status: other.status, body: other.text }).toEqual({ status: 200, body: 'errorCode.noSufficientPrivileges' });
			});
			it('no alert headers on a successful download (gone since V4)', async () => {
				const { res } = await fileOf('crc.jane', '');
				expect(header(res, 'x-studyserviceapp-alert')).toBeUndefined();
			});
		} else {
			it('unknown uuid → 500', async () => {
				const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), randomUUID());
				expect(res.status).toBe(500);
			});
			it('in progress → 500', async () => {
				await ctx.control.setFaults({ stallJobs: true });
				const uuid = jobUuidOf(await submit('crc.jane'));
				expect((await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid)).status).toBe(500);
			});
			it("another user's job → 400, empty body, X-runtimeApp-error", async () => {
				const uuid = await finished('crc.jane');
				const res = await downloadJob(ctx.studyUrl, await ctx.token('inv.omar'), uuid);
				expect(res.status).toBe(400);
				expect(res.text).toBe('');
				expect(header(res, 'x-runtimeapp-error')).toBe('Incorrect User. The user is not the owner of this log file');
				expect(header(res, 'x-runtimeapp-params')).toBe('JobController');
			});
			it('deleted job → 500 (README choice; the spec only lists unknown → 500)', async () => {
				const uuid = await finished('crc.jane');
				const del = await request(`${ctx.studyUrl}/pages/auth/api/jobs/${uuid}`, {
					method: 'DELETE',
					headers: { authorization: `Bearer ${await ctx.token('crc.jane')}` },
				});
				expect(del.status).toBe(200);
				expect((await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid)).status).toBe(500);
			});
			it('open=true does not exist yet: still an attachment', async () => {
				const uuid = await finished('crc.jane');
				const res = await downloadJob(ctx.studyUrl, await ctx.token('crc.jane'), uuid, { query: 'open=true' });
				expect(res.status).toBe(200);
				expect(header(res, 'content-disposition')).toMatch(/^attachment; filename=/);
			});
			it('success carries X-studyServiceApp-alert / -params', async () => {
				const { res, uuid } = await fileOf('crc.jane', '');
				expect(header(res, 'x-studyserviceapp-alert')).toBe(`A JobController is downloaded with identifier ${uuid}`);
				expect(header(res, 'x-studyserviceapp-params')).toBe(uuid);
			});
		}

		if (p.cd === 'encoded-ua') {
			it('filename= percent-encoded for a plain UA, filename*=UTF-8\'\' for a browser UA, noLogFileFound without UA', async () => {
				const uuid = await finished('crc.jane');
				const name = (await ctx.control.job(uuid))?.fileName ?? '';
				const token = await ctx.token('crc.jane');
				const plain = await downloadJob(ctx.studyUrl, token, uuid);
				expect(header(plain, 'content-disposition')).toBe(`attachment; filename=${javaUrlEncode(name)}`);
				const browser = await downloadJob(ctx.studyUrl, token, uuid, { userAgent: CHROME });
				expect(header(browser, 'content-disposition')).toBe(`attachment; filename*=UTF-8''${javaUrlEncode(name)}`);
				const noUa = await downloadJob(ctx.studyUrl, token, uuid, { userAgent: null });
				expect({ status: noUa.status, body: noUa.text }).toEqual({ status: 200, body: 'error.noLogFileFound' });
			});
		} else {
			it('raw file name with spaces for every UA; no User-Agent still gets the file', async () => {
				const uuid = await finished('crc.jane');
				const name = (await ctx.control.job(uuid))?.fileName ?? '';
				expect(name).toContain(' ');
				const token = await ctx.token('crc.jane');
				for (const userAgent of [undefined, CHROME, null]) {
					const res = await downloadJob(ctx.studyUrl, token, uuid, { userAgent });
					expect([userAgent, res.status, header(res, 'content-disposition')]).toEqual([userAgent, 200, `attachment; filename=${name}`]);
				}
			});
		}
	});
});

describe('switch overrides on top of oc-4.13', () => {
	describe('roleRule v13m: monitors allowed', () => {
		const ctx = useSandbox({ overrides: { roleRule: 'v13m' } });
		it('mon.kim → job', async () => {
			jobUuidOf(await submitJob(ctx.studyUrl, await ctx.token('mon.kim')));
		});
		it('dep.pat (ra2) is still refused', async () => {
			const res = await submitJob(ctx.studyUrl, await ctx.token('dep.pat'));
			expect(res.text).toBe(errorJson('errorCode.noSufficientPrivileges', 'S_JUNO_BOS', 'S_JUNO'));
		});
	});

	describe('cdStyle encoded-plus (87dce3f9a)', () => {
		const ctx = useSandbox({ overrides: { cdStyle: 'encoded-plus' } });
		it('filename= URL-encoded with + for spaces', async () => {
			const token = await ctx.token('crc.jane');
			const uuid = jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO' }));
			const job = await ctx.control.waitForJob(uuid);
			const res = await downloadJob(ctx.studyUrl, token, uuid);
			expect(header(res, 'content-disposition')).toBe(`attachment; filename=${javaUrlEncode(job.fileName ?? '', '+')}`);
		});
	});

	describe('paging off on 4.13', () => {
		const ctx = useSandbox({ overrides: { paging: false } });
		it('page 2 returns the whole site again', async () => {
			const token = await ctx.token('crc.jane');
			const lyo = (await ctx.control.participants('S_JUNO_LYO')).filter(isAvailableOrSigned);
			const uuid = jobUuidOf(await submitJob(ctx.studyUrl, token, { site: 'S_JUNO_LYO', query: 'page_number=2&page_size=3' }));
			await ctx.control.waitForJob(uuid);
			const parsed = parseFile((await downloadJob(ctx.studyUrl, token, uuid)).body);
			expectRows(parsed.rows, lyo, 'site-n', false);
		});
	});
});
