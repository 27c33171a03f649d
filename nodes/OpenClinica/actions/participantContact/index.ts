import type { INodeProperties } from 'n8n-workflow';

import * as downloadExport from './downloadExport.operation';
import * as exportContacts from './export.operation';
import * as startExport from './startExport.operation';

export { downloadExport, exportContacts as export, startExport };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['participantContact'] } },
		options: [
			{
				name: 'Download Export',
				value: 'downloadExport',
				description: 'Download the file of an export job started earlier, optionally waiting for it',
				action: 'Download a participant contact export',
			},
			{
				name: 'Export',
				value: 'export',
				description: 'Start an export job, wait for it and return the participants',
				action: 'Export participant contacts',
			},
			{
				name: 'Start Export',
				value: 'startExport',
				description: 'Start an export job and return its job UUID without waiting',
				action: 'Start a participant contact export',
			},
		],
		default: 'export',
	},
	...exportContacts.description,
	...startExport.description,
	...downloadExport.description,
];
