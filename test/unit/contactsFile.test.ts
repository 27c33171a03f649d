import {
	columnKey,
	dropColumn,
	parseContactsFile,
	serialiseContactsFile,
} from '../../nodes/OpenClinica/contactsFile';

const bytes = (text: string) => new TextEncoder().encode(text);

const SITE_Y =
	'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status\n' +
	'SS-001,Jane,Doe,jane@example.org,+1 5555550100,MRN-77,4aBc7dEfG,ACTIVE\n' +
	'SS-002,,,,,,,\n' +
	"SS-003,Ann,O'Neil, Jr,,,,,CREATED\n" +
	'\n';

describe('parseContactsFile', () => {
	it('parses the 4.13 site-level file with access codes (spec §2.3 example)', () => {
		const file = parseContactsFile(bytes(SITE_Y));
		expect(file.empty).toBe(false);
		expect(file.delimiter).toBe(',');
		expect(file.columns).toEqual([
			'participantId',
			'firstName',
			'lastName',
			'email',
			'mobile',
			'identifier',
			'accessCode',
			'participateStatus',
		]);
		expect(file.rows).toHaveLength(3);
		expect(file.rows[0]).toEqual({
			participantId: 'SS-001',
			firstName: 'Jane',
			lastName: 'Doe',
			email: 'jane@example.org',
			mobile: '+1 5555550100',
			identifier: 'MRN-77',
			accessCode: '4aBc7dEfG',
			participateStatus: 'ACTIVE',
		});
		// No contact record: every column present and empty.
		expect(file.rows[1]).toEqual({
			participantId: 'SS-002',
			firstName: '',
			lastName: '',
			email: '',
			mobile: '',
			identifier: '',
			accessCode: '',
			participateStatus: '',
		});
	});

	it('flags a row whose field count differs from the header, with its first field and raw line', () => {
		const file = parseContactsFile(bytes(SITE_Y));
		expect(file.rows[2]).toEqual({
			participantId: 'SS-003',
			malformed: true,
			rawLine: "SS-003,Ann,O'Neil, Jr,,,,,CREATED",
		});
	});

	it('flags rows with too few fields too, and never drops a row', () => {
		const file = parseContactsFile('ParticipantId,Participate Status\nA-1\nA-2,ACTIVE\n\n');
		expect(file.rows).toEqual([
			{ participantId: 'A-1', malformed: true, rawLine: 'A-1' },
			{ participantId: 'A-2', participateStatus: 'ACTIVE' },
		]);
	});

	it('parses the 2-column file of a study-level user', () => {
		const file = parseContactsFile(bytes('ParticipantId,Participate Status\nSS-001,ACTIVE\nSS-002,\n\n'));
		expect(file.columns).toEqual(['participantId', 'participateStatus']);
		expect(file.rows).toEqual([
			{ participantId: 'SS-001', participateStatus: 'ACTIVE' },
			{ participantId: 'SS-002', participateStatus: '' },
		]);
	});

	it('parses the 7-column file without access codes', () => {
		const file = parseContactsFile(
			'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status\nSS-001,Zoë,Łukasz,z@example.org,,ID-1,INVITED\n\n',
		);
		expect(file.columns).not.toContain('accessCode');
		expect(file.rows[0]).toMatchObject({ firstName: 'Zoë', lastName: 'Łukasz', participateStatus: 'INVITED' });
	});

	it('strips a UTF-8 BOM and decodes non-ASCII letters', () => {
		const file = parseContactsFile(bytes('\uFEFFParticipantId,First Name\nP-1,José 李\n'));
		expect(file.columns).toEqual(['participantId', 'firstName']);
		expect(file.rows).toEqual([{ participantId: 'P-1', firstName: 'José 李' }]);
		expect(file.headerLine).toBe('ParticipantId,First Name');
	});

	it('accepts CRLF line endings and drops blank lines anywhere', () => {
		const file = parseContactsFile(bytes('ParticipantId,Email\r\n\r\nP-1,a@b.c\r\n\nP-2,\r\n\r\n'));
		expect(file.rows).toEqual([
			{ participantId: 'P-1', email: 'a@b.c' },
			{ participantId: 'P-2', email: '' },
		]);
		expect(file.lines).toEqual(['P-1,a@b.c', 'P-2,']);
	});

	it('reads the pipe-separated .txt files of V2–V4', () => {
		const file = parseContactsFile(
			bytes(
				'ParticipantId|First Name|Last Name|Email|Mobile|Identifier|Access Code|Participate Status\n' +
					'SS-001|Ann|Smith, Jr|a@b.c||ID-1|abcDEF234|ACTIVE\n\n',
			),
		);
		expect(file.delimiter).toBe('|');
		// A comma inside a value is just text in the pipe format.
		expect(file.rows[0]).toMatchObject({ participantId: 'SS-001', lastName: 'Smith, Jr', accessCode: 'abcDEF234' });
	});

	it('maps the V1 header names (Participant Id, Email Address, Phone Number, Participant Status)', () => {
		const file = parseContactsFile(
			'Participant Id|First Name|Last Name|Email Address|Phone Number|Identifier|Access Code|Participant Status\n' +
				'SS-001|Ann|Lee|a@b.c|+1 555|ID|code12345|ACTIVE\n\n',
		);
		expect(file.columns).toEqual([
			'participantId',
			'firstName',
			'lastName',
			'email',
			'mobile',
			'identifier',
			'accessCode',
			'participateStatus',
		]);
		expect(file.rows[0]).toMatchObject({ email: 'a@b.c', mobile: '+1 555', participateStatus: 'ACTIVE' });
	});

	it('uses "," when the header has both "|" and ","', () => {
		expect(parseContactsFile('ParticipantId,Odd|Name\nP-1,x|y\n').delimiter).toBe(',');
	});

	it('gives a header-only file (an empty page) no rows', () => {
		const file = parseContactsFile(bytes('ParticipantId,Participate Status\n\n'));
		expect(file.empty).toBe(false);
		expect(file.rows).toEqual([]);
		expect(file.columns).toEqual(['participantId', 'participateStatus']);
	});

	it('marks a 0-byte or blank file as empty (no header at all)', () => {
		expect(parseContactsFile(new Uint8Array(0)).empty).toBe(true);
		expect(parseContactsFile(bytes('\n\n\r\n')).empty).toBe(true);
		expect(parseContactsFile(bytes('\uFEFF')).empty).toBe(true);
	});

	it('keeps unknown columns under a camelCase key and never uses unsafe keys', () => {
		expect(columnKey('Site Name', 0)).toBe('siteName');
		expect(columnKey('__proto__', 3)).toBe('proto');
		expect(columnKey('constructor', 3)).toBe('column4');
		expect(columnKey('Raw Line', 4)).toBe('column5');
		expect(columnKey('', 1)).toBe('column2');
		const file = parseContactsFile('ParticipantId,Site Name\nP-1,Boston\n');
		expect(file.rows[0]).toEqual({ participantId: 'P-1', siteName: 'Boston' });
	});

	it('parses 100,000 rows quickly', () => {
		const header = 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status\n';
		const row = (i: number) => `P-${i},First${i},Last${i},p${i}@example.org,+1 555${i},ID-${i},abcDEF234,ACTIVE\n`;
		const text = header + Array.from({ length: 100_000 }, (_, i) => row(i)).join('') + '\n';
		const started = Date.now();
		const file = parseContactsFile(bytes(text));
		const elapsed = Date.now() - started;
		expect(file.rows).toHaveLength(100_000);
		expect(file.rows[99_999].participantId).toBe('P-99999');
		// Generous bound for a shared machine: a regression to quadratic behaviour would blow it.
		expect(elapsed).toBeLessThan(5000);
	});
});

describe('dropColumn', () => {
	it('removes a column from header, rows, lines and malformed raw lines', () => {
		const file = dropColumn(parseContactsFile(SITE_Y), 'accessCode');
		expect(file.columns).not.toContain('accessCode');
		expect(file.headerLine).toBe('ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status');
		expect(file.rows[0]).not.toHaveProperty('accessCode');
		expect(file.lines[0]).toBe('SS-001,Jane,Doe,jane@example.org,+1 5555550100,MRN-77,ACTIVE');
		// The stray comma sits in the name, before the access code: counted from the end.
		expect(file.rows[2]).toEqual({
			participantId: 'SS-003',
			malformed: true,
			rawLine: "SS-003,Ann,O'Neil, Jr,,,,CREATED",
		});
	});

	it('returns the file unchanged when the column is absent', () => {
		const file = parseContactsFile('ParticipantId,Participate Status\nP-1,ACTIVE\n');
		expect(dropColumn(file, 'accessCode')).toBe(file);
	});
});

describe('serialiseContactsFile', () => {
	it('writes the server layout: header, rows, and a blank last line', () => {
		expect(serialiseContactsFile('A,B', ['1,2', '3,4'])).toBe('A,B\n1,2\n3,4\n\n');
		expect(serialiseContactsFile('A,B', [])).toBe('A,B\n\n');
	});
});
