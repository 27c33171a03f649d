// One export job from start to parsed file: submit → wait → download → parse → optional delete.
import { NodeOperationError } from 'n8n-workflow';

import { dropColumn, parseContactsFile, type ContactsFile } from '../contactsFile';
import type { PageData } from '../paging';
import type { ApiContext, Connection } from '../transport';
import type { ErrorSubject } from '../transport/errors';
import { submitExportJob, type SubmitParams } from './submit';
import { deleteExportJob, downloadExportFile, type DownloadedFile } from './wait';

export interface ExportPage extends PageData {
	download: DownloadedFile;
	/** The file differs from the server's bytes (a column was dropped). */
	modified: boolean;
}

export interface JobOptions {
	timeoutMs: number;
	pollIntervalMs: number;
	deleteJobAfterDownload: boolean;
}

/** Parses a downloaded file; a 0-byte file is an error, never "no participants". */
export function parseDownloadedFile(this: ApiContext, download: DownloadedFile): ContactsFile {
	const file = parseContactsFile(download.body);
	if (file.empty) {
		throw new NodeOperationError(this.getNode(), `The export file of job ${download.jobUuid} is empty (0 bytes)`, {
			description:
				'OpenClinica finished the job but wrote no file content, not even the header line. Servers from August to December 2019 do this when the site has removed participants; it also happens when writing the file failed. Ask your OpenClinica administrator to check the server.',
		});
	}
	return file;
}

/**
 * The columns of a file that the user did not ask for or that the server left unfilled (spec §2.5):
 * - servers before July 2019 (V1–V5) always send access codes: without Include Access Codes they
 *   are dropped here, so they never reach n8n's execution data;
 * - July–December 2019 servers (V6–V11) send the Access Code column empty and leave Participate
 *   Status empty too unless access codes are asked for: both are dropped rather than reported as
 *   "no status". Recognised by an Access Code column that is empty in every row.
 */
export function withoutUnaskedColumns(
	parsed: ContactsFile,
	includeAccessCodes: boolean,
): { file: ContactsFile; modified: boolean } {
	if (includeAccessCodes || !parsed.columns.includes('accessCode')) return { file: parsed, modified: false };
	const wellFormed = parsed.rows.filter((row) => !row.malformed);
	const codesUnfilled = wellFormed.length > 0 && wellFormed.every((row) => (row.accessCode ?? '') === '');
	const statusUnfilled = wellFormed.every((row) => (row.participateStatus ?? '') === '');
	let file = dropColumn(parsed, 'accessCode');
	if (codesUnfilled && statusUnfilled) file = dropColumn(file, 'participateStatus');
	return { file, modified: true };
}

export async function runExportPage(
	this: ApiContext,
	connection: Connection,
	params: SubmitParams,
	options: JobOptions,
): Promise<ExportPage> {
	const subject: ErrorSubject = { studyOid: params.studyOid, siteOid: params.siteOid };
	const jobUuid = await submitExportJob.call(this, connection, params);
	const result = await downloadExportFile.call(this, connection, jobUuid, {
		wait: true,
		timeoutMs: options.timeoutMs,
		pollIntervalMs: options.pollIntervalMs,
		subject,
	});
	if (!result.ready) {
		// Not reachable with wait: true; keeps the types honest.
		throw new NodeOperationError(this.getNode(), `Export job ${jobUuid} is not ready`);
	}
	const parsed = parseDownloadedFile.call(this, result.file);
	const { file, modified } = withoutUnaskedColumns(parsed, params.includeAccessCodes);
	if (options.deleteJobAfterDownload) {
		await deleteExportJob.call(this, connection, jobUuid, subject);
	}
	return { pageNumber: params.pageNumber, jobUuid, file, download: result.file, modified };
}
