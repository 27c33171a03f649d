import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { JOB_STATUSES, JOB_TYPES, listJobs, sortNewestFirst } from '../../jobs';
import { getConnection } from '../../transport';
import { validateOid, validateOptionalOid, validatePositiveInteger } from '../../validation';
import { jobsSiteOidProperty, limitProperty, returnAllProperty, studyOidProperty } from '../descriptions';

type Named = { name: string; description?: string };

const STATUS_NAMES: Record<(typeof JOB_STATUSES)[number], Named> = {
	IN_PROGRESS: { name: 'In Progress' },
	COMPLETED: { name: 'Completed' },
	FAILED: { name: 'Failed' },
	DELETED: {
		name: 'Deleted',
		description: 'OpenClinica leaves deleted jobs out of its lists, so this matches nothing on its own',
	},
	IN_QUEUE: { name: 'In Queue' },
};

const TYPE_NAMES: Record<(typeof JOB_TYPES)[number], Named> = {
	ACCESS_CODE: { name: 'Access Code (Participant Contact Export)', description: 'Jobs of Export and Start Export' },
	IMPORT: { name: 'Import' },
	CREATE_PARTICIPANT: { name: 'Create Participant' },
	SCHEDULE_EVENT: { name: 'Schedule Event' },
	XML_IMPORT: { name: 'XML Import' },
	INSIGHT_REPORT: { name: 'Insight Report' },
	BULK_ADD_PARTICIPANTS: { name: 'Bulk Add Participants' },
	PARTICIPANT_PDF_CASEBOOK: { name: 'Participant PDF Casebook' },
	PUBLISH_STUDY: { name: 'Publish Study' },
};

/** Options of a multiOptions filter, sorted by name as n8n's lint wants. */
function optionsOf<V extends string>(values: readonly V[], names: Record<V, Named>) {
	return values.map((value) => ({ ...names[value], value })).sort((a, b) => a.name.localeCompare(b.name));
}

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
				options: optionsOf(JOB_STATUSES, STATUS_NAMES),
				description: 'Only jobs in one of these statuses; none selected means any status',
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'multiOptions',
				default: [],
				options: optionsOf(JOB_TYPES, TYPE_NAMES),
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
