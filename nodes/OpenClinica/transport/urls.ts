// Where every OpenClinica URL is built. Path segments that come from user input (OIDs, job
// UUIDs) are percent-encoded so that no input can change the path.

export const API_BASE_PATH = '/pages/auth/api';
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const TOKEN_HOST_SUFFIX = '.build.openclinica.io';
const LOGIN_ENDPOINT_PATH = '/user-service/api/oauth/token';

/** What is wrong with a study URL, or the normalised URL (no trailing slash). */
export type StudyUrlCheck = { ok: true; url: string } | { ok: false; problem: string; hint: string };

const STUDY_URL_EXAMPLE = 'https://acme.eu.openclinica.io/OpenClinica';

export function checkStudyUrl(raw: unknown): StudyUrlCheck {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') {
		return {
			ok: false,
			problem: 'The Study URL is empty',
			hint: `Enter the study runtime URL, e.g. ${STUDY_URL_EXAMPLE}`,
		};
	}
	if (!/^https?:\/\//i.test(text)) {
		return {
			ok: false,
			problem: 'The Study URL must start with https:// or http://',
			hint: `Enter the full study runtime URL, e.g. ${STUDY_URL_EXAMPLE}`,
		};
	}
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return {
			ok: false,
			problem: 'The Study URL is not a valid URL',
			hint: `Enter the study runtime URL, e.g. ${STUDY_URL_EXAMPLE}`,
		};
	}
	if (parsed.search !== '' || parsed.hash !== '') {
		return {
			ok: false,
			problem: 'The Study URL must not contain "?" or "#"',
			hint: `Keep only the address up to /OpenClinica, e.g. ${STUDY_URL_EXAMPLE}`,
		};
	}
	const path = parsed.pathname.replace(/\/+$/, '');
	if (/\/pages(\/|$)/i.test(path)) {
		return {
			ok: false,
			problem: 'The Study URL contains "/pages/…"',
			hint: `Remove everything from "/pages" on: the Study URL ends with the context path, e.g. ${STUDY_URL_EXAMPLE}`,
		};
	}
	if (parsed.hostname.toLowerCase().endsWith(TOKEN_HOST_SUFFIX) || /\/user-service(\/|$)/i.test(path)) {
		return {
			ok: false,
			problem: 'The Study URL points at the token (study build) host',
			hint: `The Study URL is the runtime address where participants are managed, e.g. ${STUDY_URL_EXAMPLE}; the *.build.openclinica.io address belongs in Token URL`,
		};
	}
	return { ok: true, url: `${parsed.protocol}//${parsed.host}${path}` };
}

/**
 * The token endpoint guessed from the study URL (spec §5.3): the customer label of the runtime
 * host on the build host. Returns undefined when the host has no customer label to reuse.
 */
export function deriveTokenUrl(studyUrl: string): string | undefined {
	let host: string;
	try {
		host = new URL(studyUrl).hostname;
	} catch {
		return undefined;
	}
	const labels = host.split('.');
	if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1]) || host.includes(':')) return undefined;
	return `https://${labels[0]}${TOKEN_HOST_SUFFIX}${LOGIN_ENDPOINT_PATH}`;
}

/**
 * Percent-encodes one path segment. Stricter than encodeURIComponent: also encodes ! ' ( ) *,
 * as OpenClinica documents `(TEST)` OIDs as `%28TEST%29`. Dot-only segments are refused since
 * URL parsers resolve them (even encoded) as "." and "..": validation rejects them earlier.
 */
export function encodePathSegment(value: string): string {
	if (value === '' || /^\.+$/.test(value)) {
		throw new RangeError('Unsafe path segment');
	}
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

export type SubmitSpelling = 'extractParticipantsInfo' | 'extractPartcipantsInfo';

export function submitPath(studyOid: string, siteOid: string, spelling: SubmitSpelling): string {
	return `${API_BASE_PATH}/clinicaldata/studies/${encodePathSegment(studyOid)}/sites/${encodePathSegment(siteOid)}/participants/${spelling}`;
}

export function downloadPath(jobUuid: string): string {
	return `${API_BASE_PATH}/jobs/${encodePathSegment(jobUuid)}/downloadFile`;
}

export function jobPath(jobUuid: string): string {
	return `${API_BASE_PATH}/jobs/${encodePathSegment(jobUuid)}`;
}

/** The API user's own jobs of a site, or of the whole study when no site is given (spec §4.1). */
export function jobsListPath(studyOid: string, siteOid?: string): string {
	const study = `${API_BASE_PATH}/studies/${encodePathSegment(studyOid)}`;
	return siteOid === undefined ? `${study}/jobs` : `${study}/sites/${encodePathSegment(siteOid)}/jobs`;
}

/** The single-participant endpoint (spec §4.3); the participant ID goes in the query string. */
export function participantPath(studyOid: string, siteOid: string): string {
	return `${API_BASE_PATH}/clinicaldata/studies/${encodePathSegment(studyOid)}/sites/${encodePathSegment(siteOid)}/participant`;
}

/**
 * A path under the API that no version serves. The API's authentication filter runs before any
 * handler, so a token the host does not accept gets 401 here and an accepted one 404: a check of
 * the token that touches no data and creates nothing.
 */
export function tokenCheckPath(): string {
	return `${API_BASE_PATH}/n8n-token-check`;
}
