// Raw HTTP client for tests: full control over every header (including sending no User-Agent or
// no Accept at all), no redirects, no decoding, no keep-alive. Plus small helpers for the
// OpenClinica flow: token, submit, download, poll.
import * as http from 'node:http';
import * as https from 'node:https';

export const SANDBOX_PASSWORD = 'Sandbox-Pass-1';
export const DEFAULT_USER_AGENT = 'oc-sandbox-contract-tests/1.0';
export const AXIOS_ACCEPT = 'application/json, text/plain, */*';

export interface HttpResponse {
	status: number;
	/** Lower-cased header names, as node parses them. */
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	text: string;
}

export interface RequestOptions {
	method?: string;
	/**
	 * Extra headers. A `null` value removes a default header (User-Agent, Accept), so the request
	 * is sent without it.
	 */
	headers?: Record<string, string | null | undefined>;
	body?: string | Buffer;
	timeoutMs?: number;
	/** For https: accept this CA (PEM). */
	ca?: string;
}

export function header(res: HttpResponse, name: string): string | undefined {
	const v = res.headers[name.toLowerCase()];
	return Array.isArray(v) ? v.join(', ') : v;
}

export function request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
	const u = new URL(url);
	const merged: Record<string, string | null | undefined> = {
		'user-agent': DEFAULT_USER_AGENT,
		accept: '*/*',
	};
	for (const [k, v] of Object.entries(opts.headers ?? {})) merged[k.toLowerCase()] = v;
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(merged)) if (v !== null && v !== undefined) headers[k] = v;
	const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
	if (body !== undefined) headers['content-length'] = String(body.length);
	const lib = u.protocol === 'https:' ? https : http;
	return new Promise<HttpResponse>((resolve, reject) => {
		const req = lib.request(
			{
				protocol: u.protocol,
				hostname: u.hostname,
				port: u.port,
				// Keep the path exactly as written (percent-encoding included).
				path: u.pathname + u.search,
				method: opts.method ?? 'GET',
				headers,
				agent: false,
				ca: opts.ca,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('error', reject);
				res.on('end', () => {
					const buf = Buffer.concat(chunks);
					resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text: buf.toString('utf8') });
				});
			},
		);
		req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${url}`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** POST the JSON credentials to the token URL; returns the raw response. */
export function tokenRequest(tokenUrl: string, username: string, password = SANDBOX_PASSWORD): Promise<HttpResponse> {
	return request(tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password }),
	});
}

/** Log in and return the raw JWT text. Throws on any non-200. */
export async function login(tokenUrl: string, username: string, password = SANDBOX_PASSWORD): Promise<string> {
	const res = await tokenRequest(tokenUrl, username, password);
	if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
	return res.text;
}

/** encodeURIComponent plus the characters it leaves alone, so `(TEST)` becomes `%28TEST%29`. */
export function encodeOid(oid: string): string {
	return encodeURIComponent(oid).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export const API = '/pages/auth/api';

export function extractUrl(
	studyUrl: string,
	studyOid: string,
	siteOid: string,
	query = '',
	segment = 'extractParticipantsInfo',
): string {
	const q = query ? `?${query}` : '';
	return `${studyUrl}${API}/clinicaldata/studies/${encodeOid(studyOid)}/sites/${encodeOid(siteOid)}/participants/${segment}${q}`;
}

export function downloadUrl(studyUrl: string, uuid: string, query = ''): string {
	return `${studyUrl}${API}/jobs/${uuid}/downloadFile${query ? `?${query}` : ''}`;
}

export interface SubmitOptions {
	study?: string;
	site?: string;
	/** Raw query string, sent exactly as written. */
	query?: string;
	method?: string;
	segment?: string;
	accept?: string | null;
	userAgent?: string | null;
	body?: string;
}

export function submitJob(studyUrl: string, token: string, o: SubmitOptions = {}): Promise<HttpResponse> {
	return request(extractUrl(studyUrl, o.study ?? 'S_JUNO', o.site ?? 'S_JUNO_BOS', o.query ?? '', o.segment), {
		method: o.method ?? 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			accept: o.accept === undefined ? '*/*' : o.accept,
			'user-agent': o.userAgent === undefined ? DEFAULT_USER_AGENT : o.userAgent,
		},
		body: o.body,
	});
}

export const JOB_UUID_BODY = /^job uuid: ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/;

/** The uuid of a successful submit; throws with the answer when it is not one. */
export function jobUuidOf(res: HttpResponse): string {
	const m = JOB_UUID_BODY.exec(res.text);
	if (res.status !== 200 || !m) throw new Error(`submit did not succeed: HTTP ${res.status} ${JSON.stringify(res.text.slice(0, 300))}`);
	return m[1];
}

export interface DownloadOptions {
	/** `null` sends no User-Agent header at all. */
	userAgent?: string | null;
	accept?: string | null;
	query?: string;
}

export function downloadJob(studyUrl: string, token: string, uuid: string, o: DownloadOptions = {}): Promise<HttpResponse> {
	return request(downloadUrl(studyUrl, uuid, o.query), {
		headers: {
			authorization: `Bearer ${token}`,
			accept: o.accept === undefined ? '*/*' : o.accept,
			'user-agent': o.userAgent === undefined ? DEFAULT_USER_AGENT : o.userAgent,
		},
	});
}

export function isInProgress(res: HttpResponse): boolean {
	return res.status === 200 && res.text === 'error.jobInProgress';
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Poll the download until the answer is not `200 error.jobInProgress` (bounded: throws after
 * `timeoutMs`). Returns the first other answer and how many in-progress answers came before it.
 */
export async function pollDownload(
	studyUrl: string,
	token: string,
	uuid: string,
	o: DownloadOptions & { timeoutMs?: number; intervalMs?: number } = {},
): Promise<HttpResponse & { inProgressPolls: number }> {
	const deadline = Date.now() + (o.timeoutMs ?? 10_000);
	let inProgressPolls = 0;
	for (;;) {
		const res = await downloadJob(studyUrl, token, uuid, o);
		if (!isInProgress(res)) return { ...res, inProgressPolls };
		inProgressPolls++;
		if (Date.now() > deadline) throw new Error(`job ${uuid} still in progress after ${inProgressPolls} polls`);
		await delay(o.intervalMs ?? 15);
	}
}

/** Submit, then poll until the job is no longer in progress; the last answer is returned. */
export async function submitAndDownload(
	studyUrl: string,
	token: string,
	o: SubmitOptions & { download?: DownloadOptions } = {},
): Promise<{ uuid: string; submit: HttpResponse; file: HttpResponse }> {
	const submit = await submitJob(studyUrl, token, o);
	const uuid = jobUuidOf(submit);
	const file = await pollDownload(studyUrl, token, uuid, o.download);
	return { uuid, submit, file };
}
