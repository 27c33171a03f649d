import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { optionProperties, siteOidProperty, studyOidProperty } from '../OpenClinica/actions/descriptions';
import { DEFAULT_PAGE_SIZE } from '../OpenClinica/paging';
import { readJobOptions, validateOid, validatePositiveInteger } from '../OpenClinica/validation';
import { manualSample, pollChanges, type TriggerEvent, type TriggerSettings } from './poll';

const EVENTS: Array<{ name: string; value: TriggerEvent; description: string }> = [
	{
		name: 'Contact Details Changed',
		value: 'contactChanged',
		description: 'Name, email, mobile, identifier or (when included) access code changed',
	},
	{
		name: 'Participant Added',
		value: 'participantAdded',
		description: 'A participant appeared in the site',
	},
	{
		name: 'Participate Status Changed',
		value: 'statusChanged',
		description: 'The Participate status changed (e.g. INVITED to ACTIVE)',
	},
];

export class OpenClinicaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenClinica Trigger',
		name: 'openClinicaTrigger',
		icon: { light: 'file:../../icons/openClinica.svg', dark: 'file:../../icons/openClinica.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Site " + $parameter["siteOid"]}}',
		description: 'Starts the workflow when participants of an OpenClinica 4 site are added or change',
		defaults: { name: 'OpenClinica Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openClinicaApi', required: true }],
		properties: [
			studyOidProperty,
			{ ...siteOidProperty, description: 'OID of the site whose participants to watch; it must belong to the study' },
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['participantAdded', 'contactChanged', 'statusChanged'],
				options: EVENTS,
				description:
					'Which changes start the workflow. Each item is the participant\'s current row plus "event" and, for changes, "changedFields".',
			},
			{
				displayName: 'Include Access Codes',
				name: 'includeAccessCodes',
				type: 'boolean',
				default: false,
				description:
					"Whether to include each participant's Participate access code. Warning: every poll then reads all access codes of the site, and OpenClinica writes an audit entry (\"Participant access code viewed\") for every participant on every poll. Needs a Clinical Research Coordinator or Investigator role at the site.",
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Delete Export Jobs',
						name: 'deleteJobs',
						type: 'boolean',
						default: true,
						description:
							'Whether to delete each export job, and the contact file OpenClinica keeps for it, once downloaded. Every poll runs at least one job; kept jobs pile up in the Bulk Actions Log.',
					},
					{
						...optionProperties.pageSize,
						description:
							'Participants per export job. Each poll reads the site page by page; a large site is read across several polls.',
					},
					{
						...optionProperties.pollInterval,
						description:
							'Seconds before the first check whether an export job finished; later checks come gradually less often',
					},
					{
						...optionProperties.timeout,
						description:
							'How long to wait for each export job to finish before the poll fails; the next poll reads the same page again',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const node = this.getNode();
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const events = this.getNodeParameter('events', []) as TriggerEvent[];
		if (events.length === 0) {
			throw new NodeOperationError(node, 'No event selected', {
				description: 'Select at least one event in Events.',
			});
		}
		const settings: TriggerSettings = {
			studyOid: validateOid(node, 0, 'Study OID', this.getNodeParameter('studyOid')),
			siteOid: validateOid(node, 0, 'Site OID', this.getNodeParameter('siteOid')),
			includeAccessCodes: this.getNodeParameter('includeAccessCodes', false) as boolean,
			events,
			pageSize: validatePositiveInteger(node, 0, 'Page Size', options.pageSize ?? DEFAULT_PAGE_SIZE),
			job: { ...readJobOptions(node, 0, options), deleteJobAfterDownload: options.deleteJobs !== false },
		};

		// A test run shows a sample and must not move the baseline of the active workflow.
		if (this.getMode() === 'manual') return await manualSample.call(this, settings);
		return await pollChanges.call(this, settings);
	}
}
