// The package version, sent in every request's User-Agent. A unit test keeps it equal to
// package.json's version (shipped code may not read package.json at run time).
export const PACKAGE_VERSION = '0.1.0';

// OpenClinica answers a download without User-Agent with `error.noLogFileFound`, and picks the
// Content-Disposition form by whether the User-Agent mentions a browser (spec §3.2), so every
// request names the package explicitly.
export const USER_AGENT = `n8n-nodes-openclinica/${PACKAGE_VERSION}`;

export const CREDENTIAL_TYPE = 'openClinicaApi';
