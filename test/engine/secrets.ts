/**
 * Secrets and contact details must never leak: every engine run of the issue-4 matrices goes
 * through `runChecked`, which runs the node and then asserts that no token, password or contact
 * detail appears where they must not:
 * - tokens and passwords: error message, description and the run's recorded error, execution
 *   hints, everything logged (n8n-core's and the node's logger), output items;
 * - contact details (emails, phones, identifiers, access codes, full names): errors, hints, logs
 *   (output items legitimately hold them).
 */
import type { Sandbox } from '../../sandbox/types';
import { logger, runNode, startRun } from '../helpers/engine';
import type { EngineResult, RunHandle, RunOptions } from '../helpers/engine';
import { PASSWORD } from './context';

const SITES = ['S_JUNO_BOS', 'S_JUNO_LYO'];

/** Distinctive contact values of the sites the tests export (cached per sandbox). */
const contactCache = new WeakMap<Sandbox, string[]>();
function contactValues(sb: Sandbox): string[] {
	let values = contactCache.get(sb);
	if (!values) {
		const set = new Set<string>();
		for (const site of SITES) {
			for (const p of sb.control.listParticipants(site)) {
				if (p.accessCode) set.add(p.accessCode);
				const d = p.detail;
				if (!d) continue;
				for (const v of [d.email, d.phone, d.identifier]) if (v && v.length >= 5) set.add(v);
				if (d.firstName && d.lastName) set.add(`${d.firstName} ${d.lastName}`);
			}
		}
		values = [...set];
		contactCache.set(sb, values);
	}
	return values;
}

function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, v: unknown) => {
		if (typeof v === 'bigint') return String(v);
		if (v instanceof Error) return { ...v, name: v.name, message: v.message, stack: v.stack };
		if (typeof v === 'object' && v !== null) {
			if (seen.has(v)) return '[circular]';
			seen.add(v);
		}
		return v;
	});
}

/** Every token the credential ever held during the run (initial login and refreshes). */
function tokensOf(result: EngineResult): string[] {
	const tokens = new Set<string>();
	for (const update of result.credentialsHelper.updates) {
		if (typeof update.data.accessToken === 'string' && update.data.accessToken !== '') tokens.add(update.data.accessToken);
	}
	return [...tokens];
}

export function expectNoSecrets(result: EngineResult, sb: Sandbox, logs: string, password = PASSWORD): void {
	const errorText = serialise({
		message: result.error?.message,
		description: result.error?.description,
		error: result.error,
		runError: result.runError,
	});
	const hints = serialise(result.hints);
	const output = serialise(result.items.map((i) => ({ json: i.json, binary: i.binary && Object.keys(i.binary) })));
	const secrets = [...tokensOf(result), password].filter((s) => s.length >= 8);
	for (const secret of secrets) {
		const shown = `${secret.slice(0, 6)}…`;
		expect({ where: 'error', leaked: errorText.includes(secret) ? shown : null }).toEqual({ where: 'error', leaked: null });
		expect({ where: 'hints', leaked: hints.includes(secret) ? shown : null }).toEqual({ where: 'hints', leaked: null });
		expect({ where: 'logs', leaked: logs.includes(secret) ? shown : null }).toEqual({ where: 'logs', leaked: null });
		expect({ where: 'output', leaked: output.includes(secret) ? shown : null }).toEqual({ where: 'output', leaked: null });
	}
	const leaked = contactValues(sb).filter((v) => errorText.includes(v) || hints.includes(v) || logs.includes(v));
	expect(leaked).toEqual([]);
}

/** Runs the node and checks the run for leaked secrets and contact details. */
export async function runChecked(sb: Sandbox, options: RunOptions): Promise<EngineResult> {
	logger.clear();
	const result = await runNode(options);
	expectNoSecrets(result, sb, logger.text(), String(options.credentials?.password ?? PASSWORD));
	return result;
}

/** startRun + the same checks when the run is done. */
export async function startChecked(sb: Sandbox, options: RunOptions): Promise<RunHandle> {
	logger.clear();
	const handle = await startRun(options);
	return {
		...handle,
		done: handle.done.then((result) => {
			expectNoSecrets(result, sb, logger.text(), String(options.credentials?.password ?? PASSWORD));
			return result;
		}),
	};
}
