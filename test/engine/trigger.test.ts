/**
 * Engine tests, OpenClinica Trigger: the built node's poll() in n8n-core's real PollContext
 * against the sandbox, with participants edited through the sandbox's control API between polls
 * (issue 5).
 */
import fs from 'fs';
import path from 'path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/types';
import { createPoller, REPO_ROOT, type Poller } from '../helpers/engine';
import {
	credentialsFor,
	eligibleLabels,
	isSubmit,
	PAGE_CONCURRENCY,
	query,
	requests,
	useSandbox,
	waitFor,
} from './context';
import { checkedPoller, expectNoPollLeaks } from './secrets';

// The trigger's per-poll time budget, in the very module instance n8n-core loaded from dist/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pollLimits, POLL_BUDGET_MS } = require(path.join(REPO_ROOT, 'dist/nodes/OpenClinicaTrigger/poll.js')) as {
	pollLimits: { budgetMs: number };
	POLL_BUDGET_MS: number;
};

const SITE = 'S_JUNO_LYO';

function triggerParams(params: INodeParameters = {}): INodeParameters {
	const { options, ...rest } = params;
	return {
		studyOid: 'S_JUNO',
		siteOid: SITE,
		...rest,
		options: { pollInterval: 0.05, ...((options as IDataObject | undefined) ?? {}) },
	};
}

/** A trigger whose every poll is checked for leaked tokens, password and contact details. */
async function poller(sb: Sandbox, params: INodeParameters = {}, staticData?: IDataObject): Promise<Poller> {
	const created = await createPoller({
		credentials: credentialsFor(sb, 'crc.jane'),
		parameters: triggerParams(params),
		staticData,
	});
	return checkedPoller(sb, created);
}

/** Events as compact strings, e.g. "LYO-0003 contactChanged email,mobile". */
function events(items: INodeExecutionData[] | null): string[] {
	return (items ?? []).map((item) => {
		const { participantId, event, changedFields } = item.json as {
			participantId: string;
			event: string;
			changedFields?: string[];
		};
		return [participantId, event, changedFields?.join(',')].filter((part) => part !== undefined).join(' ');
	});
}

const submittedPages = (sb: Sandbox) => requests(sb, isSubmit).map((r) => Number(query(r).page_number));

/**
 * The pages submitted, in order, by a read from page 1 that may start every page (the baseline,
 * which has no time budget) of a site whose last page is `lastPage`: page 1 alone; once it came
 * back full, PAGE_CONCURRENCY jobs at once, consumed in page order, each consumed page making room
 * for the next. Before page n is awaited, pages up to n+PAGE_CONCURRENCY-1 have been started, so
 * the read ends having started PAGE_CONCURRENCY-1 (empty) page jobs past the last page.
 */
function pagesOfWholeRead(lastPage: number): number[] {
	const last = lastPage === 1 ? 1 : lastPage + PAGE_CONCURRENCY - 1;
	return Array.from({ length: last }, (_, i) => i + 1);
}

/** S_JUNO_LYO's 12 eligible participants in pages of 5: pages 1, 2, 3 (5 + 5 + 2 rows). */
const BASELINE_PAGES = pagesOfWholeRead(3);

/**
 * An active workflow as n8n keeps it: its static data is saved after the activation poll (which n8n
 * awaits) and after each poll that emits, and nothing else (active-workflow-manager). A restart is
 * a new activation from `persisted()`.
 */
async function activate(sb: Sandbox, params: INodeParameters, saved?: IDataObject) {
	const trigger = await poller(sb, params, saved);
	let persisted: IDataObject | undefined;
	return {
		trigger,
		async poll(): Promise<string[]> {
			const items = await trigger.poll();
			if (persisted === undefined || items !== null) persisted = trigger.savedStaticData();
			return events(items);
		},
		persisted: () => persisted,
	};
}

describe('OpenClinica Trigger (engine, PollContext)', () => {
	const sandbox = useSandbox();

	afterEach(() => {
		pollLimits.budgetMs = POLL_BUDGET_MS;
		expectNoPollLeaks();
	});

	it('records a baseline on first activation, then emits each addition and change exactly once', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		const trigger = await poller(sb);

		expect(await trigger.poll()).toBeNull();
		const state = trigger.nodeStaticData();
		expect(Object.keys(state.p as IDataObject).sort()).toEqual([...labels].sort());
		expect(state.base).toBe(false);
		expect(await trigger.poll()).toBeNull();

		// A new participant: its current row, as Export outputs it, plus the event.
		const added = sb.control.addParticipant({
			siteOid: SITE,
			detail: { firstName: 'Nina', lastName: 'Newcomer', email: 'nina.newcomer@example.org', phone: '+33 612345678', identifier: 'MRN-NEW1' },
			userStatus: 'INVITED',
		});
		const [addedItem, ...more] = (await trigger.poll()) ?? [];
		expect(more).toEqual([]);
		expect(addedItem.json).toEqual({
			participantId: added.label,
			firstName: 'Nina',
			lastName: 'Newcomer',
			email: 'nina.newcomer@example.org',
			mobile: '+33 612345678',
			identifier: 'MRN-NEW1',
			participateStatus: 'INVITED',
			event: 'participantAdded',
		});

		// Contact change, status change, both at once.
		sb.control.updateParticipant(labels[2], { detail: { email: 'changed@example.org', phone: '+33 600000002' } });
		expect(events(await trigger.poll())).toEqual([`${labels[2]} contactChanged email,mobile`]);

		sb.control.updateParticipant(labels[4], { userStatus: 'ACTIVE' });
		sb.control.updateParticipant(labels[4], { userStatus: 'INACTIVE' });
		const status = await trigger.poll();
		expect(events(status)).toEqual([`${labels[4]} statusChanged participateStatus`]);
		expect(status?.[0].json.participateStatus).toBe('INACTIVE');

		sb.control.updateParticipant(labels[5], { detail: { lastName: 'Renamed' }, userStatus: 'CREATED' });
		expect(events(await trigger.poll())).toEqual([
			`${labels[5]} contactChanged lastName`,
			`${labels[5]} statusChanged participateStatus`,
		]);

		// Nothing twice; a removal emits nothing.
		expect(await trigger.poll()).toBeNull();
		sb.control.updateParticipant(labels[6], { status: 'removed' });
		expect(await trigger.poll()).toBeNull();
		expect(await trigger.poll()).toBeNull();

		// What n8n saved survives a restart: a new activation from it emits nothing old.
		const restarted = await poller(sb, {}, trigger.savedStaticData());
		expect(await restarted.poll()).toBeNull();
		sb.control.updateParticipant(labels[0], { detail: { identifier: 'MRN-CHANGED' } });
		expect(events(await restarted.poll())).toEqual([`${labels[0]} contactChanged identifier`]);
	});

	it('emits only the selected events, and keeps tracking the others silently', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		const trigger = await poller(sb, { events: ['statusChanged'] });
		expect(await trigger.poll()).toBeNull();

		sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Quiet', lastName: 'Addition' } });
		sb.control.updateParticipant(labels[1], { detail: { email: 'quiet@example.org' } });
		expect(await trigger.poll()).toBeNull();

		sb.control.updateParticipant(labels[3], { userStatus: 'INVALID' });
		expect(events(await trigger.poll())).toEqual([`${labels[3]} statusChanged participateStatus`]);

		// Turning contact events on later does not replay the change made while they were off.
		trigger.setParameters(triggerParams({ events: ['contactChanged', 'statusChanged'] }));
		expect(await trigger.poll()).toBeNull();
	});

	it('manual mode emits the most recent participant as a sample and records nothing', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		const trigger = await poller(sb);

		const sample = await trigger.poll('manual');
		expect(events(sample)).toEqual([`${labels[labels.length - 1]} participantAdded`]);
		expect(Object.keys(trigger.nodeStaticData())).toEqual([]);

		// With an active baseline: the sample is the newest participant, and the state is untouched.
		expect(await trigger.poll()).toBeNull();
		const before = JSON.stringify(trigger.savedStaticData());
		const added = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Sample', lastName: 'Person' } });
		expect(events(await trigger.poll('manual'))).toEqual([`${added.label} participantAdded`]);
		expect(JSON.stringify(trigger.savedStaticData())).toBe(before);

		// The active workflow still sees the addition.
		expect(events(await trigger.poll())).toEqual([`${added.label} participantAdded`]);
	});

	it('pages across several polls without missing or repeating events, also when rows shift', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		expect(labels).toHaveLength(12);
		// One page per poll: the first page of a poll always runs, later ones need budget.
		pollLimits.budgetMs = 0;
		const trigger = await poller(sb, { options: { pageSize: 5 } });

		// Baseline over pages 1, 2, 3 (5 + 5 + 2 rows): all in the first poll, budget or not (the
		// pages after 3 are the concurrent jobs started before page 3 was found short).
		expect(await trigger.poll()).toBeNull();
		expect(submittedPages(sb)).toEqual(BASELINE_PAGES);
		expect(trigger.nodeStaticData()).toMatchObject({ base: false, page: 1 });

		const emitted: string[] = [];
		const pollOnce = async () => emitted.push(...events(await trigger.poll()));

		// Pass 2, page 1: a change there is emitted at once.
		sb.control.updateParticipant(labels[1], { detail: { firstName: 'Changed' } });
		await pollOnce();
		expect(emitted).toEqual([`${labels[1]} contactChanged firstName`]);

		// Mid-pass: a participant on page 1 is removed, so labels[5] (first row of page 2) slides
		// onto page 1, already read, and is changed; a change on page 3 and an addition follow.
		sb.control.updateParticipant(labels[2], { status: 'removed' });
		sb.control.updateParticipant(labels[5], { detail: { email: 'slid@example.org' } });
		sb.control.updateParticipant(labels[11], { userStatus: 'ACTIVE' });
		const added = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Late', lastName: 'Comer' } });
		await pollOnce(); // page 2
		await pollOnce(); // page 3: end of pass 2
		expect(trigger.nodeStaticData()).toMatchObject({ page: 1 });
		// Pass 3 reads labels[5] again, on page 1.
		for (let i = 0; i < 3; i++) await pollOnce();
		expect(trigger.nodeStaticData()).toMatchObject({ page: 1 });

		expect([...emitted].sort()).toEqual(
			[
				`${labels[1]} contactChanged firstName`,
				`${labels[5]} contactChanged email`,
				`${labels[11]} statusChanged participateStatus`,
				`${added.label} participantAdded`,
			].sort(),
		);
		// Pages were read in order, one per poll, and the removed participant is still known.
		expect(submittedPages(sb)).toEqual([...BASELINE_PAGES, 1, 2, 3, 1, 2, 3]);
		expect(Object.keys(trigger.nodeStaticData().p as IDataObject)).toContain(labels[2]);

		// Another pass: nothing new.
		for (let i = 0; i < 3; i++) expect(await trigger.poll()).toBeNull();
	});

	it('records the whole baseline in the activation poll: a restart before any event cannot absorb additions', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		expect(labels).toHaveLength(12); // BASELINE_PAGES
		pollLimits.budgetMs = 0;
		const first = await activate(sb, { options: { pageSize: 5 } });
		expect(await first.poll()).toEqual([]);
		expect(submittedPages(sb)).toEqual(BASELINE_PAGES);
		expect(first.trigger.nodeStaticData()).toMatchObject({ base: false, page: 1 });
		expect(Object.keys(first.trigger.nodeStaticData().p as IDataObject).sort()).toEqual([...labels].sort());

		// Added after activation; the polls before the restart emit nothing, so n8n saves nothing.
		const added = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Between', lastName: 'Polls' } });
		expect(await first.poll()).toEqual([]); // page 1
		expect(await first.poll()).toEqual([]); // page 2

		const second = await activate(sb, { options: { pageSize: 5 } }, first.persisted());
		const emitted: string[] = [];
		for (let i = 0; i < 6; i++) emitted.push(...(await second.poll())); // pages 1, 2, 3, 1, 2, 3
		expect(emitted).toEqual([`${added.label} participantAdded`]);
	});

	it('a restart in the middle of a pass resumes from what n8n saved: nothing missed, nothing twice', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		expect(labels).toHaveLength(12); // BASELINE_PAGES
		pollLimits.budgetMs = 0; // one page per poll after the baseline
		const params = { options: { pageSize: 5 } };
		const first = await activate(sb, params);
		expect(await first.poll()).toEqual([]); // baseline, saved

		const emitted: string[] = [];
		sb.control.updateParticipant(labels[6], { detail: { firstName: 'BeforeRestart' } });
		emitted.push(...(await first.poll())); // page 1
		emitted.push(...(await first.poll())); // page 2: emitted, saved with the cursor at page 3
		expect(emitted).toEqual([`${labels[6]} contactChanged firstName`]);
		emitted.push(...(await first.poll())); // page 3: the pass ends, in memory only
		emitted.push(...(await first.poll())); // page 1 of the next pass, in memory only
		expect(emitted).toHaveLength(1);
		expect(first.trigger.nodeStaticData()).toMatchObject({ page: 2 });

		// An addition and a change on the page read in memory only, then a restart.
		const before = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Before', lastName: 'Restart' } });
		sb.control.updateParticipant(labels[0], { detail: { email: 'after.save@example.org' } });
		const second = await activate(sb, params, first.persisted());
		emitted.push(...(await second.poll())); // page 3 again, as saved
		const after = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'After', lastName: 'Restart' } });
		for (let i = 0; i < 6; i++) emitted.push(...(await second.poll())); // pages 1, 2, 3, 1, 2, 3

		expect(emitted).toEqual([
			`${labels[6]} contactChanged firstName`,
			`${before.label} participantAdded`,
			`${labels[0]} contactChanged email`,
			`${after.label} participantAdded`,
		]);
		expect(submittedPages(sb)).toEqual([...BASELINE_PAGES, 1, 2, 3, 1, 3, 1, 2, 3, 1, 2, 3]);
	});

	it('manual mode stays within the poll budget on a multi-page site', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		pollLimits.budgetMs = 0;
		const trigger = await poller(sb, { options: { pageSize: 5 } });

		// Never activated: the last page is unknown, so the newest participant of the pages read.
		expect(events(await trigger.poll('manual'))).toEqual([`${labels[4]} participantAdded`]);
		expect(submittedPages(sb)).toEqual([1]);
		expect(Object.keys(trigger.nodeStaticData())).toEqual([]);

		// With a stored state the last page is known: one job finds the newest participant.
		expect(await trigger.poll()).toBeNull();
		sb.control.clearRequests();
		expect(events(await trigger.poll('manual'))).toEqual([`${labels[11]} participantAdded`]);
		expect(submittedPages(sb)).toEqual([3]);
	});

	it('a failing poll leaves the state as it was: the next poll emits the change once', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		const trigger = await poller(sb);
		expect(await trigger.poll()).toBeNull();

		sb.control.updateParticipant(labels[7], { detail: { phone: '+33 611111111' } });
		sb.control.setFaults({ serverErrors: { count: 1, match: 'extractParticipantsInfo' } });
		await expect(trigger.poll()).rejects.toThrow();
		expect(trigger.nodeStaticData().busyUntil).toBeUndefined();

		expect(events(await trigger.poll())).toEqual([`${labels[7]} contactChanged mobile`]);
		expect(await trigger.poll()).toBeNull();
	});

	it('a page failing after others keeps the pages already compared; the next poll goes on from it', async () => {
		const sb = sandbox();
		const labels = eligibleLabels(sb, SITE);
		const trigger = await poller(sb, { options: { pageSize: 5 } });
		expect(await trigger.poll()).toBeNull();

		sb.control.updateParticipant(labels[1], { detail: { firstName: 'PageOne' } });
		sb.control.updateParticipant(labels[6], { detail: { firstName: 'PageTwo' } });
		// Jobs need a few download polls, so page 1 is still running when the fault is armed: the
		// next submit (a later page) then fails.
		sb.control.setFaults({ finishAfterPolls: 2 });
		sb.control.clearRequests();
		const first = trigger.poll();
		await waitFor(() => requests(sb, isSubmit).length >= 1, 'the submit of page 1');
		sb.control.setFaults({ serverErrors: { count: 1, match: 'extractParticipantsInfo' } });
		const firstEvents = events(await first);
		expect(firstEvents[0]).toBe(`${labels[1]} contactChanged firstName`);
		const resumeAt = trigger.nodeStaticData().page as number;
		expect([2, 3]).toContain(resumeAt);

		const rest: string[] = [];
		for (let i = 0; i < 3 && (trigger.nodeStaticData().page as number) !== 1; i++) rest.push(...events(await trigger.poll()));
		expect([...firstEvents, ...rest]).toEqual([`${labels[1]} contactChanged firstName`, `${labels[6]} contactChanged firstName`]);
		expect(await trigger.poll()).toBeNull();
	});

	it('reports malformed rows (delimiters inside names) as flagged events, never drops them', async () => {
		const sb = sandbox();
		const trigger = await poller(sb, { siteOid: 'S_JUNO_BOS' });
		expect(await trigger.poll()).toBeNull();

		// BOS-0002 is malformed already (last name "O'Neil, Jr"); BOS-0001 becomes malformed.
		sb.control.updateParticipant('BOS-0002', { detail: { email: 'ann.new@example.org' } });
		sb.control.updateParticipant('BOS-0001', { detail: { lastName: 'Doe, Sr' } });
		const added = sb.control.addParticipant({
			siteOid: 'S_JUNO_BOS',
			detail: { firstName: 'Comma', lastName: 'In, Name' },
		});
		const items = (await trigger.poll()) ?? [];
		expect(events(items)).toEqual([
			'BOS-0001 contactChanged rawLine',
			'BOS-0002 contactChanged rawLine',
			`${added.label} participantAdded`,
		]);
		for (const item of items) {
			expect(item.json.malformed).toBe(true);
			expect(typeof item.json.rawLine).toBe('string');
		}
		expect(await trigger.poll()).toBeNull();

		// Back to well-formed: the old values cannot be compared field by field.
		sb.control.updateParticipant('BOS-0001', { detail: { lastName: 'Doe' } });
		expect(events(await trigger.poll())).toEqual([
			'BOS-0001 contactChanged firstName,lastName,email,mobile,identifier',
		]);
	});

	it('the example workflow\'s trigger parameters work as saved', async () => {
		const sb = sandbox();
		const example = JSON.parse(
			fs.readFileSync(path.join(REPO_ROOT, 'examples', 'trigger-new-participants-to-email.json'), 'utf8'),
		) as { nodes: Array<{ type: string; parameters: INodeParameters }> };
		const node = example.nodes.find((n) => n.type === 'n8n-nodes-openclinica.openClinicaTrigger');
		const trigger = checkedPoller(
			sb,
			await createPoller({ credentials: credentialsFor(sb, 'crc.jane'), parameters: node!.parameters }),
		);
		expect(await trigger.poll()).toBeNull();
		sb.control.updateParticipant(eligibleLabels(sb, SITE)[0], { userStatus: 'ACTIVE', detail: { email: 'other@example.org' } });
		const added = sb.control.addParticipant({ siteOid: SITE, detail: { firstName: 'Ex', lastName: 'Ample', email: 'ex@example.org' } });
		expect(events(await trigger.poll())).toEqual([`${added.label} participantAdded`]);
	});

	it('keeps no contact details or access codes in the static data, only IDs and hashes', async () => {
		const sb = sandbox();
		pollLimits.budgetMs = 0;
		const trigger = await poller(sb, { includeAccessCodes: true, options: { pageSize: 5 } });
		await trigger.poll(); // baseline, all pages
		for (let i = 0; i < 2; i++) await trigger.poll(); // pages 1 and 2 of the next pass
		const labels = eligibleLabels(sb, SITE);
		sb.control.updateParticipant(labels[0], { detail: { email: 'secret.address@example.org' }, accessCode: 'Zx7kQ9mPw' });
		const emitted: INodeExecutionData[] = [];
		for (let i = 0; i < 3; i++) emitted.push(...((await trigger.poll()) ?? []));
		expect(events(emitted)).toEqual([`${labels[0]} contactChanged email,accessCode`]);
		expect(emitted[0].json.accessCode).toBe('Zx7kQ9mPw');

		const saved = JSON.stringify(trigger.savedStaticData());
		const secrets = sb.control
			.listParticipants(SITE)
			.flatMap((p) => [p.detail?.firstName, p.detail?.lastName, p.detail?.email, p.detail?.phone, p.detail?.identifier, p.accessCode])
			.filter((value): value is string => typeof value === 'string' && value.length >= 4);
		expect(secrets.length).toBeGreaterThan(20);
		for (const secret of secrets) expect(saved).not.toContain(secret);
		expect(saved).not.toContain('example.org');

		// Every entry: a pass digit and 7 field hashes (or a raw-line hash), keyed by participant ID.
		const p = trigger.nodeStaticData().p as Record<string, string>;
		for (const [id, value] of Object.entries(p)) {
			expect(id).toMatch(/^LYO-\d{4}$/);
			expect(value).toMatch(/^[0-9a-z]([A-Za-z0-9_~-]{35}|![A-Za-z0-9_-]{8})$/);
		}
	});
});
