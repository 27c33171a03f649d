/**
 * Unit tests of the issue-4 hardening: shared logins never cross passwords, a stale 401 reuses the
 * latest login, network errors keep the host in the message, and columns a server sends without
 * being asked (or leaves unfilled) are dropped.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { OpenClinicaApi, tokenExpiry } from '../../credentials/OpenClinicaApi.credentials';
import { parseContactsFile } from '../../nodes/OpenClinica/contactsFile';
import { withoutUnaskedColumns } from '../../nodes/OpenClinica/exportJob/run';
import { networkProblem } from '../../nodes/OpenClinica/transport';

function jwt(expSeconds: number, id: string): string {
	const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${part({ alg: 'HS256' })}.${part({ exp: expSeconds, jti: id })}.sig`;
}

/** A credential whose token endpoint answers after `release()`, counting logins per password. */
function scriptedCredential(tokenUrl: string) {
	const logins: string[] = [];
	let release: () => void = () => undefined;
	const gate = new Promise<void>((resolve) => (release = resolve));
	let issued = 0;
	const helpers = {
		httpRequest: async (options: IHttpRequestOptions) => {
			if (options.method === 'POST') {
				const password = (options.body as { password: string }).password;
				logins.push(password);
				await gate;
				if (password !== 'right-password') return { statusCode: 401, headers: {}, body: '' };
				issued++;
				return { statusCode: 200, headers: {}, body: jwt(Math.floor(Date.now() / 1000) + 4 * 3600, `t${issued}`) };
			}
			return { statusCode: 404, headers: {}, body: '' };
		},
	};
	const credential = new OpenClinicaApi();
	const call = credential.preAuthentication.bind({ helpers } as never);
	const data = (password: string, accessToken = '') => ({
		studyUrl: 'https://acme.eu.openclinica.io/OpenClinica',
		tokenUrl,
		username: 'crc.jane',
		password,
		accessToken,
	});
	return { call, data, logins, release: () => release() };
}

describe('preAuthentication: shared logins', () => {
	it('a concurrent login with a wrong password does not receive the other login\'s token', async () => {
		const c = scriptedCredential('https://a.build.openclinica.io/user-service/api/oauth/token');
		const right = c.call(c.data('right-password'));
		const wrong = c.call(c.data('wrong-password')).then(
			() => 'no error',
			(error: Error) => error.message,
		);
		c.release();
		expect((await right).accessToken).toMatch(/\./);
		expect(await wrong).toMatch(/failed \(HTTP 401\)/);
		expect(c.logins.sort()).toEqual(['right-password', 'wrong-password']);
	});

	it('concurrent refreshes with the same password share one login', async () => {
		const c = scriptedCredential('https://b.build.openclinica.io/user-service/api/oauth/token');
		const both = Promise.all([c.call(c.data('right-password', 'old')), c.call(c.data('right-password', 'old'))]);
		c.release();
		const [a, b] = await both;
		expect(a.accessToken).toBe(b.accessToken);
		expect(c.logins).toHaveLength(1);
	});

	it('a refresh asked for with a token older than the latest login reuses that login', async () => {
		const c = scriptedCredential('https://c.build.openclinica.io/user-service/api/oauth/token');
		c.release();
		const first = await c.call(c.data('right-password', 'expired-token'));
		// Another request was already on its way with the expired token, and got 401 too.
		const late = await c.call(c.data('right-password', 'expired-token'));
		expect(late.accessToken).toBe(first.accessToken);
		expect(c.logins).toHaveLength(1);
		// The latest token itself rejected: log in again.
		const again = await c.call(c.data('right-password', String(first.accessToken)));
		expect(again.accessToken).not.toBe(first.accessToken);
		expect(c.logins).toHaveLength(2);
	});

	it('never reuses a token for another password', async () => {
		const c = scriptedCredential('https://d.build.openclinica.io/user-service/api/oauth/token');
		c.release();
		await c.call(c.data('right-password', 'expired-token'));
		const other = await c.call(c.data('wrong-password', 'expired-token')).then(
			() => 'no error',
			(error: Error) => error.message,
		);
		expect(other).toMatch(/failed \(HTTP 401\)/);
	});

	it('reads the JWT expiry without verifying, and tolerates non-JWT tokens', () => {
		expect(tokenExpiry(jwt(2_000_000_000, 'x'))).toBe(2_000_000_000_000);
		expect(tokenExpiry('opaque-token')).toBeUndefined();
		expect(tokenExpiry('a.%%%.c')).toBeUndefined();
	});
});

describe('network errors', () => {
	it('are put in words without the code (n8n would replace a message naming the code)', () => {
		for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'X']) {
			expect(networkProblem(code)).not.toMatch(/E[A-Z]{4,}|CERT/);
		}
		expect(networkProblem('SELF_SIGNED_CERT_IN_CHAIN')).toMatch(/TLS certificate/);
		expect(networkProblem('ECONNREFUSED')).toBe('the connection was refused');
	});
});

describe('withoutUnaskedColumns', () => {
	const v5 = 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status\nSS-1,A,B,a@x.org,,M1,4aBc7dEfG,ACTIVE\nSS-2,,,,,,,\n\n';
	const v11n = 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Access Code,Participate Status\nSS-1,A,B,a@x.org,,M1,,\nSS-2,C,O\'Neil, Jr,,,M2,,\n\n';
	const v413n = 'ParticipantId,First Name,Last Name,Email,Mobile,Identifier,Participate Status\nSS-1,A,B,a@x.org,,M1,ACTIVE\n\n';

	it('drops access codes sent without being asked for (V1–V5), keeping the status', () => {
		const { file, modified } = withoutUnaskedColumns(parseContactsFile(v5), false);
		expect(modified).toBe(true);
		expect(file.columns).not.toContain('accessCode');
		expect(file.columns).toContain('participateStatus');
		expect(file.rows[0]).toEqual({ participantId: 'SS-1', firstName: 'A', lastName: 'B', email: 'a@x.org', mobile: '', identifier: 'M1', participateStatus: 'ACTIVE' });
		expect(file.lines.join('\n')).not.toContain('4aBc7dEfG');
	});

	it('keeps them when asked for', () => {
		const parsed = parseContactsFile(v5);
		expect(withoutUnaskedColumns(parsed, true)).toEqual({ file: parsed, modified: false });
	});

	it('drops the unfilled Access Code and Participate Status columns of V6–V11, also in malformed rows', () => {
		const { file } = withoutUnaskedColumns(parseContactsFile(v11n), false);
		expect(file.columns).toEqual(['participantId', 'firstName', 'lastName', 'email', 'mobile', 'identifier']);
		expect(file.rows[1]).toEqual({ participantId: 'SS-2', malformed: true, rawLine: "SS-2,C,O'Neil, Jr,,,M2" });
	});

	it('leaves a 4.13 file alone', () => {
		const parsed = parseContactsFile(v413n);
		expect(withoutUnaskedColumns(parsed, false)).toEqual({ file: parsed, modified: false });
	});
});
