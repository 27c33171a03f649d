// One export job from start to parsed file: submit → wait → download → parse → optional delete.
import { NodeOperationError } from 'n8n-workflow';

import { dropColumn, parseContactsFile, type ContactsFile } from '../contactsFile';
import { deleteJob } from '../jobs';
import type { PageData } from '../paging';
import type { ApiContext, Connection } from '../transport';
import type { ErrorSubject } from '../transport/errors';
import { submitExportJob, type SubmitParams } from './submit';
import { downloadExportFile, type DownloadedFile } from './wait';

export interface ExportPage extends PageData {
	download: DownloadedFile;
	/** The file differs from the server's bytes (a column was dropped). */
	modified: boolean;
}

export interface JobOptions {
	timeoutMs: number;
	pollIntervalMs: number;
	deleteJobAfterDownload: boolean;
	/** Aborted when the page is no longer needed (collectPages: another page failed). */
	stop?: AbortSignal;
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
 * The execution hint for access codes asked for but not in the file (spec §6.2 G): OpenClinica
 * 4.13 gives study-level users a file with participant IDs and status only.
 */
export function missingAccessCodesHint(includeAccessCodes: boolean, file: ContactsFile): string | undefined {
	if (!includeAccessCodes || file.columns.includes('accessCode')) return undefined;
	return 'No access codes were returned: OpenClinica only gives them to users with a Clinical Research Coordinator or Investigator role at the site (study-level users get participant IDs and status only).';
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
	if (options.stop?.aborted) {
		// Never submit a job nobody will wait for.
		throw new NodeOperationError(this.getNode(), `Export page ${params.pageNumber} was not started`, {
			description: 'Another page of the same export failed.',
		});
	}
	const jobUuid = await submitExportJob.call(this, connection, params);
	const result = await downloadExportFile.call(this, connection, jobUuid, {
		wait: true,
		timeoutMs: options.timeoutMs,
		pollIntervalMs: options.pollIntervalMs,
		subject,
		stop: options.stop,
	});
	if (!result.ready) {
		// Not reachable with wait: true; keeps the types honest.
		throw new NodeOperationError(this.getNode(), `Export job ${jobUuid} is not ready`);
	}
	const parsed = parseDownloadedFile.call(this, result.file);
	const { file, modified } = withoutUnaskedColumns(parsed, params.includeAccessCodes);
	if (options.deleteJobAfterDownload) {
		await deleteJob.call(this, connection, jobUuid);
	}
	return { pageNumber: params.pageNumber, jobUuid, file, download: result.file, modified };
}
