import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runExportPage } from '../../exportJob/run';
import { buildOutput, type OutputMode } from '../../output';
import { collectPages, DEFAULT_PAGE_SIZE, PAGE_CONCURRENCY } from '../../paging';
import { getConnection } from '../../transport';
import {
	validateBinaryPropertyName,
	validateOid,
	validatePositiveInteger,
	validateSeconds,
} from '../../validation';
import {
	binaryPropertyNameProperty,
	includeAccessCodesProperty,
	limitProperty,
	optionProperties,
	outputProperty,
	returnAllProperty,
	siteOidProperty,
	studyOidProperty,
} from '../descriptions';
import type { HintCollector } from '../router';

const properties: INodeProperties[] = [
	studyOidProperty,
	siteOidProperty,
	includeAccessCodesProperty,
	returnAllProperty,
	limitProperty,
	outputProperty,
	binaryPropertyNameProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			optionProperties.deleteJobAfterDownload,
			optionProperties.fields,
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: DEFAULT_PAGE_SIZE,
				typeOptions: { minValue: 1 },
				description:
					'Participants per export job. Each page is a separate job on the server; larger pages mean fewer jobs.',
			},
			optionProperties.pollInterval,
			optionProperties.timeout,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['participantContact'], operation: ['export'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	hints: HintCollector,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const studyOid = validateOid(node, itemIndex, 'Study OID', this.getNodeParameter('studyOid', itemIndex));
	const siteOid = validateOid(node, itemIndex, 'Site OID', this.getNodeParameter('siteOid', itemIndex));
	const includeAccessCodes = this.getNodeParameter('includeAccessCodes', itemIndex, false) as boolean;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? undefined
		: validatePositiveInteger(node, itemIndex, 'Limit', this.getNodeParameter('limit', itemIndex, 50));
	const output = this.getNodeParameter('output', itemIndex, 'items') as OutputMode;
	const binaryPropertyName =
		output === 'items'
			? ''
			: validateBinaryPropertyName(node, itemIndex, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const pageSize = validatePositiveInteger(node, itemIndex, 'Page Size', options.pageSize ?? DEFAULT_PAGE_SIZE);
	const timeoutMs = validateSeconds(node, itemIndex, 'Timeout', options.timeout ?? 600);
	const pollIntervalMs = validateSeconds(node, itemIndex, 'Poll Interval', options.pollInterval ?? 2);
	const fields = (options.fields as string[] | undefined) ?? [];

	const connection = await getConnection.call(this);
	const result = await collectPages(
		{ pageSize, limit, concurrency: PAGE_CONCURRENCY },
		async (pageNumber, size) =>
			await runExportPage.call(
				this,
				connection,
				{ studyOid, siteOid, includeAccessCodes, pageNumber, pageSize: size },
				{ timeoutMs, pollIntervalMs, deleteJobAfterDownload: options.deleteJobAfterDownload === true },
			),
	);

	const [first] = result.pages;
	if (includeAccessCodes && !first.file.columns.includes('accessCode')) {
		hints.add(
			'No access codes were returned: OpenClinica only gives them to users with a Clinical Research Coordinator or Investigator role at the site (study-level users get participant IDs and status only).',
		);
	}
	const unchanged =
		result.pages.length === 1 && !first.modified && result.rows.length === first.file.rows.length;

	return await buildOutput.call(
		this,
		itemIndex,
		{
			headerLine: first.file.headerLine,
			columns: first.file.columns,
			rows: result.rows,
			lines: result.lines,
			jobUuids: result.pages.map((page) => page.jobUuid),
			fileName: first.download.fileName,
			originalBytes: unchanged ? first.download.body : undefined,
			fallbackFileName: `participant-contacts_${studyOid}_${siteOid}.${first.file.delimiter === '|' ? 'txt' : 'csv'}`,
		},
		{ output, binaryPropertyName, fields },
	);
}
