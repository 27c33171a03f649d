/**
 * Engine tests, Participant Contact → Export: the built node in n8n-core's WorkflowExecute
 * against the sandbox over HTTP (issue 3, "Tests (engine layer)").
 */
import { binaryBuffer, loadPackage, logger, runNode } from '../helpers/engine';
import {
	credentialsFor,
	eligibleLabels,
	exportParams,
	isDownload,
	isSubmit,
	isToken,
	participantIds,
	query,
	requests,
	useSandbox,
} from './context';

const SEVEN = ['participantId', 'firstName', 'lastName', 'email', 'mobile', 'identifier', 'participateStatus'];
const EIGHT = ['participantId', 'firstName', 'lastName', 'email', 'mobile', 'identifier', 'accessCode', 'participateStatus'];
const FILE_NAME = /^JUNO-PROD_Participant Access Code_\d{4}-\d{2}-\d{2}-\d{9}Z\.csv$/;

describe('OpenClinica node, Export (engine)', () => {
	const sandbox = useSandbox();

	it('Return All gives every eligible participant of the site exactly once, across several pages', async () => {
		const sb = sandbox();
		const expected = eligibleLabels(sb, 'S_JUNO_BOS');
		expect(expected).toHaveLength(250);

		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: true, options: { pageSize: 60 } }),
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const ids = participantIds(result.items);
		expect(new Set(ids).size).toBe(ids.length);
		expect([...ids].sort()).toEqual([...expected].sort());

		// Pages 1-5 (60+60+60+60+10) were each requested once; page jobs may run a little ahead of
		// the short last page (the node runs some at once), but never repeat.
		const submits = requests(sb, isSubmit);
		const pages = submits.map((r) => Number(query(r).page_number)).sort((a, b) => a - b);
		expect(new Set(pages).size).toBe(pages.length);
		expect(pages.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
		expect(submits.every((r) => query(r).page_size === '60')).toBe(true);
		expect(result.items.every((item) => item.pairedItem !== undefined)).toBe(true);
	});

	it('a site with no eligible participant gives no items, and a file holding only the header', async () => {
		const sb = sandbox();
		for (const label of eligibleLabels(sb, 'S_JUNO_LYO')) sb.control.updateParticipant(label, { status: 'removed' });
		expect(eligibleLabels(sb, 'S_JUNO_LYO')).toEqual([]);

		const items = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true }),
		});
		expect(items.error).toBeUndefined();
		expect(items.items).toEqual([]);

		const file = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, output: 'file' }),
		});
		expect(file.error).toBeUndefined();
		expect(file.items).toHaveLength(1);
		expect(file.items[0].json.participants).toBe(0);
		expect(binaryBuffer(file.items[0], 'data').toString('utf8')).toBe(
			'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status\n\n',
		);
		// One page, short at once: no further page job.
		expect(requests(sb, isSubmit)).toHaveLength(2);
	});

	it('limit returns the first participants of the site only', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: false, limit: 7 }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_BOS').slice(0, 7));
	});

	it('site-level user without access codes: 7 columns, values as stored in OpenClinica', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, includeAccessCodes: false }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		for (const item of result.items) expect(Object.keys(item.json).sort()).toEqual([...SEVEN].sort());

		const stored = sb.control.listParticipants('S_JUNO_LYO');
		const full = stored.find((p) => p.detail?.firstName && p.detail.email && p.userStatus);
		expect(full).toBeDefined();
		const item = result.items.find((i) => i.json.participantId === full!.label)!;
		expect(item.json).toEqual({
			participantId: full!.label,
			firstName: full!.detail!.firstName,
			lastName: full!.detail!.lastName,
			email: full!.detail!.email,
			mobile: full!.detail!.phone,
			identifier: full!.detail!.identifier,
			participateStatus: full!.userStatus,
		});
		expect(requests(sb, isSubmit).map((r) => query(r).includeParticipateInfo)).toEqual(['n']);
		expect(result.hints).toEqual([]);
	});

	it('site-level user with access codes: 8 columns including the access code', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, includeAccessCodes: true }),
		});
		expect(result.error).toBeUndefined();
		for (const item of result.items) expect(Object.keys(item.json).sort()).toEqual([...EIGHT].sort());
		const codes = Object.fromEntries(sb.control.listParticipants('S_JUNO_LYO').map((p) => [p.label, p.accessCode]));
		const withCode = result.items.filter((i) => codes[i.json.participantId as string]);
		expect(withCode.length).toBeGreaterThan(0);
		for (const item of withCode) expect(item.json.accessCode).toBe(codes[item.json.participantId as string]);
		const submit = query(requests(sb, isSubmit)[0]);
		expect(submit.includeParticipateInfo).toBe('y');
		expect(submit.register).toBe('y');
	});

	it('study-level user (Data Manager): only participantId and participateStatus, plus a hint about access codes', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'dm.lee'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, includeAccessCodes: true }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		for (const item of result.items) expect(Object.keys(item.json).sort()).toEqual(['participantId', 'participateStatus']);
		const hintText = result.hints.map((h) => h.message).join('\n');
		expect(hintText).toMatch(/access code/i);
		expect(hintText).toMatch(/site/i);
		expect(hintText).toMatch(/Investigator/i);
	});

	it('study-level user without access codes asked for: reduced columns and no access-code hint', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'dm.lee'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, includeAccessCodes: false }),
		});
		expect(result.error).toBeUndefined();
		for (const item of result.items) expect(Object.keys(item.json).sort()).toEqual(['participantId', 'participateStatus']);
		expect(result.hints.filter((h) => /access code/i.test(h.message))).toEqual([]);
	});

	it('the fields option keeps only the chosen columns', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', options: { fields: ['participantId', 'email'] } }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.length).toBeGreaterThan(0);
		for (const item of result.items) expect(Object.keys(item.json).sort()).toEqual(['email', 'participantId']);
	});

	it('malformed rows come out flagged with their raw line, never dropped or guessed', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: false, limit: 20 }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_BOS').slice(0, 20));

		const oneil = result.items.find((i) => i.json.participantId === 'BOS-0002')!;
		expect(oneil.json).toMatchObject({
			participantId: 'BOS-0002',
			malformed: true,
			rawLine: "BOS-0002,Ann,O'Neil, Jr,ann.oneil@example.org,+1 6175550102,MRN-0002,CREATED",
		});
		expect(oneil.json.lastName).toBeUndefined();
		expect(oneil.json.participateStatus).toBeUndefined();

		// An identifier with a comma is malformed as well; quotes are data, not CSV quoting.
		const rossi = result.items.find((i) => i.json.rawLine === 'BOS-0011,Maria,Rossi,maria.rossi@example.org,+39 065550111,MRN-44,7,ACTIVE');
		expect(rossi?.json).toMatchObject({ participantId: 'BOS-0011', malformed: true });
		const bob = result.items.find((i) => i.json.participantId === 'BOS-0009')!;
		expect(bob.json.firstName).toBe('Robert "Bob"');
		expect(bob.json.malformed).toBeUndefined();
		// Non-ASCII names survive the download and decoding.
		expect(result.items.find((i) => i.json.participantId === 'BOS-0004')!.json.firstName).toBe('Zoë');
		expect(result.items.find((i) => i.json.participantId === 'BOS-0008')!.json.lastName).toBe('李');
	});

	it('file output: the downloaded bytes with the server file name (percent-decoded) and text/csv', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, output: 'file', binaryPropertyName: 'csv' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const binary = result.items[0].binary?.csv;
		expect(binary).toBeDefined();
		expect(binary!.fileName).toMatch(FILE_NAME);
		const job = sb.control.listJobs()[0];
		expect(binary!.fileName).toBe(job.fileName);
		expect(binary!.mimeType).toBe('text/csv');
		expect(result.items[0].pairedItem).toEqual({ item: 0 });

		const text = binaryBuffer(result.items[0], 'csv').toString('utf8');
		const lines = text.split('\n');
		expect(lines[0]).toBe('ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status');
		expect(text.endsWith('\n\n')).toBe(true);
		expect(lines.slice(1).filter((l) => l !== '').map((l) => l.split(',')[0])).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
	});

	it('items-and-file output: the participants as items and the CSV as binary', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, output: 'itemsAndFile' }),
		});
		expect(result.error).toBeUndefined();
		const participants = result.items.filter((i) => typeof i.json.participantId === 'string');
		expect(participantIds(participants)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		const withFile = result.items.filter((i) => i.binary?.data);
		expect(withFile.length).toBeGreaterThan(0);
		expect(withFile[0].binary!.data.mimeType).toBe('text/csv');
		expect(withFile[0].binary!.data.fileName).toMatch(FILE_NAME);
	});

	it('two input items give two exports, each output item paired with its input', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			// Two sites of the user's active study (downloads are looked up in the active study).
			items: [
				{ study: 'S_JUNO', site: 'S_JUNO_LYO' },
				{ study: 'S_JUNO', site: 'S_JUNO_BOS' },
			],
			parameters: exportParams({ studyOid: '={{ $json.study }}', siteOid: '={{ $json.site }}', limit: 5 }),
		});
		expect(result.error).toBeUndefined();
		const lyo = eligibleLabels(sb, 'S_JUNO_LYO').slice(0, 5);
		const bos = eligibleLabels(sb, 'S_JUNO_BOS').slice(0, 5);
		expect(participantIds(result.items)).toEqual([...lyo, ...bos]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([
			...lyo.map(() => ({ item: 0 })),
			...bos.map(() => ({ item: 1 })),
		]);
		expect(requests(sb, isSubmit).map((r) => /\/studies\/([^/]+\/sites\/[^/]+)\//.exec(r.path)?.[1])).toEqual([
			'S_JUNO/sites/S_JUNO_LYO',
			'S_JUNO/sites/S_JUNO_BOS',
		]);
		// One login serves both exports.
		expect(result.credentialsHelper.logins).toBe(1);
	});

	it('continueOnFail: the failing input becomes an error item and the other input is still exported', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			continueOnFail: true,
			items: [
				{ study: 'S_NOPE', site: 'S_JUNO_LYO' },
				{ study: 'S_JUNO', site: 'S_JUNO_LYO' },
			],
			parameters: exportParams({ studyOid: '={{ $json.study }}', siteOid: '={{ $json.site }}', returnAll: true }),
		});
		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		const [first, ...rest] = result.items;
		expect(first.pairedItem).toEqual({ item: 0 });
		expect(typeof first.json.error).toBe('string');
		expect(String(first.json.error)).toMatch(/S_NOPE|study/i);
		expect(participantIds(rest)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		expect(rest.every((i) => (i.pairedItem as { item: number }).item === 1)).toBe(true);
	});

	it('Test-environment OIDs with (TEST) are percent-encoded in the path', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.test'),
			parameters: exportParams({ studyOid: ' S_JUNO(TEST) ', siteOid: 'S_BOS(TEST)', returnAll: true }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_BOS(TEST)'));
		expect(requests(sb, isSubmit)[0].path).toContain('/studies/S_JUNO%28TEST%29/sites/S_BOS%28TEST%29/');
	});

	it('every runtime request sends Accept */* and the package User-Agent', async () => {
		const sb = sandbox();
		const { packageVersion } = await loadPackage();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true }),
		});
		expect(result.error).toBeUndefined();
		const runtime = requests(sb, (r) => !isToken(r));
		expect(runtime.filter(isSubmit)).toHaveLength(1);
		expect(runtime.filter(isDownload).length).toBeGreaterThanOrEqual(1);
		for (const r of runtime) {
			expect({ path: r.path, accept: r.accept }).toEqual({ path: r.path, accept: '*/*' });
			expect(r.userAgent ?? '').toMatch(new RegExp(`^n8n-nodes-openclinica/${packageVersion.replace(/\./g, '\\.')}`));
			expect(r.authorization).toBe('bearer');
		}
	});

	it('the login request also names the package in its User-Agent', async () => {
		const sb = sandbox();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO' }),
		});
		expect(result.error).toBeUndefined();
		const logins = requests(sb, isToken);
		expect(logins).toHaveLength(1);
		expect(logins[0].userAgent ?? '').toMatch(/^n8n-nodes-openclinica\//);
	});

	it('logs neither the token, the password nor contact details', async () => {
		const sb = sandbox();
		logger.clear();
		const result = await runNode({
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_LYO', returnAll: true, includeAccessCodes: true }),
		});
		expect(result.error).toBeUndefined();
		const token = String(result.credentialsHelper.stored('1').accessToken);
		expect(token.length).toBeGreaterThan(10);
		const logs = logger.text();
		expect(logs).not.toContain(token);
		expect(logs).not.toContain('Sandbox-Pass-1');
		for (const p of sb.control.listParticipants('S_JUNO_LYO')) {
			if (p.detail?.email) expect(logs).not.toContain(p.detail.email);
			if (p.accessCode) expect(logs).not.toContain(p.accessCode);
		}
	});
});
