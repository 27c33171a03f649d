// The export file: which participants (spec §2.4), its name (§2.2) and its bytes (§2.3, §2.5).
import type { Participant, ProfileSwitches, Study, UserStatus } from './types';

export interface FileSpec {
	format: ProfileSwitches['fileFormat'];
	studyLevel: boolean;
	/** Effective flag: `y`, or always on profiles without a flag parameter. */
	includeInfo: boolean;
	contactInfoEnteredStatus: boolean;
}

export interface Page {
	number: number;
	size: number;
}

const HEADERS = {
	v1: ['Participant Id', 'First Name', 'Last Name', 'Email Address', 'Phone Number', 'Identifier', 'Access Code', 'Participant Status'],
	full: ['ParticipantId', 'First Name', 'Last Name', 'Email', 'Mobile', 'Identifier', 'Access Code', 'Participate Status'],
};

/**
 * The participants a job writes, in creation order. Returns null when the page offset overflows
 * to a negative 32-bit value: the real query then fails and the job never completes (spec §2.4).
 */
export function selectParticipants(
	all: readonly Participant[],
	selection: ProfileSwitches['selection'],
	page: Page | null,
): Participant[] | null {
	const eligible = all.filter((p) => {
		switch (selection) {
			case 'all-but-removed':
				return p.status !== 'removed' && p.status !== 'auto-removed';
			case 'available-signed':
				return p.status === 'available' || p.status === 'signed';
			case 'available-only':
				return p.status === 'available';
		}
	});
	if (!page) return eligible;
	const offset = Math.imul(page.number - 1, page.size);
	if (offset < 0) return null;
	return eligible.slice(offset, offset + page.size);
}

/** Participate status as the server of this profile knows it (no CONTACT_INFO_ENTERED before 4.11). */
export function effectiveUserStatus(p: Participant, contactInfoEnteredStatus: boolean): UserStatus | null {
	return p.userStatus === 'CONTACT_INFO_ENTERED' && !contactInfoEnteredStatus ? null : p.userStatus;
}

export interface RenderedFile {
	text: string;
	rows: number;
	/** Participants whose access code was read from Keycloak (they cost twice as much). */
	keycloakCalls: number;
}

export function renderContactsFile(participants: readonly Participant[], spec: FileSpec): RenderedFile {
	const sep = spec.format.startsWith('pipe') ? '|' : ',';
	const fullHeader = spec.format === 'pipe-txt-v1' ? HEADERS.v1 : HEADERS.full;
	const alwaysFilled = spec.format === 'pipe-txt-v1' || spec.format === 'pipe-txt' || spec.format === 'csv8-always';
	const fillCodeAndStatus = alwaysFilled || spec.includeInfo;

	let columns: number[];
	if (spec.format !== 'csv-conditional') columns = [0, 1, 2, 3, 4, 5, 6, 7];
	else if (spec.studyLevel) columns = [0, 7];
	else if (spec.includeInfo) columns = [0, 1, 2, 3, 4, 5, 6, 7];
	else columns = [0, 1, 2, 3, 4, 5, 7];
	const writesCode = columns.includes(6) && fillCodeAndStatus;
	const writesStatus = spec.format === 'csv-conditional' || fillCodeAndStatus;

	let keycloakCalls = 0;
	const lines = [columns.map((c) => fullHeader[c]).join(sep)];
	for (const p of participants) {
		const d = p.detail;
		const userStatus = effectiveUserStatus(p, spec.contactInfoEnteredStatus);
		const code = writesCode && userStatus !== null ? p.accessCode : null;
		if (code) keycloakCalls++;
		// The status is only copied when the contact record exists (spec §2.3).
		const status = writesStatus && d ? userStatus : null;
		const values = [p.label, d?.firstName, d?.lastName, d?.email, d?.phone, d?.identifier, code, status];
		// No quoting or escaping: a comma in a value shifts the columns, as on the real server.
		lines.push(columns.map((c) => values[c] ?? '').join(sep));
	}
	return { text: lines.join('\n') + '\n\n', rows: participants.length, keycloakCalls };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function contactsFileName(study: Study, format: ProfileSwitches['fileFormat'], when: Date): string {
	const prefix = `${study.uniqueIdentifier}-${study.envType}_Participant Access Code_`;
	if (format.startsWith('pipe')) {
		// V1–V4: server local time, 12-hour clock without AM/PM, unpadded milliseconds.
		const h12 = when.getHours() % 12 || 12;
		const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
		const time = `${pad(h12)}${pad(when.getMinutes())}${pad(when.getSeconds())}${when.getMilliseconds()}`;
		return `${prefix}${date}-${time}.txt`;
	}
	const date = `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())}`;
	const time = `${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}${pad(when.getUTCMilliseconds(), 3)}`;
	return `${prefix}${date}-${time}Z.csv`;
}
