import { OpenClinicaApi, tokenFromBody } from '../../credentials/OpenClinicaApi.credentials';

describe('OpenClinicaApi credential', () => {
	it('reads the raw-text token, trimmed, with one pair of quotes stripped (spec §5.1)', () => {
		expect(tokenFromBody('eyJ.a.b\n')).toBe('eyJ.a.b');
		expect(tokenFromBody('"eyJ.a.b"')).toBe('eyJ.a.b');
		expect(tokenFromBody(' "eyJ.a.b" ')).toBe('eyJ.a.b');
		expect(tokenFromBody('""x""')).toBe('"x"');
		expect(tokenFromBody(undefined)).toBe('');
	});

	it('has the public field names, a hidden expirable password token, and a credential test', () => {
		const credential = new OpenClinicaApi();
		expect(credential.name).toBe('openClinicaApi');
		expect(credential.properties.map((p) => p.name)).toEqual([
			'studyUrl',
			'tokenUrl',
			'username',
			'password',
			'ignoreSslIssues',
			'accessToken',
		]);
		const token = credential.properties.find((p) => p.name === 'accessToken');
		expect(token).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(credential.properties.find((p) => p.name === 'ignoreSslIssues')).toMatchObject({ default: false });
		expect(credential.test.request.skipSslCertificateValidation).toBe('={{$credentials.ignoreSslIssues}}');
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
	});
});
