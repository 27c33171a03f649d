// Checks of everything a user types, before any request, with errors that name the parameter
// and say how to fix it.
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { JobOptions } from './exportJob/run';

// Defaults of the Timeout and Poll Interval options of every operation that waits for a job (and
// of the trigger): 10 minutes per job (spec §6.2 D).
export const DEFAULT_TIMEOUT_S = 600;
// The shortest pause between two checks of a running job; see nextPollPause in exportJob/wait.ts.
export const DEFAULT_POLL_INTERVAL_S = 0.5;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(node: INode, itemIndex: number, message: string, description: string): never {
	throw new NodeOperationError(node, message, { description, itemIndex });
}

/** A study or site OID: trimmed, non-empty, and nothing that could act on the URL path. */
export function validateOid(node: INode, itemIndex: number, displayName: string, value: unknown): string {
	const oid = typeof value === 'string' ? value.trim() : '';
	const example = displayName === 'Study OID' ? 'S_JUNO' : 'S_JUNO_BOS';
	if (oid === '') {
		fail(node, itemIndex, `${displayName} is empty`, `Enter the OID as shown in OpenClinica, e.g. ${example}.`);
	}
	if (/[/?#\\%]/.test(oid) || oid.includes('..')) {
		fail(
			node,
			itemIndex,
			`${displayName} contains a character OpenClinica OIDs never have (one of / ? # \\ % or "..")`,
			`Enter only the OID, e.g. ${example} or ${example}(TEST), not a URL or a path.`,
		);
	}
	if (/\s/.test(oid)) {
		fail(
			node,
			itemIndex,
			`${displayName} contains spaces`,
			`OIDs have no spaces: enter the OID (e.g. ${example}), not the study or site name.`,
		);
	}
	return oid;
}

/** An OID that may be left empty (e.g. Site OID of the jobs list): undefined when blank. */
export function validateOptionalOid(
	node: INode,
	itemIndex: number,
	displayName: string,
	value: unknown,
): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	return validateOid(node, itemIndex, displayName, value);
}

/** A participant label (the Participant ID shown in OpenClinica), sent in the query string. */
export function validateParticipantId(node: INode, itemIndex: number, value: unknown): string {
	const id = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (id === '') {
		fail(
			node,
			itemIndex,
			'Participant ID is empty',
			'Enter the participant label shown in OpenClinica, e.g. SS-001 (not the participant OID).',
		);
	}
	return id;
}

export function validateJobUuid(node: INode, itemIndex: number, value: unknown): string {
	const uuid = typeof value === 'string' ? value.trim().replace(/^job\s*uuid\s*:\s*/i, '') : '';
	if (!UUID_PATTERN.test(uuid)) {
		fail(
			node,
			itemIndex,
			'Job UUID is not a valid UUID',
			'Use the jobUuid output by Start Export, e.g. 3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90.',
		);
	}
	return uuid.toLowerCase();
}

/** A whole number ≥ 1 (limit, page size, page number). */
export function validatePositiveInteger(node: INode, itemIndex: number, displayName: string, value: unknown): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
		fail(node, itemIndex, `${displayName} must be a whole number of 1 or more`, `Set ${displayName} to 1 or more.`);
	}
	return number;
}

/** Seconds (timeout, poll interval) as milliseconds. */
export function validateSeconds(node: INode, itemIndex: number, displayName: string, value: unknown): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		fail(node, itemIndex, `${displayName} must be a number of seconds above 0`, `Set ${displayName} to a positive number.`);
	}
	return Math.round(value * 1000);
}

export function validateBinaryPropertyName(node: INode, itemIndex: number, value: unknown): string {
	const name = typeof value === 'string' ? value.trim() : '';
	if (name === '') {
		fail(node, itemIndex, 'Put Output File in Field is empty', 'Enter the name of the binary field for the file, e.g. data.');
	}
	return name;
}

/** The Timeout and Poll Interval options (seconds, defaults above) as milliseconds. */
export function readJobOptions(
	node: INode,
	itemIndex: number,
	options: IDataObject,
): Pick<JobOptions, 'timeoutMs' | 'pollIntervalMs'> {
	return {
		timeoutMs: validateSeconds(node, itemIndex, 'Timeout', options.timeout ?? DEFAULT_TIMEOUT_S),
		pollIntervalMs: validateSeconds(node, itemIndex, 'Poll Interval', options.pollInterval ?? DEFAULT_POLL_INTERVAL_S),
	};
}
