// Response helpers shared by every endpoint: the per-request context, Spring's content negotiation
// for String bodies (spec §1.2) and Tomcat-style HTML error pages.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { RequestLogEntry } from './types';

export class Ctx {
	readonly method: string;
	readonly path: string;
	readonly query: URLSearchParams;
	readonly accept: string | undefined;

	constructor(
		readonly req: IncomingMessage,
		readonly res: ServerResponse,
		readonly log: RequestLogEntry | null,
	) {
		const url = new URL(req.url ?? '/', 'http://sandbox');
		this.method = req.method ?? 'GET';
		this.path = url.pathname;
		this.query = url.searchParams;
		this.accept = req.headers.accept;
	}

	/**
	 * Spring's @RequestParam binding: missing or empty → undefined (the default applies),
	 * repeated → joined with a comma.
	 */
	param(name: string): string | undefined {
		const values = this.query.getAll(name);
		if (values.length === 0) return undefined;
		const joined = values.join(',');
		return joined === '' ? undefined : joined;
	}

	send(status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
		if (this.log) this.log.status = status;
		this.res.writeHead(status, headers);
		this.res.end(body);
	}

	/** The body is written and flushed separately, so it goes out chunked with no Content-Length (spec §3.2). */
	sendStreamed(status: number, headers: OutgoingHttpHeaders, body: Buffer): void {
		if (this.log) this.log.status = status;
		this.res.writeHead(status, headers);
		this.res.write(body);
		this.res.end();
	}

	/** A raw String return value of a controller: text/plain or JSON-labelled, by Accept. */
	sendString(status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
		this.send(status, { 'Content-Type': stringContentType(this.accept), ...headers }, body);
	}

	/** A JSON body from Jackson; 406 with no body when the client does not accept JSON. */
	sendJson(status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
		if (!acceptsJson(this.accept)) return this.send(406, headers);
		this.send(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers }, JSON.stringify(value));
	}

	/** Tomcat's HTML error page (sendError, uncaught exceptions). */
	sendErrorPage(status: number, headers: OutgoingHttpHeaders = {}, message = ''): void {
		this.send(status, { 'Content-Type': 'text/html;charset=utf-8', 'Content-Language': 'en', ...headers }, errorPage(status, message));
	}

	/** Destroy the socket without answering (fault injection). */
	drop(): void {
		if (this.log) this.log.status = 0;
		this.req.socket.destroy();
	}
}

interface MediaRange {
	type: string;
	subtype: string;
	q: number;
}

function parseAccept(accept: string | undefined): MediaRange[] {
	if (!accept || accept.trim() === '') return [{ type: '*', subtype: '*', q: 1 }];
	const ranges: MediaRange[] = [];
	for (const part of accept.split(',')) {
		const [mime, ...params] = part.trim().split(';');
		const [type, subtype] = mime.trim().toLowerCase().split('/');
		if (!type || !subtype) continue;
		const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
		const q = qParam ? Number(qParam.slice(2)) : 1;
		if (q > 0) ranges.push({ type, subtype, q: Number.isFinite(q) ? q : 1 });
	}
	// Spring sorts by quality, then puts wildcards after concrete types; the sort is stable.
	const wildness = (r: MediaRange) => (r.type === '*' ? 2 : r.subtype === '*' ? 1 : 0);
	return ranges.sort((a, b) => b.q - a.q || wildness(a) - wildness(b));
}

/**
 * Content-Type Spring 4.3 picks for a String body: StringHttpMessageConverter (text/plain, any type)
 * and Jackson (application/json) are both candidates, so the first acceptable range decides.
 */
export function stringContentType(accept: string | undefined): string {
	const first = parseAccept(accept)[0] ?? { type: '*', subtype: '*' };
	let mime = `${first.type}/${first.subtype}`;
	if (first.type === '*' || mime === 'text/*') mime = 'text/plain';
	else if (mime === 'application/*') mime = 'application/json';
	else if (first.subtype === '*') mime = 'text/plain';
	return `${mime};charset=ISO-8859-1`;
}

export function acceptsJson(accept: string | undefined): boolean {
	return parseAccept(accept).some(
		(r) => r.type === '*' || (r.type === 'application' && (r.subtype === '*' || r.subtype === 'json')),
	);
}

const REASONS: Record<number, [string, string]> = {
	400: ['Bad Request', 'The server cannot or will not process the request due to something that is perceived to be a client error.'],
	401: ['Unauthorized', 'The request has not been applied because it lacks valid authentication credentials for the target resource.'],
	404: ['Not Found', 'The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.'],
	405: ['Method Not Allowed', 'The method received in the request-line is known by the origin server but not supported by the target resource.'],
	500: ['Internal Server Error', 'The server encountered an unexpected condition that prevented it from fulfilling the request.'],
	502: ['Bad Gateway', 'The server received an invalid response from an upstream server.'],
	503: ['Service Unavailable', 'The server is currently unable to handle the request.'],
	504: ['Gateway Timeout', 'The server did not receive a timely response from an upstream server.'],
};

function errorPage(status: number, message = ''): string {
	const [reason, description] = REASONS[status] ?? ['Error', 'The server could not complete the request.'];
	const escaped = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
	return (
		`<!doctype html><html lang="en"><head><title>HTTP Status ${status} – ${reason}</title></head><body>` +
		`<h1>HTTP Status ${status} – ${reason}</h1><hr class="line" /><p><b>Type</b> Status Report</p>` +
		(escaped ? `<p><b>Message</b> ${escaped}</p>` : '') +
		`<p><b>Description</b> ${description}</p><hr class="line" /><h3>Apache Tomcat/8.5.57</h3></body></html>`
	);
}
