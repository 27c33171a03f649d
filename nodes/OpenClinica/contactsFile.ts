// Parser of the participant contact file (spec §2.3, §2.5, §6.2 E). The server writes it without
// quoting or escaping, so rows are split exactly as the server joined them; a row whose field
// count does not match the header is flagged, never guessed and never dropped. It is on the hot
// path for large sites, so it works on plain strings and arrays.

export const CONTACT_FIELDS = [
	'participantId',
	'firstName',
	'lastName',
	'email',
	'mobile',
	'identifier',
	'accessCode',
	'participateStatus',
] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];

export interface ContactRow {
	participantId: string;
	firstName?: string;
	lastName?: string;
	email?: string;
	mobile?: string;
	identifier?: string;
	accessCode?: string;
	participateStatus?: string;
	malformed?: true;
	rawLine?: string;
	[column: string]: string | boolean | undefined;
}

export interface ContactsFile {
	/** True for a 0-byte (or blank) file: no header at all, which is never a valid export. */
	empty: boolean;
	delimiter: ',' | '|';
	headerLine: string;
	/** Column keys in file order: the aliases of §6.2 E, or a camelCase name for unknown columns. */
	columns: string[];
	rows: ContactRow[];
	/** The line each row came from, same index as rows (used to rebuild a file from pages). */
	lines: string[];
}

// Header names of every version (V1 `Participant Id|…|Participant Status`, V2+ and 4.13),
// compared lower-case with spaces, dashes and underscores removed.
const HEADER_ALIASES = new Map<string, ContactField>([
	['participantid', 'participantId'],
	['firstname', 'firstName'],
	['lastname', 'lastName'],
	['email', 'email'],
	['emailaddress', 'email'],
	['mobile', 'mobile'],
	['mobilenumber', 'mobile'],
	['phone', 'mobile'],
	['phonenumber', 'mobile'],
	['identifier', 'identifier'],
	['secondaryid', 'identifier'],
	['accesscode', 'accessCode'],
	['participatestatus', 'participateStatus'],
	['participantstatus', 'participateStatus'],
]);

// Keys that would clash with Object's own members or with the malformed-row flags.
const UNSAFE_KEYS = new Set([
	'__proto__',
	'constructor',
	'prototype',
	'hasOwnProperty',
	'toString',
	'valueOf',
	'malformed',
	'rawLine',
]);

export function columnKey(headerName: string, index: number): string {
	const compact = headerName.trim().toLowerCase().replace(/[\s_-]+/g, '');
	const alias = HEADER_ALIASES.get(compact);
	if (alias) return alias;
	const words = headerName.trim().split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
	const camel = words
		.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase()))
		.join('');
	return camel === '' || UNSAFE_KEYS.has(camel) ? `column${index + 1}` : camel;
}

const decoder = new TextDecoder('utf-8');

export function decodeUtf8(bytes: Uint8Array): string {
	const text = decoder.decode(bytes);
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseContactsFile(input: Uint8Array | string): ContactsFile {
	let text = typeof input === 'string' ? input : decodeUtf8(input);
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

	const rawLines = text.split('\n');
	const lines: string[] = [];
	for (let i = 0; i < rawLines.length; i++) {
		let line = rawLines[i];
		if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
		if (line !== '') lines.push(line);
	}

	if (lines.length === 0) {
		return { empty: true, delimiter: ',', headerLine: '', columns: [], rows: [], lines: [] };
	}

	const headerLine = lines[0];
	const delimiter = headerLine.includes('|') && !headerLine.includes(',') ? '|' : ',';
	const columns = headerLine.split(delimiter).map(columnKey);
	const width = columns.length;

	const dataLines = lines.slice(1);
	const rows: ContactRow[] = new Array(dataLines.length);
	for (let r = 0; r < dataLines.length; r++) {
		const line = dataLines[r];
		const fields = line.split(delimiter);
		if (fields.length !== width) {
			rows[r] = { participantId: fields[0], malformed: true, rawLine: line };
			continue;
		}
		const row = {} as ContactRow;
		for (let c = 0; c < width; c++) row[columns[c]] = fields[c];
		if (row.participantId === undefined) row.participantId = fields[0];
		rows[r] = row;
	}

	return { empty: false, delimiter, headerLine, columns, rows, lines: dataLines };
}

/**
 * Removes one column from a parsed file, rows and lines alike. Used to drop access codes that old
 * servers send even when they were not asked for. In a malformed row the column is located from
 * the end of the line: the stray delimiters come from names and identifiers, which precede it.
 */
export function dropColumn(file: ContactsFile, key: string): ContactsFile {
	const index = file.columns.indexOf(key);
	if (index < 0) return file;
	const fromEnd = file.columns.length - 1 - index;
	const removeAt = (fields: string[]) => {
		const at = fields.length - 1 - fromEnd;
		if (at >= 1) fields.splice(at, 1);
		return fields.join(file.delimiter);
	};
	const headerFields = file.headerLine.split(file.delimiter);
	headerFields.splice(index, 1);
	const lines: string[] = new Array(file.lines.length);
	const rows: ContactRow[] = new Array(file.rows.length);
	for (let i = 0; i < file.rows.length; i++) {
		const row = file.rows[i];
		lines[i] = removeAt(file.lines[i].split(file.delimiter));
		if (row.malformed) {
			rows[i] = { ...row, rawLine: lines[i] };
		} else {
			const copy = { ...row };
			delete copy[key];
			rows[i] = copy;
		}
	}
	return {
		...file,
		headerLine: headerFields.join(file.delimiter),
		columns: file.columns.filter((_, i) => i !== index),
		rows,
		lines,
	};
}

/**
 * Header and lines with only the given columns, in file order (the Fields option, applied to the
 * file too). A malformed row cannot be split reliably, so it keeps only its participant ID.
 */
export function keepColumns(
	file: Pick<ContactsFile, 'headerLine' | 'delimiter' | 'columns'>,
	rows: ContactRow[],
	lines: string[],
	fields: string[],
): { headerLine: string; lines: string[] } {
	const { delimiter, columns } = file;
	const kept = columns.flatMap((column, index) => (fields.includes(column) ? [index] : []));
	const pick = (values: string[]) => kept.map((index) => values[index] ?? '').join(delimiter);
	return {
		headerLine: pick(file.headerLine.split(delimiter)),
		lines: rows.map((row, r) =>
			row.malformed
				? kept.map((index) => (columns[index] === 'participantId' ? row.participantId : '')).join(delimiter)
				: pick(lines[r].split(delimiter)),
		),
	};
}

/** The file in the server's own layout: header, one line per row, and the trailing blank line. */
export function serialiseContactsFile(headerLine: string, lines: string[]): string {
	return lines.length === 0 ? `${headerLine}\n\n` : `${headerLine}\n${lines.join('\n')}\n\n`;
}
