// cyrb53 (by bryc, public domain): a fast, non-cryptographic 53-bit string hash, shared by the
// trigger (salted hashes of participant fields, nodes/OpenClinicaTrigger/state.ts) and the
// credential (keys of its in-memory login cache). Shipped code may not use Node's crypto module.
// Neither use is a security boundary: the hashes keep readable values out of places where they
// would otherwise sit in clear (static data, long-lived map keys), nothing more.

// URL-safe base64 digits: 6 bits per character.
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

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
 * The output is part of the trigger's stored state: changing it reports every participant as changed.
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

const keyHashers = [createHasher('key-1'), createHasher('key-2')];

/**
 * A 96-bit digest (16 characters: two 48-bit cyrb53 results with different salts), for map keys
 * that must not hold a secret in clear and must not collide in practice.
 */
export function digest(text: string): string {
	return keyHashers.map((hash) => hash(text, 8)).join('');
}

/** A new random salt. Math.random is enough: the salt only has to differ between nodes. */
export function newSalt(): string {
	let salt = '';
	for (let i = 0; i < 16; i++) salt += DIGITS[Math.floor(Math.random() * 64)];
	return salt;
}
