// File names from the download's Content-Disposition header. OpenClinica percent-encodes the
// name even in the plain `filename=` form, used `+` for spaces in mid-2019, and before that sent
// the raw name with spaces (spec §3.2, §3.3).

function decodePercent(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

/** Keeps a server-supplied name from acting as a path. */
function safeFileName(name: string): string | undefined {
	const base = name.replace(/[\\/]+/g, '_').replace(/[\u0000-\u001f]/g, '').trim();
	return base === '' || /^\.+$/.test(base) ? undefined : base;
}

export function fileNameFromContentDisposition(header: unknown): string | undefined {
	if (typeof header !== 'string' || header.trim() === '') return undefined;

	const extended = /filename\*\s*=\s*([^;]*)/i.exec(header);
	if (extended) {
		// RFC 5987: charset'language'percent-encoded-value
		const value = extended[1].trim().replace(/^"(.*)"$/, '$1');
		const quote = value.indexOf("'", value.indexOf("'") + 1);
		const encoded = quote >= 0 ? value.slice(quote + 1) : value;
		const name = safeFileName(decodePercent(encoded));
		if (name) return name;
	}

	const plain = /(?:^|;)\s*filename\s*=\s*("([^"]*)"|[^;]*)/i.exec(header);
	if (plain) {
		const value = (plain[2] ?? plain[1]).trim();
		return safeFileName(decodePercent(value.replace(/\+/g, ' ')));
	}
	return undefined;
}

/** text/plain for the pipe-separated `.txt` files of early 2019 servers, text/csv otherwise. */
export function mimeTypeForFileName(fileName: string): string {
	return /\.txt$/i.test(fileName) ? 'text/plain' : 'text/csv';
}
