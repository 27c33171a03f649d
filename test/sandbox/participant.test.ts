// Spec §4.3 (single participant, synchronous), 4.13.
import { API, encodeOid, header, HttpResponse, request } from '../helpers/http';
import { errorJson, isAvailableOrSigned, ParticipantView, useSandbox } from './support';

const ctx = useSandbox();

let bos: ParticipantView[];
let lyo: ParticipantView[];

beforeAll(async () => {
	bos = await ctx.control.participants('S_JUNO_BOS');
	lyo = await ctx.control.participants('S_JUNO_LYO');
});

async function getParticipant(user: string, query: string, study = 'S_JUNO', site = 'S_JUNO_BOS'): Promise<HttpResponse> {
	const url = `${ctx.studyUrl}${API}/clinicaldata/studies/${encodeOid(study)}/sites/${encodeOid(site)}/participant?${query}`;
	return request(url, { headers: { authorization: `Bearer ${await ctx.token(user)}` } });
}

const withStatus = (st: string | null) => {
	const p = bos.find((x) => isAvailableOrSigned(x) && x.detail !== null && x.userStatus === st && x.accessCode !== null) ??
		bos.find((x) => isAvailableOrSigned(x) && x.detail !== null && x.userStatus === st);
	if (!p) throw new Error(`no eligible S_JUNO_BOS participant with Participate status ${st}`);
	return p;
};

const FIELDS = [
	'accessCode',
	'createdAt',
	'createdBy',
	'email',
	'firstName',
	'lastModified',
	'lastModifiedBy',
	'lastName',
	'mobileNumber',
	'secondaryID',
	'status',
	'subjectKey',
	'subjectOid',
];

describe('success (§4.3)', () => {
	it('site-level user, flag y: contact fields and access code from the ground truth', async () => {
		const p = withStatus('ACTIVE');
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p.label)}&includeParticipateInfo=y`);
		expect(res.status).toBe(200);
		expect(header(res, 'content-type') ?? '').toMatch(/^application\/json/);
		const body = JSON.parse(res.text);
		expect(Object.keys(body).sort()).toEqual(FIELDS);
		expect(body).toMatchObject({
			subjectKey: p.label,
			firstName: p.detail?.firstName,
			lastName: p.detail?.lastName,
			email: p.detail?.email,
			mobileNumber: p.detail?.phone,
			secondaryID: p.detail?.identifier,
			accessCode: p.accessCode,
			status: 'Active',
		});
		expect(typeof body.subjectOid).toBe('string');
		expect(body.createdBy).toBe('root');
		expect(body.lastModified).toBeNull();
		expect(body.lastModifiedBy).toBeNull();
		expect(body.createdAt).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
	});

	it('flag n (or absent): accessCode is null', async () => {
		const p = withStatus('ACTIVE');
		for (const q of ['&includeParticipateInfo=n', '']) {
			const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p.label)}${q}`);
			expect(res.status).toBe(200);
			const body = JSON.parse(res.text);
			expect(body.accessCode).toBeNull();
			expect(body.firstName).toBe(p.detail?.firstName);
		}
	});

	it.each([
		['ACTIVE', 'Active'],
		['INVITED', 'Invited'],
		[null, ''],
	])('Participate status %s is shown as the display value %j', async (st, display) => {
		const p = withStatus(st);
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p.label)}`);
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text).status).toBe(display);
	});

	it('the other statuses are display values (README: Inactive, Created, Contact Info Entered, Invalid)', async () => {
		const shown: Record<string, string> = {};
		for (const st of ['INACTIVE', 'CREATED', 'CONTACT_INFO_ENTERED', 'INVALID']) {
			const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(withStatus(st).label)}`);
			shown[st] = JSON.parse(res.text).status;
		}
		expect(shown).toEqual({ INACTIVE: 'Inactive', CREATED: 'Created', CONTACT_INFO_ENTERED: 'Contact Info Entered', INVALID: 'Invalid' });
	});

	it('a participant without a contact record: status "" and null contact fields', async () => {
		const p = bos.find((x) => isAvailableOrSigned(x) && x.detail === null);
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p?.label ?? '')}&includeParticipateInfo=y`);
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text)).toMatchObject({ status: '', firstName: null, lastName: null, email: null, mobileNumber: null, accessCode: null });
	});

	it('study-level user (dm.lee): PII and access code are null, even with y', async () => {
		const p = withStatus('ACTIVE');
		const res = await getParticipant('dm.lee', `participantID=${encodeURIComponent(p.label)}&includeParticipateInfo=y`);
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text)).toMatchObject({
			subjectKey: p.label,
			firstName: null,
			lastName: null,
			email: null,
			mobileNumber: null,
			secondaryID: null,
			accessCode: null,
		});
	});

	it('the label is looked up across the whole parent study (a Lyon participant via the Boston site)', async () => {
		const p = lyo.find(isAvailableOrSigned);
		expect(p).toBeDefined();
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p?.label ?? '')}`);
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text).subjectKey).toBe(p?.label);
	});
});

describe('failures (§4.3)', () => {
	it('unknown label → 400 errorCode.participantNotFound', async () => {
		const res = await getParticipant('crc.jane', 'participantID=NOPE-9999');
		expect({ status: res.status, body: res.text }).toEqual({
			status: 400,
			body: errorJson('errorCode.participantNotFound', 'S_JUNO_BOS', 'S_JUNO'),
		});
	});

	it.each(['removed', 'auto-removed'])('%s participant → 400 errorCode.participantIDNotAvailable', async (status) => {
		const p = bos.find((x) => x.status === status);
		expect(p).toBeDefined();
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p?.label ?? '')}`);
		expect({ status: res.status, body: res.text }).toEqual({
			status: 400,
			body: errorJson('errorCode.participantIDNotAvailable', 'S_JUNO_BOS', 'S_JUNO'),
		});
	});

	it('a signed participant is available', async () => {
		const p = bos.find((x) => x.status === 'signed');
		const res = await getParticipant('crc.jane', `participantID=${encodeURIComponent(p?.label ?? '')}`);
		expect(res.status).toBe(200);
	});

	it('missing participantID → 400 (not JSON)', async () => {
		const res = await getParticipant('crc.jane', 'includeParticipateInfo=y');
		expect(res.status).toBe(400);
		expect(() => JSON.parse(res.text)).toThrow();
	});

	it.each([
		['unknown study', 'crc.jane', 'S_NOPE', 'S_JUNO_BOS', 'errorCode.studyNotExist'],
		['site of another study', 'crc.jane', 'S_JUNO', 'S_VEGA_01', 'errorCode.studyTositeNotValidOid'],
		['no role', 'norole.sam', 'S_JUNO', 'S_JUNO_BOS', 'errorCode.noRoleSetUp'],
		['monitor', 'mon.kim', 'S_JUNO', 'S_JUNO_BOS', 'errorCode.noSufficientPrivileges'],
		['Participate disabled', 'crc.mars', 'S_MARS', 'S_MARS_01', 'errorCode.participateInActive'],
	])('the §1.3 validation applies: %s → %s', async (_n, user, study, site, message) => {
		const res = await getParticipant(user, 'participantID=BOS-0001', study, site);
		expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: errorJson(message, site, study) });
	});
});

describe('access link (§4.4)', () => {
	const link = async (user: string, label: string, flag: string, study = 'S_JUNO') =>
		request(`${ctx.studyUrl}${API}/clinicaldata/studies/${encodeOid(study)}/participants/${encodeURIComponent(label)}/accessLink?includeAccessCode=${flag}`, {
			headers: { authorization: `Bearer ${await ctx.token(user)}` },
		});

	it('y → 200 {accessCode, host, accessLink: host/?accessCode=code}', async () => {
		const p = withStatus('ACTIVE');
		const res = await link('crc.jane', p.label, 'y');
		expect(res.status).toBe(200);
		const body = JSON.parse(res.text);
		expect(Object.keys(body).sort()).toEqual(['accessCode', 'accessLink', 'host']);
		expect(body.accessCode).toBe(p.accessCode);
		expect(body.host).toBe('https://juno.participate.sandbox.example');
		expect(body.accessLink).toBe(`${body.host}/?accessCode=${p.accessCode}`);
	});

	it('n → accessCode null and a link ending literally in ?accessCode=null', async () => {
		const res = await link('crc.jane', withStatus('ACTIVE').label, 'n');
		expect(res.status).toBe(200);
		const body = JSON.parse(res.text);
		expect(body.accessCode).toBeNull();
		expect(body.accessLink).toBe(`${body.host}/?accessCode=null`);
	});

	it('no role check: norole.sam gets the link of a JUNO participant', async () => {
		const p = withStatus('ACTIVE');
		const res = await link('norole.sam', p.label, 'y');
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text).accessCode).toBe(p.accessCode);
	});

	it('a participant without an access code → 404, empty body', async () => {
		const p = bos.find((x) => isAvailableOrSigned(x) && x.accessCode === null);
		expect(p).toBeDefined();
		const res = await link('crc.jane', p?.label ?? '', 'y');
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: '' });
	});

	it('Participate not enabled (S_MARS) → 404, empty body', async () => {
		const all = await ctx.control.participants('S_MARS_01');
		const mars = all.find((x) => x.accessCode !== null) ?? all[0];
		const res = await link('crc.mars', mars.label, 'y', 'S_MARS');
		expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: '' });
	});
});
