/**
 * Version matrix (issue 4): Export, Start Export and Download Export against every sandbox
 * profile (spec §6.1) give the same participants, normalised the same way. The expected rows are
 * built from the sandbox's own participant list, filtered by the profile's selection rule; they
 * differ between versions only where a version lacks a column:
 * - V6–V11 leave Access Code and Participate Status empty without the flag: both are left out;
 * - V1–V5 always send access codes: dropped client-side unless asked for;
 * - before 4.11 there is no CONTACT_INFO_ENTERED status (such a participant has no Participate
 *   account yet);
 * - a value holding the file's delimiter makes a malformed row (a comma in CSV files, never in the
 *   pipe-separated files of V1–V4).
 * Every run also goes through the secret and contact-detail leak checks (secrets.ts).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import type { ParticipantView, ProfileName, ProfileSwitches, Sandbox } from '../../sandbox/types';
import { shutdownEngine } from '../helpers/engine';
import { credentialsFor, errorText, FAST, isDownload, isSubmit, PAGE_CONCURRENCY, query } from './context';
import { runChecked } from './secrets';

const PROFILES: ProfileName[] = ['oc-4.13', 'v12', 'v11', 'v9', 'v8', 'v7', 'v6', 'v5', 'v3', 'v2', 'v1'];
const SITE = 'S_JUNO_BOS';
const PAGE_SIZE = 40;

// Every profile's sandbox stays up for the whole file, so that each has its own port: the node
// remembers per study URL which submit endpoint and which download era a server has.
const sandboxes = new Map<ProfileName, Sandbox>();
beforeAll(async () => {
	for (const profile of PROFILES) {
		sandboxes.set(
			profile,
			await startSandbox({ port: 0, profile, jobBaseMs: 5, perParticipantMs: 0.01, bigSiteSize: 10 }),
		);
	}
});
afterAll(async () => {
	for (const sb of sandboxes.values()) await sb.close();
	shutdownEngine();
});

function sandboxOf(profile: ProfileName): Sandbox {
	const sb = sandboxes.get(profile);
	if (!sb) throw new Error(`no sandbox for ${profile}`);
	sb.control.reset();
	return sb;
}

function selected(sw: ProfileSwitches, p: ParticipantView): boolean {
	switch (sw.selection) {
		case 'all-but-removed':
			return p.status !== 'removed' && p.status !== 'auto-removed';
		case 'available-signed':
			return p.status === 'available' || p.status === 'signed';
		case 'available-only':
			return p.status === 'available';
	}
}

/** The items a site-level user must get from this profile, built from the sandbox's own data. */
function expectedItems(sb: Sandbox, includeAccessCodes: boolean): IDataObject[] {
	const sw = sb.switches;
	const delimiter = sw.fileFormat.startsWith('pipe') ? '|' : ',';
	const filledWithoutFlag = sw.fileFormat !== 'csv8';
	const hasStatus = includeAccessCodes || filledWithoutFlag;
	return sb.control
		.listParticipants(SITE)
		.filter((p) => selected(sw, p))
		.map((p) => {
			const d = p.detail;
			const userStatus =
				p.userStatus === 'CONTACT_INFO_ENTERED' && !sw.contactInfoEnteredStatus ? null : p.userStatus;
			const row: IDataObject = {
				participantId: p.label,
				firstName: d?.firstName ?? '',
				lastName: d?.lastName ?? '',
				email: d?.email ?? '',
				mobile: d?.phone ?? '',
				identifier: d?.identifier ?? '',
			};
			if (includeAccessCodes) row.accessCode = userStatus !== null ? (p.accessCode ?? '') : '';
			if (hasStatus) row.participateStatus = d ? (userStatus ?? '') : '';
			const values = Object.values(row).map(String);
			if (values.some((v) => v.includes(delimiter))) return { participantId: p.label, malformed: true };
			return row;
		});
}

/** Output items without the raw line of malformed rows (checked separately). */
function normalised(items: INodeExecutionData[]): IDataObject[] {
	return items.map(({ json }) => {
		if (json.malformed !== true) return json;
		return { participantId: json.participantId, malformed: true };
	});
}

function expectNoAccessCodes(sb: Sandbox, items: INodeExecutionData[]) {
	const codes = sb.control
		.listParticipants(SITE)
		.map((p) => p.accessCode)
		.filter((c): c is string => !!c);
	const text = JSON.stringify(items.map((i) => i.json));
	expect(codes.filter((c) => text.includes(c))).toEqual([]);
}

const exportParameters = (includeAccessCodes: boolean) => ({
	resource: 'participantContact',
	operation: 'export',
	studyOid: 'S_JUNO',
	siteOid: SITE,
	includeAccessCodes,
	returnAll: true,
	options: { ...FAST, pageSize: PAGE_SIZE },
});

describe.each(PROFILES)('version matrix: profile %s', (profile) => {
	it('Export, Return All without access codes: the same participants, normalised', async () => {
		const sb = sandboxOf(profile);
		const expected = expectedItems(sb, false);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParameters(false),
		});
		expect(result.error).toBeUndefined();
		expect(normalised(result.items)).toEqual(expected);
		expectNoAccessCodes(sb, result.items);

		// Paging: every page once, in order; servers without paging send everything in one job.
		const pages = sb.control
			.listRequests()
			.filter(isSubmit)
			.filter((r) => r.status === 200)
			.map((r) => Number(query(r).page_number));
		expect(new Set(pages).size).toBe(pages.length);
		expect(sb.control.listJobs()).toHaveLength(pages.length);
		if (sb.switches.paging) {
			const needed = Math.floor(expected.length / PAGE_SIZE) + 1;
			expect([...pages].sort((a, b) => a - b).slice(0, needed)).toEqual(
				Array.from({ length: needed }, (_, i) => i + 1),
			);
			// Up to PAGE_CONCURRENCY-1 (empty) page jobs may run past the last page, never more.
			expect(pages.length).toBeLessThanOrEqual(needed + PAGE_CONCURRENCY - 1);
		} else {
			expect(pages).toEqual([1]);
		}
		expect(sb.control.listJobs().every((j) => j.pageSize === null || j.pageSize === PAGE_SIZE)).toBe(true);
	});

	it('Export with access codes: 8 columns, codes as stored', async () => {
		const sb = sandboxOf(profile);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParameters(true),
		});
		expect(result.error).toBeUndefined();
		expect(normalised(result.items)).toEqual(expectedItems(sb, true));
		expect(result.items.some((i) => typeof i.json.accessCode === 'string' && i.json.accessCode.length === 9)).toBe(
			true,
		);
	});

	it('Start Export + Download Export give the same participants as Export', async () => {
		const sb = sandboxOf(profile);
		const credentials = credentialsFor(sb, 'crc.jane');
		const started = await runChecked(sb, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'startExport',
				studyOid: 'S_JUNO',
				siteOid: SITE,
				options: { pageSize: 1000 },
			},
		});
		expect(started.error).toBeUndefined();
		const jobUuid = started.items[0].json.jobUuid as string;
		expect(sb.control.listJobs().map((j) => j.uuid)).toEqual([jobUuid]);

		const downloaded = await runChecked(sb, {
			credentials,
			items: [started.items[0].json],
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: '={{ $json.jobUuid }}',
				includeAccessCodes: '={{ $json.includeAccessCodes }}',
				options: FAST,
			},
		});
		expect(downloaded.error).toBeUndefined();
		expect(normalised(downloaded.items)).toEqual(expectedItems(sb, false));
		expectNoAccessCodes(sb, downloaded.items);
		expect(sb.control.listRequests().filter(isSubmit)).toHaveLength(1);
	});
});

// V1–V3 answer HTTP 500 to a download while the job runs (spec §3.3): the node must keep polling,
// not give up after a few "server errors".
describe.each(['v3', 'v2', 'v1'] as ProfileName[])('profile %s: HTTP 500 while the job runs', (profile) => {
	it('a slow job (500 to the first polls) is waited for and downloaded', async () => {
		const sb = sandboxOf(profile);
		sb.control.setFaults({ finishAfterPolls: 4 });
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: { ...exportParameters(false), options: { ...FAST, pageSize: 1000 } },
		});
		expect(result.error).toBeUndefined();
		expect(normalised(result.items)).toEqual(expectedItems(sb, false));
		const [job] = sb.control.listJobs();
		expect(sb.control.listJobs()).toHaveLength(1);
		const polls = sb.control.listRequests().filter((r) => isDownload(r) && r.path.includes(job.uuid));
		// Four "in progress" 500s, then the file: each 500 is one poll, not retried on its own.
		expect(polls.map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
		// At most one probe of the nil UUID to learn that 500 means "running" (V3: POST, old path).
		const probes = sb.control.listRequests().filter((r) => isDownload(r) && r.path.includes('00000000-0000'));
		expect(probes.length).toBeLessThanOrEqual(1);
	});

	it('a stalled job ends at the deadline with an error naming the job and the 500s', async () => {
		const sb = sandboxOf(profile);
		sb.control.setFaults({ stallJobs: true });
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: { ...exportParameters(false), options: { pollInterval: 0.05, timeout: 0.5 } },
		});
		expect(result.status).toBe('error');
		const [job] = sb.control.listJobs();
		expect(result.error!.message).toContain(job.uuid);
		expect(errorText(result.error)).toMatch(/HTTP 500/);
		expect(errorText(result.error)).toMatch(/Download Export/);
		const polls = sb.control.listRequests().filter((r) => isDownload(r) && r.path.includes(job.uuid));
		expect(polls.length).toBeGreaterThanOrEqual(2);
		expect(polls.length).toBeLessThan(20);
		expect(sb.control.listRequests().filter(isSubmit)).toHaveLength(1);
	});
});
