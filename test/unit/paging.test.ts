import { parseContactsFile } from '../../nodes/OpenClinica/contactsFile';
import { collectPages, requestedPageSize, type PageData } from '../../nodes/OpenClinica/paging';

/** A fake server: `site` participant ids; paging honoured unless `ignoresPaging`. */
function fakeServer(site: string[], options: { ignoresPaging?: boolean; failPage?: number } = {}) {
	const calls: Array<{ pageNumber: number; pageSize: number }> = [];
	let running = 0;
	let maxRunning = 0;
	const runPage = async (pageNumber: number, pageSize: number): Promise<PageData> => {
		calls.push({ pageNumber, pageSize });
		running++;
		maxRunning = Math.max(maxRunning, running);
		await new Promise((resolve) => setImmediate(resolve));
		running--;
		if (pageNumber === options.failPage) throw new Error(`page ${pageNumber} failed`);
		const ids = options.ignoresPaging ? site : site.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
		const text = `ParticipantId,Participate Status\n${ids.map((id) => `${id},ACTIVE\n`).join('')}\n`;
		return { pageNumber, jobUuid: `job-${pageNumber}`, file: parseContactsFile(text) };
	};
	return { calls, runPage, maxRunning: () => maxRunning };
}

const site = (n: number) => Array.from({ length: n }, (_, i) => `P-${String(i + 1).padStart(4, '0')}`);

describe('collectPages (spec §6.2 F)', () => {
	it('Return All: every participant once, stopping at the short page', async () => {
		const server = fakeServer(site(250));
		const result = await collectPages({ pageSize: 60, concurrency: 1 }, server.runPage);
		expect(result.rows.map((r) => r.participantId)).toEqual(site(250));
		expect(server.calls.map((c) => c.pageNumber)).toEqual([1, 2, 3, 4, 5]);
		expect(result.pages.map((p) => p.jobUuid)).toEqual(['job-1', 'job-2', 'job-3', 'job-4', 'job-5']);
		expect(result.lines[0]).toBe('P-0001,ACTIVE');
	});

	it('stops on an empty page when the site is an exact multiple of the page size', async () => {
		const server = fakeServer(site(120));
		const result = await collectPages({ pageSize: 60, concurrency: 1 }, server.runPage);
		expect(result.rows).toHaveLength(120);
		expect(server.calls.map((c) => c.pageNumber)).toEqual([1, 2, 3]);
	});

	it('runs later pages concurrently, consumes them in order, and wastes at most concurrency-1 jobs', async () => {
		const server = fakeServer(site(250));
		const result = await collectPages({ pageSize: 60, concurrency: 2 }, server.runPage);
		expect(result.rows.map((r) => r.participantId)).toEqual(site(250));
		expect(server.maxRunning()).toBe(2);
		const pages = server.calls.map((c) => c.pageNumber);
		expect(pages.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
		expect(pages.length).toBeLessThanOrEqual(6);
		expect(result.pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5]);
	});

	it('a server that ignores paging: a page larger than asked for is everything', async () => {
		const server = fakeServer(site(150), { ignoresPaging: true });
		const result = await collectPages({ pageSize: 60, concurrency: 2 }, server.runPage);
		expect(result.rows).toHaveLength(150);
		expect(result.duplicatesDropped).toBe(0);
		expect(server.calls).toHaveLength(1);
	});

	it('a server that ignores paging with a site of exactly one page: stops at the page with no new id', async () => {
		const server = fakeServer(site(60), { ignoresPaging: true });
		const result = await collectPages({ pageSize: 60, concurrency: 1 }, server.runPage);
		expect(result.rows).toHaveLength(60);
		expect(server.calls.map((c) => c.pageNumber)).toEqual([1, 2]);
	});

	it('de-duplicates participants that appear on two pages', async () => {
		const rows = site(10);
		const runPage = async (pageNumber: number): Promise<PageData> => {
			const ids = pageNumber === 1 ? rows.slice(0, 5) : pageNumber === 2 ? rows.slice(4, 9) : rows.slice(9);
			const text = `ParticipantId\n${ids.join('\n')}\n\n`;
			return { pageNumber, jobUuid: `j${pageNumber}`, file: parseContactsFile(text) };
		};
		const result = await collectPages({ pageSize: 5, concurrency: 1 }, runPage);
		expect(result.rows.map((r) => r.participantId)).toEqual(rows);
		// The site changed while paging: reported, so the user learns rows may have been missed.
		expect(result.duplicatesDropped).toBe(1);
	});

	it('a page of nothing but known rows (a server ignoring paging) is not counted as duplicates', async () => {
		const server = fakeServer(site(60), { ignoresPaging: true });
		const result = await collectPages({ pageSize: 60, concurrency: 1 }, server.runPage);
		expect(result.duplicatesDropped).toBe(0);
	});

	it('a failing page stops the page jobs still running, without waiting for them', async () => {
		let stoppedPage4 = false;
		const runPage = async (pageNumber: number, pageSize: number, stop: AbortSignal): Promise<PageData> => {
			if (pageNumber === 3) throw new Error('page 3 failed');
			if (pageNumber === 4) {
				// A stalled job: ends only when stopped.
				await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
				stoppedPage4 = true;
				throw new Error('stopped');
			}
			const ids = site(pageSize * 5).slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
			return { pageNumber, jobUuid: `j${pageNumber}`, file: parseContactsFile(`ParticipantId\n${ids.join('\n')}\n`) };
		};
		await expect(collectPages({ pageSize: 5, concurrency: 2 }, runPage)).rejects.toThrow('page 3 failed');
		expect(stoppedPage4).toBe(true);
	});

	it('limit: asks for no more rows than needed and truncates', async () => {
		const server = fakeServer(site(250));
		const result = await collectPages({ pageSize: 500, limit: 7, concurrency: 2 }, server.runPage);
		expect(result.rows.map((r) => r.participantId)).toEqual(site(7));
		expect(server.calls).toEqual([{ pageNumber: 1, pageSize: 7 }]);
	});

	it('limit above the page size: only the pages the limit needs', async () => {
		const server = fakeServer(site(250));
		const result = await collectPages({ pageSize: 60, limit: 130, concurrency: 2 }, server.runPage);
		expect(result.rows).toHaveLength(130);
		expect(server.calls.map((c) => c.pageNumber)).toEqual([1, 2, 3]);
	});

	it('a failing page fails the export, after the other running pages have settled', async () => {
		const server = fakeServer(site(250), { failPage: 3 });
		await expect(collectPages({ pageSize: 60, concurrency: 2 }, server.runPage)).rejects.toThrow('page 3 failed');
	});

	it('requestedPageSize', () => {
		expect(requestedPageSize(500)).toBe(500);
		expect(requestedPageSize(500, 50)).toBe(50);
		expect(requestedPageSize(100, 250)).toBe(100);
	});
});
