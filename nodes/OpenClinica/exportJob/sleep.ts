// A sleep that ends at once when the execution is cancelled. n8n-workflow 2.8 exports
// sleepWithAbort(ms, signal); newer releases dropped it and give sleep(ms, signal) instead.
// The package runs against the host's n8n-workflow, so use whichever exists.
import * as n8nWorkflow from 'n8n-workflow';

type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

const exported = n8nWorkflow as unknown as { sleepWithAbort?: SleepFn; sleep: SleepFn };

export async function sleepCancellable(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0) return;
	// n8n's sleep leaves its abort listener on the signal after the timer ends. A job polled dozens
	// of times would pile listeners on the execution's signal (Node warns past 10), so each sleep
	// gets its own short-lived signal, linked to the caller's only while it sleeps.
	const own = linkSignals(signal, new AbortController().signal);
	try {
		if (typeof exported.sleepWithAbort === 'function') await exported.sleepWithAbort(ms, own.signal);
		else await exported.sleep(ms, own.signal);
	} finally {
		own.dispose();
	}
}

export interface LinkedSignal {
	signal?: AbortSignal;
	/** Detaches from the source signals (they may outlive this wait: the execution's one does). */
	dispose(): void;
}

/** A signal aborted when either source is (the execution's cancel, or another page failing). */
export function linkSignals(a?: AbortSignal, b?: AbortSignal): LinkedSignal {
	if (!a || !b) return { signal: a ?? b, dispose: () => undefined };
	const controller = new AbortController();
	const abort = () => controller.abort();
	if (a.aborted || b.aborted) abort();
	a.addEventListener('abort', abort, { once: true });
	b.addEventListener('abort', abort, { once: true });
	return {
		signal: controller.signal,
		dispose: () => {
			a.removeEventListener('abort', abort);
			b.removeEventListener('abort', abort);
		},
	};
}
