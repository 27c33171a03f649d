// The runtime endpoints under {studyUrl}/pages/auth/api, for an authenticated user (spec §1, §3, §4).
import { checkJobsListOids, HEADER_SENTENCES, mayListJobs, parentOf, validateStudyAndRolesForRead } from './access';
import { effectiveUserStatus } from './contactsFile';
import type { FaultState } from './faults';
import type { Ctx } from './http';
import { jobDto, type JobManager } from './jobs';
import type { Job, ProfileSwitches, User, UserStatus } from './types';
import type { World } from './world';

export interface Runtime {
	world: World;
	jobs: JobManager;
	faults: FaultState;
	switches: ProfileSwitches;
}

type Handler = (rt: Runtime, ctx: Ctx, user: User, params: string[]) => void;

interface Route {
	/** Path segments after /pages/auth/api; `:` marks a parameter. */
	pattern: string[];
	methods: (sw: ProfileSwitches) => string[];
	handler: Handler;
}

const GET = () => ['GET'];

export const API_PREFIX = '/OpenClinica/pages/auth/api/';

const ROUTES: Route[] = [
	{
		pattern: ['clinicaldata', 'studies', ':', 'sites', ':', 'participants', 'extractParticipantsInfo'],
		methods: (sw) => (sw.pathSpelling === 'new' ? [sw.submitMethod] : []),
		handler: (rt, ctx, user, [study, site]) => submitExtract(rt, ctx, user, study, site),
	},
	{
		pattern: ['clinicaldata', 'studies', ':', 'sites', ':', 'participants', 'extractPartcipantsInfo'],
		methods: (sw) => (sw.pathSpelling === 'old' ? [sw.submitMethod] : []),
		handler: (rt, ctx, user, [study, site]) => submitExtract(rt, ctx, user, study, site),
	},
	{ pattern: ['jobs', ':', 'downloadFile'], methods: GET, handler: (rt, ctx, user, [uuid]) => download(rt, ctx, user, uuid) },
	{ pattern: ['jobs', ':'], methods: () => ['DELETE'], handler: (rt, ctx, user, [uuid]) => deleteJob(rt, ctx, user, uuid) },
	{
		pattern: ['studies', ':', 'sites', ':', 'jobs'],
		methods: GET,
		handler: (rt, ctx, user, [study, site]) => listJobs(rt, ctx, user, study, site),
	},
	{ pattern: ['studies', ':', 'jobs'], methods: GET, handler: (rt, ctx, user, [study]) => listJobs(rt, ctx, user, study, null) },
	{
		pattern: ['clinicaldata', 'studies', ':', 'sites', ':', 'participant'],
		methods: GET,
		handler: (rt, ctx, user, [study, site]) => participantDetail(rt, ctx, user, study, site),
	},
	{
		pattern: ['clinicaldata', 'studies', ':', 'participants', ':', 'accessLink'],
		methods: GET,
		handler: (rt, ctx, _user, [study, label]) => accessLink(rt, ctx, study, label),
	},
];

/** Dispatches an authenticated API request: 404 for unknown paths, 405 with Allow for a wrong method. */
export function handleApi(rt: Runtime, ctx: Ctx, user: User): void {
	const raw = ctx.path.slice(API_PREFIX.length).split('/');
	if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop(); // Spring's trailing-slash match
	let segments: string[];
	try {
		segments = raw.map((s) => decodeURIComponent(s));
	} catch {
		return ctx.sendErrorPage(400);
	}
	let allowed: string[] = [];
	for (const route of ROUTES) {
		const params = matchPattern(route.pattern, segments);
		if (!params) continue;
		const methods = route.methods(rt.switches);
		if (methods.includes(ctx.method)) return route.handler(rt, ctx, user, params);
		allowed = allowed.concat(methods);
	}
	if (allowed.length > 0) return ctx.sendErrorPage(405, { Allow: allowed.join(', ') });
	ctx.sendErrorPage(404);
}

function matchPattern(pattern: string[], segments: string[]): string[] | null {
	if (pattern.length !== segments.length) return null;
	const params: string[] = [];
	for (let i = 0; i < pattern.length; i++) {
		if (pattern[i] === ':') {
			if (segments[i] === '') return null;
			params.push(segments[i]);
		} else if (pattern[i] !== segments[i]) return null;
	}
	return params;
}

const isYes = (v: string | undefined) => v !== undefined && v.trim().toUpperCase() === 'Y';

/** Java `Integer.parseInt(value.trim())`, or null where Java would throw. */
function parseJavaInt(value: string): number | null {
	const s = value.replace(/^[\0- ]+|[\0- ]+$/g, '');
	if (!/^[+-]?[0-9]+$/.test(s)) return null;
	const n = Number(s);
	return n >= -2147483648 && n <= 2147483647 ? n : null;
}

function submitExtract(rt: Runtime, ctx: Ctx, user: User, studyOid: string, siteOid: string): void {
	const sw = rt.switches;
	const fail = (code: string) => {
		if (sw.errorStatus === 'headerOnly') {
			return ctx.send(400, {
				'X-runtimeApp-error': HEADER_SENTENCES[code] ?? code,
				'X-runtimeApp-params': 'UserController',
			});
		}
		// HashMap order puts siteOid first (spec §1.3).
		ctx.sendJson(sw.errorStatus, { message: code, params: { siteOid, studyOid } });
	};

	let page = null;
	if (sw.paging) {
		const number = parseJavaInt(ctx.param('page_number') ?? '1');
		if (number === null || number < 1) return fail('errorCode.invalidPageNumberParameter');
		const size = parseJavaInt(ctx.param('page_size') ?? '100');
		if (size === null || size < 1) return fail('errorCode.invalidPageSizeParameter');
		page = { number, size };
	}
	// Before the flag existed the access code and status were always written.
	const includeInfo = sw.flagParam === 'none' || isYes(ctx.param(sw.flagParam));
	const access = validateStudyAndRolesForRead(rt.world, user, studyOid, siteOid, sw.roleRule, includeInfo);
	if (!access.ok) return fail(access.code);

	const job = rt.jobs.submit(
		{
			createdBy: user.username,
			study: rt.world.studies.get(studyOid)!,
			siteOid,
			page,
			selection: sw.selection,
			file: {
				format: sw.fileFormat,
				studyLevel: access.studyLevel,
				includeInfo,
				contactInfoEnteredStatus: sw.contactInfoEnteredStatus,
			},
		},
		rt.faults.forNewJob(),
	);
	ctx.sendString(200, `job uuid: ${job.uuid}`);
}

const NOT_OWNER = {
	'X-runtimeApp-error': 'Incorrect User. The user is not the owner of this log file',
	'X-runtimeApp-params': 'JobController',
};

/** Jobs are looked up in the schema of the caller's active study, taking the parent of a site (spec §3.2). */
function findInActiveStudy(rt: Runtime, user: User, uuid: string): Job | undefined {
	const active = parentOf(rt.world, user.activeStudyOid);
	const job = rt.jobs.get(uuid);
	return job && active && job.studyOid === active.oid ? job : undefined;
}

function download(rt: Runtime, ctx: Ctx, user: User, uuid: string): void {
	if (rt.faults.take('htmlInsteadOfFile', ctx.path)) {
		return ctx.send(200, { 'Content-Type': 'text/html;charset=UTF-8' }, '<html><body><h1>Error</h1><p>Something went wrong.</p></body></html>');
	}
	const job = findInActiveStudy(rt, user, uuid);
	const v1 = rt.switches.downloadErrors === 'v1-500s';
	const userAgent = ctx.req.headers['user-agent'];

	if (v1) {
		// V1–V3: exceptions instead of answers (spec §3.3).
		if (!job || job.status === 'DELETED') return ctx.sendErrorPage(500);
		if (job.createdBy !== user.username) return ctx.send(400, NOT_OWNER);
		if (job.status === 'IN_PROGRESS') {
			rt.jobs.notePoll(uuid);
			return ctx.sendErrorPage(500);
		}
	} else {
		if (!job) return ctx.sendString(404, 'error.invalidUuid');
		if (job.createdBy !== user.username) return ctx.sendString(200, 'errorCode.noSufficientPrivileges');
		if (job.status === 'DELETED') return ctx.sendString(404, 'error.invalidUuid');
		if (job.status === 'IN_PROGRESS') {
			rt.jobs.notePoll(uuid);
			return ctx.sendString(200, 'error.jobInProgress');
		}
	}

	// The UA-dependent Content-Disposition came with a null-pointer when there is no User-Agent.
	const missingUa = rt.switches.cdStyle === 'encoded-ua' && userAgent === undefined;
	if (rt.faults.take('noLogFileFound', ctx.path) || missingUa) return ctx.sendString(200, 'error.noLogFileFound');
	if (!job.fileBytes || !job.fileName) return v1 ? ctx.sendErrorPage(500) : ctx.sendString(200, 'error.noLogFileFound');

	if (!v1 && ctx.query.get('open') === 'true') return ctx.sendStreamed(200, {}, job.fileBytes);
	const headers: Record<string, string> = {
		'Content-Type': 'application/force-download;charset=UTF-8',
		'Content-Disposition': contentDisposition(rt.switches.cdStyle, job.fileName, userAgent ?? ''),
	};
	if (v1) {
		headers['X-studyServiceApp-alert'] = `A JobController is downloaded with identifier ${uuid}`;
		headers['X-studyServiceApp-params'] = uuid;
	}
	ctx.sendStreamed(200, headers, job.fileBytes);
}

/** java.net.URLEncoder (UTF-8): only `A-Za-z0-9.-*_` stay, space becomes `+`. */
function javaUrlEncode(s: string): string {
	return encodeURIComponent(s)
		.replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
		.replace(/%20/g, '+');
}

function contentDisposition(style: ProfileSwitches['cdStyle'], name: string, userAgent: string): string {
	switch (style) {
		case 'raw':
			return `attachment; filename=${name}`;
		case 'encoded-plus':
			return `attachment; filename=${javaUrlEncode(name)}`;
		case 'encoded-ua': {
			const encoded = javaUrlEncode(name).replace(/\+/g, '%20');
			return /Firefox|Safari/.test(userAgent)
				? `attachment; filename*=UTF-8''${encoded}`
				: `attachment; filename=${encoded}`;
		}
	}
}

function deleteJob(rt: Runtime, ctx: Ctx, user: User, uuid: string): void {
	const job = findInActiveStudy(rt, user, uuid);
	if (!job) return ctx.sendErrorPage(500);
	if (job.createdBy !== user.username) return ctx.send(400, NOT_OWNER);
	rt.jobs.markDeleted(job, user.username);
	ctx.send(200, {
		'X-studyServiceApp-alert': `A JobController is deleted with identifier ${uuid}`,
		'X-studyServiceApp-params': uuid,
	});
}

function listJobs(rt: Runtime, ctx: Ctx, user: User, studyOid: string, siteOid: string | null): void {
	const error = checkJobsListOids(rt.world, studyOid, siteOid);
	if (error) return ctx.send(400, { 'X-runtimeApp-error': error, 'X-runtimeApp-params': 'JobController' });
	if (!mayListJobs(user, studyOid, siteOid)) return ctx.sendErrorPage(500);
	const jobs = rt.jobs
		.all()
		.filter(
			(j) =>
				j.createdBy === user.username &&
				j.status !== 'DELETED' &&
				(siteOid === null ? j.studyOid === studyOid : j.siteOid === siteOid),
		);
	ctx.sendJson(200, jobs.map(jobDto));
}

const DISPLAY_STATUS: Record<UserStatus, string> = {
	ACTIVE: 'Active',
	INACTIVE: 'Inactive',
	CREATED: 'Created',
	INVITED: 'Invited',
	CONTACT_INFO_ENTERED: 'Contact Info Entered',
	INVALID: 'Invalid',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java `Date.toLocaleString()` (en_US, server time zone UTC): `Oct 26, 2020 9:46:41 PM`. */
function javaLocaleString(d: Date): string {
	const h = d.getUTCHours();
	const two = (n: number) => String(n).padStart(2, '0');
	return (
		`${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ` +
		`${h % 12 || 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
	);
}

function participantDetail(rt: Runtime, ctx: Ctx, user: User, studyOid: string, siteOid: string): void {
	const ids = ctx.query.getAll('participantID');
	if (ids.length === 0) return ctx.sendErrorPage(400, {}, "Required String parameter 'participantID' is not present");
	const label = ids.join(',');
	const includeInfo = isYes(ctx.param('includeParticipateInfo'));
	const fail = (code: string) => ctx.sendJson(400, { message: code, params: { siteOid, studyOid } });

	const access = validateStudyAndRolesForRead(rt.world, user, studyOid, siteOid, rt.switches.roleRule, includeInfo);
	if (!access.ok) return fail(access.code);
	const p = rt.world.findInStudy(studyOid, label);
	if (!p) return fail('errorCode.participantNotFound');
	if (p.status === 'removed' || p.status === 'auto-removed') return fail('errorCode.participantIDNotAvailable');

	const userStatus = effectiveUserStatus(p, rt.switches.contactInfoEnteredStatus);
	const pii = access.studyLevel ? null : p.detail;
	const showCode = !access.studyLevel && includeInfo && userStatus !== null;
	ctx.sendJson(200, {
		subjectKey: p.label,
		subjectOid: `SS_${p.label.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`,
		status: userStatus ? DISPLAY_STATUS[userStatus] : '',
		createdBy: 'root',
		createdAt: javaLocaleString(p.dateCreated),
		lastModified: p.dateUpdated ? javaLocaleString(p.dateUpdated) : null,
		lastModifiedBy: p.dateUpdated ? 'root' : null,
		secondaryID: pii?.identifier ?? null,
		firstName: pii?.firstName ?? null,
		lastName: pii?.lastName ?? null,
		email: pii?.email ?? null,
		mobileNumber: pii?.phone ?? null,
		accessCode: showCode ? p.accessCode : null,
	});
}

/** No role check on this endpoint, only authentication (spec §4.4). */
function accessLink(rt: Runtime, ctx: Ctx, studyOid: string, label: string): void {
	const study = rt.world.studies.get(studyOid);
	const p = rt.world.findInStudy(studyOid, label);
	const userStatus = p ? effectiveUserStatus(p, rt.switches.contactInfoEnteredStatus) : null;
	if (!study?.participateEnabled || !p || userStatus === null || !p.accessCode) return ctx.send(404, {});
	const code = isYes(ctx.param('includeAccessCode')) ? p.accessCode : null;
	const host = `https://${study.uniqueIdentifier.toLowerCase()}.participate.sandbox.example`;
	ctx.sendJson(200, { accessCode: code, host, accessLink: `${host}/?accessCode=${code}` });
}
