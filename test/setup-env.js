// n8n-core writes its config under N8N_USER_FOLDER on first use: keep it out of ~/.n8n.
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-n8n-user-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
