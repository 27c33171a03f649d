import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { submitExportJob } from '../../exportJob/submit';
import { getConnection } from '../../transport';
import { validateOid, validatePositiveInteger } from '../../validation';
import { includeAccessCodesProperty, siteOidProperty, studyOidProperty } from '../descriptions';

// OpenClinica's own default page size (spec §1.1).
const SERVER_DEFAULT_PAGE_SIZE = 100;

const properties: INodeProperties[] = [
	studyOidProperty,
	siteOidProperty,
	includeAccessCodesProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Page Number',
				name: 'pageNumber',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 1 },
				description: 'Which page of participants the job exports, in order of creation',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: SERVER_DEFAULT_PAGE_SIZE,
				typeOptions: { minValue: 1 },
				description: 'Participants per page',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['participantContact'], operation: ['startExport'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const studyOid = validateOid(node, itemIndex, 'Study OID', this.getNodeParameter('studyOid', itemIndex));
	const siteOid = validateOid(node, itemIndex, 'Site OID', this.getNodeParameter('siteOid', itemIndex));
	const includeAccessCodes = this.getNodeParameter('includeAccessCodes', itemIndex, false) as boolean;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const pageNumber = validatePositiveInteger(node, itemIndex, 'Page Number', options.pageNumber ?? 1);
	const pageSize = validatePositiveInteger(node, itemIndex, 'Page Size', options.pageSize ?? SERVER_DEFAULT_PAGE_SIZE);

	const connection = await getConnection.call(this);
	const jobUuid = await submitExportJob.call(this, connection, {
		studyOid,
		siteOid,
		includeAccessCodes,
		pageNumber,
		pageSize,
	});
	return [
		{
			json: { jobUuid, studyOid, siteOid, pageNumber, pageSize, includeAccessCodes },
			pairedItem: { item: itemIndex },
		},
	];
}
