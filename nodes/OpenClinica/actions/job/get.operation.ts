import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listJobs } from '../../jobs';
import { getConnection } from '../../transport';
import { errorFromExplanation, explainJobNotListed } from '../../transport/errors';
import { validateJobUuid, validateOid, validateOptionalOid } from '../../validation';
import { jobsSiteOidProperty, jobUuidProperty, studyOidProperty } from '../descriptions';

const properties: INodeProperties[] = [
	{ ...jobUuidProperty, description: 'UUID of the job, e.g. from Start Export' },
	studyOidProperty,
	jobsSiteOidProperty,
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const jobUuid = validateJobUuid(node, itemIndex, this.getNodeParameter('jobUuid', itemIndex));
	const studyOid = validateOid(node, itemIndex, 'Study OID', this.getNodeParameter('studyOid', itemIndex));
	const siteOid = validateOptionalOid(node, itemIndex, 'Site OID', this.getNodeParameter('siteOid', itemIndex, ''));

	const connection = await getConnection.call(this);
	// OpenClinica has no endpoint for one job: its status is read from the jobs list (spec §4.1).
	const jobs = await listJobs.call(this, connection, { studyOid, siteOid });
	const job = jobs.find((candidate) => candidate.uuid.toLowerCase() === jobUuid);
	if (!job) {
		throw errorFromExplanation(node, explainJobNotListed({ studyOid, siteOid, jobUuid }));
	}
	return [{ json: job, pairedItem: { item: itemIndex } }];
}
