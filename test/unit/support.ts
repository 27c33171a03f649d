import type { INode } from 'n8n-workflow';

export const node: INode = {
	id: 'node-1',
	name: 'OpenClinica',
	type: 'n8n-nodes-openclinica.openClinica',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The error a function throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { description?: string | null; httpCode?: string | null } {
	try {
		fn();
	} catch (error) {
		return error as Error & { description?: string | null };
	}
	throw new Error('expected the call to throw');
}
