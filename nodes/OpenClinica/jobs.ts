// OpenClinica's job records (spec §4.1, §4.2): the jobs list of a site or a study, and deleting a
// job. The list holds only the caller's own jobs, never deleted ones, and comes unsorted.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest, type ApiContext, type Connection } from './transport';
import { apiError, errorFromExplanation, type ErrorSubject } from './transport/errors';
import { jobPath, jobsListPath } from './transport/urls';

export const JOB_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'DELETED', 'IN_QUEUE'] as const;

export const JOB_TYPES = [
	'ACCESS_CODE',
	'IMPORT',
	'CREATE_PARTICIPANT',
	'SCHEDULE_EVENT',
	'XML_IMPORT',
	'INSIGHT_REPORT',
	'BULK_ADD_PARTICIPANTS',
	'PARTICIPANT_PDF_CASEBOOK',
	'PUBLISH_STUDY',
] as const;

/** A JobDetailDTO as the server sent it (uuid, status, type, createdByUsername, dates…). */
export type JobRecord = IDataObject & { uuid: string };

export interface JobsScope {
	studyOid: string;
	/** Undefined: the study-level list, which also holds the jobs of every site of the study. */
	siteOid?: string;
}

export async function listJobs(
	this: IExecuteFunctions,
	connection: Connection,
	scope: JobsScope,
): Promise<JobRecord[]> {
	const subject: ErrorSubject = { ...scope, studyUrl: connection.studyUrl };
	const response = await apiRequest.call(this, connection, {
		method: 'GET',
		path: jobsListPath(scope.studyOid, scope.siteOid),
		retry: true,
		// OpenClinica answers a user without a role that may list jobs with 500 every time.
		finalStatuses: [500],
		context: 'jobs',
		subject,
	});
	if (response.status !== 200) throw apiError(this.getNode(), response, 'jobs', subject);

	let parsed: unknown;
	try {
		parsed = JSON.parse(response.text());
	} catch {
		parsed = undefined;
	}
	if (!Array.isArray(parsed)) {
		throw errorFromExplanation(
			this.getNode(),
			{
				message: 'OpenClinica did not answer the jobs list with a list of jobs',
				description:
					"A proxy, login page or an unexpected server answered instead. Check the credential's Study URL, then try again.",
			},
			response.status,
		);
	}
	return parsed.filter(
		(job): job is JobRecord =>
			typeof job === 'object' && job !== null && typeof (job as IDataObject).uuid === 'string',
	);
}

function createdAt(job: JobRecord): number {
	const time = typeof job.dateCreated === 'string' ? Date.parse(job.dateCreated) : Number.NaN;
	return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Newest first by creation date; jobs without a readable date last, in server order. */
export function sortNewestFirst(jobs: JobRecord[]): JobRecord[] {
	return [...jobs].sort((a, b) => {
		const [ta, tb] = [createdAt(a), createdAt(b)];
		return ta === tb ? 0 : ta > tb ? -1 : 1;
	});
}

/**
 * Deletes a job and its file (spec §4.2): the Job > Delete operation, and exports with Delete Job
 * After Download. Deleting an already deleted job succeeds again.
 */
export async function deleteJob(this: ApiContext, connection: Connection, jobUuid: string): Promise<void> {
	const subject: ErrorSubject = { jobUuid, studyUrl: connection.studyUrl };
	const response = await apiRequest.call(this, connection, {
		method: 'DELETE',
		path: jobPath(jobUuid),
		retry: true,
		// OpenClinica answers an unknown UUID with 500 every time: retrying only delays the error.
		finalStatuses: [500],
		context: 'delete',
		subject,
	});
	if (response.status < 200 || response.status > 299) throw apiError(this.getNode(), response, 'delete', subject);
}
