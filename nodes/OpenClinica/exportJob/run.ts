// One export job from start to parsed file: submit → wait → download → parse → optional delete.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dropColumn, parseContactsFile, type ContactsFile } from '../contactsFile';
import type { PageData } from '../paging';
import type { Connection } from '../transport';
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
export function parseDownloadedFile(this: IExecuteFunctions, download: DownloadedFile): ContactsFile {
	const file = parseContactsFile(download.body);
	if (file.empty) {
		throw new NodeOperationError(this.getNode(), `The export file of job ${download.jobUuid} is empty (0 bytes)`, {
			description:
				'OpenClinica finished the job but wrote no file content, not even the header line. Servers from August to December 2019 do this when the site has removed participants; it also happens when writing the file failed. Ask your OpenClinica administrator to check the server.',
		});
	}
	return file;
}

export async function runExportPage(
	this: IExecuteFunctions,
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
	let file = parseDownloadedFile.call(this, result.file);
	let modified = false;
	// Servers before July 2019 send access codes even when not asked for: drop them here.
	if (!params.includeAccessCodes && file.columns.includes('accessCode')) {
		file = dropColumn(file, 'accessCode');
		modified = true;
	}
	if (options.deleteJobAfterDownload) {
		await deleteExportJob.call(this, connection, jobUuid, subject);
	}
	return { pageNumber: params.pageNumber, jobUuid, file, download: result.file, modified };
}
