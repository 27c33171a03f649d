// Shared shapes of the sandbox: options, profile switches, domain records and the control API.

export type ProfileName = 'oc-4.13' | 'v12' | 'v11' | 'v9' | 'v8' | 'v7' | 'v6' | 'v5' | 'v3' | 'v2' | 'v1';

export interface ProfileSwitches {
	submitMethod: 'GET' | 'POST';
	pathSpelling: 'old' | 'new';
	flagParam: 'none' | 'includeParticipateRelatedInfo' | 'includeParticipateInfo';
	paging: boolean;
	errorStatus: 400 | 417 | 'headerOnly';
	fileFormat: 'pipe-txt-v1' | 'pipe-txt' | 'csv8-always' | 'csv8' | 'csv-conditional';
	roleRule: 'site-only' | 'v10' | 'v12' | 'v13m';
	downloadErrors: 'v1-500s' | 'strings';
	cdStyle: 'raw' | 'encoded-plus' | 'encoded-ua';
	selection: 'all-but-removed' | 'available-signed' | 'available-only';
	contactInfoEnteredStatus: boolean;
}

export interface CountFault {
	count: number;
	match?: string;
}

export interface Faults {
	stallJobs?: boolean;
	finishAfterPolls?: number;
	emptyFile?: boolean;
	noLogFileFound?: CountFault;
	serverErrors?: CountFault & { status?: number; emptyBody?: boolean };
	htmlInsteadOfFile?: CountFault;
	dropConnections?: CountFault;
	token429?: { count: number; retryAfter?: number };
	deleteJobsWhileRunning?: boolean;
}

/** What `setFaults` accepts: the switches, `null`/`false` to clear one, and the one-shot `expireTokens`. */
export type FaultsInput = {
	[K in keyof Faults]?: Faults[K] | null | false;
} & { expireTokens?: boolean };

export interface TimingConfig {
	workers: number;
	jobBaseMs: number;
	perParticipantMs: number;
	tokenRateLimit: boolean;
}

export interface SandboxOptions {
	port?: number;
	host?: string;
	profile?: ProfileName;
	overrides?: Partial<ProfileSwitches>;
	seed?: number;
	bigSiteSize?: number;
	workers?: number;
	jobBaseMs?: number;
	perParticipantMs?: number;
	tokenRateLimit?: boolean;
	tokenLifetimeSeconds?: number;
	https?: { key: string; cert: string };
	faults?: FaultsInput;
}

export type Role = 'ra' | 'Investigator' | 'coordinator' | 'monitor' | 'ra2' | 'director';

export interface User {
	uuid: string;
	username: string;
	roles: Array<{ oid: string; role: Role }>;
	activeStudyOid: string;
}

export interface Study {
	oid: string;
	uniqueIdentifier: string;
	envType: 'PROD' | 'TEST' | '';
	participateEnabled: boolean;
	/** null for a parent study, the parent's OID for a site. */
	parentOid: string | null;
}

export type ParticipantStatus = 'available' | 'signed' | 'removed' | 'auto-removed';

export type UserStatus = 'ACTIVE' | 'INACTIVE' | 'CREATED' | 'INVITED' | 'CONTACT_INFO_ENTERED' | 'INVALID';

export interface ContactDetail {
	firstName: string | null;
	lastName: string | null;
	email: string | null;
	phone: string | null;
	identifier: string | null;
}

export interface Participant {
	label: string;
	siteOid: string;
	status: ParticipantStatus;
	dateCreated: Date;
	dateUpdated: Date | null;
	detail: ContactDetail | null;
	userStatus: UserStatus | null;
	accessCode: string | null;
}

export type JobStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'DELETED' | 'IN_QUEUE';

export interface Job {
	uuid: string;
	type: 'ACCESS_CODE';
	status: JobStatus;
	createdBy: string;
	updatedBy: string | null;
	siteOid: string;
	studyOid: string;
	dateCreated: Date;
	/** When a worker picked the job up (jobs beyond the pool wait in a queue first). */
	dateStarted: Date | null;
	dateUpdated: Date | null;
	dateCompleted: Date | null;
	fileName: string | null;
	/** null until the job completes, and again once the job is deleted. */
	fileBytes: Buffer | null;
	pageNumber: number | null;
	pageSize: number | null;
	includeParticipateInfo: boolean;
	/** Data rows written, known once the worker has selected the participants. */
	rows: number | null;
}

// Control API shapes (JSON-friendly: dates as ISO strings).

export interface ParticipantView {
	label: string;
	siteOid: string;
	status: ParticipantStatus;
	dateCreated: string;
	detail: ContactDetail | null;
	userStatus: UserStatus | null;
	accessCode: string | null;
}

export interface NewParticipant {
	siteOid: string;
	label?: string;
	detail?: Partial<ContactDetail> | null;
	userStatus?: UserStatus | null;
	status?: ParticipantStatus;
}

export interface ParticipantPatch {
	detail?: Partial<ContactDetail> | null;
	userStatus?: UserStatus | null;
	status?: ParticipantStatus;
	accessCode?: string | null;
}

export interface JobView {
	uuid: string;
	status: JobStatus;
	type: 'ACCESS_CODE';
	createdBy: string;
	siteOid: string;
	studyOid: string;
	dateCreated: string;
	dateStarted: string | null;
	dateCompleted: string | null;
	fileName: string | null;
	pageNumber: number | null;
	pageSize: number | null;
	includeParticipateInfo: boolean;
	rows: number | null;
}

export interface RequestLogEntry {
	method: string;
	path: string;
	/** The raw query string without the leading `?` (empty when there is none). */
	query: string;
	/** 0 when the connection was dropped without an answer. */
	status: number;
	userAgent: string | null;
	accept: string | null;
	authorization: 'bearer' | 'basic' | 'none';
	/** Arrival time, ISO 8601 with milliseconds. */
	time: string;
}

export interface SandboxControl {
	setFaults(f: FaultsInput): Faults;
	getFaults(): Faults;
	reset(): void;
	listParticipants(siteOid: string): ParticipantView[];
	addParticipant(p: NewParticipant): ParticipantView;
	updateParticipant(label: string, patch: ParticipantPatch): ParticipantView;
	listJobs(): JobView[];
	listRequests(): RequestLogEntry[];
	clearRequests(): void;
	setConfig(c: Partial<TimingConfig>): TimingConfig;
}

export interface Sandbox {
	baseUrl: string;
	studyUrl: string;
	tokenUrl: string;
	port: number;
	profile: ProfileName;
	switches: ProfileSwitches;
	control: SandboxControl;
	close(): Promise<void>;
}
