// Turns downloaded contact files into n8n items: one per participant, and/or one holding the CSV.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { keepColumns, serialiseContactsFile, type ContactRow, type ContactsFile } from './contactsFile';
import { mimeTypeForFileName } from './transport/contentDisposition';

export type OutputMode = 'items' | 'file' | 'itemsAndFile';

export interface ExportData {
	/** Header line, delimiter and columns of the (first) file. */
	headerLine: string;
	delimiter: ContactsFile['delimiter'];
	columns: string[];
	rows: ContactRow[];
	lines: string[];
	jobUuids: string[];
	/** The server's name for the file. */
	fileName?: string;
	/** The server's bytes when one page was downloaded and used unchanged (ignored with fields). */
	originalBytes?: Buffer;
	/** Used when the server sent no file name. */
	fallbackFileName: string;
}

export interface OutputOptions {
	output: OutputMode;
	binaryPropertyName: string;
	/** Empty: all columns. */
	fields: string[];
}

export function participantJson(row: ContactRow, fields: string[]): IDataObject {
	if (row.malformed) {
		const json: IDataObject = { participantId: row.participantId, malformed: true };
		if (fields.length === 0 && row.rawLine !== undefined) json.rawLine = row.rawLine;
		return json;
	}
	if (fields.length === 0) return { ...row } as IDataObject;
	const json: IDataObject = {};
	for (const field of fields) {
		if (row[field] !== undefined) json[field] = row[field];
	}
	return json;
}

export async function buildOutput(
	this: IExecuteFunctions,
	itemIndex: number,
	data: ExportData,
	options: OutputOptions,
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: itemIndex };
	const items: INodeExecutionData[] = [];

	if (options.output !== 'file') {
		for (const row of data.rows) items.push({ json: participantJson(row, options.fields), pairedItem });
	}
	if (options.output !== 'items') {
		const fileName = data.fileName ?? data.fallbackFileName;
		let bytes = data.originalBytes;
		if (options.fields.length > 0 || !bytes) {
			// Re-serialised in the server's layout; Fields keeps other columns (contact data) out.
			const { headerLine, lines } =
				options.fields.length > 0 ? keepColumns(data, data.rows, data.lines, options.fields) : data;
			bytes = Buffer.from(serialiseContactsFile(headerLine, lines), 'utf8');
		}
		const binary = await this.helpers.prepareBinaryData(bytes, fileName, mimeTypeForFileName(fileName));
		items.push({
			json: {
				fileName,
				participants: data.rows.length,
				pages: data.jobUuids.length,
				jobUuids: data.jobUuids,
			},
			binary: { [options.binaryPropertyName]: binary },
			pairedItem,
		});
	}
	return items;
}
