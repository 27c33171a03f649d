import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { deleteJob } from '../../jobs';
import { getConnection } from '../../transport';
import { validateJobUuid } from '../../validation';
import { jobUuidProperty } from '../descriptions';

const properties: INodeProperties[] = [
	{
		...jobUuidProperty,
		description:
			'UUID of the job to delete, e.g. from Start Export or Get Many. Only the user who created a job can delete it.',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobUuid = validateJobUuid(this.getNode(), itemIndex, this.getNodeParameter('jobUuid', itemIndex));
	const connection = await getConnection.call(this);
	await deleteJob.call(this, connection, jobUuid);
	return [{ json: { deleted: true, jobUuid }, pairedItem: { item: itemIndex } }];
}
