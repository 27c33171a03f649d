// The test-only control API: in process (`sandbox.control`) and over HTTP under /__sandbox/.
import type { Ctx } from './http';
import type { RequestLogEntry, SandboxControl } from './types';

export const CONTROL_PREFIX = '/__sandbox/';

/** Validates timing values so a typo cannot stall the worker pool. */
export function checkTiming(c: Record<string, unknown>): void {
	for (const key of ['jobBaseMs', 'perParticipantMs'] as const) {
		if (c[key] !== undefined && !(typeof c[key] === 'number' && c[key] >= 0)) throw new Error(`${key} must be a number >= 0`);
	}
	if (c.workers !== undefined && !(Number.isInteger(c.workers) && (c.workers as number) >= 1)) {
		throw new Error('workers must be an integer >= 1');
	}
}

export function copyLog(log: RequestLogEntry[]): RequestLogEntry[] {
	return log.map((e) => ({ ...e }));
}

/** Routes one /__sandbox/ request to the in-process control object. JSON in, JSON out. */
export function handleControl(control: SandboxControl, ctx: Ctx, body: unknown): void {
	const route = `${ctx.method} ${ctx.path.slice(CONTROL_PREFIX.length)}`;
	const json = (status: number, value: unknown) =>
		ctx.send(status, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(value));
	const input = (body ?? {}) as never;
	try {
		if (route === 'POST faults') return json(200, control.setFaults(input));
		if (route === 'GET faults') return json(200, control.getFaults());
		if (route === 'POST reset') {
			control.reset();
			return json(200, { ok: true });
		}
		if (route === 'GET participants') return json(200, control.listParticipants(ctx.query.get('siteOid') ?? ''));
		if (route === 'POST participants') return json(200, control.addParticipant(input));
		const patch = /^PATCH participants\/([^/]+)$/.exec(route);
		if (patch) return json(200, control.updateParticipant(decodeURIComponent(patch[1]), input));
		if (route === 'GET jobs') return json(200, control.listJobs());
		if (route === 'GET requests') return json(200, control.listRequests());
		if (route === 'DELETE requests') {
			control.clearRequests();
			return json(200, { ok: true });
		}
		if (route === 'POST config') return json(200, control.setConfig(input));
		json(404, { error: `Unknown control route ${route}` });
	} catch (e) {
		json(400, { error: (e as Error).message });
	}
}
