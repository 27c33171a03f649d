// Server version profiles (spec §6.1), expressed as switches so tests can mix them.
import type { ProfileName, ProfileSwitches } from './types';

const OC_4_13: ProfileSwitches = {
	submitMethod: 'POST',
	pathSpelling: 'new',
	flagParam: 'includeParticipateInfo',
	paging: true,
	errorStatus: 400,
	fileFormat: 'csv-conditional',
	roleRule: 'v12',
	downloadErrors: 'strings',
	cdStyle: 'encoded-ua',
	selection: 'available-signed',
	contactInfoEnteredStatus: true,
};

const V12: ProfileSwitches = { ...OC_4_13, selection: 'available-only', contactInfoEnteredStatus: false };
const V11: ProfileSwitches = { ...V12, fileFormat: 'csv8', roleRule: 'v10' };
const V9: ProfileSwitches = { ...V11, paging: false, roleRule: 'site-only', selection: 'available-signed' };
const V8: ProfileSwitches = { ...V9, pathSpelling: 'old' };
const V7: ProfileSwitches = { ...V8, errorStatus: 417 };
const V6: ProfileSwitches = { ...V7, flagParam: 'includeParticipateRelatedInfo' };
const V5: ProfileSwitches = {
	...V6,
	flagParam: 'none',
	fileFormat: 'csv8-always',
	cdStyle: 'raw',
	selection: 'all-but-removed',
};
const V3: ProfileSwitches = { ...V5, fileFormat: 'pipe-txt', downloadErrors: 'v1-500s' };
const V2: ProfileSwitches = { ...V3, submitMethod: 'GET' };
const V1: ProfileSwitches = { ...V2, errorStatus: 'headerOnly', fileFormat: 'pipe-txt-v1' };

export const PROFILES: Readonly<Record<ProfileName, Readonly<ProfileSwitches>>> = {
	'oc-4.13': OC_4_13,
	v12: V12,
	v11: V11,
	v9: V9,
	v8: V8,
	v7: V7,
	v6: V6,
	v5: V5,
	v3: V3,
	v2: V2,
	v1: V1,
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(name: string): name is ProfileName {
	return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

export function resolveProfile(name: string, overrides: Partial<ProfileSwitches> = {}): ProfileSwitches {
	if (!isProfileName(name)) {
		throw new Error(`Unknown sandbox profile "${name}". Valid profiles: ${PROFILE_NAMES.join(', ')}`);
	}
	return { ...PROFILES[name], ...overrides };
}
