// Short salted hashes of participant fields, the only trace of contact details the trigger keeps.
//
// These are change detectors, not a security boundary. The hash (cyrb53 by bryc, public domain)
// is fast and non-cryptographic, the salt lives in the same static data, and a short field such as
// a status or a phone number can be brute-forced from its hash by anyone who holds that data. That
// is acceptable because the goal is narrower: keep no readable copy of names, emails, phone
// numbers or access codes in the workflow (static data travels with workflow exports and source
// control), and make a plain lookup of known values impossible without first reading the salt.
// n8n's execution history already holds the clear rows of every emitted participant, under n8n's
// own access control. Shipped code may not use Node's crypto module, and needs none for this.

// URL-safe base64 digits: 6 bits per character.
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Characters per field hash: 30 bits, so a changed field goes unnoticed about once in 10^9. */
export const FIELD_HASH_LENGTH = 5;
/** Characters of the hash of a malformed row's raw line (48 bits). */
export const LINE_HASH_LENGTH = 8;

function digits(value: number, count: number): string {
	let text = '';
	let rest = value;
	for (let i = 0; i < count; i++) {
		text += DIGITS[rest & 63];
		rest = Math.floor(rest / 64);
	}
	return text;
}

export type Hasher = (text: string, length: number) => string;

/**
 * A hasher bound to a salt: the salt's characters are fed first (once), then each text. Returns
 * `length` base64url characters (at most 8) taken from cyrb53's 53-bit result.
 */
export function createHasher(salt: string): Hasher {
	let s1 = 0xdeadbeef;
	let s2 = 0x41c6ce57;
	for (let i = 0; i < salt.length; i++) {
		const ch = salt.charCodeAt(i);
		s1 = Math.imul(s1 ^ ch, 2654435761);
		s2 = Math.imul(s2 ^ ch, 1597334677);
	}
	return (text, length) => {
		let h1 = s1;
		let h2 = s2;
		for (let i = 0; i < text.length; i++) {
			const ch = text.charCodeAt(i);
			h1 = Math.imul(h1 ^ ch, 2654435761);
			h2 = Math.imul(h2 ^ ch, 1597334677);
		}
		h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
		h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
		h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
		h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
		// 53 bits: the low 32 from h1, the high 21 from h2.
		return digits(4294967296 * (h2 & 0x1fffff) + (h1 >>> 0), length);
	};
}

/** A new random salt. Math.random is enough: the salt only has to differ between nodes. */
export function newSalt(): string {
	let salt = '';
	for (let i = 0; i < 16; i++) salt += DIGITS[Math.floor(Math.random() * 64)];
	return salt;
}
