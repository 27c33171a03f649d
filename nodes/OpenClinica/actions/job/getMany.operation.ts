import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listJobs, sortNewestFirst } from '../../jobs';
import { getConnection } from '../../transport';
import { validateOid, validateOptionalOid, validatePositiveInteger } from '../../validation';
import { jobsSiteOidProperty, limitProperty, returnAllProperty, studyOidProperty } from '../descriptions';

const properties: INodeProperties[] = [
	studyOidProperty,
	jobsSiteOidProperty,
	returnAllProperty,
	limitProperty,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				default: [],
				options: [
					{ name: 'Completed', value: 'COMPLETED' },
					{
						name: 'Deleted',
						value: 'DELETED',
						description: 'OpenClinica leaves deleted jobs out of its lists, so this matches nothing on its own',
					},
					{ name: 'Failed', value: 'FAILED' },
					{ name: 'In Progress', value: 'IN_PROGRESS' },
					{ name: 'In Queue', value: 'IN_QUEUE' },
				],
				description: 'Only jobs in one of these statuses; none selected means any status',
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'multiOptions',
				default: [],
				options: [
					{
						name: 'Access Code (Participant Contact Export)',
						value: 'ACCESS_CODE',
						description: 'Jobs of Export and Start Export',
					},
					{ name: 'Bulk Add Participants', value: 'BULK_ADD_PARTICIPANTS' },
					{ name: 'Create Participant', value: 'CREATE_PARTICIPANT' },
					{ name: 'Import', value: 'IMPORT' },
					{ name: 'Insight Report', value: 'INSIGHT_REPORT' },
					{ name: 'Participant PDF Casebook', value: 'PARTICIPANT_PDF_CASEBOOK' },
					{ name: 'Publish Study', value: 'PUBLISH_STUDY' },
					{ name: 'Schedule Event', value: 'SCHEDULE_EVENT' },
					{ name: 'XML Import', value: 'XML_IMPORT' },
				],
				description: 'Only jobs of one of these types; none selected means any type',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['getMany'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const studyOid = validateOid(node, itemIndex, 'Study OID', this.getNodeParameter('studyOid', itemIndex));
	const siteOid = validateOptionalOid(node, itemIndex, 'Site OID', this.getNodeParameter('siteOid', itemIndex, ''));
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? undefined
		: validatePositiveInteger(node, itemIndex, 'Limit', this.getNodeParameter('limit', itemIndex, 50));
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const statuses = (filters.status as string[] | undefined) ?? [];
	const types = (filters.type as string[] | undefined) ?? [];

	const connection = await getConnection.call(this);
	const jobs = await listJobs.call(this, connection, { studyOid, siteOid });
	// OpenClinica returns the list unsorted (spec §4.1), so without sorting a limit would keep
	// arbitrary jobs; newest first keeps the ones a workflow most likely wants.
	const selected = sortNewestFirst(jobs).filter(
		(job) =>
			(statuses.length === 0 || statuses.includes(String(job.status))) &&
			(types.length === 0 || types.includes(String(job.type))),
	);
	return selected
		.slice(0, limit)
		.map((job) => ({ json: job, pairedItem: { item: itemIndex } }));
}
