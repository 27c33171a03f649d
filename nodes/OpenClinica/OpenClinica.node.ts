import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as job from './actions/job';
import * as participant from './actions/participant';
import * as participantContact from './actions/participantContact';
import { router } from './actions/router';

export class OpenClinica implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenClinica',
		name: 'openClinica',
		icon: { light: 'file:../../icons/openClinica.svg', dark: 'file:../../icons/openClinica.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Export participant contact details, read participants and manage jobs in OpenClinica 4',
		defaults: { name: 'OpenClinica' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openClinicaApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Job', value: 'job' },
					{ name: 'Participant', value: 'participant' },
					{ name: 'Participant Contact', value: 'participantContact' },
				],
				default: 'participantContact',
			},
			...participantContact.description,
			...job.description,
			...participant.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
