import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getParticipant } from '../../participant';
import { getConnection } from '../../transport';
import { validateOid, validateParticipantId } from '../../validation';
import { includeAccessCodesProperty, siteOidProperty, studyOidProperty } from '../descriptions';
import type { HintCollector } from '../router';

const properties: INodeProperties[] = [
	studyOidProperty,
	{
		...siteOidProperty,
		description:
			"OID of a site of the study where the API user has a role; OpenClinica finds the participant in any site of the study",
	},
	{
		displayName: 'Participant ID',
		name: 'participantId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. SS-001',
		description: 'The participant label shown in OpenClinica (not the participant OID)',
	},
	{
		...includeAccessCodesProperty,
		description:
			"Whether to include the participant's Participate access code. Needs a Clinical Research Coordinator or Investigator role at the site; each run with this on writes an audit entry (\"Participant access code viewed\") on the server.",
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['participant'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	hints: HintCollector,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const studyOid = validateOid(node, itemIndex, 'Study OID', this.getNodeParameter('studyOid', itemIndex));
	const siteOid = validateOid(node, itemIndex, 'Site OID', this.getNodeParameter('siteOid', itemIndex));
	const participantId = validateParticipantId(node, itemIndex, this.getNodeParameter('participantId', itemIndex));
	const includeAccessCodes = this.getNodeParameter('includeAccessCodes', itemIndex, false) as boolean;

	const connection = await getConnection.call(this);
	const json = await getParticipant.call(this, connection, { studyOid, siteOid, participantId, includeAccessCodes });
	if (includeAccessCodes && (json.accessCode === null || json.accessCode === '')) {
		hints.add(
			'No access code was returned: OpenClinica only gives access codes to users with a Clinical Research Coordinator or Investigator role at the site, and only participants with a Participate account have one.',
		);
	}
	return [{ json, pairedItem: { item: itemIndex } }];
}
