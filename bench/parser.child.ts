// Measurement 1, one parser per process (peak RSS is per process): our contacts-file parser, csv-parse
// and papaparse on the same bytes, producing the same objects (one object per row, keyed by the
// node's column keys). Timing includes decoding the bytes, which every parser must do.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as csvParse } from 'csv-parse/sync';
import Papa from 'papaparse';

import { childArgs, DIST, emit, median, peakRssMiB, rssMiB } from './lib';

type ContactsModule = typeof import('../nodes/OpenClinica/contactsFile');

export type ParserName = 'ours' | 'csv-parse' | 'papaparse';

export interface ParserArgs {
	parser: ParserName;
	file: string;
	warmup: number;
	iterations: number;
}

export interface ParserResult {
	parser: ParserName;
	rows: number;
	bytes: number;
	medianMs: number;
	minMs: number;
	rowsPerSecond: number;
	/** Peak RSS of the process (input bytes included) and RSS before the first parse. */
	peakRssMiB: number;
	idleRssMiB: number;
	/** sha1 of the rows as JSON: equal hashes prove equal objects. */
	hash: string;
}

async function main() {
	const args = childArgs<ParserArgs>();
	// The built parser, as shipped in dist/.
	const contacts = (await import(path.join(DIST, 'contactsFile.js'))) as ContactsModule;
	const bytes = readFileSync(args.file);

	const parseOnce = (): object[] => {
		switch (args.parser) {
			case 'ours':
				return contacts.parseContactsFile(bytes).rows;
			case 'csv-parse':
				return csvParse(bytes, {
					columns: (header: string[]) => header.map((h, i) => contacts.columnKey(h, i)),
					bom: true,
					quote: false,
					skip_empty_lines: true,
				}) as object[];
			case 'papaparse':
				return Papa.parse<object>(contacts.decodeUtf8(bytes), {
					header: true,
					skipEmptyLines: true,
					transformHeader: (h: string, i: number) => contacts.columnKey(h, i),
					// The server never quotes; a character that cannot occur keeps papaparse from
					// treating a name that starts with a quote as a quoted field (and lets it use its fast path).
					quoteChar: '\u0000',
				}).data;
		}
	};

	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	const idle = rssMiB();
	let rows: object[] = [];
	for (let i = 0; i < args.warmup; i++) rows = parseOnce();
	const times: number[] = [];
	for (let i = 0; i < args.iterations; i++) {
		rows = [];
		const start = process.hrtime.bigint();
		rows = parseOnce();
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	const peak = peakRssMiB();
	const hash = createHash('sha1').update(JSON.stringify(rows)).digest('hex');
	const medianMs = median(times);
	const result: ParserResult = {
		parser: args.parser,
		rows: rows.length,
		bytes: bytes.length,
		medianMs,
		minMs: Math.min(...times),
		rowsPerSecond: rows.length / (medianMs / 1000),
		peakRssMiB: peak,
		idleRssMiB: idle,
		hash,
	};
	emit(result);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
