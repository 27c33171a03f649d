// Seed data: studies, users and a deterministic participant generator.
// Curated rows and study/user tables never change; only the filler depends on the seed.
import { createHash } from 'node:crypto';

import type { ContactDetail, Participant, ParticipantStatus, Study, User, UserStatus } from './types';

export const PASSWORD = 'Sandbox-Pass-1';

/** Keycloak access-code alphabet since OC-11627 (spec §2.3). */
const ACCESS_CODE_ALPHABET = '2346789aAbBcCdDeEfFgGhHijJkKLmMnNpPqQrRstTuUvVwWxXyYzZ';

export const STUDIES: readonly Study[] = [
	{ oid: 'S_JUNO', uniqueIdentifier: 'JUNO', envType: 'PROD', participateEnabled: true, parentOid: null },
	{ oid: 'S_JUNO_BOS', uniqueIdentifier: 'JUNO-BOS', envType: 'PROD', participateEnabled: true, parentOid: 'S_JUNO' },
	{ oid: 'S_JUNO_LYO', uniqueIdentifier: 'JUNO-LYO', envType: 'PROD', participateEnabled: true, parentOid: 'S_JUNO' },
	{ oid: 'S_JUNO_BIG', uniqueIdentifier: 'JUNO-BIG', envType: 'PROD', participateEnabled: true, parentOid: 'S_JUNO' },
	{ oid: 'S_JUNO(TEST)', uniqueIdentifier: 'JUNO', envType: 'TEST', participateEnabled: true, parentOid: null },
	{ oid: 'S_BOS(TEST)', uniqueIdentifier: 'JUNO-BOS', envType: 'TEST', participateEnabled: true, parentOid: 'S_JUNO(TEST)' },
	{ oid: 'S_MARS', uniqueIdentifier: 'MARS', envType: 'PROD', participateEnabled: false, parentOid: null },
	{ oid: 'S_MARS_01', uniqueIdentifier: 'MARS-01', envType: 'PROD', participateEnabled: false, parentOid: 'S_MARS' },
	{ oid: 'S_VEGA', uniqueIdentifier: 'VEGA', envType: 'PROD', participateEnabled: true, parentOid: null },
	{ oid: 'S_VEGA_01', uniqueIdentifier: 'VEGA-01', envType: 'PROD', participateEnabled: true, parentOid: 'S_VEGA' },
	{ oid: 'S_DRAFT', uniqueIdentifier: 'DRAFT', envType: '', participateEnabled: true, parentOid: null },
	{ oid: 'S_DRAFT_01', uniqueIdentifier: 'DRAFT-01', envType: '', participateEnabled: true, parentOid: 'S_DRAFT' },
];

function user(username: string, roles: User['roles'], activeStudyOid: string): User {
	const h = createHash('sha256').update(username).digest('hex');
	const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
	return { uuid, username, roles, activeStudyOid };
}

export const USERS: readonly User[] = [
	user(
		'crc.jane',
		['S_JUNO_BOS', 'S_JUNO_LYO', 'S_JUNO_BIG', 'S_DRAFT_01'].map((oid) => ({ oid, role: 'ra' as const })),
		'S_JUNO',
	),
	user('inv.omar', [{ oid: 'S_JUNO_BOS', role: 'Investigator' }], 'S_JUNO'),
	user('dm.lee', [{ oid: 'S_JUNO', role: 'coordinator' }], 'S_JUNO'),
	user('ds.ana', [{ oid: 'S_JUNO', role: 'Investigator' }], 'S_JUNO'),
	user('mon.kim', [{ oid: 'S_JUNO_BOS', role: 'monitor' }], 'S_JUNO'),
	user('dep.pat', [{ oid: 'S_JUNO_BOS', role: 'ra2' }], 'S_JUNO'),
	user('norole.sam', [{ oid: 'S_VEGA_01', role: 'ra' }], 'S_VEGA'),
	user('crc.away', [{ oid: 'S_JUNO_BOS', role: 'ra' }], 'S_VEGA'),
	user('crc.test', [{ oid: 'S_BOS(TEST)', role: 'ra' }], 'S_JUNO(TEST)'),
	user('crc.mars', [{ oid: 'S_MARS_01', role: 'ra' }], 'S_MARS'),
];

/** Label prefix per site; labels are unique across the whole sandbox. */
const LABEL_PREFIX: Readonly<Record<string, string>> = {
	S_JUNO_BOS: 'BOS',
	S_JUNO_LYO: 'LYO',
	S_JUNO_BIG: 'BIG',
	'S_BOS(TEST)': 'TBOS',
	S_MARS_01: 'MARS',
	S_VEGA_01: 'VEGA',
	S_DRAFT_01: 'DRAFT',
};

const BOS_ELIGIBLE = 250;

type Rng = () => number;

/** mulberry32: tiny, fast, good enough for demo data. */
function mulberry32(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];

export function newAccessCode(rng: Rng = Math.random): string {
	let code = '';
	for (let i = 0; i < 9; i++) code += ACCESS_CODE_ALPHABET[Math.floor(rng() * ACCESS_CODE_ALPHABET.length)];
	return code;
}

type Curated = [
	first: string | null,
	last: string | null,
	email: string | null,
	phone: string | null,
	identifier: string | null,
	userStatus: UserStatus | null,
	status: ParticipantStatus,
];

// S_JUNO_BOS edge cases, in creation order (BOS-0001 …). `null` row = no contact record.
const CURATED_BOS: ReadonlyArray<Curated | [null, ParticipantStatus]> = [
	['Jane', 'Doe', 'jane.doe@example.org', '+1 6175550101', 'MRN-0001', 'ACTIVE', 'available'],
	['Ann', "O'Neil, Jr", 'ann.oneil@example.org', '+1 6175550102', 'MRN-0002', 'CREATED', 'available'],
	[null, 'available'],
	['Zoë', 'Müller', 'zoe.muller@example.org', '+49 30555010', 'MRN-0004', 'INVITED', 'available'],
	['Łukasz', 'Wójcik', 'lukasz.wojcik@example.org', '+48 225550105', 'MRN-0005', 'INACTIVE', 'available'],
	['José', 'García', 'jose.garcia@example.org', '+34 915550106', 'MRN-0006', 'CONTACT_INFO_ENTERED', 'available'],
	['Søren', 'Nielsen', 'soren.nielsen@example.org', '+45 35550107', 'MRN-0007', 'INVALID', 'available'],
	['小龙', '李', 'li.xiaolong@example.org', '+86 1055501080', 'MRN-0008', 'ACTIVE', 'available'],
	['Robert "Bob"', 'Smith', 'bob.smith@example.org', '+1 6175550109', 'MRN-0009', 'ACTIVE', 'available'],
	["D'Arcy", "O'Brien", 'darcy.obrien@example.org', '+353 15550110', 'MRN-0010', 'INVITED', 'available'],
	['Maria', 'Rossi', 'maria.rossi@example.org', '+39 065550111', 'MRN-44,7', 'ACTIVE', 'available'],
	['Paul', 'Removed', 'paul.removed@example.org', '+1 6175550112', 'MRN-0012', 'ACTIVE', 'removed'],
	['Rita', 'Autoremoved', 'rita.auto@example.org', '+1 6175550113', 'MRN-0013', 'INVITED', 'auto-removed'],
	['Sam', 'Signed', 'sam.signed@example.org', '+1 6175550114', 'MRN-0014', 'ACTIVE', 'signed'],
	['Nora', 'Noaccount', 'nora.noaccount@example.org', '+1 6175550115', 'MRN-0015', null, 'available'],
	['Olga', null, null, null, null, 'CREATED', 'available'],
	[null, 'signed'],
	['Chloé', 'Dubois-Lefèvre', 'chloe.dubois@example.org', '+33 155550118', 'MRN-0018', 'ACTIVE', 'available'],
	['Åsa', 'Öberg', 'asa.oberg@example.org', '+46 85550119', 'MRN-0019', 'ACTIVE', 'available'],
	['Tie', 'First', 'tie.first@example.org', '+1 6175550120', 'MRN-0020', 'ACTIVE', 'available'],
	['Tie', 'Second', 'tie.second@example.org', '+1 6175550121', 'MRN-0021', 'INVITED', 'available'],
];

/** Index (0-based, in BOS creation order) of the participant that shares its predecessor's timestamp. */
const BOS_TIE_INDEX = 20;

const FIRST_NAMES = [
	'Alice', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kara', 'Liam',
	'Maya', 'Noah', 'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Uma', 'Victor', 'Wen', 'Yara',
];
const LAST_NAMES = [
	'Anderson', 'Baker', 'Chen', 'Dupont', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Khan',
	'Lopez', 'Martin', 'Novak', 'Okafor', 'Patel', 'Quist', 'Romero', 'Silva', 'Tanaka', 'Ueda', 'Vogel',
];
const COUNTRY_CODES = ['1', '33', '44', '49', '61', '81'];
const USER_STATUS_WEIGHTS: ReadonlyArray<[UserStatus | null, number]> = [
	['ACTIVE', 40],
	['INVITED', 20],
	['CREATED', 15],
	[null, 15],
	['INACTIVE', 5],
	['CONTACT_INFO_ENTERED', 4],
	['INVALID', 1],
];

function weighted<T>(rng: Rng, table: ReadonlyArray<[T, number]>): T {
	const total = table.reduce((s, [, w]) => s + w, 0);
	let r = rng() * total;
	for (const [value, w] of table) {
		r -= w;
		if (r < 0) return value;
	}
	return table[table.length - 1][0];
}

function digits(rng: Rng, n: number): string {
	let s = '';
	for (let i = 0; i < n; i++) s += Math.floor(rng() * 10);
	return s;
}

function fillerDetail(rng: Rng, n: number): ContactDetail | null {
	if (rng() < 0.03) return null;
	const firstName = pick(rng, FIRST_NAMES);
	const lastName = pick(rng, LAST_NAMES);
	return {
		firstName,
		lastName,
		email: `${firstName}.${lastName}${n}@example.org`.toLowerCase(),
		phone: `+${pick(rng, COUNTRY_CODES)} ${digits(rng, 9 + Math.floor(rng() * 2))}`,
		identifier: `MRN-${digits(rng, 6)}`,
	};
}

interface SiteSpec {
	siteOid: string;
	/** Eligible (available or signed) participants to generate. */
	eligible: number;
	/** BOS only: some removed participants are mixed into the filler. */
	withRemoved: boolean;
	startMs: number;
}

function siteSpecs(bigSiteSize: number): SiteSpec[] {
	const day = 86_400_000;
	const start = Date.UTC(2020, 0, 6, 9, 0, 0, 0);
	return [
		{ siteOid: 'S_JUNO_BOS', eligible: BOS_ELIGIBLE, withRemoved: true, startMs: start },
		{ siteOid: 'S_JUNO_LYO', eligible: 12, withRemoved: false, startMs: start + day },
		{ siteOid: 'S_JUNO_BIG', eligible: bigSiteSize, withRemoved: false, startMs: start + 2 * day },
		{ siteOid: 'S_BOS(TEST)', eligible: 20, withRemoved: false, startMs: start + 3 * day },
		{ siteOid: 'S_MARS_01', eligible: 5, withRemoved: false, startMs: start + 4 * day },
		{ siteOid: 'S_VEGA_01', eligible: 5, withRemoved: false, startMs: start + 5 * day },
		{ siteOid: 'S_DRAFT_01', eligible: 3, withRemoved: false, startMs: start + 6 * day },
	];
}

export function formatLabel(siteOid: string, n: number): string {
	const prefix = LABEL_PREFIX[siteOid] ?? 'P';
	return `${prefix}-${String(n).padStart(prefix === 'BIG' ? 5 : 4, '0')}`;
}

const isEligible = (s: ParticipantStatus) => s === 'available' || s === 'signed';

/** Every seeded participant, site by site, each site in creation order. */
export function generateParticipants(seed: number, bigSiteSize: number): Participant[] {
	const curatedRng = mulberry32(0xc0ffee);
	const fillerRng = mulberry32(seed);
	const all: Participant[] = [];

	for (const spec of siteSpecs(bigSiteSize)) {
		let eligible = 0;
		let t = spec.startMs;
		const add = (
			detail: ContactDetail | null,
			userStatus: UserStatus | null,
			status: ParticipantStatus,
			rng: Rng,
		) => {
			const index = all.length - firstIndex;
			// 17 minutes apart plus jitter: strictly increasing, except the one deliberate tie.
			if (!(spec.siteOid === 'S_JUNO_BOS' && index === BOS_TIE_INDEX)) {
				t += 17 * 60_000 + Math.floor(rng() * 59_000) + 1;
			}
			all.push({
				label: formatLabel(spec.siteOid, index + 1),
				siteOid: spec.siteOid,
				status,
				dateCreated: new Date(t),
				dateUpdated: null,
				detail,
				userStatus,
				accessCode: userStatus === null ? null : newAccessCode(rng),
			});
			if (isEligible(status)) eligible++;
		};
		const firstIndex = all.length;

		if (spec.siteOid === 'S_JUNO_BOS') {
			for (const row of CURATED_BOS) {
				if (row.length === 2) {
					add(null, null, row[1], curatedRng);
				} else {
					const [firstName, lastName, email, phone, identifier, userStatus, status] = row;
					add({ firstName, lastName, email, phone, identifier }, userStatus, status, curatedRng);
				}
			}
		}
		while (eligible < spec.eligible) {
			const n = all.length - firstIndex + 1;
			let status: ParticipantStatus = fillerRng() < 0.05 ? 'signed' : 'available';
			if (spec.withRemoved) {
				const r = fillerRng();
				if (r < 0.03) status = 'removed';
				else if (r < 0.04) status = 'auto-removed';
			}
			const detail = fillerDetail(fillerRng, n);
			const userStatus = weighted(fillerRng, USER_STATUS_WEIGHTS);
			// Without a contact record there is nobody to invite, so no Participate account.
			add(detail, detail ? userStatus : null, status, fillerRng);
		}
	}
	return all;
}
