import { readFileSync } from 'fs';
import { join } from 'path';

import { PACKAGE_VERSION, USER_AGENT } from '../../nodes/OpenClinica/version';

describe('version constant', () => {
	it("equals package.json's version and names the package in the User-Agent", () => {
		const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
		expect(PACKAGE_VERSION).toBe(pkg.version);
		expect(USER_AGENT).toBe(`${pkg.name}/${pkg.version}`);
		// OpenClinica picks the Content-Disposition form by these browser names (spec §3.2).
		expect(USER_AGENT).not.toMatch(/Firefox|Safari/);
	});
});
