// One poll of the OpenClinica Trigger: export the next pages of the site with the action node's
// export pipeline (exportJob/run.ts, paging.ts), compare each row with the stored hashes
// (state.ts), emit the events, and store where to go on.
//
// Passes and pages. A pass reads the whole site, page by page, in the server's order: creation
// time ascending (spec §2.4). A poll stops starting pages once POLL_BUDGET_MS have passed (pages
// already started are still used) and the next poll continues the pass at the next page. Each row
// is compared as soon as its page is in, with the participant's latest entry: the one stored by an
// earlier pass, or by an earlier page of this pass. Events are emitted only for pages fully
// received and compared, and the entries of those pages are stored in the same step as the events
// are returned, so a poll that fails before returning leaves the state as it was: its pages are
// read again by the next poll, and no event is lost or emitted twice. When a page fails after
// others succeeded, the poll returns the events of the good pages and the next poll starts at the
// failing page (if it fails again there, that poll fails and n8n reports the error).
//
// The baseline (the first pass, which records and emits nothing) is the exception: it ignores the
// budget and keeps no pages on a failure, so it completes within one poll or leaves nothing. A
// baseline spread over several polls would record participants added after activation as if they
// had always been there, and could be resumed from a half-saved state after a restart (below).
//
// Persistence. n8n saves static data only after the activation poll (which it awaits, also when it
// re-activates workflows at start-up) and right after a poll that emits; a poll that emits nothing
// changes the state in memory only, and a restart loses those changes. Hence:
// - The baseline normally runs in the activation poll (first activation, or a changed study, site
//   or access-code setting, which re-activates the workflow) and is saved complete, or the
//   activation fails with the error. On a large site activating takes as long as exporting it.
// - After the baseline, every saved state is one saved together with all events emitted up to it:
//   an entry only changes where a row was compared, and each comparison emits its events in that
//   same poll or has none to emit. After a restart the node resumes from the last saved state and
//   reads again the pages that non-emitting polls had read: rows compare with entries that already
//   reflect every emitted event (no duplicates), and every change made since the save, additions
//   included, differs from them (nothing missed). The only cost is the pages read again.
//
// Guarantee: every addition, contact change and status change that happens after the activation
// poll ended and is visible in the export is emitted exactly once, at the latest on the pass after the
// one during which it happened (counted from the restart, after a restart). Two limits are n8n's:
// the save after an emitting poll is not awaited, so a crash between the two emits those events
// again; and a change to an event type not selected is absorbed silently, but when that happened in
// a poll n8n did not save, selecting the type later (a re-activation) reports it. Why page
// boundaries hold across polls: new participants are created last and appear after every existing
// row, so additions never shift earlier rows. Edge cases:
// - A participant removed (or made ineligible) while a pass runs moves every later row one place
//   up: the first row of the next page slides onto a page already read and is missed by this
//   pass. It keeps its stored entry (entries survive KEEP_MISSING_PASSES passes unseen), so the
//   next pass compares it normally: its changes are reported one pass late, never lost or doubled.
// - Rows created at the same instant have no defined order and may swap across a page boundary
//   between two page jobs: a row read twice is compared with its own newer entry (no second event);
//   a row missed is read on the next pass, as above.
// - Removals emit nothing. A participant absent for KEEP_MISSING_PASSES complete passes is
//   forgotten; if restored after that, it is reported as added again.
// - A participant whose row is malformed (a delimiter inside a name or identifier, spec §2.3) is
//   tracked by the hash of its raw line: any change is reported as contactChanged with
//   changedFields ["rawLine"] and `malformed: true`; its status changes cannot be told apart.
// - Another study, site or Include Access Codes setting starts over with a silent baseline; a new
//   page size restarts the current pass at page 1 (rows read again compare equal: no events).
// - Servers that ignore paging (before late 2019) return the whole site on page 1: one page per
//   pass.
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { ContactRow } from '../OpenClinica/contactsFile';
import { runExportPage, type ExportPage, type JobOptions } from '../OpenClinica/exportJob/run';
import { participantJson } from '../OpenClinica/output';
import { collectPages, PAGE_CONCURRENCY, type PagingResult } from '../OpenClinica/paging';
import { getConnection, type Connection } from '../OpenClinica/transport';
import { createHasher, newSalt } from '../OpenClinica/hash';
import {
	configKey,
	diffBodies,
	endPass,
	entry,
	entryBody,
	readState,
	rowBody,
	STATE_VERSION,
	type TriggerState,
} from './state';

// n8n polls at most once a minute and starts the next poll on time even if one is still running,
// so a poll stops starting export pages after 20 s: with one more page in flight it normally ends
// well within the minute. A poll that still overruns is not doubled: see LEASE below.
export const POLL_BUDGET_MS = 20_000;

/** The budget in use. Engine tests lower it to page across several polls; never changed otherwise. */
export const pollLimits = { budgetMs: POLL_BUDGET_MS };

// A poll marks the static data busy until it ends (at the latest this long after the job timeout
// of the newest page it started), so an overlapping poll of the same node returns without reading
// or writing the state.
const LEASE_MARGIN_MS = 300_000;

export type TriggerEvent = 'participantAdded' | 'contactChanged' | 'statusChanged';

export interface TriggerSettings {
	studyOid: string;
	siteOid: string;
	includeAccessCodes: boolean;
	events: TriggerEvent[];
	pageSize: number;
	job: JobOptions;
}

function eventItem(row: ContactRow, event: TriggerEvent, changedFields?: string[]): INodeExecutionData {
	const json: IDataObject = { ...participantJson(row, []), event };
	if (changedFields) json.changedFields = changedFields;
	return { json };
}

interface ReadPlan {
	firstPage: number;
	/** Asked before each page after the first (see PagingPlan). */
	canStartPage: () => boolean;
	/** true: a failing page ends the read and the pages before it are kept. */
	keepPagesOnError: boolean;
}

async function readPages(
	this: IPollFunctions,
	connection: Connection,
	settings: TriggerSettings,
	plan: ReadPlan,
): Promise<PagingResult<ExportPage>> {
	const { studyOid, siteOid, includeAccessCodes } = settings;
	return await collectPages(
		{
			pageSize: settings.pageSize,
			concurrency: PAGE_CONCURRENCY,
			...plan,
		},
		async (pageNumber, pageSize, stop) =>
			await runExportPage.call(
				this,
				connection,
				{ studyOid, siteOid, includeAccessCodes, pageNumber, pageSize },
				{ ...settings.job, stop },
			),
	);
}

/**
 * Manual test run: a sample participantAdded event, the most recently created participant read
 * within one poll budget. The export has no total, so the site's last page is only known from a
 * stored state: with one, reading starts at the page that should be the last (usually one job);
 * without one (the workflow was never activated), reading starts at page 1 and stops starting pages
 * after POLL_BUDGET_MS, so on a site larger than that the sample is the newest participant of the
 * pages read, not of the site. Reads the stored state only for that guess; writes nothing.
 */
export async function manualSample(
	this: IPollFunctions,
	settings: TriggerSettings,
): Promise<INodeExecutionData[][] | null> {
	const connection = await getConnection.call(this);
	const cfg = configKey(settings.studyOid, settings.siteOid, settings.includeAccessCodes);
	const stored = readState(this.getWorkflowStaticData('node'), cfg);
	const known = stored ? Object.keys(stored.p).length : 0;
	const guess = Math.max(1, Math.ceil(known / settings.pageSize));
	const deadline = Date.now() + pollLimits.budgetMs;
	const read = async (firstPage: number) =>
		await readPages.call(this, connection, settings, {
			firstPage,
			canStartPage: () => Date.now() < deadline,
			keepPagesOnError: true,
		});

	let result = await read(guess);
	// Participants were removed since: the guessed page is past the end.
	if (result.rows.length === 0 && guess > 1) result = await read(1);
	const last = result.rows[result.rows.length - 1];
	return last ? [[eventItem(last, 'participantAdded')]] : null;
}

export async function pollChanges(
	this: IPollFunctions,
	settings: TriggerSettings,
): Promise<INodeExecutionData[][] | null> {
	const staticData = this.getWorkflowStaticData('node');
	const started = Date.now();
	if (typeof staticData.busyUntil === 'number' && staticData.busyUntil > started) {
		this.logger.debug('OpenClinica Trigger: the previous poll is still running; skipping this one');
		return null;
	}
	staticData.busyUntil = started + pollLimits.budgetMs + settings.job.timeoutMs + LEASE_MARGIN_MS;
	try {
		return await poll.call(this, settings, staticData, started);
	} finally {
		delete staticData.busyUntil;
	}
}

async function poll(
	this: IPollFunctions,
	settings: TriggerSettings,
	staticData: IDataObject,
	started: number,
): Promise<INodeExecutionData[][] | null> {
	const connection = await getConnection.call(this);
	const cfg = configKey(settings.studyOid, settings.siteOid, settings.includeAccessCodes);
	const state: TriggerState = readState(staticData, cfg) ?? {
		v: STATE_VERSION,
		cfg,
		salt: newSalt(),
		gen: 0,
		base: true,
		page: 1,
		size: settings.pageSize,
		p: {},
	};
	// A baseline (new, or left unfinished by an earlier version of the node) runs whole, from page 1.
	const firstPage = state.base || state.size !== settings.pageSize ? 1 : state.page;
	const deadline = started + pollLimits.budgetMs;

	const result = await readPages.call(this, connection, settings, {
		firstPage,
		canStartPage: () => {
			if (!state.base && Date.now() >= deadline) return false;
			// A baseline has no budget and each page may take up to the job timeout: keep the lease
			// ahead of the newest page.
			staticData.busyUntil = Math.max(
				staticData.busyUntil as number,
				Date.now() + settings.job.timeoutMs + LEASE_MARGIN_MS,
			);
			return true;
		},
		keepPagesOnError: !state.base,
	});

	// Compare in page order; a Map keeps any participant ID safe as a key.
	const entries = new Map(Object.entries(state.p));
	const hash = createHasher(state.salt);
	const wanted = new Set(settings.events);
	const items: INodeExecutionData[] = [];
	for (const row of result.rows) {
		const body = rowBody(row, hash);
		const before = entries.get(row.participantId);
		entries.set(row.participantId, entry(state.gen, body));
		if (state.base) continue;
		if (before === undefined) {
			if (wanted.has('participantAdded')) items.push(eventItem(row, 'participantAdded'));
			continue;
		}
		const change = diffBodies(entryBody(before), body);
		if (change.contact.length > 0 && wanted.has('contactChanged')) {
			items.push(eventItem(row, 'contactChanged', change.contact));
		}
		if (change.status && wanted.has('statusChanged')) {
			items.push(eventItem(row, 'statusChanged', ['participateStatus']));
		}
	}

	const lastPage = result.pages[result.pages.length - 1].pageNumber;
	let { gen, base, page } = state;
	if (result.complete) {
		gen = endPass(entries, gen);
		base = false;
		page = 1;
	} else {
		page = lastPage + 1;
	}
	if (result.error !== undefined) {
		const reason = result.error instanceof Error ? result.error.message : String(result.error);
		this.logger.warn(
			`OpenClinica Trigger: page ${page} failed (${reason}); kept pages ${firstPage}-${lastPage}, the next poll retries page ${page}`,
		);
	}
	this.logger.debug(
		`OpenClinica Trigger: pages ${firstPage}-${lastPage}${result.complete ? ' (pass complete)' : ''}, ${items.length} event(s)`,
	);

	// Store everything at once, right before the events are returned.
	staticData.v = STATE_VERSION;
	staticData.cfg = cfg;
	staticData.salt = state.salt;
	staticData.gen = gen;
	staticData.base = base;
	staticData.page = page;
	staticData.size = settings.pageSize;
	staticData.p = Object.fromEntries(entries);

	return items.length > 0 ? [items] : null;
}
