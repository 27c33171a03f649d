// Tokens: the user-service login endpoint (spec §5.1) and the runtime's Bearer check (spec §5.2).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const REALM = 'sandbox';
const RATE_WINDOW_MS = 60_000;
const RATE_MAX_CALLS = 2;

export type BearerCheck = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'ok'; username: string };

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export class TokenService {
	/** Per process: tokens never survive a restart, like a rotated realm key. */
	private readonly secret = randomBytes(32);
	private issuedSinceExpiry: string[] = [];
	private readonly revoked = new Set<string>();
	private readonly callsByIp = new Map<string, number[]>();

	constructor(
		private readonly lifetimeSeconds: number,
		private readonly issuer: string,
	) {}

	issue(username: string, userUuid: string): string {
		const now = Math.floor(Date.now() / 1000);
		const jti = randomUUID();
		const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
		const payload = b64url(
			JSON.stringify({
				jti,
				exp: now + this.lifetimeSeconds,
				iat: now,
				iss: this.issuer,
				sub: username,
				typ: 'Bearer',
				preferred_username: username,
				'https://www.openclinica.com/userContext': { userType: 'business-user', userUuid },
			}),
		);
		this.issuedSinceExpiry.push(jti);
		return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
	}

	/** The Keycloak adapter: any Authorization header must be a valid, unexpired Bearer token. */
	check(authorization: string | undefined): BearerCheck {
		if (authorization === undefined) return { kind: 'missing' };
		const match = /^bearer\s+(\S+)\s*$/i.exec(authorization);
		if (!match) return { kind: 'invalid' };
		const parts = match[1].split('.');
		if (parts.length !== 3) return { kind: 'invalid' };
		const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
		const actual = Buffer.from(parts[2]);
		if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { kind: 'invalid' };
		let claims: { exp?: number; sub?: string; jti?: string };
		try {
			claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		} catch {
			return { kind: 'invalid' };
		}
		if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return { kind: 'invalid' };
		if (!claims.sub || !claims.jti || this.revoked.has(claims.jti)) return { kind: 'invalid' };
		return { kind: 'ok', username: claims.sub };
	}

	/** The `expireTokens` fault: every token issued so far stops working. */
	expireAll(): void {
		for (const jti of this.issuedSinceExpiry) this.revoked.add(jti);
		this.issuedSinceExpiry = [];
	}

	/** Counts a token call; returns Retry-After seconds when it exceeds 2 calls per minute from this IP. */
	rateLimit(ip: string): number | null {
		const now = Date.now();
		const recent = (this.callsByIp.get(ip) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
		if (recent.length >= RATE_MAX_CALLS) {
			this.callsByIp.set(ip, recent);
			return Math.max(1, Math.ceil((recent[0] + RATE_WINDOW_MS - now) / 1000));
		}
		recent.push(now);
		this.callsByIp.set(ip, recent);
		return null;
	}

	resetRateLimit(): void {
		this.callsByIp.clear();
	}

	private sign(input: string): string {
		return createHmac('sha256', this.secret).update(input).digest('base64url');
	}
}

/** WWW-Authenticate values of the two 401 flavours (spec §5.2, §7). */
export const CHALLENGE = {
	missing: 'Basic realm="Protected"',
	invalid: `Bearer realm="${REALM}", error="invalid_token", error_description="Token is not active"`,
};
