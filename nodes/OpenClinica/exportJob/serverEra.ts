// What a download answer of HTTP 500 means depends on the server's age (spec §3.3): servers before
// V4 (April 2019) answer 500 for a job that is still running (and for an unknown or deleted job);
// later ones answer `error.jobInProgress` with HTTP 200, so a 500 is a real server error. The node
// learns the era per study URL from what it has seen, for the life of the n8n process:
// - the submit endpoint that answered: GET (V1–V2) → 500s; POST extractParticipantsInfo (V9+) →
//   strings; POST extractPartcipantsInfo (V3–V8) tells nothing;
// - a download status token (`error.…`) → strings; a file sent with V1's alert header → 500s;
// - when still unknown at the first 500, one download of the nil UUID: V4+ answer
//   `404 error.invalidUuid`, V1–V3 answer 500 (probe in wait.ts).
export type DownloadEra = 'statusStrings' | 'http500WhileRunning';

const eras = new Map<string, DownloadEra>();

export function knownDownloadEra(studyUrl: string): DownloadEra | undefined {
	return eras.get(studyUrl);
}

export function rememberDownloadEra(studyUrl: string, era: DownloadEra): void {
	eras.set(studyUrl, era);
}

/** For tests: forget what was learnt. */
export function resetDownloadEras(): void {
	eras.clear();
}
