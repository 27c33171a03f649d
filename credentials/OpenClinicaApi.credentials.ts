import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IN8nHttpFullResponse,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { digest } from '../nodes/OpenClinica/hash';
import { isTlsProblem, networkProblem } from '../nodes/OpenClinica/transport';
import { checkStudyUrl, deriveTokenUrl, tokenCheckPath } from '../nodes/OpenClinica/transport/urls';
import { USER_AGENT } from '../nodes/OpenClinica/version';

// OpenClinica allows 2 logins per minute per IP and answers more with 429 (spec §5.1). Wait once as
// Retry-After says, if that is at most this long, then fail. preAuthentication gets no cancel
// signal (n8n passes only helpers.httpRequest), so this wait is the longest a cancelled execution
// can still be held by a login.
export const MAX_RATE_LIMIT_WAIT_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** The message and fix of a failed login; thrown as an error n8n shows with its description. */
function loginError(message: string, description: string): Error {
	return Object.assign(new Error(message), { description });
}

function retryAfterMs(value: unknown): number {
	const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - Date.now());
}

/** The token endpoint: the credential's own, or the one derived from the study URL (spec §5.3). */
function tokenUrlOf(credentials: ICredentialDataDecryptedObject): string {
	const explicit = typeof credentials.tokenUrl === 'string' ? credentials.tokenUrl.trim() : '';
	if (explicit !== '') {
		if (!/^https?:\/\//i.test(explicit)) {
			throw loginError(
				'The Token URL must start with https:// or http://',
				'Enter the full token endpoint, e.g. https://acme.build.openclinica.io/user-service/api/oauth/token, or leave Token URL empty to derive it from the Study URL.',
			);
		}
		return explicit;
	}
	const study = checkStudyUrl(credentials.studyUrl);
	if (!study.ok) throw loginError(`${study.problem} (credential field Study URL)`, study.hint);
	const derived = deriveTokenUrl(study.url);
	if (!derived) {
		throw loginError(
			'The Token URL cannot be derived from this Study URL',
			'Enter the Token URL of your OpenClinica instance, e.g. https://acme.build.openclinica.io/user-service/api/oauth/token.',
		);
	}
	return derived;
}

/** The body is the raw JWT, sometimes JSON-quoted (spec §5.1, §6.2 A). */
export function tokenFromBody(body: unknown): string {
	const text = (typeof body === 'string' ? body : '').trim();
	return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).trim() : text;
}

// Logins of one user that are already under way, so that concurrent 401s share one login
// instead of spending the rate limit. Keyed by token URL, user name AND password (loginKey): a
// credential with a wrong password must never receive the token of another credential's login.
const loginsInFlight = new Map<string, Promise<string>>();

// The last token each login produced (same key), so that a request that was already on its way
// with the old token when another request refreshed it does not log in a second time: the
// "one refresh" rule, and the 2-logins-a-minute rate limit, hold across concurrent page jobs.
// Entries whose token is no longer handed out are dropped at the next preAuthentication call of
// any credential (forgetExpiredTokens; shipped code may not use timers).
const latestTokens = new Map<string, { token: string; expiresAt: number }>();
// Never hand out a token this close to its expiry (spec §6.2 A: refresh at exp − 5 min).
const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;
// When exp cannot be read: reuse for at most this long after the login.
const UNKNOWN_EXPIRY_REUSE_MS = 60_000;

/** Sizes of the login caches (for tests). */
export function loginCacheSizes(): { tokens: number; inFlight: number } {
	return { tokens: latestTokens.size, inFlight: loginsInFlight.size };
}

function usable(entry: { expiresAt: number }, now: number): boolean {
	return entry.expiresAt - TOKEN_EXPIRY_MARGIN_MS > now;
}

function forgetExpiredTokens(now: number): void {
	for (const [key, entry] of latestTokens) {
		if (!usable(entry, now)) latestTokens.delete(key);
	}
}

/** The JWT's `exp` in ms, read without verifying (only used to decide when to log in again). */
export function tokenExpiry(token: string): number | undefined {
	const payload = token.split('.')[1];
	if (!payload) return undefined;
	try {
		const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
		return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The cache key of a login: a digest of token URL, user name and password, so the module-level
 * maps, which live as long as the n8n process, never hold a password in clear.
 */
export function loginKey(credentials: ICredentialDataDecryptedObject): string {
	return digest(
		[tokenUrlOf(credentials), String(credentials.username ?? '').trim(), String(credentials.password ?? '')].join(
			'\u0000',
		),
	);
}

async function login(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const tokenUrl = tokenUrlOf(credentials);
	const username = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	const password = typeof credentials.password === 'string' ? credentials.password : '';
	if (username === '' || password === '') {
		throw loginError('Username and Password are required', 'Enter the OpenClinica user name and password in the credential.');
	}
	const ignoreSslIssues = credentials.ignoreSslIssues === true;

	let waited = false;
	for (;;) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest({
				method: 'POST',
				url: tokenUrl,
				body: { username, password },
				headers: { 'Content-Type': 'application/json', Accept: '*/*', 'User-Agent': USER_AGENT },
				encoding: 'text',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				skipSslCertificateValidation: ignoreSslIssues,
				timeout: 60_000,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			const code = String((error as { code?: unknown }).code ?? '');
			// The code goes in the description: n8n replaces a message naming ECONNREFUSED and the
			// like with its own text, which does not say which host.
			throw loginError(
				`Could not reach the token URL ${tokenUrl}: ${networkProblem(code)}`,
				isTlsProblem(code)
					? `The TLS certificate was not accepted (error code ${code}). Fix it, or turn on "Ignore SSL Issues (Insecure)" if you trust this server.`
					: `Error code ${code || 'unknown'}. Check the Token URL (usually https://<customer>.build.openclinica.io/user-service/api/oauth/token) and the network between n8n and that host.`,
			);
		}

		const status = response.statusCode;
		if (status >= 200 && status < 300) {
			const token = tokenFromBody(response.body);
			if (token === '' || /\s/.test(token) || token.startsWith('<') || token.startsWith('{')) {
				throw loginError(
					`The token URL ${tokenUrl} did not return a token`,
					'It answered, but not with an access token. Check that Token URL is the OpenClinica user-service token endpoint (…/user-service/api/oauth/token).',
				);
			}
			return token;
		}
		if (status === 429) {
			const wait = Math.max(retryAfterMs((response.headers ?? {})['retry-after']), 1000);
			if (!waited && wait <= MAX_RATE_LIMIT_WAIT_MS) {
				await sleep(wait);
				waited = true;
				continue;
			}
			throw loginError(
				`The token URL ${tokenUrl} is rate limiting logins (HTTP 429)`,
				'OpenClinica allows 2 logins per minute from one address. Wait a minute and try again, and avoid running many workflows with this credential at the same moment.',
			);
		}
		if (status === 400 || status === 401 || status === 403) {
			throw loginError(
				`Login to ${tokenUrl} failed (HTTP ${status})`,
				'Check the Username and Password of the OpenClinica user (the same you use to sign in to OpenClinica), and that the account is active.',
			);
		}
		throw loginError(
			`Login to ${tokenUrl} failed (HTTP ${status})`,
			status === 404 || status === 405
				? 'There is no token endpoint at this address. Check Token URL: usually https://<customer>.build.openclinica.io/user-service/api/oauth/token.'
				: 'The token service had a problem; try again later.',
		);
	}
}

/**
 * Checks that the study host accepts the new token: the token host and the study host are
 * configured separately and may belong to different OpenClinica instances (see tokenCheckPath).
 */
async function checkStudyHostAcceptsToken(
	this: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	token: string,
): Promise<void> {
	const study = checkStudyUrl(credentials.studyUrl);
	if (!study.ok) throw loginError(`${study.problem} (credential field Study URL)`, study.hint);
	let status: number;
	try {
		const response = (await this.helpers.httpRequest({
			method: 'GET',
			url: `${study.url}${tokenCheckPath()}`,
			headers: { Authorization: `Bearer ${token}`, Accept: '*/*', 'User-Agent': USER_AGENT },
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			skipSslCertificateValidation: credentials.ignoreSslIssues === true,
			timeout: 60_000,
		})) as IN8nHttpFullResponse;
		status = response.statusCode;
	} catch {
		// Unreachable study host: the request that follows reports it with its own error.
		return;
	}
	if (status === 401) {
		throw loginError(
			`The login worked, but ${new URL(study.url).host} rejected the token`,
			'The Token URL and the Study URL seem to belong to different OpenClinica instances. The token host is usually https://<customer>.build.openclinica.io and the study host https://<customer>.<region>.openclinica.io/OpenClinica, with the same <customer>.',
		);
	}
}

export class OpenClinicaApi implements ICredentialType {
	name = 'openClinicaApi';

	displayName = 'OpenClinica API';

	icon: Icon = { light: 'file:../icons/openClinica.svg', dark: 'file:../icons/openClinica.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-openclinica/n8n-nodes-openclinica#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Study URL',
			name: 'studyUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://acme.eu.openclinica.io/OpenClinica',
			description: 'The study runtime URL, up to and including /OpenClinica',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://acme.build.openclinica.io/user-service/api/oauth/token',
			description:
				'The login endpoint on the study build host. Leave empty to use https://{customer}.build.openclinica.io/user-service/api/oauth/token, with {customer} taken from the Study URL.',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			required: true,
			default: '',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if the TLS certificate of the token or study host cannot be verified. Only for servers you trust.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/** Logs in; n8n calls this when the token is missing, on a credential test and after a 401. */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const key = loginKey(credentials);
		forgetExpiredTokens(Date.now());
		// A refresh asked for by a request that used an older token than the latest login's: that
		// login already refreshed it.
		const used = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
		const latest = latestTokens.get(key);
		if (used !== '' && latest && latest.token !== used) {
			return { accessToken: latest.token };
		}
		let pending = loginsInFlight.get(key);
		if (!pending) {
			pending = (async () => {
				const loggedInAt = Date.now();
				const token = await login.call(this, credentials);
				await checkStudyHostAcceptsToken.call(this, credentials, token);
				latestTokens.set(key, {
					token,
					expiresAt: tokenExpiry(token) ?? loggedInAt + UNKNOWN_EXPIRY_REUSE_MS + TOKEN_EXPIRY_MARGIN_MS,
				});
				return token;
			})();
			loginsInFlight.set(key, pending);
			pending.then(
				() => loginsInFlight.delete(key),
				() => loginsInFlight.delete(key),
			);
		}
		return { accessToken: await pending };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};

	// n8n runs preAuthentication before a credential test: it logs in and checks that the study
	// host accepts the token (a 401 there fails the test with an explanation). n8n's test fails on
	// any non-2xx answer and no OpenClinica endpoint answers 2xx without study and site OIDs, so this
	// request ignores the status: it proves the study host is reachable with the SSL setting.
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: `={{$credentials.studyUrl.trim().replace(/\\/+$/, '')}}${tokenCheckPath()}`,
			headers: { Accept: '*/*', 'User-Agent': USER_AGENT },
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
			ignoreHttpStatusErrors: true,
		},
	};
}
