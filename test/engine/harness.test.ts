/**
 * Self-test of the engine harness (test/helpers/engine.ts), independent of the OpenClinica node:
 * a tiny fixture package (written to .cache/, loaded with PackageDirectoryLoader like the real
 * one) and a tiny HTTP server prove that the harness logs in through preAuthentication, resolves
 * the generic authenticate expression, refreshes once after a 401, reports the node's real error,
 * hints and logs, and cancels a running execution through n8n-core's own mechanism.
 */
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';

import { NodeOperationError } from 'n8n-workflow';

import { loadPackage, logger, REPO_ROOT, shutdownEngine, startRun, runNode, TestCredentialsHelper } from '../helpers/engine';
import type { LoadedPackage } from '../helpers/engine';

const credentialJs = `
class FixtureApi {
	constructor() {
		this.name = 'fixtureApi';
		this.displayName = 'Fixture API';
		this.documentationUrl = 'https://example.com/docs';
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Username', name: 'username', type: 'string', default: '' },
			{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Access Token', name: 'accessToken', type: 'hidden', typeOptions: { expirable: true, password: true }, default: '' },
		];
		this.authenticate = {
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
		};
	}
	async preAuthentication(credentials) {
		const token = await this.helpers.httpRequest({
			method: 'POST',
			url: credentials.baseUrl + '/login',
			body: { username: credentials.username, password: credentials.password },
			json: true,
		});
		return { accessToken: String(token).trim() };
	}
}
module.exports = { FixtureApi };
`;

const nodeJs = `
const { NodeOperationError, sleepWithAbort } = require('n8n-workflow');
class Fixture {
	constructor() {
		this.description = {
			displayName: 'Fixture',
			name: 'fixture',
			group: ['transform'],
			version: 1,
			description: 'harness fixture',
			defaults: { name: 'Fixture' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'fixtureApi', required: true }],
			properties: [
				{ displayName: 'Wait For Cancel', name: 'waitForCancel', type: 'boolean', default: false },
			],
		};
	}
	async execute() {
		const items = this.getInputData();
		const out = [];
		const { baseUrl } = await this.getCredentials('fixtureApi');
		for (let i = 0; i < items.length; i++) {
			try {
				if (items[i].json.fail) {
					throw new NodeOperationError(this.getNode(), 'Fixture failed', { description: 'because asked to', itemIndex: i });
				}
				const data = await this.helpers.httpRequestWithAuthentication.call(this, 'fixtureApi', { url: baseUrl + '/data', json: true });
				this.logger.info('fixture fetched', { item: i });
				if (this.getNodeParameter('waitForCancel', i)) {
					await sleepWithAbort(60000, this.getExecutionCancelSignal());
				}
				out.push({ json: data, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: error.message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		this.addExecutionHints({ message: 'fixture hint', location: 'outputPane' });
		return [out];
	}
}
module.exports = { Fixture };
`;

interface FixtureServer {
	url: string;
	logins: number;
	tokens: Map<string, boolean>;
	authHeaders: string[];
	onData?: () => void;
	close(): Promise<void>;
}

async function startFixtureServer(): Promise<FixtureServer> {
	const state: Omit<FixtureServer, 'url' | 'close'> = { logins: 0, tokens: new Map(), authHeaders: [] };
	const server = http.createServer((req, res) => {
		if (req.method === 'POST' && req.url === '/login') {
			state.logins += 1;
			const token = `tok-${state.logins}`;
			state.tokens.set(token, true);
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end(token);
			return;
		}
		if (req.url === '/data') {
			const auth = req.headers.authorization ?? '';
			state.authHeaders.push(auth);
			const token = auth.replace(/^Bearer /, '');
			if (!state.tokens.get(token)) {
				res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
				res.end('expired');
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ ok: true, token }));
			state.onData?.();
			return;
		}
		res.writeHead(404);
		res.end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(state, {
		url: `http://127.0.0.1:${port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	}) as FixtureServer;
}

describe('engine harness (fixture package)', () => {
	const dir = path.join(REPO_ROOT, '.cache', `engine-harness-fixture-${process.pid}`);
	let pkg: LoadedPackage;
	let server: FixtureServer;

	beforeAll(async () => {
		fs.mkdirSync(path.join(dir, 'dist', 'credentials'), { recursive: true });
		fs.mkdirSync(path.join(dir, 'dist', 'nodes', 'Fixture'), { recursive: true });
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({
				name: 'n8n-nodes-harness-fixture',
				version: '1.2.3',
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: ['dist/credentials/FixtureApi.credentials.js'],
					nodes: ['dist/nodes/Fixture/Fixture.node.js'],
				},
			}),
		);
		fs.writeFileSync(path.join(dir, 'dist', 'credentials', 'FixtureApi.credentials.js'), credentialJs);
		fs.writeFileSync(path.join(dir, 'dist', 'nodes', 'Fixture', 'Fixture.node.js'), nodeJs);
		pkg = await loadPackage(dir);
		server = await startFixtureServer();
	});

	afterAll(async () => {
		await server?.close();
		fs.rmSync(dir, { recursive: true, force: true });
		shutdownEngine();
	});

	const base = () => ({
		package: pkg,
		nodeName: 'fixture',
		credentialType: 'fixtureApi',
	});

	it('runs with one copy of n8n-workflow and @n8n/di (two copies break instanceof and the DI container)', () => {
		const fromCore = { paths: [path.dirname(require.resolve('n8n-core'))] };
		expect(require.resolve('n8n-workflow', fromCore)).toBe(require.resolve('n8n-workflow'));
		expect(require.resolve('@n8n/di', fromCore)).toBe(require.resolve('@n8n/di'));
	});

	it('logs in once, sends the resolved Bearer header, stores the token and pairs items', async () => {
		const helper = new TestCredentialsHelper(pkg);
		helper.set('1', 'fixtureApi', { baseUrl: server.url, username: 'u', password: 'p' });
		const result = await runNode({ ...base(), credentialsHelper: helper, parameters: {}, items: [{}, {}] });
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.json)).toEqual([
			{ ok: true, token: 'tok-1' },
			{ ok: true, token: 'tok-1' },
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(helper.logins).toBe(1);
		expect(helper.stored('1').accessToken).toBe('tok-1');
		expect(server.authHeaders.slice(-2)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
		expect(result.hints.map((h) => h.message)).toEqual(['fixture hint']);
		expect(logger.entries.some((e) => e.message === 'fixture fetched')).toBe(true);

		// A second execution reuses the stored token: no login.
		const again = await runNode({ ...base(), credentialsHelper: helper, parameters: {} });
		expect(again.items[0].json).toEqual({ ok: true, token: 'tok-1' });
		expect(helper.logins).toBe(1);
	});

	it('after a 401 calls preAuthentication with expired=true once and replays the request', async () => {
		const helper = new TestCredentialsHelper(pkg);
		helper.set('1', 'fixtureApi', { baseUrl: server.url, username: 'u', password: 'p', accessToken: 'stale' });
		const result = await runNode({ ...base(), credentialsHelper: helper, parameters: {} });
		expect(result.error).toBeUndefined();
		expect(helper.refreshes).toBe(1);
		expect(helper.logins).toBe(1);
		expect(helper.stored('1').accessToken).toBe(result.items[0].json.token);
	});

	it('returns the real error object the node threw, and continueOnFail items', async () => {
		const helper = new TestCredentialsHelper(pkg);
		helper.set('1', 'fixtureApi', { baseUrl: server.url, username: 'u', password: 'p' });
		const failed = await runNode({ ...base(), credentialsHelper: helper, parameters: {}, items: [{ fail: true }] });
		expect(failed.status).toBe('error');
		expect(failed.error).toBeInstanceOf(NodeOperationError);
		expect(failed.error?.message).toBe('Fixture failed');
		expect(failed.error?.description).toBe('because asked to');

		const continued = await runNode({
			...base(),
			credentialsHelper: helper,
			parameters: {},
			items: [{ fail: true }, {}],
			continueOnFail: true,
		});
		expect(continued.status).toBe('success');
		expect(continued.items.map((i) => i.json)).toEqual([{ error: 'Fixture failed' }, expect.objectContaining({ ok: true })]);
		expect(continued.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('cancels a running execution through the abort signal', async () => {
		const helper = new TestCredentialsHelper(pkg);
		helper.set('1', 'fixtureApi', { baseUrl: server.url, username: 'u', password: 'p' });
		let handle: Awaited<ReturnType<typeof startRun>> | undefined;
		const reached = new Promise<void>((resolve) => {
			server.onData = resolve;
		});
		handle = await startRun({ ...base(), credentialsHelper: helper, parameters: { waitForCancel: true } });
		await reached;
		server.onData = undefined;
		handle.cancel();
		const result = await handle.done;
		expect(result.status).toBe('canceled');
		handle = undefined;
	}, 20000);
});
