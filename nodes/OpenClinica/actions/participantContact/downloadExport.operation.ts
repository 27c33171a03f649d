import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { missingAccessCodesHint, parseDownloadedFile, withoutUnaskedColumns } from '../../exportJob/run';
import { downloadExportFile } from '../../exportJob/wait';
import { deleteJob } from '../../jobs';
import { buildOutput, type OutputMode } from '../../output';
import { getConnection } from '../../transport';
import { readJobOptions, validateBinaryPropertyName, validateJobUuid } from '../../validation';
import { binaryPropertyNameProperty, jobUuidProperty, optionProperties, outputProperty } from '../descriptions';
import type { HintCollector } from '../router';

const properties: INodeProperties[] = [
	jobUuidProperty,
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the job has finished. If off and the job is still running, the node outputs one item with ready set to false.',
	},
	{
		displayName: 'Include Access Codes',
		name: 'includeAccessCodes',
		type: 'boolean',
		default: false,
		description:
			"Whether to output the Participate access codes the file holds. Set it as in Start Export, whose output has an includeAccessCodes field to map here. When off, access codes are removed, including those that servers from before July 2019 always send.",
	},
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
			{ ...optionProperties.pollInterval, displayOptions: { show: { '/waitForCompletion': [true] } } },
			{ ...optionProperties.timeout, displayOptions: { show: { '/waitForCompletion': [true] } } },
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['participantContact'], operation: ['downloadExport'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	hints: HintCollector,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const jobUuid = validateJobUuid(node, itemIndex, this.getNodeParameter('jobUuid', itemIndex));
	const waitForCompletion = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const output = this.getNodeParameter('output', itemIndex, 'items') as OutputMode;
	const binaryPropertyName =
		output === 'items'
			? ''
			: validateBinaryPropertyName(node, itemIndex, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const jobOptions = readJobOptions(node, itemIndex, options);
	const includeAccessCodes = this.getNodeParameter('includeAccessCodes', itemIndex, false) as boolean;
	const fields = (options.fields as string[] | undefined) ?? [];

	const connection = await getConnection.call(this);
	const result = await downloadExportFile.call(this, connection, jobUuid, {
		...jobOptions,
		wait: waitForCompletion,
		subject: { jobUuid },
	});
	if (!result.ready) {
		return [{ json: { jobUuid, ready: false }, pairedItem: { item: itemIndex } }];
	}
	const parsed = parseDownloadedFile.call(this, result.file);
	const accessCodesHint = missingAccessCodesHint(includeAccessCodes, parsed);
	if (accessCodesHint) hints.add(accessCodesHint);
	const { file, modified } = withoutUnaskedColumns(parsed, includeAccessCodes);
	if (options.deleteJobAfterDownload === true) {
		await deleteJob.call(this, connection, jobUuid);
	}
	return await buildOutput.call(
		this,
		itemIndex,
		{
			headerLine: file.headerLine,
			columns: file.columns,
			rows: file.rows,
			lines: file.lines,
			jobUuids: [jobUuid],
			fileName: result.file.fileName,
			originalBytes: modified ? undefined : result.file.body,
			delimiter: file.delimiter,
			fallbackFileName: `participant-contacts_${jobUuid}.${file.delimiter === '|' ? 'txt' : 'csv'}`,
		},
		{ output, binaryPropertyName, fields },
	);
}
