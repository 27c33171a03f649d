// Job records and the worker pool that writes export files (spec §2.1).
import { randomUUID } from 'node:crypto';

import { contactsFileName, renderContactsFile, selectParticipants, type FileSpec, type Page } from './contactsFile';
import type { Job, JobView, ProfileSwitches, Study, TimingConfig } from './types';
import type { World } from './world';

export interface ExtractRequest {
	createdBy: string;
	study: Study;
	siteOid: string;
	page: Page | null;
	file: FileSpec;
	selection: ProfileSwitches['selection'];
}

/** Fault switches captured when the job is submitted. */
export interface JobFaults {
	stall: boolean;
	emptyFile: boolean;
	finishAfterPolls: number;
	deleteRightAway: boolean;
}

interface JobRun {
	job: Job;
	request: ExtractRequest;
	faults: JobFaults;
	pollsLeft: number;
	/** File text produced by the worker but held back until enough polls were seen. */
	heldText: string | null;
}

export class JobManager {
	private readonly runs = new Map<string, JobRun>();
	private queue: JobRun[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();

	constructor(
		private readonly world: World,
		private readonly config: () => TimingConfig,
	) {}

	submit(request: ExtractRequest, faults: JobFaults): Job {
		const job: Job = {
			uuid: randomUUID(),
			type: 'ACCESS_CODE',
			status: 'IN_PROGRESS',
			createdBy: request.createdBy,
			updatedBy: null,
			siteOid: request.siteOid,
			studyOid: request.study.oid,
			dateCreated: new Date(),
			dateStarted: null,
			dateUpdated: null,
			dateCompleted: null,
			fileName: null,
			fileBytes: null,
			pageNumber: request.page?.number ?? null,
			pageSize: request.page?.size ?? null,
			includeParticipateInfo: request.file.includeInfo,
			rows: null,
		};
		const run: JobRun = { job, request, faults, pollsLeft: faults.finishAfterPolls, heldText: null };
		this.runs.set(job.uuid, run);
		if (faults.deleteRightAway) this.markDeleted(job, request.createdBy);
		if (!faults.stall) {
			this.queue.push(run);
			this.pump();
		}
		return job;
	}

	get(uuid: string): Job | undefined {
		return this.runs.get(uuid)?.job;
	}

	all(): Job[] {
		return [...this.runs.values()].map((r) => r.job);
	}

	/** A download poll saw the job in progress: counts towards the `finishAfterPolls` fault. */
	notePoll(uuid: string): void {
		const run = this.runs.get(uuid);
		if (!run || run.pollsLeft === 0) return;
		run.pollsLeft--;
		if (run.pollsLeft === 0 && run.heldText !== null) this.complete(run, run.heldText);
	}

	markDeleted(job: Job, by: string): void {
		job.status = 'DELETED';
		job.updatedBy = by;
		job.dateUpdated = new Date();
		job.fileBytes = null;
	}

	/** Worker count may have grown at run time. */
	pump(): void {
		while (this.timers.size < this.config().workers && this.queue.length > 0) {
			this.start(this.queue.shift() as JobRun);
		}
	}

	/** Forgets every job and stops the workers (also used on close). */
	reset(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.queue = [];
		this.runs.clear();
	}

	private start(run: JobRun): void {
		const { request } = run;
		run.job.dateStarted = new Date();
		const selected = selectParticipants(this.world.participantsOf(request.siteOid), request.selection, request.page);
		// A failing participant query leaves the job IN_PROGRESS forever (spec §2.1 step 5).
		if (selected === null) return;
		const file = renderContactsFile(selected, request.file);
		run.job.rows = file.rows;
		const { jobBaseMs, perParticipantMs } = this.config();
		const ms = jobBaseMs + perParticipantMs * (file.rows + file.keycloakCalls);
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			const text = run.faults.emptyFile ? '' : file.text;
			if (run.pollsLeft > 0) run.heldText = text;
			else this.complete(run, text);
			this.pump();
		}, ms);
		this.timers.add(timer);
	}

	/** Sets COMPLETED even if the job was deleted meanwhile: the worker writes from its own copy. */
	private complete(run: JobRun, text: string): void {
		const now = new Date();
		run.heldText = null;
		run.job.status = 'COMPLETED';
		run.job.dateCompleted = now;
		run.job.fileName = contactsFileName(run.request.study, run.request.file.format, now);
		run.job.fileBytes = Buffer.from(text, 'utf8');
	}
}

export function jobView(job: Job): JobView {
	return {
		uuid: job.uuid,
		status: job.status,
		type: job.type,
		createdBy: job.createdBy,
		siteOid: job.siteOid,
		studyOid: job.studyOid,
		dateCreated: job.dateCreated.toISOString(),
		dateStarted: job.dateStarted?.toISOString() ?? null,
		dateCompleted: job.dateCompleted?.toISOString() ?? null,
		fileName: job.fileName,
		pageNumber: job.pageNumber,
		pageSize: job.pageSize,
		includeParticipateInfo: job.includeParticipateInfo,
		rows: job.rows,
	};
}

/** `JobDetailDTO` as the jobs-list endpoints serialise it (spec §4.1). */
export function jobDto(job: Job) {
	return {
		uuid: job.uuid,
		status: job.status,
		type: job.type,
		createdByUsername: job.createdBy,
		updatedByUsername: job.updatedBy,
		siteOid: job.siteOid,
		studyOid: job.studyOid,
		dateCreated: job.dateCreated.toISOString(),
		dateUpdated: job.dateUpdated?.toISOString() ?? null,
		dateCompleted: job.dateCompleted?.toISOString() ?? null,
		sourceFileName: null,
	};
}
