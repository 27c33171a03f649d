// Fault switches: set through the control API, consumed by matching requests.
import type { JobFaults } from './jobs';
import type { CountFault, Faults, FaultsInput } from './types';

type CountedName = 'noLogFileFound' | 'serverErrors' | 'htmlInsteadOfFile' | 'dropConnections';

export class FaultState {
	private faults: Faults = {};

	/** Merges switches; `null` or `false` clears one. `expireTokens` is an action, not a switch. */
	merge(input: FaultsInput): Faults {
		for (const [key, value] of Object.entries(input) as Array<[keyof FaultsInput, unknown]>) {
			if (key === 'expireTokens') continue;
			if (value === null || value === false || value === undefined) delete this.faults[key];
			else (this.faults as Record<string, unknown>)[key] = typeof value === 'object' ? { ...value } : value;
		}
		return this.get();
	}

	get(): Faults {
		return JSON.parse(JSON.stringify(this.faults));
	}

	reset(): void {
		this.faults = {};
	}

	/** Consumes one use of a counted fault if it applies to this path; a used-up fault disappears. */
	take<K extends CountedName>(name: K, path: string): Faults[K] | null {
		const fault = this.faults[name] as CountFault | undefined;
		if (!fault || fault.count <= 0 || (fault.match && !path.includes(fault.match))) return null;
		const taken = { ...fault } as Faults[K];
		fault.count--;
		if (fault.count <= 0) delete this.faults[name];
		return taken;
	}

	/** Consumes one forced token 429; returns its Retry-After seconds. */
	takeToken429(): number | null {
		const fault = this.faults.token429;
		if (!fault || fault.count <= 0) return null;
		fault.count--;
		if (fault.count <= 0) delete this.faults.token429;
		return fault.retryAfter ?? 30;
	}

	forNewJob(): JobFaults {
		return {
			stall: this.faults.stallJobs === true,
			emptyFile: this.faults.emptyFile === true,
			finishAfterPolls: Math.max(0, this.faults.finishAfterPolls ?? 0),
			deleteRightAway: this.faults.deleteJobsWhileRunning === true,
		};
	}
}
