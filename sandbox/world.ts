// The sandbox's "database": studies, users and participants, plus the control API's edits to them.
import { formatLabel, generateParticipants, newAccessCode, STUDIES, USERS } from './data';
import type {
	ContactDetail,
	NewParticipant,
	Participant,
	ParticipantPatch,
	ParticipantView,
	Study,
	User,
} from './types';

const EMPTY_DETAIL: ContactDetail = { firstName: null, lastName: null, email: null, phone: null, identifier: null };

export class World {
	readonly studies = new Map<string, Study>(STUDIES.map((s) => [s.oid, s]));
	readonly users = new Map<string, User>(USERS.map((u) => [u.username, u]));
	private bySite = new Map<string, Participant[]>();
	private byLabel = new Map<string, Participant>();

	constructor(
		private readonly seed: number,
		private readonly bigSiteSize: number,
	) {
		this.reset();
	}

	reset(): void {
		this.bySite = new Map();
		this.byLabel = new Map();
		for (const p of generateParticipants(this.seed, this.bigSiteSize)) this.insert(p);
	}

	/** Participants of one site in creation order (ties keep insertion order). */
	participantsOf(siteOid: string): readonly Participant[] {
		return this.bySite.get(siteOid) ?? [];
	}

	/** Label lookup across a parent study and all its sites (spec §4.3). */
	findInStudy(studyOid: string, label: string): Participant | undefined {
		const p = this.byLabel.get(label);
		return p && this.studies.get(p.siteOid)?.parentOid === studyOid ? p : undefined;
	}

	addParticipant(input: NewParticipant): ParticipantView {
		const site = this.studies.get(input.siteOid);
		if (!site || site.parentOid === null) throw new Error(`Unknown site "${input.siteOid}"`);
		const list = this.participantsOf(input.siteOid);
		const label = input.label ?? this.nextLabel(input.siteOid, list.length + 1);
		if (this.byLabel.has(label)) throw new Error(`Label "${label}" already exists`);
		const last = list[list.length - 1];
		// Keep creation order strict even if the clock is behind the seed dates.
		const now = Math.max(Date.now(), last ? last.dateCreated.getTime() + 1 : 0);
		const userStatus = input.userStatus ?? null;
		const p: Participant = {
			label,
			siteOid: input.siteOid,
			status: input.status ?? 'available',
			dateCreated: new Date(now),
			dateUpdated: null,
			detail: input.detail ? { ...EMPTY_DETAIL, ...input.detail } : null,
			userStatus,
			accessCode: userStatus === null ? null : newAccessCode(),
		};
		this.insert(p);
		return toView(p);
	}

	updateParticipant(label: string, patch: ParticipantPatch): ParticipantView {
		const p = this.byLabel.get(label);
		if (!p) throw new Error(`Unknown participant "${label}"`);
		if (patch.detail === null) p.detail = null;
		else if (patch.detail) p.detail = { ...(p.detail ?? EMPTY_DETAIL), ...patch.detail };
		if (patch.userStatus !== undefined) {
			p.userStatus = patch.userStatus;
			// An access code exists exactly when there is a Participate account.
			if (p.userStatus === null) p.accessCode = null;
			else if (p.accessCode === null) p.accessCode = newAccessCode();
		}
		if (patch.status) p.status = patch.status;
		if (patch.accessCode !== undefined) p.accessCode = patch.accessCode;
		p.dateUpdated = new Date();
		return toView(p);
	}

	listParticipants(siteOid: string): ParticipantView[] {
		return this.participantsOf(siteOid).map(toView);
	}

	private nextLabel(siteOid: string, n: number): string {
		let label = formatLabel(siteOid, n);
		while (this.byLabel.has(label)) label = formatLabel(siteOid, ++n);
		return label;
	}

	private insert(p: Participant): void {
		let list = this.bySite.get(p.siteOid);
		if (!list) this.bySite.set(p.siteOid, (list = []));
		list.push(p);
		this.byLabel.set(p.label, p);
	}
}

function toView(p: Participant): ParticipantView {
	return {
		label: p.label,
		siteOid: p.siteOid,
		status: p.status,
		dateCreated: p.dateCreated.toISOString(),
		detail: p.detail ? { ...p.detail } : null,
		userStatus: p.userStatus,
		accessCode: p.accessCode,
	};
}
