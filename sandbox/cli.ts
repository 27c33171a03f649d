// `npm run sandbox`: start a sandbox from the command line and print how to use it.
import { PASSWORD, USERS } from './data';
import { startSandbox } from './index';
import { isProfileName, PROFILE_NAMES } from './profiles';
import type { SandboxOptions } from './types';

const USAGE = `Usage: sandbox [--port N] [--profile NAME] [--per-participant-ms MS] [--workers N]
               [--big-site-size N] [--token-rate-limit on|off] [--seed N]
Profiles: ${PROFILE_NAMES.join(', ')}`;

function parseArgs(argv: string[]): SandboxOptions {
	const options: SandboxOptions = { port: 8090 };
	const number = (flag: string, value: string | undefined): number => {
		const n = Number(value);
		if (value === undefined || value.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--port':
				options.port = number(flag, value());
				break;
			case '--profile': {
				const name = value();
				if (!name || !isProfileName(name)) {
					throw new Error(`Unknown profile "${name ?? ''}". Valid profiles: ${PROFILE_NAMES.join(', ')}`);
				}
				options.profile = name;
				break;
			}
			case '--per-participant-ms':
				options.perParticipantMs = number(flag, value());
				break;
			case '--workers':
				options.workers = number(flag, value());
				break;
			case '--big-site-size':
				options.bigSiteSize = number(flag, value());
				break;
			case '--seed':
				options.seed = number(flag, value());
				break;
			case '--token-rate-limit': {
				const v = value();
				if (v !== 'on' && v !== 'off') throw new Error('--token-rate-limit needs on or off');
				options.tokenRateLimit = v === 'on';
				break;
			}
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`Unknown option "${argv[i]}"`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const sandbox = await startSandbox(options);
	const api = `${sandbox.studyUrl}/pages/auth/api`;
	const submitPath =
		sandbox.switches.pathSpelling === 'new' ? 'extractParticipantsInfo' : 'extractPartcipantsInfo';
	const flag = sandbox.switches.flagParam === 'none' ? '' : `?${sandbox.switches.flagParam}=y`;
	console.log(`OpenClinica sandbox (profile ${sandbox.profile}) listening on ${sandbox.baseUrl}

  Study URL:  ${sandbox.studyUrl}
  Token URL:  ${sandbox.tokenUrl}
  Password of every user: ${PASSWORD}
  Users:      ${USERS.map((u) => u.username).join(', ')}

  Studies and sites:
    S_JUNO        JUNO  PROD  S_JUNO_BOS, S_JUNO_LYO, S_JUNO_BIG
    S_JUNO(TEST)  JUNO  TEST  S_BOS(TEST)
    S_MARS        MARS  PROD  S_MARS_01 (Participate disabled)
    S_VEGA        VEGA  PROD  S_VEGA_01
    S_DRAFT       DRAFT (unpublished)  S_DRAFT_01

  Try it:
    TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' \\
      -d '{"username":"crc.jane","password":"${PASSWORD}"}' ${sandbox.tokenUrl})
    curl -s -X ${sandbox.switches.submitMethod} -H "Authorization: Bearer $TOKEN" \\
      '${api}/clinicaldata/studies/S_JUNO/sites/S_JUNO_BOS/participants/${submitPath}${flag}'
    curl -s -D - -H "Authorization: Bearer $TOKEN" '${api}/jobs/<uuid>/downloadFile'
    curl -s -X POST -H 'Content-Type: application/json' -d '{"stallJobs":true}' ${sandbox.baseUrl}/__sandbox/faults

Press Ctrl+C to stop.`);

	const stop = () => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((e: Error) => {
	console.error(`sandbox: ${e.message}`);
	process.exit(1);
});
