// Measurement 3's baseline, "today's practice": what users build without this package, an
// HTTP Request (submit one page) → Wait 5 s → HTTP Request (download) → If "in progress" → back to
// Wait, then Extract From File, and an outer If that asks for the next page while a page came
// back full. Page size 100 (OpenClinica's default), one page at a time, fixed 5-second wait.
import { parse as csvParse } from 'csv-parse/sync';

import { childArgs, downloadJob, emit, type Endpoint, login, sleep, submitJob } from './lib';

export interface BaselineArgs {
	endpoint: Endpoint;
	siteOid: string;
	pageSize: number;
	waitMs: number;
	/** Stop after this many pages (a sample; the parent extrapolates), or 0 for the whole site. */
	maxPages: number;
}

export interface BaselineResult {
	loginMs: number;
	pages: Array<{ page: number; rows: number; ms: number; polls: number }>;
	complete: boolean;
	totalMs: number;
}

async function main() {
	const args = childArgs<BaselineArgs>();
	const started = Date.now();
	const token = await login(args.endpoint);
	const loginMs = Date.now() - started;
	const pages: BaselineResult['pages'] = [];
	let complete = false;
	for (let page = 1; args.maxPages === 0 || page <= args.maxPages; page++) {
		const pageStart = Date.now();
		const uuid = await submitJob(args.endpoint, token, args.siteOid, page, args.pageSize);
		let polls = 0;
		let body: Buffer;
		for (;;) {
			await sleep(args.waitMs);
			polls++;
			const answer = await downloadJob(args.endpoint, token, uuid);
			if (answer.ready) {
				body = answer.body;
				break;
			}
		}
		const rows = (csvParse(body, { columns: true, bom: true, quote: false, skip_empty_lines: true }) as object[]).length;
		pages.push({ page, rows, ms: Date.now() - pageStart, polls });
		if (rows < args.pageSize) {
			complete = true;
			break;
		}
	}
	const result: BaselineResult = { loginMs, pages, complete, totalMs: Date.now() - started };
	emit(result);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
