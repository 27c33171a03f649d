// Turns OpenClinica's answers into errors that say what happened and how to fix it (spec §1.3,
// §1.6, §3.2, §4). Messages name OIDs, job UUIDs and hosts only: never tokens, passwords or
// contact details.
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiResponse } from './index';

export type ErrorContext = 'submit' | 'download' | 'delete' | 'jobs' | 'participant';

export interface ErrorSubject {
	studyOid?: string;
	siteOid?: string;
	jobUuid?: string;
	/** A participant label: an ID, never contact data. */
	participantId?: string;
	studyUrl?: string;
}

export interface Explanation {
	message: string;
	description: string;
}

const EXPORT_ROLES =
	'Allowed roles: Clinical Research Coordinator or Investigator assigned at the site (full contact details, and access codes when asked for); at study level Data Entry Person, Data Specialist or Data Manager (participant IDs and Participate status only). Monitors, site Data Entry Persons and other roles cannot export.';

const JOBS_LIST_ROLES =
	'Listing jobs needs a Clinical Research Coordinator, Investigator or Monitor role at the site, or a Data Entry Person, Data Specialist, Data Manager or Monitor role in the study (the study-level list needs a role in the study itself).';

const ACTIVE_STUDY_HINT =
	'OpenClinica 4 looks jobs up in the API user\'s *active study*. If that user last worked in another study in the OpenClinica UI, every job answers "not found": log into this study once in the OpenClinica UI with the API user, then retry.';

/** `errorCode.participateInActive`, `error.participateInactive` and `participateinactive` are one code. */
export function normaliseCode(raw: string): string {
	return raw
		.trim()
		.replace(/^"|"$/g, '')
		.replace(/^(errorCode|error)\./i, '')
		.toLowerCase();
}

/** A short status token such as `error.jobInProgress` sent as the whole body. */
export function statusToken(body: string): string | undefined {
	const text = body.trim().replace(/^"(.*)"$/, '$1');
	if (text.length > 80) return undefined;
	return /^(error|errorCode)\.[A-Za-z]+$/.test(text) ? normaliseCode(text) : undefined;
}

// The English sentences of the header-only errors (V0–V1 submit, jobs list, job delete).
const HEADER_SENTENCES: Array<[RegExp, string]> = [
	[/mismatch\s+studyoid\s+and\s+siteoid/i, 'studytositenotvalidoid'],
	// "InValid SiteOID. The SiteOID should have a Site Level Oid": the jobs list sends it both for
	// an unknown OID and for a study OID given as the site, so the message covers both.
	[/invalid\s+siteoid.*site\s+level\s+oid/i, 'sitenotsitelevel'],
	[/invalid\s+siteoid/i, 'sitenotexist'],
	[/invalid\s+studyoid/i, 'studynotexist'],
	[/incorrect\s+user\s+role/i, 'nosufficientprivileges'],
	[/not\s+the\s+owner/i, 'nosufficientprivileges'],
	[/participate\s+is\s+inactive/i, 'participateinactive'],
	[/no\s+role/i, 'norolesetup'],
];

export interface ServerCode {
	code?: string;
	/** The X-runtimeApp-error sentence when no code could be read from it. */
	headerText?: string;
}

/** Reads the error code from a JSON `{message, params}` body, a status token, or the error header. */
export function readServerCode(response: Pick<ApiResponse, 'headers' | 'text'>): ServerCode {
	const body = response.text().trim();
	if (body.startsWith('{')) {
		try {
			const parsed = JSON.parse(body) as { message?: unknown };
			if (typeof parsed.message === 'string' && parsed.message.trim() !== '') {
				return { code: normaliseCode(parsed.message) };
			}
		} catch {
			// not JSON after all: fall through to the other forms
		}
	}
	const token = statusToken(body);
	if (token) return { code: token };

	const header = response.headers['x-runtimeapp-error'];
	if (typeof header === 'string' && header.trim() !== '') {
		const sentence = header.trim();
		for (const [pattern, code] of HEADER_SENTENCES) {
			if (pattern.test(sentence)) return { code };
		}
		if (/^(errorCode|error)\.[A-Za-z]+$/.test(sentence)) return { code: normaliseCode(sentence) };
		return { headerText: sentence.slice(0, 200) };
	}
	return {};
}

const quote = (value: string | undefined) => `"${value ?? ''}"`;

/** What a server code means in a given call, or undefined for an unknown code. */
export function explainCode(code: string, context: ErrorContext, s: ErrorSubject): Explanation | undefined {
	const study = quote(s.studyOid);
	const site = quote(s.siteOid);
	const job = s.jobUuid ?? '';
	switch (code) {
		case 'invalidpagenumberparameter':
			return {
				message: 'OpenClinica rejected the page number',
				description: 'Page Number must be a whole number of 1 or more.',
			};
		case 'invalidpagesizeparameter':
			return {
				message: 'OpenClinica rejected the page size',
				description: 'Page Size must be a whole number of 1 or more.',
			};
		case 'studynotexist':
			return {
				message: `Study OID ${study} was not found on the server`,
				description:
					'Check Study OID: it is the OID of the parent study (for example S_JUNO), not its name or protocol ID. Test-environment OIDs end in "(TEST)".',
			};
		case 'studynotvalidoid':
			return {
				message: `${study} is a site OID, not a study OID`,
				description: "Put the parent study's OID in Study OID and the site's OID in Site OID.",
			};
		case 'sitenotexist':
			return {
				message: `Site OID ${site} was not found on the server`,
				description:
					"Check Site OID: it is the OID of a site of the study (for example S_JUNO_BOS). Test-environment OIDs end in \"(TEST)\".",
			};
		case 'sitenotsitelevel':
			return {
				message: `Site OID ${site} is not a site of this server (unknown, or a study OID)`,
				description: "Site OID must be the OID of one of the study's sites, as shown in OpenClinica's site list; the study's own OID goes in Study OID.",
			};
		case 'sitenotvalidoid':
			return {
				message: `${site} is a study OID, not a site OID`,
				description: "Site OID must be the OID of one of the study's sites; the study's own OID goes in Study OID.",
			};
		case 'studytositenotvalidoid':
			return {
				message: `Site ${site} does not belong to study ${study}`,
				description: 'Use a site OID of this study, or the parent study OID of this site.',
			};
		case 'norolesetup':
			return {
				message: `The API user has no role in study ${study} or site ${site}`,
				description: `Give the user a role at this site or in its study in OpenClinica's user management (a role at another site does not count). ${EXPORT_ROLES}`,
			};
		case 'nosufficientprivileges':
			if (context === 'delete') {
				return {
					message: `Job ${job} belongs to another user`,
					description:
						'Only the user who created a job can delete it, and the jobs lists show each user only their own jobs. Use the OpenClinica credential of the user who created the job (for exports: the user who ran Start Export).',
				};
			}
			if (context === 'download') {
				return {
					message: `Export job ${job} belongs to another user`,
					description:
						'Only the user who started a job can download or delete it. Use the OpenClinica credential of the user who ran Start Export, or start a new export with this credential.',
				};
			}
			return {
				message:
					context === 'participant'
						? `The API user's role does not allow reading participants of site ${site}`
						: `The API user's role does not allow exporting participant contacts of site ${site}`,
				description: EXPORT_ROLES,
			};
		case 'participateinactive':
			return {
				message: `Participate is not enabled for study ${study}`,
				description:
					"OpenClinica only exports participant contacts for studies whose Participate module is enabled, even without access codes. Enable Participate in the study's settings, or use a Participate study.",
			};
		case 'invaliduuid':
			return {
				message: `Export job ${job} was not found`,
				description: `The job UUID is unknown or the job was deleted. ${ACTIVE_STUDY_HINT}`,
			};
		case 'nologfilefound':
			return {
				message: `The export file of job ${job} is missing on the server`,
				description:
					'The job finished but OpenClinica could not read its file (it may have failed to write it, or it was deleted). Start a new export; if this keeps happening, ask your OpenClinica administrator to check the server logs.',
			};
		case 'jobinprogress':
			return {
				message: `Export job ${job} is still running`,
				description: 'Wait for it with Download Export and Wait for Completion turned on.',
			};
		case 'participantnotfound':
			return {
				message: `Participant ${quote(s.participantId)} was not found in study ${study}`,
				description:
					'Check the Participant ID: it is the participant label shown in OpenClinica (e.g. SS-001), not the OID, and it must belong to this study or one of its sites.',
			};
		case 'participantidnotavailable':
			return {
				message: `Participant ${quote(s.participantId)} is removed`,
				description:
					'OpenClinica does not return removed or auto-removed participants. Restore the participant in OpenClinica to read it again.',
			};
		default:
			return undefined;
	}
}

// What the endpoint of each call is called in "no … endpoint here".
const ENDPOINT_NOUNS: Record<ErrorContext, string> = {
	submit: 'export',
	download: 'job',
	delete: 'job',
	jobs: 'jobs list',
	participant: 'participant',
};

function hostOf(url: string | undefined): string {
	if (!url) return 'the OpenClinica server';
	try {
		return new URL(url).host;
	} catch {
		return 'the OpenClinica server';
	}
}

/** Explanation of an answer that carries no code of its own. */
export function explainStatus(status: number, context: ErrorContext, s: ErrorSubject): Explanation {
	const host = hostOf(s.studyUrl);
	if (status === 401) {
		return {
			message: `${host} rejected the access token`,
			description:
				'A fresh login did not help. Check that the credential\'s Token URL and Study URL belong to the same OpenClinica instance (the token host is usually <customer>.build.openclinica.io), and that the user is active.',
		};
	}
	if (status === 403) {
		return {
			message: `${host} refused access (HTTP 403)`,
			description: 'Check the user\'s roles in OpenClinica and any proxy or firewall in front of the server.',
		};
	}
	if (status === 404 || status === 405) {
		return {
			message: `${host} has no OpenClinica ${ENDPOINT_NOUNS[context]} endpoint here (HTTP ${status})`,
			description:
				"Check the credential's Study URL: it is the study runtime URL ending in the context path, e.g. https://acme.eu.openclinica.io/OpenClinica.",
		};
	}
	if (status === 429) {
		return {
			message: `${host} is rate limiting requests (HTTP 429)`,
			description: 'Wait a minute and run the workflow again.',
		};
	}
	if (status >= 500 && context === 'jobs') {
		return {
			message: `OpenClinica refused to list the jobs of ${s.siteOid ? `site ${quote(s.siteOid)}` : `study ${quote(s.studyOid)}`} (HTTP ${status})`,
			description: `OpenClinica answers an internal error when the API user has no role that may list jobs there. ${JOBS_LIST_ROLES} If the roles are right, try again later.`,
		};
	}
	if (status === 500 && context === 'delete') {
		return {
			message: `Job ${s.jobUuid ?? ''} is unknown to OpenClinica (HTTP 500)`,
			description: `OpenClinica answers an internal error when it cannot find the job UUID: the UUID is wrong, or the job is not in the API user's active study. A job deleted before is not the cause: deleting it again succeeds. ${ACTIVE_STUDY_HINT} If the UUID and the active study are right, it is a server error: try again later.`,
		};
	}
	if (status >= 500 && context === 'submit') {
		return {
			message: `OpenClinica had an internal error (HTTP ${status})`,
			description:
				"The export may have started on the server anyway (a proxy in front of OpenClinica can fail after the job was created): check OpenClinica's Bulk Actions Log, or this node's Job > Get Many, before retrying. If it persists, ask your OpenClinica administrator to check the server logs.",
		};
	}
	if (status >= 500) {
		return {
			message: `OpenClinica had an internal error (HTTP ${status})`,
			description:
				context === 'download' || context === 'delete'
					? `Try again later. On OpenClinica 4 this also happens when the API user has no active study or the job UUID is unknown on older servers. ${ACTIVE_STUDY_HINT}`
					: 'Try again later; if it persists, ask your OpenClinica administrator to check the server logs.',
		};
	}
	return {
		message: `Unexpected answer from OpenClinica (HTTP ${status})`,
		description: 'Check the credential\'s Study URL and try again.',
	};
}

/** A job UUID missing from the jobs list (spec §4.1: the caller's own jobs, deleted ones left out). */
export function explainJobNotListed(s: ErrorSubject): Explanation {
	const where = s.siteOid ? `site ${quote(s.siteOid)}` : `study ${quote(s.studyOid)}`;
	return {
		message: `Job ${s.jobUuid ?? ''} is not in the jobs list of ${where}`,
		description: `OpenClinica lists only the API user's own jobs, and never deleted ones. So the job is unknown, was deleted, belongs to another user, or was created in another ${s.siteOid ? 'site or study (with a role in the study itself, leave Site OID empty to search every site of the study)' : 'study'}.`,
	};
}

/** The NodeApiError for an OpenClinica answer that is not what was asked for. */
export function apiError(
	node: INode,
	response: Pick<ApiResponse, 'status' | 'headers' | 'text'>,
	context: ErrorContext,
	subject: ErrorSubject,
): NodeApiError {
	const { code, headerText } = readServerCode(response);
	let explanation = code ? explainCode(code, context, subject) : undefined;
	if (!explanation && code) {
		explanation = {
			message: `OpenClinica refused the request: ${code}`,
			description: 'This error code is not documented; check the study and site OIDs and the user\'s role.',
		};
	}
	if (!explanation && headerText) {
		explanation = {
			message: `OpenClinica refused the request: ${headerText}`,
			description: "Check the study and site OIDs and the user's role.",
		};
	}
	explanation ??= explainStatus(response.status, context, subject);
	return errorFromExplanation(node, explanation, response.status, code);
}

export function errorFromExplanation(
	node: INode,
	explanation: Explanation,
	status?: number,
	code?: string,
): NodeApiError {
	const httpCode = status === undefined ? undefined : String(status);
	const details: JsonObject = { message: explanation.message };
	if (httpCode) details.httpCode = httpCode;
	if (code) details.code = code;
	return new NodeApiError(node, details, {
		message: explanation.message,
		description: explanation.description,
		httpCode,
	});
}
