/**
 * Secrets and contact details must never leak: every engine run of the issue-4 matrices goes
 * through `runChecked`, which runs the node and then asserts that no token, password or contact
 * detail appears where they must not:
 * - tokens and passwords: error message, description and the run's recorded error, execution
 *   hints, everything logged (n8n-core's and the node's logger), output items;
 * - contact details (emails, phones, identifiers, access codes, full names and single first and
 *   last names): errors, hints, logs (output items legitimately hold them).
 * The trigger's polls get the same checks through `checkedPoller` (error thrown, logs, items).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/types';
import { logger, runNode, startRun } from '../helpers/engine';
import type { EngineResult, Poller, RunHandle, RunOptions, TestCredentialsHelper } from '../helpers/engine';
import { PASSWORD } from './context';

const SITES = ['S_JUNO_BOS', 'S_JUNO_LYO'];

/**
 * A single first or last name is checked only from 4 characters on: shorter ones ("Doe", "Ann",
 * "Ben", "Ito", "Uma", "Zoë", "李") are common substrings of ordinary text (words, ids, base64), so
 * they would make the check fail on innocent messages. They stay covered through the full name,
 * the email and the other fields of the same participant. Longer single names are matched as whole
 * words (case-sensitive), since several are ordinary words too: the seeded "Second" is in "Poll
 * Interval (Seconds)", a name a test sets ("Changed") is in "contactChanged".
 */
const MIN_NAME_LENGTH = 4;
/** Emails, phones, identifiers (and their distinctive parts) are checked from 5 characters on. */
const MIN_VALUE_LENGTH = 5;

interface ContactValue {
	value: string;
	/** Whether `text` shows the value (as a whole word for single names, anywhere otherwise). */
	in(text: string): boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The value as written, and as serialised JSON (error objects, log metadata) shows it: `Robert \"Bob\"`. */
const spellings = (value: string) => [...new Set([value, JSON.stringify(value).slice(1, -1)])];

/**
 * Distinctive contact values of the sites the tests export, read from the sandbox's current state
 * at every check (cheap: a few hundred participants, in memory), so participants a test added or
 * changed are checked too, and the set does not depend on which test ran first:
 * - the access code, email, phone and identifier;
 * - the email's local part (catches an email shown encoded, e.g. `jane.doe%40example.org`) and
 *   the phone's number without its country code (catches a phone shown reformatted);
 * - the full name, and the first and last name each on their own (see MIN_NAME_LENGTH).
 */
function contactValues(sb: Sandbox): ContactValue[] {
	const values = new Map<string, ContactValue>();
	const add = (raw: string | null | undefined, min = MIN_VALUE_LENGTH) => {
		const value = raw?.trim();
		if (!value || value.length < min || values.has(value)) return;
		const forms = spellings(value);
		values.set(value, { value, in: (text) => forms.some((form) => text.includes(form)) });
	};
	const addWord = (raw: string | null | undefined) => {
		const value = raw?.trim();
		if (!value || value.length < MIN_NAME_LENGTH || values.has(value)) return;
		const words = spellings(value).map(
			(form) => new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(form)}(?![\\p{L}\\p{N}_])`, 'u'),
		);
		values.set(value, { value, in: (text) => words.some((word) => word.test(text)) });
	};
	for (const site of SITES) {
		for (const p of sb.control.listParticipants(site)) {
			add(p.accessCode);
			const d = p.detail;
			if (!d) continue;
			add(d.email);
			add(d.email?.split('@')[0], 6);
			add(d.phone);
			add(d.phone?.replace(/^\+\d{1,3}\s+/, '').replace(/\D/g, ''), 8);
			add(d.identifier);
			if (d.firstName && d.lastName) add(`${d.firstName} ${d.lastName}`, 0);
			addWord(d.firstName);
			addWord(d.lastName);
		}
	}
	return [...values.values()];
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

/** Every token the credential ever held (initial login and refreshes). */
function tokensOf(helper: TestCredentialsHelper): string[] {
	const tokens = new Set<string>();
	for (const update of helper.updates) {
		if (typeof update.data.accessToken === 'string' && update.data.accessToken !== '') tokens.add(update.data.accessToken);
	}
	return [...tokens];
}

/** What one check looks at; every part is serialised as a whole (nested errors, metadata). */
interface Exposed {
	/** Error message, description, the error object and any run-level copy of it. */
	error: string;
	hints: string;
	logs: string;
	output: string;
}

function expectNothingLeaked(sb: Sandbox, exposed: Exposed, tokens: string[], password: string): void {
	const secrets = [...tokens, password].filter((s) => s.length >= 8);
	for (const secret of secrets) {
		const shown = `${secret.slice(0, 6)}…`;
		for (const where of ['error', 'hints', 'logs', 'output'] as const) {
			expect({ where, leaked: exposed[where].includes(secret) ? shown : null }).toEqual({ where, leaked: null });
		}
	}
	// Contact details: output items legitimately hold them, nothing else may.
	const leaked = contactValues(sb).flatMap((contact) =>
		(['error', 'hints', 'logs'] as const)
			.filter((where) => contact.in(exposed[where]))
			.map((where) => ({ where, value: contact.value })),
	);
	expect(leaked).toEqual([]);
}

const serialiseItems = (items: INodeExecutionData[]) =>
	serialise(items.map((i) => ({ json: i.json, binary: i.binary && Object.keys(i.binary) })));

export function expectNoSecrets(result: EngineResult, sb: Sandbox, logs: string, password = PASSWORD): void {
	const error = serialise({
		message: result.error?.message,
		description: result.error?.description,
		error: result.error,
		runError: result.runError,
	});
	expectNothingLeaked(
		sb,
		{ error, hints: serialise(result.hints), logs, output: serialiseItems(result.items) },
		tokensOf(result.credentialsHelper),
		password,
	);
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

/**
 * Leak-check failures of checked polls. A failing check is thrown from `poll()`, but a test that
 * expects the poll to fail (`rejects.toThrow()`) would take that failure for the poll's own error;
 * `expectNoPollLeaks` (from afterEach) reports it anyway.
 */
const pollLeaks: unknown[] = [];

/**
 * The poller with every poll checked like `runChecked`: the error it threw (if any), everything
 * logged during the poll (n8n-core's and the trigger's `this.logger`) and the emitted items, against
 * every token the credential held so far, the password and the contact details.
 */
export function checkedPoller(sb: Sandbox, poller: Poller, password = PASSWORD): Poller {
	return {
		...poller,
		async poll(mode) {
			logger.clear();
			let items: INodeExecutionData[] | null = null;
			let failed = false;
			let thrown: unknown;
			try {
				items = await poller.poll(mode);
			} catch (error) {
				failed = true;
				thrown = error;
			}
			const e = thrown as { message?: unknown; description?: unknown } | undefined;
			try {
				expectNothingLeaked(
					sb,
					{
						error: failed ? serialise({ message: e?.message, description: e?.description, error: thrown }) : '',
						hints: '',
						logs: logger.text(),
						output: serialiseItems(items ?? []),
					},
					tokensOf(poller.credentialsHelper),
					password,
				);
			} catch (leak) {
				pollLeaks.push(leak);
				throw leak;
			}
			if (failed) throw thrown;
			return items;
		},
	};
}

/** Fails if a checked poll found a leak, even one a `rejects.toThrow()` swallowed. */
export function expectNoPollLeaks(): void {
	const found = pollLeaks.splice(0);
	if (found.length > 0) throw found[0];
}
