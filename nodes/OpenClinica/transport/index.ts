// The only code that talks HTTP to the OpenClinica runtime. Every call goes through
// this.helpers.httpRequestWithAuthentication (n8n adds the bearer token, proxies and the
// execution's cancel signal) and comes back as status + headers + raw bytes, whatever the status
// and Content-Type: OpenClinica labels plain text as JSON and reports errors with HTTP 200.
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { sleepCancellable } from '../exportJob/sleep';
import { CREDENTIAL_TYPE, USER_AGENT } from '../version';
import { errorFromExplanation, explainStatus, type ErrorContext, type ErrorSubject } from './errors';
import { checkStudyUrl } from './urls';

/**
 * The node context the OpenClinica calls run in: the action node's or the polling trigger's. Both
 * have the credential, request, logger and getNode helpers used here; only execute() has a cancel
 * signal (read it through cancelSignal()).
 */
export type ApiContext = IExecuteFunctions | IPollFunctions;

export function cancelSignal(context: ApiContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal?.() : undefined;
}

export interface Connection {
	studyUrl: string;
	ignoreSslIssues: boolean;
}

export interface ApiRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path from urls.ts, already encoded. */
	path: string;
	qs?: IDataObject;
	/** Retry on 5xx and dropped connections. Only for idempotent requests; never the submit. */
	retry: boolean;
	/**
	 * Wait before the first retry, doubled for each further one (default 1 s: 1, 2, 4 s). Download
	 * polls pass their poll interval when it is shorter: a poll is repeated by the wait loop anyway.
	 */
	retryDelayMs?: number;
	/** Return 5xx answers at once, for a caller that decides what they mean (download polls). */
	returnServerErrors?: boolean;
	/**
	 * Statuses never retried, even with retry on: answers OpenClinica gives every time for the same
	 * request, such as 500 for an unknown job UUID on delete (spec §4.2).
	 */
	finalStatuses?: number[];
	/**
	 * Time (ms since epoch) the caller gives up at: bounds each attempt's timeout, and a retry whose
	 * wait would end after it is not made (the download wait's Timeout option).
	 */
	deadline?: number;
	/** Ends retry waits at once; default: the execution's cancel signal. */
	signal?: AbortSignal;
	/** For error messages. */
	context: ErrorContext;
	subject?: ErrorSubject;
}

export interface ApiResponse {
	status: number;
	/** Lower-case header names. */
	headers: Record<string, string | undefined>;
	body: Buffer;
	text(): string;
}

// Idempotent requests are retried this many times, waiting 1 s, 2 s, 4 s: long enough for a
// restarting proxy, short enough to fail fast when the server is really down.
export const MAX_RETRIES = 3;
export const RETRY_BASE_DELAY_MS = 1000;
const REQUEST_TIMEOUT_MS = 300_000;
// Shortest timeout of a request near its deadline: an answer needs at least this long.
const MIN_REQUEST_TIMEOUT_MS = 1000;

// Non-2xx statuses whose reason may be in the X-runtimeApp-error header only (empty body): such an
// answer is sent once more with HTTP errors ignored to read its headers. None of them creates a job.
// Any other status (a proxy's 502/504 in front of a server that did create the job) is never
// replayed: that would submit a second export.
const HEADER_ERROR_STATUSES = new Set(['400', '404', '405', '417']);

// Errors without an HTTP answer that are worth another try.
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ECONNREFUSED',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export async function getConnection(this: ApiContext): Promise<Connection> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const check = checkStudyUrl(credentials.studyUrl);
	if (!check.ok) {
		throw new NodeOperationError(this.getNode(), `${check.problem} (credential field Study URL)`, {
			description: check.hint,
		});
	}
	return { studyUrl: check.url, ignoreSslIssues: credentials.ignoreSslIssues === true };
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body), 'utf8');
}

function toApiResponse(full: IN8nHttpFullResponse): ApiResponse {
	const headers: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(full.headers ?? {})) {
		if (value === undefined || value === null) continue;
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	const body = toBuffer(full.body);
	let text: string | undefined;
	return {
		status: full.statusCode,
		headers,
		body,
		text: () => (text ??= new TextDecoder('utf-8').decode(body)),
	};
}

/** The HTTP status or network error code n8n put on the error it threw. */
function errorCodeOf(error: unknown): string {
	const code = (error as { httpCode?: unknown })?.httpCode;
	return typeof code === 'string' ? code : '';
}

/** The response body n8n-workflow keeps on a NodeApiError (context.data), when it is bytes. */
function errorBodyOf(error: unknown): Buffer | undefined {
	const data = (error as { context?: { data?: unknown } })?.context?.data;
	return Buffer.isBuffer(data) && data.length > 0 ? data : undefined;
}

async function send(
	this: ApiContext,
	options: IHttpRequestOptions,
	ignoreHttpStatusErrors: boolean,
): Promise<ApiResponse> {
	const full = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, {
		...options,
		headers: { ...options.headers },
		ignoreHttpStatusErrors,
	})) as IN8nHttpFullResponse;
	return toApiResponse(full);
}

/**
 * One request, with n8n's token refresh: n8n logs in again (the credential's preAuthentication)
 * and replays the request once when its helper gets a 401, which only happens when HTTP errors are
 * not ignored. So requests are sent with HTTP errors on. On a non-2xx answer n8n throws an error
 * that keeps the status (httpCode) and the body bytes (context.data) but not the headers; when the
 * body is empty (errors reported only in the X-runtimeApp-error header) or not kept (other n8n
 * versions), a header-error status is sent once more with HTTP errors ignored to read the full
 * answer; any other status is returned with an empty body.
 */
async function sendWithTokenRefresh(
	this: ApiContext,
	options: IHttpRequestOptions,
	request: ApiRequest,
	connection: Connection,
): Promise<ApiResponse> {
	try {
		return await send.call(this, options, false);
	} catch (error) {
		const code = errorCodeOf(error);
		if (code === '401') {
			// n8n has already logged in again and replayed once.
			throw errorFromExplanation(
				this.getNode(),
				explainStatus(401, request.context, { ...request.subject, studyUrl: connection.studyUrl }),
				401,
			);
		}
		if (!/^\d{3}$/.test(code)) {
			// No HTTP answer, or the login failed: n8n's error already says what happened.
			if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error);
			throw new NodeApiError(this.getNode(), error as JsonObject);
		}
		const body = errorBodyOf(error);
		if (body || !HEADER_ERROR_STATUSES.has(code)) {
			return toApiResponse({ statusCode: Number(code), headers: {}, body });
		}
	}
	return await send.call(this, options, true);
}

export const isTlsProblem = (code: string) => /CERT|SSL|TLS/i.test(code);

/**
 * A network error code in words. Messages must not contain the code itself: n8n replaces a message
 * that mentions ECONNREFUSED, ECONNRESET and the like with its own text, which names no host.
 */
export function networkProblem(code: string): string {
	if (isTlsProblem(code)) return 'its TLS certificate was not accepted';
	switch (code) {
		case 'ECONNREFUSED':
			return 'the connection was refused';
		case 'ECONNRESET':
		case 'EPIPE':
			return 'the connection was closed without an answer';
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
			return 'the connection timed out';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'the host name was not found';
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return 'the host is unreachable';
		default:
			return 'the connection failed';
	}
}

/** The error for a request that got no usable answer. */
function requestError(
	this: ApiContext,
	error: unknown,
	connection: Connection,
	request: ApiRequest,
): NodeApiError | NodeOperationError {
	const code = errorCodeOf(error);
	if (!/^[A-Z][A-Z0-9_]+$/.test(code) || code === 'ERR_CANCELED') {
		// An HTTP error already explained, a failed login, or a cancellation.
		if (error instanceof NodeOperationError) return error;
		return new NodeApiError(this.getNode(), error as JsonObject);
	}
	let host = connection.studyUrl;
	try {
		host = new URL(connection.studyUrl).host;
	} catch {
		// keep the whole URL
	}
	const tls = isTlsProblem(code);
	const jobUuid = request.subject?.jobUuid;
	let consequence = '';
	if (request.context === 'submit') {
		consequence = " The export may have started anyway: OpenClinica's Bulk Actions Log shows its jobs.";
	} else if (request.context === 'download' && jobUuid) {
		consequence = ` Export job ${jobUuid} may still be running: resume later with the Download Export operation and this job UUID.`;
	}
	return errorFromExplanation(this.getNode(), {
		message: `Could not reach OpenClinica at ${host}: ${networkProblem(code)}`,
		description: tls
			? `The server's TLS certificate was not accepted (error code ${code}). Fix the certificate, or turn on "Ignore SSL Issues (Insecure)" in the credential if you trust this server.`
			: `Error code ${code}. Check the credential's Study URL and the network between n8n and the server.${consequence}`,
	});
}

export async function apiRequest(
	this: ApiContext,
	connection: Connection,
	request: ApiRequest,
): Promise<ApiResponse> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${connection.studyUrl}${request.path}`,
		qs: request.qs,
		headers: { Accept: '*/*', 'User-Agent': USER_AGENT },
		encoding: 'arraybuffer',
		returnFullResponse: true,
		skipSslCertificateValidation: connection.ignoreSslIssues,
		json: false,
	};
	const { deadline } = request;
	const signal = request.signal ?? cancelSignal(this);
	const attempts = request.retry ? MAX_RETRIES + 1 : 1;

	for (let attempt = 1; ; attempt++) {
		let response: ApiResponse | undefined;
		let failure: unknown;
		options.timeout =
			deadline === undefined
				? REQUEST_TIMEOUT_MS
				: Math.min(REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, deadline - Date.now()));
		try {
			response = await sendWithTokenRefresh.call(this, options, request, connection);
		} catch (error) {
			failure = error;
		}
		const transient = response
			? response.status >= 500 &&
				request.returnServerErrors !== true &&
				!request.finalStatuses?.includes(response.status)
			: TRANSIENT_NETWORK_CODES.has(errorCodeOf(failure));
		const delay = (request.retryDelayMs ?? RETRY_BASE_DELAY_MS) * 2 ** (attempt - 1);
		const pastDeadline = deadline !== undefined && Date.now() + delay >= deadline;
		if (!transient || attempt >= attempts || pastDeadline || signal?.aborted === true) {
			if (response) return response;
			throw requestError.call(this, failure, connection, request);
		}
		this.logger.debug(
			`OpenClinica ${request.method} ${request.context}: ${response ? `HTTP ${response.status}` : errorCodeOf(failure)}, retry ${attempt} of ${MAX_RETRIES}`,
		);
		await sleepCancellable(delay, signal);
	}
}
