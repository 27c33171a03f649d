// Spec §2 (the job and the file, 4.13): name, the three header layouts, no quoting, LF, `\n\n`,
// UTF-8 without BOM, selection (available+signed), creation order, paging, access codes.
// Expected rows are always built from the sandbox's ground truth (`/__sandbox/participants`).
import { downloadJob, header, jobUuidOf, submitAndDownload, submitJob } from '../helpers/http';
import {
	ACCESS_CODE,
	expectRows,
	fileNameTime,
	HEADER,
	isAvailableOrSigned,
	parseFile,
	PROD_NAME,
	ParticipantView,
	useSandbox,
} from './support';

const ctx = useSandbox({ bigSiteSize: 230 });

let bos: ParticipantView[];
let eligible: ParticipantView[];

beforeAll(async () => {
	bos = await ctx.control.participants('S_JUNO_BOS');
	eligible = bos.filter(isAvailableOrSigned);
});

async function exportFile(user: string, query: string, site = 'S_JUNO_BOS', study = 'S_JUNO') {
	const { file, uuid } = await submitAndDownload(ctx.studyUrl, await ctx.token(user), { study, site, query });
	expect(file.status).toBe(200);
	expect(header(file, 'content-type') ?? '').toMatch(/^application\/force-download/);
	return { uuid, file, parsed: parseFile(file.body) };
}

const findBy = (pred: (p: ParticipantView) => boolean, what: string): ParticipantView => {
	const hits = bos.filter(pred);
	if (hits.length === 0) throw new Error(`README promises a S_JUNO_BOS participant with ${what}; none in /__sandbox/participants`);
	return hits[0];
};
const anyField = (p: ParticipantView, s: string) =>
	!!p.detail && Object.values(p.detail).some((v) => typeof v === 'string' && v.includes(s));

describe('seed data promised by the README (ground truth sanity)', () => {
	it('S_JUNO_BOS has 250 eligible participants, labelled BOS-0001… in creation order', () => {
		expect(eligible).toHaveLength(250);
		expect(bos.map((p) => p.label)).toEqual(bos.map((_, i) => `BOS-${String(i + 1).padStart(4, '0')}`));
		expect(bos.every((p) => p.siteOid === 'S_JUNO_BOS')).toBe(true);
		for (const p of bos) {
			expect(Object.keys(p).sort()).toEqual(['accessCode', 'dateCreated', 'detail', 'label', 'siteOid', 'status', 'userStatus']);
		}
	});

	it('the first 21 rows are the curated edge cases of the README table', () => {
		const curated: Array<[string, string | null, string | null, string | null, string | null, string]> = [
			['BOS-0001', 'Jane', 'Doe', 'MRN-0001', 'ACTIVE', 'available'],
			['BOS-0002', 'Ann', "O'Neil, Jr", 'MRN-0002', 'CREATED', 'available'],
			['BOS-0003', null, null, null, null, 'available'],
			['BOS-0004', 'Zoë', 'Müller', 'MRN-0004', 'INVITED', 'available'],
			['BOS-0005', 'Łukasz', 'Wójcik', 'MRN-0005', 'INACTIVE', 'available'],
			['BOS-0006', 'José', 'García', 'MRN-0006', 'CONTACT_INFO_ENTERED', 'available'],
			['BOS-0007', 'Søren', 'Nielsen', 'MRN-0007', 'INVALID', 'available'],
			['BOS-0008', '小龙', '李', 'MRN-0008', 'ACTIVE', 'available'],
			['BOS-0009', 'Robert "Bob"', 'Smith', 'MRN-0009', 'ACTIVE', 'available'],
			['BOS-0010', "D'Arcy", "O'Brien", 'MRN-0010', 'INVITED', 'available'],
			['BOS-0011', 'Maria', 'Rossi', 'MRN-44,7', 'ACTIVE', 'available'],
			['BOS-0012', 'Paul', 'Removed', 'MRN-0012', 'ACTIVE', 'removed'],
			['BOS-0013', 'Rita', 'Autoremoved', 'MRN-0013', 'INVITED', 'auto-removed'],
			['BOS-0014', 'Sam', 'Signed', 'MRN-0014', 'ACTIVE', 'signed'],
			['BOS-0015', 'Nora', 'Noaccount', 'MRN-0015', null, 'available'],
			['BOS-0016', 'Olga', null, null, 'CREATED', 'available'],
			['BOS-0017', null, null, null, null, 'signed'],
			['BOS-0018', 'Chloé', 'Dubois-Lefèvre', 'MRN-0018', 'ACTIVE', 'available'],
			['BOS-0019', 'Åsa', 'Öberg', 'MRN-0019', 'ACTIVE', 'available'],
			['BOS-0020', 'Tie', 'First', 'MRN-0020', 'ACTIVE', 'available'],
			['BOS-0021', 'Tie', 'Second', 'MRN-0021', 'INVITED', 'available'],
		];
		const actual = bos
			.slice(0, 21)
			.map((p) => [p.label, p.detail?.firstName ?? null, p.detail?.lastName ?? null, p.detail?.identifier ?? null, p.userStatus, p.status]);
		expect(actual).toEqual(curated);
		expect(bos[2].detail).toBeNull();
		expect(bos[16].detail).toBeNull();
		expect(bos[15].detail).toMatchObject({ email: null, phone: null, identifier: null });
		expect(bos[19].dateCreated).toBe(bos[20].dateCreated);
		for (const p of bos) expect([p.label, p.accessCode !== null]).toEqual([p.label, p.userStatus !== null]);
	});

	it('creation timestamps strictly increase except one tie pair', () => {
		const t = bos.map((p) => Date.parse(p.dateCreated));
		const ties = t.slice(1).filter((v, i) => v === t[i]).length;
		const decreasing = t.slice(1).filter((v, i) => v < t[i]).length;
		expect({ ties, decreasing }).toEqual({ ties: 1, decreasing: 0 });
	});

	it('has every curated edge case', () => {
		for (const s of ["O'Neil, Jr", '"', 'Zoë', 'Łukasz', 'José', 'Søren', '李']) {
			expect(bos.some((p) => isAvailableOrSigned(p) && anyField(p, s))).toBe(true);
		}
		expect(bos.some((p) => isAvailableOrSigned(p) && (p.detail?.identifier ?? '').includes(','))).toBe(true);
		expect(bos.some((p) => isAvailableOrSigned(p) && p.detail === null)).toBe(true);
		for (const st of ['ACTIVE', 'INACTIVE', 'CREATED', 'INVITED', 'CONTACT_INFO_ENTERED', 'INVALID']) {
			expect(bos.some((p) => isAvailableOrSigned(p) && p.detail !== null && p.userStatus === st)).toBe(true);
		}
		expect(bos.some((p) => isAvailableOrSigned(p) && p.detail !== null && p.userStatus === null)).toBe(true);
		for (const st of ['removed', 'auto-removed', 'signed']) expect(bos.some((p) => p.status === st)).toBe(true);
	});

	it('access codes in the ground truth use the 9-character spec alphabet', () => {
		const codes = bos.map((p) => p.accessCode).filter((c): c is string => c !== null);
		expect(codes.length).toBeGreaterThan(0);
		for (const c of codes) expect(c).toMatch(ACCESS_CODE);
	});

	it('S_JUNO_BIG holds exactly bigSiteSize participants', async () => {
		expect(await ctx.control.participants('S_JUNO_BIG')).toHaveLength(230);
	});
});

describe('file name (§2.2)', () => {
	it('JUNO-PROD_Participant Access Code_<GMT yyyy-MM-dd-HHmmssSSS>Z.csv, near the completion time', async () => {
		const before = Date.now();
		const { uuid } = await exportFile('crc.jane', '', 'S_JUNO_LYO');
		const after = Date.now();
		const job = await ctx.control.job(uuid);
		expect(job?.status).toBe('COMPLETED');
		expect(job?.fileName).toMatch(PROD_NAME);
		const t = fileNameTime(job?.fileName ?? '');
		expect(t).toBeGreaterThanOrEqual(before - 1000);
		expect(t).toBeLessThanOrEqual(after + 1000);
	});

	it('the test environment gives JUNO-TEST_…', async () => {
		const { uuid } = await exportFile('crc.test', '', 'S_BOS(TEST)', 'S_JUNO(TEST)');
		expect((await ctx.control.job(uuid))?.fileName).toMatch(/^JUNO-TEST_Participant Access Code_\d{4}-\d{2}-\d{2}-\d{9}Z\.csv$/);
	});

	it('the unpublished study gives DRAFT-_Participant… (checked in the job record: the download is refused, active study differs)', async () => {
		const token = await ctx.token('crc.jane');
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, token, { study: 'S_DRAFT', site: 'S_DRAFT_01' }));
		const job = await ctx.control.waitForJob(uuid);
		expect(job.fileName).toMatch(/^DRAFT-_Participant Access Code_\d{4}-\d{2}-\d{2}-\d{9}Z\.csv$/);
		const dl = await downloadJob(ctx.studyUrl, token, uuid);
		expect({ status: dl.status, body: dl.text }).toEqual({ status: 404, body: 'error.invalidUuid' });
	});
});

describe('content (§2.3, §2.4)', () => {
	it('site-level user, flag n: 7-column header, rows = available+signed in creation order', async () => {
		const { parsed, uuid } = await exportFile('crc.jane', 'includeParticipateInfo=n&page_size=1000');
		expect(parsed.header).toBe(HEADER.siteN);
		expectRows(parsed.rows, eligible, 'site-n', true);
		expect((await ctx.control.job(uuid))?.rows).toBe(eligible.length);
	});

	it('site-level user, flag y: 8-column header with the access codes', async () => {
		const { parsed } = await exportFile('crc.jane', 'includeParticipateInfo=y&page_size=1000');
		expect(parsed.header).toBe(HEADER.siteY);
		expectRows(parsed.rows, eligible, 'site-y', true);
	});

	it('site Investigator (inv.omar) gets the full file too', async () => {
		const { parsed } = await exportFile('inv.omar', 'includeParticipateInfo=y&page_size=1000');
		expect(parsed.header).toBe(HEADER.siteY);
		expectRows(parsed.rows, eligible, 'site-y', true);
	});

	it.each([
		['dm.lee', 'n'],
		['dm.lee', 'y'],
		['ds.ana', 'n'],
		['ds.ana', 'y'],
	])('study-level user %s, flag %s: `ParticipantId,Participate Status` only', async (user, flag) => {
		const { parsed } = await exportFile(user, `includeParticipateInfo=${flag}&page_size=1000`);
		expect(parsed.header).toBe(HEADER.study);
		expectRows(parsed.rows, eligible, 'study', true);
	});

	it('is raw UTF-8 without BOM and round-trips non-ASCII names byte for byte', async () => {
		const { file } = await exportFile('crc.jane', 'page_size=1000');
		expect(file.body[0]).toBe('P'.charCodeAt(0));
		expect(Buffer.from(file.text, 'utf8').equals(file.body)).toBe(true);
		for (const s of ['Zoë', 'Łukasz', 'José', 'Søren', '李']) {
			const p = findBy((x) => isAvailableOrSigned(x) && anyField(x, s), s);
			const line = file.text.split('\n').find((l) => l.startsWith(`${p.label},`));
			expect(line).toContain(s);
			expect(file.body.includes(Buffer.from(s, 'utf8'))).toBe(true);
		}
	});

	it("no quoting: the `O'Neil, Jr` row has one extra field, quotes and comma-identifiers are verbatim", async () => {
		const { parsed } = await exportFile('crc.jane', 'includeParticipateInfo=n&page_size=1000');
		const oneil = findBy((p) => isAvailableOrSigned(p) && anyField(p, "O'Neil, Jr"), "O'Neil, Jr");
		const line = parsed.rows.find((l) => l.startsWith(`${oneil.label},`)) ?? '';
		expect(line).toContain("O'Neil, Jr");
		const commasInValues = Object.values(oneil.detail ?? {}).join('').split(',').length - 1;
		expect(commasInValues).toBe(1);
		expect(line.split(',')).toHaveLength(8);
		const quoted = findBy((p) => isAvailableOrSigned(p) && anyField(p, '"'), 'a double quote');
		const qline = parsed.rows.find((l) => l.startsWith(`${quoted.label},`)) ?? '';
		const d = quoted.detail;
		const values = [d?.firstName, d?.lastName, d?.email, d?.phone, d?.identifier].map((v) => v ?? '');
		expect(qline).toBe([quoted.label, ...values, quoted.userStatus ?? ''].join(','));
		const ident = findBy((p) => isAvailableOrSigned(p) && (p.detail?.identifier ?? '').includes(','), 'a comma in the identifier');
		const iline = parsed.rows.find((l) => l.startsWith(`${ident.label},`)) ?? '';
		expect(iline).toContain(`,${ident.detail?.identifier},`);
		expect(iline.split(',').length).toBeGreaterThan(7);
	});

	it('a participant without a contact record has empty fields and an empty status', async () => {
		const { parsed } = await exportFile('crc.jane', 'includeParticipateInfo=n&page_size=1000');
		const none = bos.filter((p) => isAvailableOrSigned(p) && p.detail === null);
		expect(none.length).toBeGreaterThan(0);
		for (const p of none) expect(parsed.rows).toContain(`${p.label},,,,,,`);
	});

	it('removed and auto-removed participants are never exported; signed ones are', async () => {
		const { parsed } = await exportFile('crc.jane', 'page_size=1000');
		const labels = new Set(parsed.rows.map((l) => l.split(',')[0]));
		for (const p of bos) expect([p.label, labels.has(p.label)]).toEqual([p.label, isAvailableOrSigned(p)]);
	});

	it('access codes (flag y) are the ground-truth codes, 9 characters of the spec alphabet', async () => {
		const { parsed } = await exportFile('crc.jane', 'includeParticipateInfo=y&page_size=1000');
		const byLabel = new Map(bos.map((p) => [p.label, p]));
		let withCode = 0;
		for (const line of parsed.rows) {
			const fields = line.split(',');
			const p = byLabel.get(fields[0]);
			const code = fields[fields.length - 2];
			if (p?.detail && p.accessCode) {
				expect(code).toBe(p.accessCode);
				expect(code).toMatch(ACCESS_CODE);
				withCode++;
			}
		}
		expect(withCode).toBeGreaterThan(0);
	});

	it('the test-environment site exports its own participants', async () => {
		const truth = (await ctx.control.participants('S_BOS(TEST)')).filter(isAvailableOrSigned);
		const { parsed } = await exportFile('crc.test', 'includeParticipateInfo=y', 'S_BOS(TEST)', 'S_JUNO(TEST)');
		expect(parsed.header).toBe(HEADER.siteY);
		expectRows(parsed.rows, truth, 'site-y', true);
	});
});

describe('paging (§2.4)', () => {
	it('default page size is 100: no parameters → the first 100 eligible', async () => {
		const { parsed } = await exportFile('crc.jane', '');
		expectRows(parsed.rows, eligible.slice(0, 100), 'site-n', true);
	});

	it('pages 1..N with page_size=100 concatenate to every eligible participant exactly once, in order', async () => {
		const all: string[] = [];
		const sizes: number[] = [];
		for (let page = 1; page <= 10; page++) {
			const { parsed } = await exportFile('crc.jane', `page_number=${page}&page_size=100`);
			expect(parsed.header).toBe(HEADER.siteN);
			sizes.push(parsed.rows.length);
			all.push(...parsed.rows);
			if (parsed.rows.length < 100) break;
		}
		const n = eligible.length;
		expect(sizes).toEqual([...Array(Math.floor(n / 100)).fill(100), n % 100]);
		expect(new Set(all.map((l) => l.split(',')[0])).size).toBe(all.length);
		expectRows(all, eligible, 'site-n', true);
	});

	it('an odd page size (page 3 of size 7) is the right slice', async () => {
		const { parsed } = await exportFile('crc.jane', 'page_number=3&page_size=7&includeParticipateInfo=y');
		expectRows(parsed.rows, eligible.slice(14, 21), 'site-y', true);
	});

	it.each([
		['flag n', 'includeParticipateInfo=n', HEADER.siteN],
		['flag y', 'includeParticipateInfo=y', HEADER.siteY],
	])('a page past the end (%s) is exactly `header\\n\\n` and the job is COMPLETED', async (_n, q, head) => {
		const { file, uuid } = await exportFile('crc.jane', `${q}&page_number=99&page_size=100`);
		expect(file.text).toBe(`${head}\n\n`);
		expect((await ctx.control.job(uuid))?.status).toBe('COMPLETED');
	});

	it('a study-level page past the end is `ParticipantId,Participate Status\\n\\n`', async () => {
		const { file } = await exportFile('dm.lee', 'page_number=5');
		expect(file.text).toBe(`${HEADER.study}\n\n`);
	});

	it('a 32-bit offset that wraps to 0 returns page 1 again (§2.4: page 1073741825 × size 4)', async () => {
		const { parsed } = await exportFile('crc.jane', 'page_number=1073741825&page_size=4');
		expectRows(parsed.rows, eligible.slice(0, 4), 'site-n', true);
	});

	it('a 32-bit offset that wraps negative leaves the job IN_PROGRESS (§2.4: page 2147483647 × size 2)', async () => {
		const token = await ctx.token('crc.jane');
		const uuid = jobUuidOf(await submitJob(ctx.studyUrl, token, { query: 'page_number=2147483647&page_size=2' }));
		for (let i = 0; i < 5; i++) {
			const res = await downloadJob(ctx.studyUrl, token, uuid);
			expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: 'error.jobInProgress' });
			await new Promise((r) => setTimeout(r, 20));
		}
		expect((await ctx.control.job(uuid))?.status).toBe('IN_PROGRESS');
	});

	it('the generated big site pages like any other', async () => {
		const big = (await ctx.control.participants('S_JUNO_BIG')).filter(isAvailableOrSigned);
		const p1 = await exportFile('crc.jane', 'page_size=200', 'S_JUNO_BIG');
		const p2 = await exportFile('crc.jane', 'page_size=200&page_number=2', 'S_JUNO_BIG');
		expectRows([...p1.parsed.rows, ...p2.parsed.rows], big, 'site-n', true);
	});
});
