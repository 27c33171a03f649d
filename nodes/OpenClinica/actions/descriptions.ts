// Parameters shared by several operations, defined once.
import type { INodeProperties } from 'n8n-workflow';

import { CONTACT_FIELDS } from '../contactsFile';
import { DEFAULT_PAGE_SIZE } from '../paging';
import { DEFAULT_POLL_INTERVAL_S, DEFAULT_TIMEOUT_S } from '../validation';

export const studyOidProperty: INodeProperties = {
	displayName: 'Study OID',
	name: 'studyOid',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. S_JUNO',
	description:
		'OID of the parent study, as shown in OpenClinica. Test-environment OIDs end in "(TEST)", e.g. S_JUNO(TEST).',
};

export const siteOidProperty: INodeProperties = {
	displayName: 'Site OID',
	name: 'siteOid',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. S_JUNO_BOS',
	description: 'OID of the site whose participants to export; it must belong to the study',
};

export const jobUuidProperty: INodeProperties = {
	displayName: 'Job UUID',
	name: 'jobUuid',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90',
	description: 'The job UUID returned by Start Export',
};

/** Site OID of the jobs list: optional, since OpenClinica also lists a whole study's jobs. */
export const jobsSiteOidProperty: INodeProperties = {
	...siteOidProperty,
	required: false,
	description:
		"OID of the site whose jobs to read; leave empty for the study's jobs, including those of all its sites",
};

export const returnAllProperty: INodeProperties = {
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	description: 'Whether to return all results or only up to a given limit',
};

export const limitProperty: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	default: 50,
	typeOptions: { minValue: 1 },
	description: 'Max number of results to return',
	displayOptions: { show: { returnAll: [false] } },
};

export const includeAccessCodesProperty: INodeProperties = {
	displayName: 'Include Access Codes',
	name: 'includeAccessCodes',
	type: 'boolean',
	default: false,
	description:
		"Whether to include each participant's Participate access code. Needs a Clinical Research Coordinator or Investigator role at the site; OpenClinica writes an audit entry for every code exported.",
};

export const outputProperty: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'items',
	options: [
		{
			name: 'File',
			value: 'file',
			description: 'One item holding the CSV file as binary data, with a summary',
		},
		{
			name: 'Items',
			value: 'items',
			description: 'One item per participant',
		},
		{
			name: 'Items and File',
			value: 'itemsAndFile',
			description: 'One item per participant, followed by one item holding the CSV file',
		},
	],
};

export const binaryPropertyNameProperty: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	required: true,
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	displayOptions: { show: { output: ['file', 'itemsAndFile'] } },
};

const fieldOptions: Record<(typeof CONTACT_FIELDS)[number], string> = {
	participantId: 'Participant ID',
	firstName: 'First Name',
	lastName: 'Last Name',
	email: 'Email',
	mobile: 'Mobile',
	identifier: 'Identifier',
	accessCode: 'Access Code',
	participateStatus: 'Participate Status',
};

/** Options of the export operations, shared with the trigger (which only rewords descriptions). */
export const optionProperties = {
	deleteJobAfterDownload: {
		displayName: 'Delete Job After Download',
		name: 'deleteJobAfterDownload',
		type: 'boolean',
		default: false,
		description:
			'Whether to delete the export job, and the contact file OpenClinica keeps for it, once the file was downloaded',
	},
	fields: {
		displayName: 'Fields',
		name: 'fields',
		type: 'multiOptions',
		default: [],
		options: Object.entries(fieldOptions)
			.map(([value, name]) => ({ name, value }))
			.sort((a, b) => a.name.localeCompare(b.name)),
		description:
			'Which columns to output, on participant items and in the file; none selected means all columns of the file. Malformed rows keep their raw line only when all columns are output (in the file they keep only the participant ID).',
	},
	pageSize: {
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		default: DEFAULT_PAGE_SIZE,
		typeOptions: { minValue: 1 },
		description:
			'Participants per export job. Each page is a separate job on the server; larger pages mean fewer jobs.',
	},
	pollInterval: {
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		default: DEFAULT_POLL_INTERVAL_S,
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		description:
			'Seconds before the first check whether the job finished, and the shortest pause between checks. Later checks come each time the wait has grown by 10%, up to every 30 seconds.',
	},
	timeout: {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		default: DEFAULT_TIMEOUT_S,
		typeOptions: { minValue: 1 },
		description:
			'How long to wait for each export job to finish before failing; the error names the job so it can be resumed with Download Export',
	},
} satisfies Record<string, INodeProperties>;
