/**
 * The request layer and the submit against a scripted server (no sandbox): which answers are sent
 * again, how deadlines bound timeouts and retries, and what the submit reports when no endpoint or
 * a login page answers.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { resetDiscoveredEndpoints, submitExportJob } from '../../nodes/OpenClinica/exportJob/submit';
import { apiRequest, type ApiContext, type Connection } from '../../nodes/OpenClinica/transport';
import { node } from './support';

interface Answer {
	status: number;
	body?: string;
	headers?: Record<string, string>;
	/** A network error code instead of an answer. */
	network?: string;
}

/**
 * A context whose httpRequestWithAuthentication behaves like n8n's: with HTTP errors on, a non-2xx
 * answer throws an error keeping the status and the body bytes (not the headers).
 */
function scripted(server: (options: IHttpRequestOptions, call: number) => Answer) {
	const calls: IHttpRequestOptions[] = [];
	const context = {
		getNode: () => node,
		logger: { debug: () => undefined },
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				calls.push({ ...options });
				const answer = server(options, calls.length);
				if (answer.network) throw Object.assign(new Error(answer.network), { httpCode: answer.network });
				const body = Buffer.from(answer.body ?? '', 'utf8');
				if (answer.status >= 400 && options.ignoreHttpStatusErrors !== true) {
					throw Object.assign(new Error(`HTTP ${answer.status}`), {
						httpCode: String(answer.status),
						context: { data: body.length > 0 ? body : undefined },
					});
				}
				return { statusCode: answer.status, headers: answer.headers ?? {}, body };
			},
		},
	};
	return { context: context as unknown as ApiContext, calls };
}

const connection: Connection = { studyUrl: 'https://acme.eu.openclinica.io/OpenClinica', ignoreSslIssues: false };
const params = { studyOid: 'S_JUNO', siteOid: 'S_JUNO_BOS', includeAccessCodes: false, pageNumber: 1, pageSize: 100 };

async function submitError(context: ApiContext) {
	try {
		await submitExportJob.call(context, connection, params);
	} catch (error) {
		return error as Error & { description?: string; httpCode?: string };
	}
	throw new Error('expected the submit to fail');
}

beforeEach(() => resetDiscoveredEndpoints());

describe('answers sent again to read their headers (B1)', () => {
	it.each([502, 504, 500])('a %d with an empty body on the submit is never sent again: a job may exist', async (status) => {
		const { context, calls } = scripted(() => ({ status }));
		const error = await submitError(context);
		expect(calls).toHaveLength(1);
		expect(error.message).toBe(`OpenClinica had an internal error (HTTP ${status})`);
		expect(error.description).toMatch(/export may have started.*Bulk Actions Log/);
	});

	it('a 400 with an empty body is read again for its X-runtimeApp-error header (V1 errors)', async () => {
		const { context, calls } = scripted(() => ({
			status: 400,
			headers: { 'X-runtimeApp-error': 'Participate is Inactive. Participate module for the study is inactive' },
		}));
		const error = await submitError(context);
		expect(calls.map((c) => c.ignoreHttpStatusErrors)).toEqual([false, true]);
		expect(error.message).toBe('Participate is not enabled for study "S_JUNO"');
	});
});

describe('deadlines (B3)', () => {
	const download = { method: 'GET' as const, path: '/pages/auth/api/jobs/x/downloadFile', context: 'download' as const };

	it('bounds the request timeout by the deadline, at least 1 s, at most the default 300 s', async () => {
		const { context, calls } = scripted(() => ({ status: 200 }));
		await apiRequest.call(context, connection, { ...download, retry: true, deadline: Date.now() + 5000 });
		await apiRequest.call(context, connection, { ...download, retry: true, deadline: Date.now() + 10 });
		await apiRequest.call(context, connection, { ...download, retry: true });
		const [near, past, none] = calls.map((c) => c.timeout ?? 0);
		expect(near).toBeGreaterThan(3000);
		expect(near).toBeLessThanOrEqual(5000);
		expect(past).toBe(1000);
		expect(none).toBe(300_000);
	});

	it('makes no retry whose wait would end after the deadline, and the error names the job', async () => {
		const { context, calls } = scripted(() => ({ status: 0, network: 'ECONNRESET' }));
		const request = {
			...download,
			retry: true,
			retryDelayMs: 1000,
			deadline: Date.now() + 500,
			subject: { jobUuid: '3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90' },
		};
		const error = await apiRequest.call(context, connection, request).then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(calls).toHaveLength(1);
		expect(error?.message).toMatch(/Could not reach OpenClinica at acme\.eu\.openclinica\.io/);
		expect(error?.description).toMatch(/3f2b8c1e-6a0d-4e8b-9c55-0f6f1a2b7d90.*Download Export/);
	});
});

describe('submit discovery and odd answers (B8)', () => {
	it('reports the last real status when every candidate answered 404 or 405', async () => {
		const all405 = scripted(() => ({ status: 405 }));
		const error = await submitError(all405.context);
		// Four candidates, each read once more for its headers (404 and 405 never create a job).
		expect(all405.calls.filter((c) => c.ignoreHttpStatusErrors === false)).toHaveLength(4);
		expect(error.httpCode).toBe('405');
		expect(error.message).toMatch(/no OpenClinica export endpoint here \(HTTP 405\)/);

		resetDiscoveredEndpoints();
		// The last candidate is a GET: 405 for POST, 404 for GET.
		const mixed = scripted((options) => ({ status: options.method === 'POST' ? 405 : 404 }));
		expect((await submitError(mixed.context)).httpCode).toBe('404');
		resetDiscoveredEndpoints();
		const lastPost = scripted((options) => ({
			status: options.method === 'GET' && String(options.url).endsWith('extractPartcipantsInfo') ? 405 : 404,
		}));
		expect((await submitError(lastPost.context)).httpCode).toBe('405');
	});

	it('a 200 HTML page (a single sign-on or proxy login page) is explained as such, not as an old server', async () => {
		const { context, calls } = scripted(() => ({
			status: 200,
			body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Log in</body></html>',
			headers: { 'content-type': 'text/html;charset=UTF-8' },
		}));
		const error = await submitError(context);
		expect(calls).toHaveLength(1);
		expect(error.message).toMatch(/HTML page answered instead of OpenClinica/);
		expect(error.description).toMatch(/proxy or login page .*not OpenClinica/);
		expect(error.description).not.toMatch(/background jobs/);
	});

	it('a 200 that is neither a job UUID nor HTML is a server too old to run exports as jobs', async () => {
		const { context } = scripted(() => ({ status: 200, body: 'ParticipantId,Participate Status\n' }));
		expect((await submitError(context)).description).toMatch(/does not run contact exports as background jobs/);
	});
});
