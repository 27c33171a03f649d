// The sandbox application: state, the control object and the request router.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { API_PREFIX, handleApi, type Runtime } from './api';
import { CHALLENGE, TokenService } from './auth';
import { checkTiming, CONTROL_PREFIX, copyLog, handleControl } from './control';
import { PASSWORD } from './data';
import { FaultState } from './faults';
import { Ctx } from './http';
import { JobManager, jobView } from './jobs';
import type { FaultsInput, ProfileSwitches, RequestLogEntry, SandboxControl, TimingConfig } from './types';
import { World } from './world';

export const TOKEN_PATH = '/user-service/api/oauth/token';
const STUDY_PATH = '/OpenClinica';
const MAX_BODY_BYTES = 1_000_000;

export interface AppOptions {
	switches: ProfileSwitches;
	seed: number;
	bigSiteSize: number;
	timing: TimingConfig;
	tokenLifetimeSeconds: number;
	secure: boolean;
}

export class SandboxApp implements Runtime {
	readonly world: World;
	readonly jobs: JobManager;
	readonly faults = new FaultState();
	readonly switches: ProfileSwitches;
	readonly control: SandboxControl;
	private readonly tokens: TokenService;
	private config: TimingConfig;
	private requests: RequestLogEntry[] = [];

	constructor(private readonly options: AppOptions) {
		this.switches = options.switches;
		this.config = { ...options.timing };
		this.world = new World(options.seed, options.bigSiteSize);
		this.jobs = new JobManager(this.world, () => this.config);
		this.tokens = new TokenService(options.tokenLifetimeSeconds, 'https://sandbox.example/auth/realms/sandbox');
		this.control = this.createControl();
	}

	close(): void {
		this.jobs.reset();
	}

	handle(req: IncomingMessage, res: ServerResponse): void {
		const path = (req.url ?? '/').split('?')[0];
		if (path.startsWith(CONTROL_PREFIX)) {
			const ctx = new Ctx(req, res, null);
			void readJson(req).then(
				(body) => handleControl(this.control, ctx, body),
				(e: Error) => ctx.send(400, { 'Content-Type': 'application/json' }, JSON.stringify({ error: e.message })),
			);
			return;
		}
		const ctx = new Ctx(req, res, this.logRequest(req));
		if (ctx.path === TOKEN_PATH) return void this.token(ctx);
		if (ctx.path === STUDY_PATH || ctx.path.startsWith(`${STUDY_PATH}/`)) return this.runtime(ctx);
		ctx.sendErrorPage(404);
	}

	private runtime(ctx: Ctx): void {
		if (this.faults.take('dropConnections', ctx.path)) return ctx.drop();
		const serverError = this.faults.take('serverErrors', ctx.path);
		if (serverError) {
			const status = serverError.status ?? 500;
			return serverError.emptyBody ? ctx.send(status, {}) : ctx.sendErrorPage(status);
		}
		if (!ctx.path.startsWith(API_PREFIX)) return ctx.sendErrorPage(404);

		const check = this.tokens.check(ctx.req.headers.authorization);
		if (check.kind === 'missing') return ctx.sendErrorPage(401, { 'WWW-Authenticate': CHALLENGE.missing }, 'Unauthorized');
		if (check.kind === 'invalid') {
			return ctx.sendErrorPage(401, { 'WWW-Authenticate': CHALLENGE.invalid }, 'Unable to authenticate using the Authorization header');
		}
		const user = this.world.users.get(check.username);
		if (!user) return ctx.sendErrorPage(500);
		// The API filter keeps the user in an HTTP session (spec §5.2); the sandbox never reads it back.
		if (!/(^|;\s*)JSESSIONID=/.test(ctx.req.headers.cookie ?? '')) {
			const secure = this.options.secure ? '; Secure' : '';
			ctx.res.setHeader('Set-Cookie', `JSESSIONID=${randomBytes(16).toString('hex').toUpperCase()}; Path=${STUDY_PATH}${secure}; HttpOnly`);
		}
		handleApi(this, ctx, user);
	}

	private async token(ctx: Ctx): Promise<void> {
		if (ctx.method !== 'POST') return ctx.sendErrorPage(405, { Allow: 'POST' });
		const ip = ctx.req.socket.remoteAddress ?? 'unknown';
		const retryAfter = this.faults.takeToken429() ?? (this.config.tokenRateLimit ? this.tokens.rateLimit(ip) : null);
		if (retryAfter !== null) {
			return ctx.send(429, { 'Retry-After': String(retryAfter), 'Content-Type': 'text/plain;charset=UTF-8' }, 'Too Many Requests');
		}
		let body: { username?: unknown; password?: unknown } | null;
		try {
			body = (await readJson(ctx.req)) as typeof body;
		} catch {
			body = null;
		}
		const user = typeof body?.username === 'string' ? this.world.users.get(body.username) : undefined;
		if (!user || body?.password !== PASSWORD) {
			return ctx.send(
				401,
				{ 'Content-Type': 'application/json;charset=UTF-8' },
				JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid user credentials' }),
			);
		}
		ctx.send(200, { 'Content-Type': 'text/plain;charset=UTF-8' }, this.tokens.issue(user.username, user.uuid));
	}

	/** Logs method, path and headers of interest, never the token itself. */
	private logRequest(req: IncomingMessage): RequestLogEntry {
		const [path, query = ''] = (req.url ?? '/').split(/\?(.*)/s);
		const auth = req.headers.authorization;
		const entry: RequestLogEntry = {
			method: req.method ?? 'GET',
			path,
			query,
			status: 0,
			userAgent: req.headers['user-agent'] ?? null,
			accept: req.headers.accept ?? null,
			authorization: auth === undefined ? 'none' : /^bearer\b/i.test(auth) ? 'bearer' : 'basic',
			time: new Date().toISOString(),
		};
		this.requests.push(entry);
		return entry;
	}

	private createControl(): SandboxControl {
		return {
			setFaults: (f: FaultsInput) => {
				if (f.expireTokens) this.tokens.expireAll();
				return this.faults.merge(f);
			},
			getFaults: () => this.faults.get(),
			reset: () => {
				this.jobs.reset();
				this.world.reset();
				this.faults.reset();
				this.requests = [];
				this.config = { ...this.options.timing };
				this.tokens.resetRateLimit();
			},
			listParticipants: (siteOid) => {
				const site = this.world.studies.get(siteOid);
				if (!site || site.parentOid === null) throw new Error(`Unknown site "${siteOid}"`);
				return this.world.listParticipants(siteOid);
			},
			addParticipant: (p) => this.world.addParticipant(p),
			updateParticipant: (label, patch) => this.world.updateParticipant(label, patch),
			listJobs: () => this.jobs.all().map(jobView),
			listRequests: () => copyLog(this.requests),
			clearRequests: () => {
				this.requests = [];
			},
			setConfig: (c) => {
				checkTiming(c as Record<string, unknown>);
				const { workers, jobBaseMs, perParticipantMs, tokenRateLimit } = c;
				this.config = {
					workers: workers ?? this.config.workers,
					jobBaseMs: jobBaseMs ?? this.config.jobBaseMs,
					perParticipantMs: perParticipantMs ?? this.config.perParticipantMs,
					tokenRateLimit: tokenRateLimit ?? this.config.tokenRateLimit,
				};
				this.jobs.pump();
				return { ...this.config };
			},
		};
	}
}

function readJson(req: IncomingMessage): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size <= MAX_BODY_BYTES) chunks.push(c);
		});
		req.on('end', () => {
			if (size > MAX_BODY_BYTES) return reject(new Error('Request body too large'));
			const text = Buffer.concat(chunks).toString('utf8').trim();
			try {
				resolve(text === '' ? undefined : JSON.parse(text));
			} catch {
				reject(new Error('Request body is not valid JSON'));
			}
		});
		req.on('error', reject);
	});
}
