import { getEventListeners } from 'node:events';

import { sleepCancellable } from '../../nodes/OpenClinica/exportJob/sleep';

describe('sleepCancellable', () => {
	it('leaves no abort listener on the caller signal, however often it sleeps', async () => {
		const execution = new AbortController();
		for (let i = 0; i < 25; i++) await sleepCancellable(1, execution.signal);
		expect(getEventListeners(execution.signal, 'abort')).toHaveLength(0);
	});

	it('ends at once when the signal aborts', async () => {
		const execution = new AbortController();
		const sleeping = sleepCancellable(60_000, execution.signal);
		execution.abort();
		await expect(sleeping).rejects.toBeDefined();
		expect(getEventListeners(execution.signal, 'abort')).toHaveLength(0);
	});
});
