/**
 * Security and privacy (issue 4):
 * - TLS verification is on by default; "Ignore SSL Issues" turns it off for the login and for every
 *   runtime request. The sandbox is served over HTTPS with a self-signed certificate made by the
 *   test (openssl), and, to prove the runtime requests check it on their own, behind an HTTPS proxy
 *   while the token endpoint stays on plain HTTP.
 * - deleteJobAfterDownload deletes a job after its file was downloaded, and only then.
 * (Tokens, passwords and contact details in errors, hints, logs and output: every run of the
 * matrices goes through secrets.ts; here too.)
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import http from 'http';
import https from 'https';
import os from 'os';
import path from 'path';

import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox/types';
import {
	credentialsFor,
	eligibleLabels,
	errorText,
	exportParams,
	FAST,
	isDownload,
	isSubmit,
	participantIds,
	requests,
	useSandbox,
} from './context';
import { runChecked } from './secrets';

const TLS_MESSAGE = /TLS certificate was not accepted/;

function selfSignedCertificate(): { key: string; cert: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-tls-'));
	try {
		execFileSync(
			'openssl',
			[
				'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
				'-addext', 'subjectAltName=IP:127.0.0.1',
				'-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
			],
			{ stdio: 'ignore' },
		);
		return {
			key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
			cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
		};
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

describe('TLS: verification on by default, Ignore SSL Issues for the login and every request', () => {
	let tls: { key: string; cert: string };
	let secure: Sandbox;
	let plain: Sandbox;
	let proxy: https.Server;
	let proxyUrl: string;

	beforeAll(async () => {
		tls = selfSignedCertificate();
		secure = await startSandbox({ port: 0, https: tls, jobBaseMs: 5, perParticipantMs: 0.01, bigSiteSize: 10 });
		plain = await startSandbox({ port: 0, jobBaseMs: 5, perParticipantMs: 0.01, bigSiteSize: 10 });
		// HTTPS in front of the plain sandbox's runtime: the token stays on plain HTTP.
		proxy = https.createServer(tls, (req, res) => {
			const upstream = http.request(
				{ host: '127.0.0.1', port: plain.port, path: req.url, method: req.method, headers: req.headers },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', () => res.destroy());
			req.pipe(upstream);
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		const { port } = proxy.address() as { port: number };
		proxyUrl = `https://127.0.0.1:${port}/OpenClinica`;
	});
	beforeEach(() => {
		secure.control.reset();
		plain.control.reset();
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => proxy.close(() => resolve()));
		await secure.close();
		await plain.close();
	});

	it('the sandbox really serves HTTPS with the test certificate', () => {
		expect(secure.studyUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/OpenClinica$/);
		expect(secure.tokenUrl).toMatch(/^https:/);
	});

	it('self-signed certificate, option off: the login fails with a clear TLS message, nothing is sent', async () => {
		const result = await runChecked(secure, {
			credentials: credentialsFor(secure, 'crc.jane'),
			parameters: exportParams(),
		});
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`Could not reach the token URL ${secure.tokenUrl}: its TLS certificate was not accepted`);
		expect(errorText(result.error)).toMatch(TLS_MESSAGE);
		expect(errorText(result.error)).toMatch(/Ignore SSL Issues/);
		expect(secure.control.listRequests()).toEqual([]);
	});

	it('self-signed certificate, option on: login, submit, polls, download and delete all work', async () => {
		const result = await runChecked(secure, {
			credentials: { ...credentialsFor(secure, 'crc.jane'), ignoreSslIssues: true },
			parameters: exportParams({
				siteOid: 'S_JUNO_BOS',
				returnAll: true,
				options: { pageSize: 100, deleteJobAfterDownload: true },
			}),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(secure, 'S_JUNO_BOS'));
		const jobs = secure.control.listJobs();
		expect(jobs.length).toBeGreaterThanOrEqual(3);
		expect(jobs.every((j) => j.status === 'DELETED')).toBe(true);
	});

	it('token host trusted, study host self-signed, option off: the first runtime request fails with a TLS message', async () => {
		const result = await runChecked(plain, {
			credentials: { ...credentialsFor(plain, 'crc.jane'), studyUrl: proxyUrl },
			parameters: exportParams(),
		});
		expect(result.status).toBe('error');
		const host = new URL(proxyUrl).host;
		expect(result.error!.message).toBe(`Could not reach OpenClinica at ${host}: its TLS certificate was not accepted`);
		expect(errorText(result.error)).toMatch(TLS_MESSAGE);
		// The login worked over HTTP; no runtime request got through the proxy.
		expect(plain.control.listRequests().map((r) => r.path)).toEqual(['/user-service/api/oauth/token']);
		expect(plain.control.listJobs()).toEqual([]);
	});

	it('token host trusted, study host self-signed, option on: every runtime request goes through', async () => {
		const credentials = { ...credentialsFor(plain, 'crc.jane'), studyUrl: proxyUrl, ignoreSslIssues: true };
		const started = await runChecked(plain, {
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		expect(started.error).toBeUndefined();
		const downloaded = await runChecked(plain, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: started.items[0].json.jobUuid as string,
				options: { ...FAST, deleteJobAfterDownload: true },
			},
		});
		expect(downloaded.error).toBeUndefined();
		expect(participantIds(downloaded.items)).toEqual(eligibleLabels(plain, 'S_JUNO_LYO'));
		const methods = plain.control
			.listRequests()
			.filter((r) => !r.path.includes('/oauth/token'))
			.map((r) => r.method);
		expect(methods).toEqual(expect.arrayContaining(['POST', 'GET', 'DELETE']));
		expect(plain.control.listJobs()[0].status).toBe('DELETED');
	});
});

describe('deleteJobAfterDownload: deletes after a successful download, and only then', () => {
	const sandbox = useSandbox();

	it('Export with paging: every page job is deleted, each after its file was downloaded', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ siteOid: 'S_JUNO_BOS', returnAll: true, options: { pageSize: 60, deleteJobAfterDownload: true } }),
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_BOS'));
		const log = sb.control.listRequests();
		for (const job of sb.control.listJobs()) {
			expect(job.status).toBe('DELETED');
			const deleteAt = log.findIndex((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${job.uuid}`));
			const fileAt = log.findIndex((r) => isDownload(r) && r.path.includes(job.uuid) && r.status === 200);
			expect(fileAt).toBeGreaterThanOrEqual(0);
			expect(deleteAt).toBeGreaterThan(fileAt);
			expect(log.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${job.uuid}`))).toHaveLength(1);
		}
	});

	it('off by default: jobs are kept', async () => {
		const sb = sandbox();
		const result = await runChecked(sb, { credentials: credentialsFor(sb, 'crc.jane'), parameters: exportParams() });
		expect(result.error).toBeUndefined();
		expect(sb.control.listJobs().map((j) => j.status)).toEqual(['COMPLETED']);
		expect(requests(sb, (r) => r.method === 'DELETE')).toEqual([]);
	});

	it.each([
		['an HTML page instead of the file', { htmlInsteadOfFile: { count: 1000, match: 'downloadFile' } }],
		['a 0-byte file', { emptyFile: true }],
		['a file missing on the server', { noLogFileFound: { count: 1000, match: 'downloadFile' } }],
		['a server error on every download', { serverErrors: { count: 1000, status: 500, match: 'downloadFile' } }],
	])('failed download (%s): the job is kept', async (_name, faults) => {
		const sb = sandbox();
		sb.control.setFaults(faults);
		const result = await runChecked(sb, {
			credentials: credentialsFor(sb, 'crc.jane'),
			parameters: exportParams({ options: { deleteJobAfterDownload: true } }),
		});
		expect(result.status).toBe('error');
		expect(requests(sb, (r) => r.method === 'DELETE')).toEqual([]);
		expect(sb.control.listJobs().map((j) => j.status)).toEqual(['COMPLETED']);
	});

	it('Download Export with the option: deleted after the download; a job still running is not deleted', async () => {
		const sb = sandbox();
		const credentials = credentialsFor(sb, 'crc.jane');
		sb.control.setFaults({ stallJobs: true });
		const stalled = await runChecked(sb, {
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		const notReady = await runChecked(sb, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid: stalled.items[0].json.jobUuid as string,
				waitForCompletion: false,
				options: { ...FAST, deleteJobAfterDownload: true },
			},
		});
		expect(notReady.items[0].json.ready).toBe(false);
		expect(requests(sb, (r) => r.method === 'DELETE')).toEqual([]);

		sb.control.setFaults({ stallJobs: false });
		const started = await runChecked(sb, {
			credentials,
			parameters: { resource: 'participantContact', operation: 'startExport', studyOid: 'S_JUNO', siteOid: 'S_JUNO_LYO' },
		});
		const jobUuid = started.items[0].json.jobUuid as string;
		const result = await runChecked(sb, {
			credentials,
			parameters: {
				resource: 'participantContact',
				operation: 'downloadExport',
				jobUuid,
				options: { ...FAST, deleteJobAfterDownload: true },
			},
		});
		expect(result.error).toBeUndefined();
		expect(participantIds(result.items)).toEqual(eligibleLabels(sb, 'S_JUNO_LYO'));
		const deletes = requests(sb, (r) => r.method === 'DELETE');
		expect(deletes.map((r) => r.path)).toEqual([expect.stringContaining(jobUuid)]);
		expect(sb.control.listJobs().map((j) => j.status)).toEqual(['IN_PROGRESS', 'DELETED']);
		expect(requests(sb, isSubmit)).toHaveLength(2);
	});
});
