// The single-participant endpoint (spec §4.3): one participant, synchronously, as JSON. Its item
// uses the export's field names where both have the field, so workflows can take either source.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest, type Connection } from './transport';
import { apiError, errorFromExplanation, type ErrorSubject } from './transport/errors';
import { participantPath } from './transport/urls';

export interface ParticipantQuery {
	studyOid: string;
	siteOid: string;
	participantId: string;
	includeAccessCodes: boolean;
}

// StudyParticipantDetailDTO fields renamed to the export's names; the others keep theirs.
const RENAMED: Record<string, string> = {
	subjectKey: 'participantId',
	secondaryID: 'identifier',
	mobileNumber: 'mobile',
};

/**
 * The Participate status as the export writes it (`CONTACT_INFO_ENTERED`): the endpoint sends the
 * display value (`Contact Info Entered`) instead.
 */
export function participateStatusName(display: unknown): string {
	if (typeof display !== 'string') return '';
	return display
		.trim()
		.replace(/[^A-Za-z0-9]+/g, '_')
		.replace(/^_|_$/g, '')
		.toUpperCase();
}

/** The item for one StudyParticipantDetailDTO. */
export function participantItem(dto: IDataObject, query: ParticipantQuery): IDataObject {
	const field = (name: string) => (dto[name] === undefined ? null : dto[name]);
	const item: IDataObject = {
		participantId: typeof dto.subjectKey === 'string' ? dto.subjectKey : query.participantId,
		subjectOid: field('subjectOid'),
		firstName: field('firstName'),
		lastName: field('lastName'),
		email: field('email'),
		mobile: field('mobileNumber'),
		identifier: field('secondaryID'),
	};
	// Like the export, the access code is a field only when asked for.
	if (query.includeAccessCodes) item.accessCode = field('accessCode');
	item.participateStatus = participateStatusName(dto.status);
	item.participateStatusLabel = typeof dto.status === 'string' ? dto.status : '';
	item.createdBy = field('createdBy');
	item.createdAt = field('createdAt');
	item.lastModified = field('lastModified');
	item.lastModifiedBy = field('lastModifiedBy');
	// Fields newer servers may add are kept under their own names.
	for (const [name, value] of Object.entries(dto)) {
		if (name === 'status' || name === 'accessCode' || name in RENAMED || name in item) continue;
		item[name] = value;
	}
	return item;
}

export async function getParticipant(
	this: IExecuteFunctions,
	connection: Connection,
	query: ParticipantQuery,
): Promise<IDataObject> {
	const subject: ErrorSubject = {
		studyOid: query.studyOid,
		siteOid: query.siteOid,
		participantId: query.participantId,
		studyUrl: connection.studyUrl,
	};
	const response = await apiRequest.call(this, connection, {
		method: 'GET',
		path: participantPath(query.studyOid, query.siteOid),
		qs: { participantID: query.participantId, includeParticipateInfo: query.includeAccessCodes ? 'y' : 'n' },
		retry: true,
		context: 'participant',
		subject,
	});
	if (response.status !== 200) throw apiError(this.getNode(), response, 'participant', subject);

	let dto: unknown;
	try {
		dto = JSON.parse(response.text());
	} catch {
		dto = undefined;
	}
	if (typeof dto !== 'object' || dto === null || Array.isArray(dto)) {
		throw errorFromExplanation(
			this.getNode(),
			{
				message: `OpenClinica did not answer with the details of participant "${query.participantId}"`,
				description:
					"A proxy, login page or an unexpected server answered instead. Check the credential's Study URL, then try again.",
			},
			response.status,
		);
	}
	return participantItem(dto as IDataObject, query);
}
