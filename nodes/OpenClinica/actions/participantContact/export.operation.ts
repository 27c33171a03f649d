import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { missingAccessCodesHint, runExportPage } from '../../exportJob/run';
import { buildOutput, type OutputMode } from '../../output';
import { collectPages, DEFAULT_PAGE_SIZE, PAGE_CONCURRENCY } from '../../paging';
import { getConnection } from '../../transport';
import { readJobOptions, validateBinaryPropertyName, validateOid, validatePositiveInteger } from '../../validation';
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
			optionProperties.pageSize,
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
	const jobOptions = readJobOptions(node, itemIndex, options);
	const fields = (options.fields as string[] | undefined) ?? [];

	const connection = await getConnection.call(this);
	const result = await collectPages(
		{ pageSize, limit, concurrency: PAGE_CONCURRENCY },
		async (pageNumber, size, stop) =>
			await runExportPage.call(
				this,
				connection,
				{ studyOid, siteOid, includeAccessCodes, pageNumber, pageSize: size },
				{ ...jobOptions, deleteJobAfterDownload: options.deleteJobAfterDownload === true, stop },
			),
	);

	const [first] = result.pages;
	const accessCodesHint = missingAccessCodesHint(includeAccessCodes, first.file);
	if (accessCodesHint) hints.add(accessCodesHint);
	if (result.duplicatesDropped > 0) {
		hints.add(
			`The site changed while paging: ${result.duplicatesDropped} duplicate row(s) were dropped and some rows may have been missed; run the export again.`,
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
			delimiter: first.file.delimiter,
			fallbackFileName: `participant-contacts_${studyOid}_${siteOid}.${first.file.delimiter === '|' ? 'txt' : 'csv'}`,
		},
		{ output, binaryPropertyName, fields },
	);
}
