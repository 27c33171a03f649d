// Step 2 of an export: poll the download endpoint until the job's file arrives (spec §3, §6.2 D).
// OpenClinica has no "job finished" signal besides the download itself, answers "not ready" and
// several errors with HTTP 200, and mixes `error.` and `errorCode.` prefixes.
import { NodeOperationError } from 'n8n-workflow';

import {
	apiRequest,
	cancelSignal,
	MAX_RETRIES,
	RETRY_BASE_DELAY_MS,
	type ApiContext,
	type ApiRequest,
	type ApiResponse,
	type Connection,
} from '../transport';
import { apiError, errorFromExplanation, explainStatus, statusToken, type ErrorSubject } from '../transport/errors';
import { fileNameFromContentDisposition } from '../transport/contentDisposition';
import { downloadPath, NIL_UUID } from '../transport/urls';
import { knownDownloadEra, rememberDownloadEra, type DownloadEra } from './serverEra';
import { linkSignals, sleepCancellable } from './sleep';

// While a job runs, the next poll comes when the time already waited has grown by POLL_GROWTH
// (never sooner than the user's Poll Interval, never later than MAX_POLL_INTERVAL_MS). A job is
// then downloaded at most ~10% of its own duration after it finished, and the number of polls
// grows with the logarithm of the duration until the cap. Measured with `npm run bench` (40 jobs
// of 0.7-70 s): median delay 7% of the job's duration; growing each interval by 1.2 from 2 s
// instead gave 27%, because short jobs were checked far too rarely.
export const POLL_GROWTH = 1.1;
export const MAX_POLL_INTERVAL_MS = 30_000;

/** The pause before the next poll of a running job. */
export function nextPollPause(waitedMs: number, pollIntervalMs: number): number {
	return Math.min(Math.max(pollIntervalMs, (POLL_GROWTH - 1) * waitedMs), MAX_POLL_INTERVAL_MS);
}
// `noLogFileFound` is transient right after a job completes on some servers: retry it this often.
export const NO_LOG_FILE_RETRIES = 3;
// HTML pages sent with HTTP 200 instead of the file (a proxy or login page): poll again this often.
// (5xx answers are retried MAX_RETRIES times in a row, unless the server answers 500 while a job runs.)
export const HTML_PAGE_RETRIES = 3;

export interface DownloadedFile {
	jobUuid: string;
	body: Buffer;
	fileName?: string;
}

export type DownloadAnswer =
	| { kind: 'file'; fileName?: string }
	| { kind: 'status'; code: string }
	| { kind: 'serverError'; html: boolean }
	| { kind: 'error' };

export const looksLikeHtml = (text: string) => /^\s*</.test(text);

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
	/** Aborted when the wait is no longer needed (another page of the same export failed). */
	stop?: AbortSignal;
}

export type DownloadResult = { ready: true; file: DownloadedFile } | { ready: false };

type PollRequest = Pick<ApiRequest, 'retryDelayMs' | 'deadline' | 'signal' | 'subject'>;

/**
 * Whether a 500 from the download endpoint of this server may mean "still running" (serverEra.ts).
 * Only an exact 500 counts, here and in the probe: 502/503/504 come from proxies and outages.
 */
async function downloadEraOf(this: ApiContext, connection: Connection, poll: PollRequest): Promise<DownloadEra> {
	const known = knownDownloadEra(connection.studyUrl);
	if (known) return known;
	// The nil UUID is never a job: V4+ answer `404 error.invalidUuid`, V1–V3 fail with 500.
	const probe = await apiRequest.call(this, connection, {
		...poll,
		method: 'GET',
		path: downloadPath(NIL_UUID),
		retry: true,
		returnServerErrors: true,
		context: 'download',
	});
	const answer = classifyDownload(probe);
	if (answer.kind === 'status') {
		rememberDownloadEra(connection.studyUrl, 'statusStrings');
		return 'statusStrings';
	}
	if (answer.kind === 'serverError' && probe.status === 500) {
		rememberDownloadEra(connection.studyUrl, 'http500WhileRunning');
		this.logger.debug('OpenClinica download endpoint answers 500 for unknown jobs: a server from before May 2019');
		return 'http500WhileRunning';
	}
	return 'statusStrings';
}

export async function downloadExportFile(
	this: ApiContext,
	connection: Connection,
	jobUuid: string,
	options: WaitOptions,
): Promise<DownloadResult> {
	const linked = linkSignals(cancelSignal(this), options.stop);
	try {
		return await waitForFile.call(this, connection, jobUuid, options, linked.signal);
	} finally {
		linked.dispose();
	}
}

async function waitForFile(
	this: ApiContext,
	connection: Connection,
	jobUuid: string,
	options: WaitOptions,
	signal: AbortSignal | undefined,
): Promise<DownloadResult> {
	const subject = { ...options.subject, jobUuid, studyUrl: connection.studyUrl };
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	// Retries of a failed poll wait 1, 2, 4 s, or the poll interval doubling when that is shorter:
	// the wait loop polls again anyway, so a retry need not be slower than a poll.
	const retryDelayMs = Math.min(RETRY_BASE_DELAY_MS, options.pollIntervalMs);
	const poll: PollRequest = { retryDelayMs, deadline, signal, subject };
	let noLogFile = 0;
	let serverErrorsInARow = 0;
	let htmlPages = 0;
	let running500s = 0;
	let sawInProgress = false;
	let polls = 0;

	for (;;) {
		if (options.stop?.aborted) {
			throw new NodeOperationError(this.getNode(), `Stopped waiting for export job ${jobUuid}`, {
				description: 'Another page of the same export failed.',
			});
		}
		polls++;
		const response = await apiRequest.call(this, connection, {
			...poll,
			method: 'GET',
			path: downloadPath(jobUuid),
			retry: true,
			// 5xx answers are judged here: on old servers a 500 means "still running".
			returnServerErrors: true,
			context: 'download',
		});
		const answer = classifyDownload(response);
		let pause = nextPollPause(Date.now() - started, options.pollIntervalMs);
		let inProgress = false;

		if (answer.kind === 'file') {
			if (response.headers['x-studyserviceapp-alert'] !== undefined) {
				rememberDownloadEra(connection.studyUrl, 'http500WhileRunning');
			}
			this.logger.debug(`OpenClinica export job ${jobUuid}: file received after ${polls} poll(s)`);
			return {
				ready: true,
				file: {
					jobUuid,
					body: response.body,
					fileName: answer.fileName,
				},
			};
		}
		if (answer.kind === 'status') rememberDownloadEra(connection.studyUrl, 'statusStrings');

		if (answer.kind === 'status' && answer.code === 'jobinprogress') {
			inProgress = true;
		} else if (answer.kind === 'status' && answer.code === 'nologfilefound') {
			if (++noLogFile > NO_LOG_FILE_RETRIES) throw apiError(this.getNode(), response, 'download', subject);
		} else if (answer.kind === 'status' && answer.code === 'invaliduuid' && sawInProgress) {
			throw errorFromExplanation(
				this.getNode(),
				{
					message: `Export job ${jobUuid} was deleted while waiting for it`,
					description:
						'The job was running a moment ago and is now unknown to OpenClinica: someone deleted it (for example in the Bulk Actions Log). Start a new export.',
				},
				response.status,
				answer.code,
			);
		} else if (answer.kind === 'serverError' && response.status >= 500) {
			const era = response.status === 500 ? await downloadEraOf.call(this, connection, poll) : 'statusStrings';
			if (era === 'http500WhileRunning') {
				// Before May 2019 a running job (and an unknown one) answers 500: poll until the deadline.
				running500s++;
				inProgress = true;
			} else {
				serverErrorsInARow++;
				if (serverErrorsInARow > MAX_RETRIES) {
					throw errorFromExplanation(
						this.getNode(),
						explainStatus(response.status, 'download', subject),
						response.status,
					);
				}
				this.logger.debug(
					`OpenClinica download of job ${jobUuid}: HTTP ${response.status}, retry ${serverErrorsInARow} of ${MAX_RETRIES}`,
				);
				pause = retryDelayMs * 2 ** (serverErrorsInARow - 1);
			}
		} else if (answer.kind === 'serverError') {
			// An HTML page with HTTP 200: a proxy or login page, or a server error page.
			if (++htmlPages > HTML_PAGE_RETRIES) {
				throw errorFromExplanation(
					this.getNode(),
					{
						message: `OpenClinica sent an HTML page instead of the export file of job ${jobUuid}`,
						description:
							"A proxy, login page or server error page answered instead of OpenClinica. Check the credential's Study URL, then try again later.",
					},
					200,
				);
			}
			pause = retryDelayMs * 2 ** (htmlPages - 1);
		} else {
			throw apiError(this.getNode(), response, 'download', subject);
		}

		if (inProgress) {
			sawInProgress = true;
			serverErrorsInARow = 0;
			if (!options.wait) return { ready: false };
		}

		const now = Date.now();
		if (now >= deadline) {
			const waited = Math.round((now - started) / 1000);
			const http500 =
				running500s > 0
					? ` The server answered HTTP 500 to ${running500s} of ${polls} checks: OpenClinica servers from before May 2019 do that while a job runs, and also for unknown or deleted jobs.`
					: '';
			throw new NodeOperationError(
				this.getNode(),
				`Export job ${jobUuid} did not finish within ${waited} seconds`,
				{
					description: `The job may still be running in OpenClinica. Job UUID: ${jobUuid}. Resume later with the Download Export operation and this job UUID, or raise Options > Timeout.${http500}`,
				},
			);
		}
		await sleepCancellable(Math.min(pause, deadline - now), signal);
	}
}
