// Step 2 of an export: poll the download endpoint until the job's file arrives (spec §3, §6.2 D).
// OpenClinica has no "job finished" signal besides the download itself, answers "not ready" and
// several errors with HTTP 200, and mixes `error.` and `errorCode.` prefixes.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest, type ApiResponse, type Connection } from '../transport';
import { apiError, errorFromExplanation, explainStatus, statusToken, type ErrorSubject } from '../transport/errors';
import { fileNameFromContentDisposition } from '../transport/contentDisposition';
import { downloadPath, jobPath } from '../transport/urls';
import { sleepCancellable } from './sleep';

// Polling starts at the user's Poll Interval and grows by POLL_GROWTH after each "in progress",
// up to MAX_POLL_INTERVAL_MS. Growing by 20% keeps the delay between the job finishing and its
// download under ~20% of the time already waited, while the number of requests grows only
// logarithmically with the job's duration until the cap (a 10-minute job: about 30 polls from 2 s).
export const POLL_GROWTH = 1.2;
export const MAX_POLL_INTERVAL_MS = 30_000;
// `noLogFileFound` is transient right after a job completes on some servers: retry it this often.
export const NO_LOG_FILE_RETRIES = 3;
// 5xx answers and HTML pages that survive the transport's own retries: poll again this often.
export const SERVER_ERROR_RETRIES = 3;

export interface DownloadedFile {
	jobUuid: string;
	body: Buffer;
	fileName?: string;
	contentType?: string;
}

export type DownloadAnswer =
	| { kind: 'file'; fileName?: string }
	| { kind: 'status'; code: string }
	| { kind: 'serverError'; html: boolean }
	| { kind: 'error' };

const looksLikeHtml = (text: string) => /^\s*</.test(text);

// The first line of a contact file in any version: ParticipantId / Participant Id first.
const CONTACTS_HEADER = /^\uFEFF?\s*participant\s*id\s*[,|]/i;

/** What one answer of the download endpoint means. */
export function classifyDownload(response: Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text'>): DownloadAnswer {
	const disposition = response.headers['content-disposition'];
	const contentType = (response.headers['content-type'] ?? '').toLowerCase();
	if (
		response.status === 200 &&
		((disposition !== undefined && disposition !== '') || contentType.startsWith('application/force-download'))
	) {
		return { kind: 'file', fileName: fileNameFromContentDisposition(disposition) };
	}
	// Status tokens are short; only decode a short body to look for one.
	const head = response.body.length <= 200 ? response.text() : '';
	const token = statusToken(head);
	if (token) return { kind: 'status', code: token };

	const start = new TextDecoder('utf-8').decode(response.body.subarray(0, 200));
	if (response.status === 200 && CONTACTS_HEADER.test(start)) return { kind: 'file' };
	if (response.status >= 500) return { kind: 'serverError', html: looksLikeHtml(start) };
	if (response.status === 200 && (contentType.startsWith('text/html') || looksLikeHtml(start))) {
		return { kind: 'serverError', html: true };
	}
	return { kind: 'error' };
}

export interface WaitOptions {
	/** false: look once, and report "not ready" instead of waiting. */
	wait: boolean;
	timeoutMs: number;
	pollIntervalMs: number;
	subject: ErrorSubject;
}

export type DownloadResult = { ready: true; file: DownloadedFile } | { ready: false };

export async function downloadExportFile(
	this: IExecuteFunctions,
	connection: Connection,
	jobUuid: string,
	options: WaitOptions,
): Promise<DownloadResult> {
	const subject = { ...options.subject, jobUuid, studyUrl: connection.studyUrl };
	const signal = this.getExecutionCancelSignal?.();
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	let interval = options.pollIntervalMs;
	let noLogFile = 0;
	let serverErrors = 0;
	let polls = 0;

	for (;;) {
		polls++;
		const response = await apiRequest.call(this, connection, {
			method: 'GET',
			path: downloadPath(jobUuid),
			retry: true,
			context: 'download',
			subject,
		});
		const answer = classifyDownload(response);

		if (answer.kind === 'file') {
			this.logger.debug(`OpenClinica export job ${jobUuid}: file received after ${polls} poll(s)`);
			return {
				ready: true,
				file: {
					jobUuid,
					body: response.body,
					fileName: answer.fileName,
					contentType: response.headers['content-type'],
				},
			};
		}
		if (answer.kind === 'status' && answer.code === 'jobinprogress') {
			if (!options.wait) return { ready: false };
		} else if (answer.kind === 'status' && answer.code === 'nologfilefound') {
			if (++noLogFile > NO_LOG_FILE_RETRIES) throw apiError(this.getNode(), response, 'download', subject);
		} else if (answer.kind === 'serverError') {
			if (++serverErrors > SERVER_ERROR_RETRIES) {
				if (response.status === 200) {
					throw errorFromExplanation(
						this.getNode(),
						{
							message: `OpenClinica sent an HTML page instead of the export file of job ${jobUuid}`,
							description:
								'A proxy, login page or server error page answered instead of OpenClinica. Check the credential\'s Study URL, then try again later.',
						},
						200,
					);
				}
				throw errorFromExplanation(
					this.getNode(),
					explainStatus(response.status, 'download', subject),
					response.status,
				);
			}
		} else {
			throw apiError(this.getNode(), response, 'download', subject);
		}

		const now = Date.now();
		if (now >= deadline) {
			const waited = Math.round((now - started) / 1000);
			throw new NodeOperationError(
				this.getNode(),
				`Export job ${jobUuid} did not finish within ${waited} seconds`,
				{
					description: `The job may still be running in OpenClinica. Job UUID: ${jobUuid}. Resume later with the Download Export operation and this job UUID, or raise Options > Timeout.`,
				},
			);
		}
		await sleepCancellable(Math.min(interval, deadline - now), signal);
		interval = Math.min(interval * POLL_GROWTH, MAX_POLL_INTERVAL_MS);
	}
}

/** Deletes a job and its file on the server (spec §4.2). */
export async function deleteExportJob(
	this: IExecuteFunctions,
	connection: Connection,
	jobUuid: string,
	subject: ErrorSubject,
): Promise<void> {
	const response = await apiRequest.call(this, connection, {
		method: 'DELETE',
		path: jobPath(jobUuid),
		retry: true,
		context: 'delete',
		subject: { ...subject, jobUuid },
	});
	if (response.status < 200 || response.status > 299) {
		throw apiError(this.getNode(), response, 'delete', { ...subject, jobUuid, studyUrl: connection.studyUrl });
	}
}
