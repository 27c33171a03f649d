// Study/site validation and role rules (spec §1.3 checks 3–10, §1.4, §1.6 history, §4.1).
import type { ProfileSwitches, Role, Study, User } from './types';
import type { World } from './world';

export type ReadAccess = { ok: true; studyLevel: boolean } | { ok: false; code: string };

const rolesAt = (user: User, oid: string): Role[] => user.roles.filter((r) => r.oid === oid).map((r) => r.role);
const hasAny = (roles: Role[], allowed: Role[]) => roles.some((r) => allowed.includes(r));

/** `VSI#validateStudyAndRolesForRead`, with the role rule of the profile. */
export function validateStudyAndRolesForRead(
	world: World,
	user: User,
	studyOid: string,
	siteOid: string,
	roleRule: ProfileSwitches['roleRule'],
	includeInfo: boolean,
): ReadAccess {
	const study = world.studies.get(studyOid);
	if (!study) return { ok: false, code: 'errorCode.studyNotExist' };
	if (study.parentOid !== null) return { ok: false, code: 'errorCode.studyNotValidOid' };
	const site = world.studies.get(siteOid);
	if (!site) return { ok: false, code: 'errorCode.siteNotExist' };
	if (site.parentOid === null) return { ok: false, code: 'errorCode.siteNotValidOid' };
	if (site.parentOid !== study.oid) return { ok: false, code: 'errorCode.studyTositeNotValidOid' };

	const siteRoles = rolesAt(user, siteOid);
	const studyRoles = rolesAt(user, studyOid);
	if (siteRoles.length === 0 && studyRoles.length === 0) return { ok: false, code: 'errorCode.noRoleSetUp' };
	if (!roleAllowed(roleRule, siteRoles, studyRoles, includeInfo)) {
		return { ok: false, code: 'errorCode.noSufficientPrivileges' };
	}
	if (!study.participateEnabled) return { ok: false, code: 'errorCode.participateInActive' };
	// "Study-level user" = no role whose study is exactly this site (UtilServiceImpl#checkStudyLevelUser).
	return { ok: true, studyLevel: siteRoles.length === 0 };
}

function roleAllowed(rule: ProfileSwitches['roleRule'], siteRoles: Role[], studyRoles: Role[], includeInfo: boolean) {
	const siteCrcInv = hasAny(siteRoles, ['ra', 'Investigator']);
	const studyLevel = hasAny(studyRoles, ['ra', 'Investigator', 'coordinator']);
	switch (rule) {
		case 'site-only':
			return siteCrcInv;
		case 'v10':
			return siteCrcInv || (!includeInfo && studyLevel);
		case 'v12':
			return siteCrcInv || studyLevel;
		case 'v13m':
			return siteCrcInv || studyLevel || hasAny([...siteRoles, ...studyRoles], ['monitor']);
	}
}

/** English sentences of the header-only errors (V1 submit, and the jobs endpoints in every version). */
export const HEADER_SENTENCES: Readonly<Record<string, string>> = {
	'errorCode.studyNotExist': 'InValid StudyOID. The StudyOID is invalid or does not exist',
	'errorCode.studyNotValidOid': 'InValid StudyOID. The StudyOID is invalid or does not exist',
	'errorCode.siteNotExist': 'InValid SiteOID. The SiteOID should have a Site Level Oid',
	'errorCode.siteNotValidOid': 'InValid SiteOID. The SiteOID should have a Site Level Oid',
	'errorCode.studyTositeNotValidOid': 'Mismatch StudyOID and SiteOID. The StudyOID and SiteOID relation is invalid',
	'errorCode.noRoleSetUp': 'Incorrect User Role. The user role should be either a CRC or an Investigator',
	'errorCode.noSufficientPrivileges': 'Incorrect User Role. The user role should be either a CRC or an Investigator',
	'errorCode.participateInActive': 'Participate is Inactive. Participate module for the study is inactive',
	'errorCode.invalidPageNumberParameter': 'Invalid Page Number. The page number should be a positive integer',
	'errorCode.invalidPageSizeParameter': 'Invalid Page Size. The page size should be a positive integer',
};

/** OID checks of the jobs-list endpoints; returns the error sentence or null. */
export function checkJobsListOids(world: World, studyOid: string, siteOid: string | null): string | null {
	const study = world.studies.get(studyOid);
	if (!study || study.parentOid !== null) return HEADER_SENTENCES['errorCode.studyNotExist'];
	if (siteOid === null) return null;
	const site = world.studies.get(siteOid);
	if (!site || site.parentOid === null) return HEADER_SENTENCES['errorCode.siteNotExist'];
	if (site.parentOid !== studyOid) return HEADER_SENTENCES['errorCode.studyTositeNotValidOid'];
	return null;
}

/** Roles allowed to list jobs (spec §4.1). */
export function mayListJobs(user: User, studyOid: string, siteOid: string | null): boolean {
	const studyRoles = rolesAt(user, studyOid);
	if (siteOid === null) return hasAny(studyRoles, ['ra', 'Investigator', 'coordinator', 'monitor']);
	const siteRoles = rolesAt(user, siteOid);
	return (
		hasAny(siteRoles, ['ra', 'Investigator', 'monitor']) ||
		hasAny(studyRoles, ['ra', 'Investigator', 'coordinator', 'monitor'])
	);
}

/** The parent of a study or site; downloads look jobs up there (spec §3.2). */
export function parentOf(world: World, oid: string): Study | undefined {
	const s = world.studies.get(oid);
	return s && s.parentOid !== null ? world.studies.get(s.parentOid) : s;
}
