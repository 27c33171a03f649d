// The OpenClinica sandbox: a real HTTP(S) server that behaves like OpenClinica 4 (see README.md).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { checkTiming } from './control';
import { resolveProfile } from './profiles';
import { SandboxApp, TOKEN_PATH } from './server';
import type { Sandbox, SandboxOptions } from './types';

export { PROFILE_NAMES, PROFILES } from './profiles';
export { PASSWORD } from './data';
export type * from './types';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const profile = options.profile ?? 'oc-4.13';
	const switches = resolveProfile(profile, options.overrides);
	const timing = {
		workers: options.workers ?? 2,
		jobBaseMs: options.jobBaseMs ?? 20,
		perParticipantMs: options.perParticipantMs ?? 0.05,
		tokenRateLimit: options.tokenRateLimit ?? false,
	};
	checkTiming(timing);
	const app = new SandboxApp({
		switches,
		seed: options.seed ?? 42,
		bigSiteSize: options.bigSiteSize ?? 2000,
		timing,
		tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 14400,
		secure: options.https !== undefined,
	});
	if (options.faults) app.control.setFaults(options.faults);

	const handler = app.handle.bind(app);
	const server: Server = options.https ? createHttpsServer(options.https, handler) : createHttpServer(handler);
	const host = options.host ?? '127.0.0.1';
	try {
		await listen(server, options.port ?? 0, host);
	} catch (e) {
		app.close();
		throw e;
	}

	const port = (server.address() as AddressInfo).port;
	const baseUrl = `${options.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
	let closing: Promise<void> | undefined;
	return {
		baseUrl,
		studyUrl: `${baseUrl}/OpenClinica`,
		tokenUrl: `${baseUrl}${TOKEN_PATH}`,
		port,
		profile,
		switches,
		control: app.control,
		close() {
			closing ??= new Promise<void>((resolve) => {
				app.close();
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closing;
		},
	};
}

function listen(server: Server, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const onError = (e: NodeJS.ErrnoException) => {
			server.off('listening', onListening);
			reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use on ${host}`) : e);
		};
		const onListening = () => {
			server.off('error', onError);
			resolve();
		};
		server.once('error', onError);
		server.once('listening', onListening);
		server.listen(port, host);
	});
}
