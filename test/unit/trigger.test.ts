import { parseContactsFile } from '../../nodes/OpenClinica/contactsFile';
import { collectPages, type PageData } from '../../nodes/OpenClinica/paging';
import { createHasher, digest } from '../../nodes/OpenClinica/hash';
import * as state from '../../nodes/OpenClinicaTrigger/state';
import { diffBodies, endPass, entry, KEEP_MISSING_PASSES, rowBody, TRACKED_FIELDS } from '../../nodes/OpenClinicaTrigger/state';

// createHasher's output before it moved to nodes/OpenClinica/hash.ts.
const PINNED = ['_gQSg', '5w5B8PWu', 'D2o7agL3'];

const HEADER = 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status';
const row = (line: string, header = HEADER) => parseContactsFile(`${header}\n${line}\n\n`).rows[0];

describe('trigger hashes', () => {
	it('are deterministic per salt and differ between salts and fields', () => {
		const a = createHasher('salt-a');
		const b = createHasher('salt-b');
		expect(a('email\u0000x@example.org', 5)).toBe(a('email\u0000x@example.org', 5));
		expect(a('email\u0000x@example.org', 5)).not.toBe(b('email\u0000x@example.org', 5));
		expect(a('email\u0000x@example.org', 8)).toMatch(/^[A-Za-z0-9_-]{8}$/);
		const body = rowBody(row('P-1,Jane,Jane,j@x.org,+1 5,ID,ACTIVE'), a);
		// Same value in two fields: different hashes (no equality leak between fields).
		expect(body.slice(0, 5)).not.toBe(body.slice(5, 10));
	});

	it('keep their values after moving to the shared module (stored states stay comparable)', () => {
		// Values of the hasher as it was in nodes/OpenClinicaTrigger/hash.ts.
		const a = createHasher('salt-a');
		expect([a('email\u0000x@example.org', 5), a('rawLine\u0000P-1,x', 8), createHasher('')('', 8)]).toEqual(PINNED);
		expect(digest('a')).toMatch(/^[A-Za-z0-9_-]{16}$/);
		expect(digest('a')).not.toBe(digest('b'));
	});
});

describe('trigger state format', () => {
	it('tracks the export columns but the ID, in the stored order, status last', () => {
		expect(TRACKED_FIELDS).toEqual(['firstName', 'lastName', 'email', 'mobile', 'identifier', 'accessCode', 'participateStatus']);
		// contactsFile.CONTACT_FIELDS is the one list of columns.
		expect('CONTACT_FIELDS' in state).toBe(false);
	});
});

describe('trigger row comparison', () => {
	const hash = createHasher('unit');
	const body = (line: string, header?: string) => rowBody(row(line, header), hash);

	it('names the changed contact fields and the status separately', () => {
		const before = body('P-1,Jane,Doe,j@x.org,+1 5,ID,INVITED');
		expect(diffBodies(before, before)).toEqual({ contact: [], status: false });
		expect(diffBodies(before, body('P-1,Jane,Doe,k@x.org,+1 6,ID,INVITED'))).toEqual({
			contact: ['email', 'mobile'],
			status: false,
		});
		expect(diffBodies(before, body('P-1,Jane,Doe,j@x.org,+1 5,ID,ACTIVE'))).toEqual({ contact: [], status: true });
	});

	it('ignores columns the server stopped or started sending', () => {
		const full = body('P-1,Jane,Doe,j@x.org,+1 5,ID,INVITED');
		const reduced = body('P-1,INVITED', 'ParticipantId,Participate Status');
		expect(diffBodies(full, reduced)).toEqual({ contact: [], status: false });
		expect(diffBodies(reduced, full)).toEqual({ contact: [], status: false });
	});

	it('tracks malformed rows by their raw line', () => {
		const malformed = body("P-2,Ann,O'Neil, Jr,a@x.org,,ID,CREATED");
		expect(malformed).toMatch(/^![A-Za-z0-9_-]{8}$/);
		expect(diffBodies(malformed, body("P-2,Ann,O'Neil, Jr,b@x.org,,ID,CREATED"))).toEqual({
			contact: ['rawLine'],
			status: false,
		});
		expect(diffBodies(malformed, body('P-2,Ann,ONeil,a@x.org,,ID,CREATED')).contact).toEqual([
			'firstName',
			'lastName',
			'email',
			'mobile',
			'identifier',
		]);
	});

	it(`forgets participants unseen for ${KEEP_MISSING_PASSES} complete passes`, () => {
		const entries = new Map([
			['seen', entry(5, 'x')],
			['missed1', entry(4, 'x')],
			['missed2', entry(3, 'x')],
			['gone', entry(2, 'x')],
			['wrapped', entry(35, 'x')],
		]);
		expect(endPass(entries, 5)).toBe(6);
		expect([...entries.keys()]).toEqual(['seen', 'missed1', 'missed2']);
		const wrap = new Map([['a', entry(35, 'x')], ['b', entry(33, 'x')]]);
		expect(endPass(wrap, 0)).toBe(1);
		expect([...wrap.keys()]).toEqual(['a']);
	});
});

describe('collectPages options used by the trigger', () => {
	const ids = Array.from({ length: 12 }, (_, i) => `P-${i + 1}`);
	const calls: number[] = [];
	const runPage = (failPage?: number) => async (pageNumber: number, pageSize: number): Promise<PageData> => {
		calls.push(pageNumber);
		await new Promise((resolve) => setImmediate(resolve));
		if (pageNumber === failPage) throw new Error(`page ${pageNumber} failed`);
		const page = ids.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
		const text = `ParticipantId,Participate Status\n${page.map((id) => `${id},ACTIVE\n`).join('')}\n`;
		return { pageNumber, jobUuid: `job-${pageNumber}`, file: parseContactsFile(text) };
	};
	beforeEach(() => {
		calls.length = 0;
	});

	it('starts at firstPage and stops when canStartPage says no', async () => {
		const result = await collectPages(
			{ pageSize: 5, concurrency: 2, firstPage: 2, canStartPage: () => false },
			runPage(),
		);
		expect(calls).toEqual([2]);
		expect(result.complete).toBe(false);
		expect(result.rows.map((r) => r.participantId)).toEqual(ids.slice(5, 10));
	});

	it('is complete at the short last page', async () => {
		const result = await collectPages({ pageSize: 5, concurrency: 1, firstPage: 2 }, runPage());
		expect(calls).toEqual([2, 3]);
		expect(result.complete).toBe(true);
	});

	it('keeps the pages before a failing one with keepPagesOnError', async () => {
		const result = await collectPages(
			{ pageSize: 5, concurrency: 1, keepPagesOnError: true },
			runPage(2),
		);
		expect(result.pages.map((p) => p.pageNumber)).toEqual([1]);
		expect(result.complete).toBe(false);
		expect(String(result.error)).toContain('page 2 failed');
		await expect(collectPages({ pageSize: 5, concurrency: 1 }, runPage(2))).rejects.toThrow('page 2 failed');
	});
});
