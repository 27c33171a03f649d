// Step 1 of an export: ask OpenClinica to start a contact-export job (spec §1, §6.2 C). Servers
// differ in method (GET until April 2019, then POST) and path spelling (extractPartcipantsInfo
// until July 2019), so the first call per study URL discovers which one answers; 404 and 405 never
// create a job. Any other answer ends the attempt: a 200 has already created a job.

import { apiError, errorFromExplanation, readServerCode } from '../transport/errors';
import { apiRequest, type ApiContext, type Connection } from '../transport';
import { submitPath, type SubmitSpelling } from '../transport/urls';
import { rememberDownloadEra } from './serverEra';
import { looksLikeHtml } from './wait';

export interface SubmitParams {
	studyOid: string;
	siteOid: string;
	includeAccessCodes: boolean;
	pageNumber: number;
	pageSize: number;
}

interface Endpoint {
	method: 'GET' | 'POST';
	spelling: SubmitSpelling;
}

const CANDIDATES: Endpoint[] = [
	{ method: 'POST', spelling: 'extractParticipantsInfo' },
	{ method: 'GET', spelling: 'extractParticipantsInfo' },
	{ method: 'POST', spelling: 'extractPartcipantsInfo' },
	{ method: 'GET', spelling: 'extractPartcipantsInfo' },
];

/** The endpoint that answered last time, per study URL, for the life of the n8n process. */
const discovered = new Map<string, Endpoint>();

export const JOB_UUID_PATTERN =
	/job\s*uuid\s*:\s*"?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

export function parseJobUuid(body: string): string | undefined {
	return JOB_UUID_PATTERN.exec(body)?.[1]?.toLowerCase();
}

/** The query string every version understands: unknown parameters are ignored by all of them. */
export function submitQuery(params: SubmitParams): Record<string, string | number> {
	const flag = params.includeAccessCodes ? 'y' : 'n';
	return {
		includeParticipateInfo: flag,
		includeParticipateRelatedInfo: flag,
		register: flag,
		page_number: params.pageNumber,
		page_size: params.pageSize,
	};
}

function candidatesFor(studyUrl: string): Endpoint[] {
	const known = discovered.get(studyUrl);
	if (!known) return CANDIDATES;
	return [known, ...CANDIDATES.filter((c) => c !== known)];
}

/** Submits one export job and returns its UUID. */
export async function submitExportJob(
	this: ApiContext,
	connection: Connection,
	params: SubmitParams,
): Promise<string> {
	const subject = { studyOid: params.studyOid, siteOid: params.siteOid, studyUrl: connection.studyUrl };
	const qs = submitQuery(params);
	let lastStatus = 404;

	for (const endpoint of candidatesFor(connection.studyUrl)) {
		const response = await apiRequest.call(this, connection, {
			method: endpoint.method,
			path: submitPath(params.studyOid, params.siteOid, endpoint.spelling),
			qs,
			retry: false,
			context: 'submit',
			subject,
		});
		if (response.status === 404 || response.status === 405) {
			if (discovered.get(connection.studyUrl) === endpoint) discovered.delete(connection.studyUrl);
			lastStatus = response.status;
			continue;
		}
		discovered.set(connection.studyUrl, endpoint);

		if (response.status !== 200) throw apiError(this.getNode(), response, 'submit', subject);
		const jobUuid = parseJobUuid(response.text());
		if (!jobUuid) {
			// A 200 that is not "job uuid: …": a proxy or login page, an error string, or a server too
			// old to run exports as jobs. Never resubmit: a job may exist.
			if (looksLikeHtml(response.text())) {
				throw errorFromExplanation(
					this.getNode(),
					{
						message: 'An HTML page answered instead of OpenClinica when starting the export',
						description:
							"This is a proxy or login page (for example single sign-on), not OpenClinica. Check the credential's Study URL: it is the study runtime URL ending in the context path, e.g. https://acme.eu.openclinica.io/OpenClinica. If the page came from a proxy that passed the request on, an export may have started: check OpenClinica's Bulk Actions Log before retrying.",
					},
					200,
				);
			}
			const { code, headerText } = readServerCode(response);
			if (code || headerText) throw apiError(this.getNode(), response, 'submit', subject);
			throw errorFromExplanation(
				this.getNode(),
				{
					message: 'OpenClinica accepted the export but returned no job UUID',
					description:
						'This server version does not run contact exports as background jobs, which this node needs (OpenClinica 4 from April 2019 on).',
				},
				200,
			);
		}
		// GET submits are V1–V2, whose downloads answer 500 while a job runs; the corrected spelling
		// is V9+, whose downloads answer status strings (serverEra.ts).
		if (endpoint.method === 'GET') rememberDownloadEra(connection.studyUrl, 'http500WhileRunning');
		else if (endpoint.spelling === 'extractParticipantsInfo') rememberDownloadEra(connection.studyUrl, 'statusStrings');
		this.logger.debug(
			`OpenClinica export job ${jobUuid} submitted (${endpoint.method} ${endpoint.spelling}, page ${params.pageNumber}, size ${params.pageSize})`,
		);
		return jobUuid;
	}

	// Every candidate answered 404 or 405: report the last real status.
	throw apiError(this.getNode(), { status: lastStatus, headers: {}, text: () => '' }, 'submit', subject);
}

/** For tests: forget discovered endpoints. */
export function resetDiscoveredEndpoints(): void {
	discovered.clear();
}
