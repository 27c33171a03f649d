import {
	fileNameFromContentDisposition,
	mimeTypeForFileName,
} from '../../nodes/OpenClinica/transport/contentDisposition';

const NAME = 'JUNO-TEST_Participant Access Code_2020-10-26-214642123Z.csv';

describe('fileNameFromContentDisposition (spec §3.2, §3.3)', () => {
	it.each([
		['4.13, browser User-Agent', "attachment; filename*=UTF-8''JUNO-TEST_Participant%20Access%20Code_2020-10-26-214642123Z.csv", NAME],
		['4.13, other User-Agent: percent-encoded plain form', 'attachment; filename=JUNO-TEST_Participant%20Access%20Code_2020-10-26-214642123Z.csv', NAME],
		['mid-2019: + for spaces', 'attachment; filename=JUNO-TEST_Participant+Access+Code_2020-10-26-214642123Z.csv', NAME],
		['V1: raw name with spaces', 'attachment; filename=JUNO-TEST_Participant Access Code_2019-04-03-0412055.txt', 'JUNO-TEST_Participant Access Code_2019-04-03-0412055.txt'],
		['quoted', 'attachment; filename="JUNO-TEST_Participant%20Access%20Code_2020-10-26-214642123Z.csv"', NAME],
		['(TEST) OIDs encoded', 'attachment; filename=S_JUNO%28TEST%29.csv', 'S_JUNO(TEST).csv'],
		['non-ASCII', "attachment; filename*=UTF-8''Z%C3%B6e.csv", 'Zöe.csv'],
		['filename* preferred over filename', "attachment; filename=fallback.csv; filename*=UTF-8''real%20name.csv", 'real name.csv'],
		['undecodable percent kept as is', 'attachment; filename=100%.csv', '100%.csv'],
		['path separators neutralised', 'attachment; filename=..%2F..%2Fetc%2Fpasswd', '.._.._etc_passwd'],
	])('%s', (_label, header, expected) => {
		expect(fileNameFromContentDisposition(header)).toBe(expected);
	});

	it('gives undefined without a usable name', () => {
		expect(fileNameFromContentDisposition(undefined)).toBeUndefined();
		expect(fileNameFromContentDisposition('')).toBeUndefined();
		expect(fileNameFromContentDisposition('attachment')).toBeUndefined();
		expect(fileNameFromContentDisposition('attachment; filename=')).toBeUndefined();
		expect(fileNameFromContentDisposition('attachment; filename=..')).toBeUndefined();
	});
});

describe('mimeTypeForFileName', () => {
	it('is text/csv, or text/plain for the .txt files of early servers', () => {
		expect(mimeTypeForFileName(NAME)).toBe('text/csv');
		expect(mimeTypeForFileName('x.TXT')).toBe('text/plain');
	});
});
