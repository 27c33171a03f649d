// Return All across pages (spec §2.4, §6.2 F). Each page is its own export job. OpenClinica gives
// no total, so paging stops at a page shorter than the page size, or at a page that adds no new
// participant (servers before late 2019 ignore paging and return the whole site every time).
// Rows are de-duplicated by participant ID: rows move between pages when participants are added,
// restored or removed while paging (or were created at the same instant), and the number dropped
// is reported, since rows may have been missed the same way.
import type { ContactRow, ContactsFile } from './contactsFile';

// Default page size of Export, and how many page jobs run at once after page 1 came back full.
// Measured with `npm run bench` on a 20,000-participant site with the sandbox's worker model (a
// server running 3 jobs at once, 300 ms per job, 2 ms per participant): 500 per page × 4 jobs at
// once took 1.12x the physical limit; 500 × 2 took 1.90x (two jobs leave a worker idle while a
// finished page waits for its download), 500 × 3 1.28x, 500 × 6 1.10x for two more empty jobs
// past the last page. Pages of 250 lose to the fixed cost of each job (1.28x at 6). Four keeps a
// server's small worker pool busy without queueing more jobs than it can run soon.
export const DEFAULT_PAGE_SIZE = 500;
export const PAGE_CONCURRENCY = 4;

export interface PageData {
	pageNumber: number;
	jobUuid: string;
	file: ContactsFile;
}

export interface PagingPlan {
	pageSize: number;
	/** Undefined: all participants. */
	limit?: number;
	concurrency: number;
	/** Page to start at (the polling trigger resuming a pass over the site); default 1. */
	firstPage?: number;
	/**
	 * Asked before each page after the first is started; false ends paging there, after the pages
	 * already started are used (the trigger's time budget per poll). Default: always true.
	 */
	canStartPage?: () => boolean;
	/**
	 * true: a page failing after the first ends paging instead of failing it; the pages before it
	 * are returned with the error (the trigger keeps the pages it compared). Default false.
	 */
	keepPagesOnError?: boolean;
}

export interface PagingResult<P extends PageData> {
	/** Pages whose rows were used, in page order. */
	pages: P[];
	rows: ContactRow[];
	/** The line of each row, same index. */
	lines: string[];
	/**
	 * Rows dropped as already seen, from pages that also brought new rows: the site changed while
	 * paging. (A page of nothing but known rows is a server ignoring paging, not a change.)
	 */
	duplicatesDropped: number;
	/** The last page was reached (false: stopped by canStartPage or by an error kept). */
	complete: boolean;
	/** The error that ended paging, with keepPagesOnError. */
	error?: unknown;
}

/** The page size to ask for: never more rows than the limit needs. */
export function requestedPageSize(pageSize: number, limit?: number): number {
	return limit === undefined ? pageSize : Math.max(1, Math.min(limit, pageSize));
}

function rowKey(row: ContactRow): string {
	return row.malformed ? `${row.participantId}\u0000${row.rawLine ?? ''}` : row.participantId;
}

/**
 * Runs the page jobs. `stop` is aborted when a page fails: the page jobs still running are not
 * needed any more and should end at once rather than wait for their own timeout.
 */
export async function collectPages<P extends PageData>(
	plan: PagingPlan,
	runPage: (pageNumber: number, pageSize: number, stop: AbortSignal) => Promise<P>,
): Promise<PagingResult<P>> {
	const size = requestedPageSize(plan.pageSize, plan.limit);
	const firstPage = plan.firstPage ?? 1;
	const maxPages =
		plan.limit === undefined ? Number.POSITIVE_INFINITY : firstPage - 1 + Math.ceil(plan.limit / size);
	const seen = new Set<string>();
	const result: PagingResult<P> = { pages: [], rows: [], lines: [], duplicatesDropped: 0, complete: false };
	const stop = new AbortController();

	const add = (page: P): number => {
		let added = 0;
		const { rows, lines } = page.file;
		for (let i = 0; i < rows.length; i++) {
			const key = rowKey(rows[i]);
			if (seen.has(key)) continue;
			seen.add(key);
			result.rows.push(rows[i]);
			result.lines.push(lines[i]);
			added++;
		}
		if (added > 0) result.duplicatesDropped += rows.length - added;
		result.pages.push(page);
		return added;
	};
	const limitReached = () => plan.limit !== undefined && result.rows.length >= plan.limit;
	const isLast = (page: P, added: number) =>
		page.file.rows.length !== size || added === 0 || limitReached() || page.pageNumber >= maxPages;

	const first = await runPage(firstPage, size, stop.signal);
	let done = isLast(first, add(first));

	// Later pages: keep up to `concurrency` jobs running, consume them in page order.
	const running = new Map<number, Promise<P>>();
	let nextPage = firstPage + 1;
	let failure: unknown;
	const launch = () => {
		while (
			!done &&
			running.size < plan.concurrency &&
			nextPage <= maxPages &&
			(plan.canStartPage?.() ?? true)
		) {
			const promise = runPage(nextPage, size, stop.signal);
			promise.catch(() => undefined); // awaited below; keep Node from reporting it as unhandled
			running.set(nextPage, promise);
			nextPage++;
		}
	};
	for (let pageNumber = firstPage + 1; !done; pageNumber++) {
		launch();
		const pending = running.get(pageNumber);
		if (!pending) break;
		try {
			const page = await pending;
			running.delete(pageNumber);
			done = isLast(page, add(page));
		} catch (error) {
			failure = error;
			done = true;
			stop.abort();
		}
	}
	// Jobs started beyond the last page still finish (and clean up) before the node returns; after
	// a failure they were stopped, and end without their files.
	await Promise.allSettled(running.values());
	result.complete = done && failure === undefined;
	if (failure !== undefined) {
		if (!plan.keepPagesOnError) throw failure;
		result.error = failure;
	}

	if (plan.limit !== undefined && result.rows.length > plan.limit) {
		result.rows.length = plan.limit;
		result.lines.length = plan.limit;
	}
	return result;
}
