// The pure parts of Job and Participant: sorting the unsorted jobs list, the participant item
// shape, the paths, and the explanations of a job missing from the list.
import { sortNewestFirst, type JobRecord } from '../../nodes/OpenClinica/jobs';
import { participantItem, participateStatusName } from '../../nodes/OpenClinica/participant';
import { explainJobNotListed } from '../../nodes/OpenClinica/transport/errors';
import { jobsListPath, participantPath } from '../../nodes/OpenClinica/transport/urls';

describe('sortNewestFirst', () => {
	it('orders by dateCreated, newest first; unreadable dates last in server order', () => {
		const jobs: JobRecord[] = [
			{ uuid: 'a', dateCreated: '2020-10-26T21:46:41.870Z' },
			{ uuid: 'x', dateCreated: null },
			{ uuid: 'b', dateCreated: '2021-01-01T00:00:00.000Z' },
			{ uuid: 'y', dateCreated: 'yesterday' },
			{ uuid: 'c', dateCreated: '2020-10-26T21:46:41.871Z' },
		];
		expect(sortNewestFirst(jobs).map((j) => j.uuid)).toEqual(['b', 'c', 'a', 'x', 'y']);
		expect(jobs[0].uuid).toBe('a');
	});
});

describe('participant item', () => {
	it.each([
		['Active', 'ACTIVE'],
		['Contact Info Entered', 'CONTACT_INFO_ENTERED'],
		['', ''],
		[null, ''],
	])('status %p becomes %p', (display, name) => {
		expect(participateStatusName(display)).toBe(name);
	});

	const query = { studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS', participantId: 'SS-001', includeAccessCodes: false };
	const dto = {
		subjectKey: 'SS-001',
		subjectOid: 'SS_SS001',
		status: 'Invited',
		createdBy: 'root',
		createdAt: 'Oct 26, 2020 9:46:41 PM',
		lastModified: null,
		lastModifiedBy: null,
		secondaryID: 'MRN-77',
		firstName: 'Jane',
		lastName: 'Doe',
		email: 'jane@example.org',
		mobileNumber: '+1 5555550100',
		accessCode: '4aBc7dEfG',
		futureField: 42,
	};

	it('renames the DTO fields to the export names and keeps unknown fields', () => {
		expect(participantItem(dto, query)).toEqual({
			participantId: 'SS-001',
			subjectOid: 'SS_SS001',
			firstName: 'Jane',
			lastName: 'Doe',
			email: 'jane@example.org',
			mobile: '+1 5555550100',
			identifier: 'MRN-77',
			participateStatus: 'INVITED',
			participateStatusLabel: 'Invited',
			createdBy: 'root',
			createdAt: 'Oct 26, 2020 9:46:41 PM',
			lastModified: null,
			lastModifiedBy: null,
			futureField: 42,
		});
	});

	it('has an access code field only when access codes were asked for', () => {
		expect(participantItem(dto, { ...query, includeAccessCodes: true }).accessCode).toBe('4aBc7dEfG');
		expect(participantItem({}, { ...query, includeAccessCodes: true })).toMatchObject({
			participantId: 'SS-001',
			accessCode: null,
			firstName: null,
			participateStatus: '',
		});
	});
});

describe('paths', () => {
	it('encode OIDs, (TEST) included', () => {
		expect(jobsListPath('S_JUNO(TEST)', 'S_BOS(TEST)')).toBe(
			'/pages/auth/api/studies/S_JUNO%28TEST%29/sites/S_BOS%28TEST%29/jobs',
		);
		expect(jobsListPath('S_JUNO')).toBe('/pages/auth/api/studies/S_JUNO/jobs');
		expect(participantPath('S_JUNO', 'S_JUNO_BOS')).toBe(
			'/pages/auth/api/clinicaldata/studies/S_JUNO/sites/S_JUNO_BOS/participant',
		);
	});
});

describe('explainJobNotListed', () => {
	it('names the job and where it was looked for', () => {
		const uuid = '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90';
		expect(explainJobNotListed({ studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS', jobUuid: uuid }).message).toBe(
			`Job ${uuid} is not in the jobs list of site "S_JUNO_BOS"`,
		);
		const study = explainJobNotListed({ studyOid: 'S_JUNO', jobUuid: uuid });
		expect(study.message).toBe(`Job ${uuid} is not in the jobs list of study "S_JUNO"`);
		expect(study.description).toMatch(/another user/);
		expect(study.description).not.toMatch(/Site OID/);
	});
});
