// What the trigger remembers between polls (workflow static data), and how a row is compared with
// it. Only participant IDs and short salted hashes are kept, never contact details.
//
// The hashes are change detectors, not a security boundary. The hash (cyrb53, ../OpenClinica/hash.ts)
// is fast and non-cryptographic, the salt lives in the same static data, and a short field such as
// a status or a phone number can be brute-forced from its hash by anyone who holds that data. That
// is acceptable because the goal is narrower: keep no readable copy of names, emails, phone
// numbers or access codes in the workflow (static data travels with workflow exports and source
// control), and make a plain lookup of known values impossible without first reading the salt.
// n8n's execution history already holds the clear rows of every emitted participant, under n8n's
// own access control.
//
// Format (version 1), all in the node's static data:
//   v     format version
//   cfg   `studyOid|siteOid|y|n`: what is watched; another study, site or access-code setting
//         starts over with a new baseline
//   salt  random, per node and baseline
//   gen   number (0–35) of the current pass over the site
//   base  true while the first pass (the baseline) runs: rows are recorded, nothing is emitted.
//         The baseline runs within one poll (poll.ts), so a stored true only comes from an
//         earlier version of the node, which spread it over several polls: the baseline restarts.
//   page  next page of the current pass (1: a new pass starts)
//   size  page size of the current pass (a different one restarts the pass at page 1)
//   p     participant ID → entry: one character for the pass that last saw the participant, then
//         one 5-character hash per tracked field (TRACKED_FIELDS order; `~~~~~` for a column the
//         file did not have), or `!` and an 8-character hash of the raw line for a malformed row.
import type { IDataObject } from 'n8n-workflow';

import { CONTACT_FIELDS, type ContactField, type ContactRow } from '../OpenClinica/contactsFile';
import type { Hasher } from '../OpenClinica/hash';

export const STATE_VERSION = 1;

/** Characters per field hash: 30 bits, so a changed field goes unnoticed about once in 10^9. */
export const FIELD_HASH_LENGTH = 5;
/** Characters of the hash of a malformed row's raw line (48 bits). */
export const LINE_HASH_LENGTH = 8;

type TrackedField = Exclude<ContactField, 'participantId'>;

/**
 * Fields whose changes are reported, in entry order: the export's columns but the ID. The last one
 * is the status. The order is part of the stored format (a unit test pins it).
 */
export const TRACKED_FIELDS: readonly TrackedField[] = CONTACT_FIELDS.filter(
	(field): field is TrackedField => field !== 'participantId',
);
const STATUS_INDEX = TRACKED_FIELDS.length - 1;

const ABSENT = '~'.repeat(FIELD_HASH_LENGTH);
const MALFORMED = '!';

// Pass numbers wrap at 36 (one character). An entry not seen for this many complete passes is
// dropped: removed participants leave the export, while a participant missed once because rows
// shifted between two page jobs (see poll.ts) comes back on the next pass and is still known.
const GENERATIONS = 36;
export const KEEP_MISSING_PASSES = 3;
const GEN_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

export interface TriggerState {
	v: number;
	cfg: string;
	salt: string;
	gen: number;
	base: boolean;
	page: number;
	size: number;
	p: Record<string, string>;
}

export function configKey(studyOid: string, siteOid: string, includeAccessCodes: boolean): string {
	return `${studyOid}|${siteOid}|${includeAccessCodes ? 'y' : 'n'}`;
}

/** The stored state when it is usable for this configuration; undefined means "start over". */
export function readState(staticData: IDataObject, cfg: string): TriggerState | undefined {
	const { v, salt, gen, base, page, size, p } = staticData;
	if (v !== STATE_VERSION || staticData.cfg !== cfg) return undefined;
	if (typeof salt !== 'string' || typeof gen !== 'number' || typeof base !== 'boolean') return undefined;
	if (typeof page !== 'number' || typeof size !== 'number' || typeof p !== 'object' || p === null) return undefined;
	return { v, cfg, salt, gen, base, page, size, p: p as Record<string, string> };
}

/** The entry body of a row: field hashes, or the raw line's hash when the row is malformed. */
export function rowBody(row: ContactRow, hash: Hasher): string {
	if (row.malformed) return MALFORMED + hash(`rawLine\u0000${row.rawLine ?? ''}`, LINE_HASH_LENGTH);
	let body = '';
	for (const field of TRACKED_FIELDS) {
		const value = row[field];
		body += typeof value === 'string' ? hash(`${field}\u0000${value}`, FIELD_HASH_LENGTH) : ABSENT;
	}
	return body;
}

export function entry(gen: number, body: string): string {
	return GEN_DIGITS[gen] + body;
}

export function entryBody(value: string): string {
	return value.slice(1);
}

function entryGen(value: string): number {
	return GEN_DIGITS.indexOf(value[0]);
}

export interface RowChange {
	/** Contact fields that changed; ['rawLine'] when a malformed row's line changed. */
	contact: string[];
	status: boolean;
}

/**
 * Which tracked fields differ between two entry bodies. A column missing on either side is not a
 * change: the server's column set changed (role, access-code setting), not the participant.
 */
export function diffBodies(before: string, after: string): RowChange {
	if (before === after) return { contact: [], status: false };
	const wasMalformed = before.startsWith(MALFORMED);
	const isMalformed = after.startsWith(MALFORMED);
	if (isMalformed) return { contact: ['rawLine'], status: false };
	const contact: string[] = [];
	let status = false;
	for (let i = 0; i < TRACKED_FIELDS.length; i++) {
		const now = after.slice(i * FIELD_HASH_LENGTH, (i + 1) * FIELD_HASH_LENGTH);
		if (now === ABSENT) continue;
		if (wasMalformed) {
			// The old values cannot be told apart: every present contact field may have changed.
			if (i !== STATUS_INDEX) contact.push(TRACKED_FIELDS[i]);
			continue;
		}
		const then = before.slice(i * FIELD_HASH_LENGTH, (i + 1) * FIELD_HASH_LENGTH);
		if (then === ABSENT || then === now) continue;
		if (i === STATUS_INDEX) status = true;
		else contact.push(TRACKED_FIELDS[i]);
	}
	return { contact, status };
}

/**
 * Ends a complete pass: drops participants not seen for KEEP_MISSING_PASSES passes, and returns the
 * next pass number.
 */
export function endPass(entries: Map<string, string>, gen: number): number {
	for (const [id, value] of entries) {
		const missed = (gen - entryGen(value) + GENERATIONS) % GENERATIONS;
		if (missed >= KEEP_MISSING_PASSES) entries.delete(id);
	}
	return (gen + 1) % GENERATIONS;
}
