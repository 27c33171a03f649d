import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['participant'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: "Get one participant's contact details and Participate status",
				action: 'Get a participant',
			},
		],
		default: 'get',
	},
	...get.description,
];
