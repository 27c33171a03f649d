import { NodeOperationError } from 'n8n-workflow';

import {
	validateBinaryPropertyName,
	validateJobUuid,
	validateOid,
	validatePositiveInteger,
	validateSeconds,
} from '../../nodes/OpenClinica/validation';
import { node, thrown } from './support';

describe('validateOid', () => {
	it('trims and accepts real OIDs, including (TEST) ones', () => {
		expect(validateOid(node, 0, 'Study OID', '  S_JUNO ')).toBe('S_JUNO');
		expect(validateOid(node, 0, 'Site OID', 'S_BOS(TEST)')).toBe('S_BOS(TEST)');
	});

	it.each([
		['', /Study OID is empty/],
		['   ', /Study OID is empty/],
		[undefined, /Study OID is empty/],
		[42, /Study OID is empty/],
		['S_JUNO/sites', /Study OID contains a character/],
		['S_JUNO?x=1', /Study OID contains a character/],
		['S_JUNO#frag', /Study OID contains a character/],
		['..', /Study OID contains a character/],
		['S_..', /Study OID contains a character/],
		['S_JU%2FNO', /Study OID contains a character/],
		['S JUNO', /Study OID contains spaces/],
		['S_JUNO\t', /Study OID is empty|S_JUNO/],
	])('rejects %p with an error naming the parameter', (value, message) => {
		if (value === 'S_JUNO\t') {
			// Trailing whitespace is trimmed, not an error.
			expect(validateOid(node, 0, 'Study OID', value)).toBe('S_JUNO');
			return;
		}
		const error = thrown(() => validateOid(node, 3, 'Study OID', value));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(/S_JUNO/);
		expect((error as NodeOperationError).context.itemIndex).toBe(3);
	});

	it('names the site parameter for site OIDs', () => {
		expect(thrown(() => validateOid(node, 0, 'Site OID', 'a b')).message).toMatch(/^Site OID/);
	});
});

describe('validateJobUuid', () => {
	const uuid = '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90';

	it('accepts a UUID, trimmed and lower-cased, even pasted with its "job uuid:" prefix', () => {
		expect(validateJobUuid(node, 0, ` ${uuid.toUpperCase()} `)).toBe(uuid);
		expect(validateJobUuid(node, 0, `job uuid: ${uuid}`)).toBe(uuid);
	});

	it.each(['', 'hi12345j-2b02-4e8b-9c55-0f6f1a2b7d90', `${uuid}/../x`, '3f2b8c1e6a0d4e8b9c550f6f1a2b7d90', undefined])(
		'rejects %p',
		(value) => {
			const error = thrown(() => validateJobUuid(node, 0, value));
			expect(error.message).toBe('Job UUID is not a valid UUID');
			expect(error.description).toMatch(/Start Export/);
		},
	);
});

describe('validatePositiveInteger', () => {
	it('accepts whole numbers of 1 or more', () => {
		expect(validatePositiveInteger(node, 0, 'Limit', 1)).toBe(1);
		expect(validatePositiveInteger(node, 0, 'Page Size', '500')).toBe(500);
	});

	it.each([0, -1, 1.5, Number.NaN, '', 'abc', undefined])('rejects %p, naming the parameter', (value) => {
		expect(thrown(() => validatePositiveInteger(node, 0, 'Page Size', value)).message).toBe(
			'Page Size must be a whole number of 1 or more',
		);
	});
});

describe('validateSeconds', () => {
	it('converts seconds to milliseconds', () => {
		expect(validateSeconds(node, 0, 'Timeout', 600)).toBe(600_000);
		expect(validateSeconds(node, 0, 'Poll Interval', 0.05)).toBe(50);
	});

	it.each([0, -5, Number.POSITIVE_INFINITY, '10'])('rejects %p', (value) => {
		expect(thrown(() => validateSeconds(node, 0, 'Timeout', value)).message).toMatch(/^Timeout must be/);
	});
});

describe('validateBinaryPropertyName', () => {
	it('requires a field name', () => {
		expect(validateBinaryPropertyName(node, 0, ' data ')).toBe('data');
		expect(thrown(() => validateBinaryPropertyName(node, 0, '')).message).toMatch(/Put Output File in Field/);
	});
});
