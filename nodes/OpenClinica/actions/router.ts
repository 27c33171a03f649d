// Dispatches each input item to its resource's operation (one export, job or participant call
// per input item); a failure becomes an error item for that input when the node is set to
// continue on fail.
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import * as job from './job';
import * as participant from './participant';
import * as participantContact from './participantContact';

/** Execution hints shown once per run, however many items raise them. */
export type HintCollector = Set<string>;

type Operation = (
	this: IExecuteFunctions,
	itemIndex: number,
	hints: HintCollector,
) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	job: {
		delete: job.delete.execute,
		get: job.get.execute,
		getMany: job.getMany.execute,
	},
	participant: {
		get: participant.get.execute,
	},
	participantContact: {
		downloadExport: participantContact.downloadExport.execute,
		export: participantContact.export.execute,
		startExport: participantContact.startExport.execute,
	},
};

/** The error to fail the node with, naming the input item it came from. */
function itemError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		// new NodeOperationError(node, error, { itemIndex }) would return it unchanged, item lost.
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	const hints: HintCollector = new Set();

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operationName = this.getNodeParameter('operation', itemIndex) as string;
			const operation = operations[resource]?.[operationName];
			if (!operation) {
				throw new NodeOperationError(
					this.getNode(),
					`The operation "${operationName}" is not supported for resource "${resource}"`,
					{ itemIndex },
				);
			}
			returnData.push(...(await operation.call(this, itemIndex, hints)));
		} catch (error) {
			if (this.getExecutionCancelSignal?.()?.aborted) {
				// n8n marks a run as canceled (not failed) when the node's error says "canceled".
				throw new NodeOperationError(this.getNode(), 'The execution was canceled', { itemIndex });
			}
			if (this.continueOnFail()) {
				returnData.push({
					json: { error: error instanceof Error ? error.message : String(error) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw itemError(this.getNode(), error, itemIndex);
		}
	}

	if (hints.size > 0 && typeof this.addExecutionHints === 'function') {
		this.addExecutionHints(...[...hints].map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
	}
	return [returnData];
}
