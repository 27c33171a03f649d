// Spec §5.1 (token endpoint) and §5.2/§7 (how the runtime answers without a valid token).
import { randomUUID } from 'node:crypto';
import { API, extractUrl, header, HttpResponse, login, request, tokenRequest } from '../helpers/http';
import { useSandbox } from './support';

function jwtPart(token: string, i: 0 | 1): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));
}

describe('token endpoint (§5.1), default options', () => {
	const ctx = useSandbox();

	beforeEach(async () => {
		await ctx.control.reset();
	});

	it('200 with the raw JWT as the body (not JSON, not quoted), exp ≈ now + 4 h', async () => {
		const before = Math.floor(Date.now() / 1000);
		const res = await tokenRequest(ctx.sb.tokenUrl, 'crc.jane');
		const after = Math.ceil(Date.now() / 1000);
		expect(res.status).toBe(200);
		expect(res.text).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
		expect(typeof jwtPart(res.text, 0).alg).toBe('string');
		expect(jwtPart(res.text, 1).sub).toBe('crc.jane');
		expect(header(res, 'content-type') ?? '').toMatch(/^text\/plain/);
		const exp = jwtPart(res.text, 1).exp as number;
		expect(typeof exp).toBe('number');
		expect(exp).toBeGreaterThanOrEqual(before + 14400 - 5);
		expect(exp).toBeLessThanOrEqual(after + 14400 + 5);
	});

	it('the token URL is /user-service/api/oauth/token on the sandbox host', () => {
		expect(ctx.sb.tokenUrl).toBe(`${ctx.sb.baseUrl}/user-service/api/oauth/token`);
		expect(ctx.sb.studyUrl).toBe(`${ctx.sb.baseUrl}/OpenClinica`);
	});

	it.each([
		['bad password', 'crc.jane', 'wrong'],
		['unknown user', 'nobody.here', 'Sandbox-Pass-1'],
		['empty password', 'crc.jane', ''],
	])('%s → 401', async (_n, user, password) => {
		const res = await tokenRequest(ctx.sb.tokenUrl, user, password);
		expect(res.status).toBe(401);
	});

	it('is not rate-limited when tokenRateLimit is off (default): 5 calls in a row succeed', async () => {
		for (let i = 0; i < 5; i++) expect((await tokenRequest(ctx.sb.tokenUrl, 'crc.jane')).status).toBe(200);
	});

	it('token429 fault: the next `count` calls get 429 + Retry-After (default 30), then 200', async () => {
		await ctx.control.setFaults({ token429: { count: 2 } });
		for (let i = 0; i < 2; i++) {
			const res = await tokenRequest(ctx.sb.tokenUrl, 'crc.jane');
			expect(res.status).toBe(429);
			expect(header(res, 'retry-after')).toBe('30');
		}
		expect((await tokenRequest(ctx.sb.tokenUrl, 'crc.jane')).status).toBe(200);
	});

	it('token429 fault with retryAfter', async () => {
		await ctx.control.setFaults({ token429: { count: 1, retryAfter: 45 } });
		const res = await tokenRequest(ctx.sb.tokenUrl, 'crc.jane');
		expect(res.status).toBe(429);
		expect(header(res, 'retry-after')).toBe('45');
	});

	it('setConfig({tokenRateLimit}) switches the limit at run time', async () => {
		await ctx.control.setConfig({ tokenRateLimit: true });
		try {
			const statuses: number[] = [];
			for (let i = 0; i < 3; i++) statuses.push((await tokenRequest(ctx.sb.tokenUrl, 'crc.jane')).status);
			expect(statuses).toContain(429);
		} finally {
			await ctx.control.setConfig({ tokenRateLimit: false });
		}
		expect((await tokenRequest(ctx.sb.tokenUrl, 'crc.jane')).status).toBe(200);
	});
});

describe('token endpoint with tokenRateLimit on and a custom lifetime', () => {
	const ctx = useSandbox({ tokenRateLimit: true, tokenLifetimeSeconds: 600 });

	it('two calls per minute are fine, the third gets 429 with Retry-After', async () => {
		const a = await tokenRequest(ctx.sb.tokenUrl, 'crc.jane');
		const b = await tokenRequest(ctx.sb.tokenUrl, 'inv.omar');
		const c = await tokenRequest(ctx.sb.tokenUrl, 'crc.jane');
		expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
		const retry = Number(header(c, 'retry-after'));
		expect(Number.isInteger(retry)).toBe(true);
		expect(retry).toBeGreaterThanOrEqual(1);
		expect(retry).toBeLessThanOrEqual(60);
		const exp = jwtPart(a.text, 1).exp as number;
		expect(Math.abs(exp - (Date.now() / 1000 + 600))).toBeLessThan(10);
	});
});

describe('401 answers (§5.2, §7)', () => {
	const ctx = useSandbox();
	let jane: string;
	let jobUuid: string;

	beforeAll(async () => {
		jane = await login(ctx.sb.tokenUrl, 'crc.jane');
		const res = await request(extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_LYO'), {
			method: 'POST',
			headers: { authorization: `Bearer ${jane}` },
		});
		jobUuid = /job uuid: (.*)$/.exec(res.text)?.[1] ?? randomUUID();
	});

	const endpoints: Array<[string, string, () => string]> = [
		['submit', 'POST', () => extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_BOS')],
		['download', 'GET', () => `${ctx.studyUrl}${API}/jobs/${jobUuid}/downloadFile`],
		['jobs by site', 'GET', () => `${ctx.studyUrl}${API}/studies/S_JUNO/sites/S_JUNO_BOS/jobs`],
		['jobs by study', 'GET', () => `${ctx.studyUrl}${API}/studies/S_JUNO/jobs`],
		['delete', 'DELETE', () => `${ctx.studyUrl}${API}/jobs/${jobUuid}`],
		['participant', 'GET', () => `${ctx.studyUrl}${API}/clinicaldata/studies/S_JUNO/sites/S_JUNO_BOS/participant?participantID=BOS-0001`],
	];

	async function call(method: string, url: string, authorization: string | null): Promise<HttpResponse> {
		return request(url, { method, headers: { authorization } });
	}

	async function jobsSnapshot(): Promise<string> {
		return JSON.stringify((await ctx.control.jobs()).map((j) => j.uuid));
	}

	it.each(endpoints)('%s without Authorization → 401 + WWW-Authenticate: Basic realm="Protected"', async (_n, method, url) => {
		const before = await jobsSnapshot();
		const res = await call(method, url(), null);
		expect(res.status).toBe(401);
		expect(header(res, 'www-authenticate')).toBe('Basic realm="Protected"');
		expect(await jobsSnapshot()).toBe(before);
	});

	it.each(endpoints)('%s with a bad token → 401 + Bearer error="invalid_token"', async (_n, method, url) => {
		const before = await jobsSnapshot();
		for (const bad of ['Bearer not-a-jwt', `Bearer ${jane.slice(0, -4)}AAAA`]) {
			const res = await call(method, url(), bad);
			expect(res.status).toBe(401);
			expect(header(res, 'www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
		}
		expect(await jobsSnapshot()).toBe(before);
	});

	it('an authenticated runtime answer sets a JSESSIONID cookie (§5.2)', async () => {
		const res = await call('POST', extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_LYO'), `Bearer ${jane}`);
		expect(res.status).toBe(200);
		expect(String(res.headers['set-cookie'] ?? '')).toMatch(/JSESSIONID=/);
	});

	it('a token with a modified payload (later exp, same signature) → 401', async () => {
		const [h, , s] = jane.split('.');
		const payload = { ...jwtPart(jane, 1), exp: Math.floor(Date.now() / 1000) + 99999 };
		const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
		const res = await call('POST', extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_BOS'), `Bearer ${forged}`);
		expect(res.status).toBe(401);
		expect(header(res, 'www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
	});

	it('Basic credentials are not accepted (only Bearer works) → 401, no job', async () => {
		const before = await jobsSnapshot();
		const basic = `Basic ${Buffer.from('crc.jane:Sandbox-Pass-1').toString('base64')}`;
		const res = await call('POST', extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_BOS'), basic);
		expect(res.status).toBe(401);
		expect(header(res, 'www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
		expect(await jobsSnapshot()).toBe(before);
	});

	it('expireTokens fault: tokens issued so far → 401 invalid_token on every endpoint, no job; new logins work', async () => {
		const old = await login(ctx.sb.tokenUrl, 'crc.jane');
		await ctx.control.setFaults({ expireTokens: true });
		const before = await jobsSnapshot();
		for (const [, method, url] of endpoints) {
			const res = await call(method, url(), `Bearer ${old}`);
			expect([url(), res.status]).toEqual([url(), 401]);
			expect(header(res, 'www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
		}
		expect(await jobsSnapshot()).toBe(before);
		const fresh = await login(ctx.sb.tokenUrl, 'crc.jane');
		const ok = await call('POST', extractUrl(ctx.studyUrl, 'S_JUNO', 'S_JUNO_LYO'), `Bearer ${fresh}`);
		expect(ok.status).toBe(200);
		expect(ok.text).toMatch(/^job uuid: /);
	});
});
