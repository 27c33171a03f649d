import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import {
	loginCacheSizes,
	loginKey,
	MAX_RATE_LIMIT_WAIT_MS,
	OpenClinicaApi,
} from '../../credentials/OpenClinicaApi.credentials';

type Answer = Partial<IN8nHttpFullResponse> & { statusCode: number };

/** preAuthentication with a scripted httpRequest; returns the token and the requests sent. */
async function login(answers: Answer[], credentials: Record<string, unknown> = {}) {
	const sent: IHttpRequestOptions[] = [];
	const helpers = {
		httpRequest: async (options: IHttpRequestOptions) => {
			sent.push(options);
			const next = answers.shift() ?? { statusCode: 404, body: '' };
			return { headers: {}, body: '', ...next };
		},
	};
	const credential = new OpenClinicaApi();
	const data = {
		studyUrl: 'https://acme.eu.openclinica.io/OpenClinica/',
		tokenUrl: '',
		username: 'crc.jane',
		password: 'S3cret-pass',
		ignoreSslIssues: false,
		...credentials,
	};
	const call = credential.preAuthentication.bind({ helpers } as never);
	try {
		return { result: await call(data), sent, error: undefined };
	} catch (error) {
		return { result: undefined, sent, error: error as Error & { description?: string } };
	}
}

describe('OpenClinicaApi.preAuthentication', () => {
	it('logs in at the derived token URL and checks the token on the study host', async () => {
		const { result, sent } = await login([{ statusCode: 200, body: '"eyJ.payload.sig"\n' }, { statusCode: 404 }]);
		expect(result).toEqual({ accessToken: 'eyJ.payload.sig' });
		expect(sent[0]).toMatchObject({
			method: 'POST',
			url: 'https://acme.build.openclinica.io/user-service/api/oauth/token',
			body: { username: 'crc.jane', password: 'S3cret-pass' },
			skipSslCertificateValidation: false,
		});
		expect(sent[1].url).toBe('https://acme.eu.openclinica.io/OpenClinica/pages/auth/api/n8n-token-check');
		expect(sent[1].headers).toMatchObject({ Authorization: 'Bearer eyJ.payload.sig' });
	});

	it('uses the explicit token URL and the SSL setting', async () => {
		const { sent } = await login([{ statusCode: 200, body: 'tok' }, { statusCode: 404 }], {
			tokenUrl: 'http://127.0.0.1:9/user-service/api/oauth/token',
			ignoreSslIssues: true,
		});
		expect(sent[0].url).toBe('http://127.0.0.1:9/user-service/api/oauth/token');
		expect(sent.every((s) => s.skipSslCertificateValidation === true)).toBe(true);
	});

	it('a wrong password gives an error naming the token URL and status, never the password', async () => {
		const { error } = await login([{ statusCode: 401, body: 'Bad credentials for crc.jane / S3cret-pass' }]);
		expect(error?.message).toBe('Login to https://acme.build.openclinica.io/user-service/api/oauth/token failed (HTTP 401)');
		expect(`${error?.message} ${error?.description}`).not.toContain('S3cret-pass');
		expect(error?.description).toMatch(/Username and Password/);
	});

	it('waits as Retry-After says on 429, then logs in', async () => {
		const started = Date.now();
		const { result, sent } = await login([
			{ statusCode: 429, headers: { 'retry-after': '1' } },
			{ statusCode: 200, body: 'tok' },
			{ statusCode: 404 },
		]);
		expect(result).toEqual({ accessToken: 'tok' });
		expect(sent.filter((s) => s.method === 'POST')).toHaveLength(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
	});

	it.each(['3600', '45'])('gives up at once with a clear error when Retry-After (%s s) exceeds the 30 s cap', async (seconds) => {
		expect(MAX_RATE_LIMIT_WAIT_MS).toBe(30_000);
		const started = Date.now();
		const { error, sent } = await login([{ statusCode: 429, headers: { 'retry-after': seconds } }]);
		expect(sent).toHaveLength(1);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(error?.message).toMatch(/rate limiting logins \(HTTP 429\)/);
		expect(error?.description).toMatch(/2 logins per minute/);
	});

	it('waits at most once: a second 429 fails', async () => {
		const { error, sent } = await login([
			{ statusCode: 429, headers: { 'retry-after': '1' } },
			{ statusCode: 429, headers: { 'retry-after': '1' } },
			{ statusCode: 200, body: 'tok' },
			{ statusCode: 404 },
		]);
		expect(sent).toHaveLength(2);
		expect(error?.message).toMatch(/rate limiting logins \(HTTP 429\)/);
	});

	it('fails when the study host rejects the fresh token', async () => {
		const { error } = await login([{ statusCode: 200, body: 'tok' }, { statusCode: 401 }]);
		expect(error?.message).toBe('The login worked, but acme.eu.openclinica.io rejected the token');
		expect(error?.description).toMatch(/different OpenClinica instances/);
	});

	it('rejects an HTML answer as a token', async () => {
		const { error } = await login([{ statusCode: 200, body: '<html>login</html>' }]);
		expect(error?.message).toMatch(/did not return a token/);
	});

	it('rejects a study URL it cannot derive a token URL from', async () => {
		const { error, sent } = await login([], { studyUrl: 'acme.eu.openclinica.io' });
		expect(sent).toHaveLength(0);
		expect(error?.message).toMatch(/Study URL must start with https:\/\//);
	});

	it('keys its login cache by a digest, never by the plain password', () => {
		const creds = { studyUrl: 'https://acme.eu.openclinica.io/OpenClinica', username: 'crc.jane', password: 'S3cret-pass' };
		const key = loginKey(creds);
		expect(key).toMatch(/^[A-Za-z0-9_-]{16}$/);
		expect(key).not.toContain('S3cret');
		expect(key).toBe(loginKey({ ...creds, username: ' crc.jane ' }));
		expect(key).not.toBe(loginKey({ ...creds, password: 'S3cret-pasS' }));
		expect(key).not.toBe(loginKey({ ...creds, username: 'crc.john' }));
		expect(key).not.toBe(loginKey({ ...creds, tokenUrl: 'https://other.example/user-service/api/oauth/token' }));
	});

	it('drops cached tokens once they expired', async () => {
		const now = Date.now();
		const jwt = (exp: number) =>
			`eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(exp / 1000) })).toString('base64url')}.sig`;
		// Valid for an hour; one without exp is reused for a minute at most.
		await login([{ statusCode: 200, body: jwt(now + 3_600_000) }, { statusCode: 404 }], { username: 'cache.a' });
		await login([{ statusCode: 200, body: 'opaque-token' }, { statusCode: 404 }], { username: 'cache.b' });
		const before = loginCacheSizes().tokens;
		expect(before).toBeGreaterThanOrEqual(2);
		expect(loginCacheSizes().inFlight).toBe(0);

		const clock = jest.spyOn(Date, 'now');
		try {
			// 10 minutes on: every token without exp (all the other tests') is gone, the hour-long one stays.
			clock.mockReturnValue(now + 10 * 60_000);
			await login([{ statusCode: 200, body: jwt(now + 3_600_000) }, { statusCode: 404 }], { username: 'cache.c' });
			expect(loginCacheSizes().tokens).toBe(2);
			// 2 hours on: all expired but the login just made.
			clock.mockReturnValue(now + 2 * 3_600_000);
			await login([{ statusCode: 200, body: jwt(now + 3 * 3_600_000) }, { statusCode: 404 }], { username: 'cache.d' });
			expect(loginCacheSizes().tokens).toBe(1);
		} finally {
			clock.mockRestore();
		}
	});
});
