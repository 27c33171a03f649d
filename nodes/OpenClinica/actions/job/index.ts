import type { INodeProperties } from 'n8n-workflow';

import * as deleteJob from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';

export { deleteJob as delete, get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a job and the file OpenClinica keeps for it',
				action: 'Delete a job',
			},
			{
				name: 'Get',
				value: 'get',
				description: "Get a job's status, type, dates and creator",
				action: 'Get a job',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: "Get the API user's jobs of a site or a study, newest first",
				action: 'Get many jobs',
			},
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
	...deleteJob.description,
];
