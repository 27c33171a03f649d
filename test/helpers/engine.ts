/**
 * Engine test harness: runs the BUILT package (dist/, loaded from package.json's `n8n` block
 * by n8n-core's PackageDirectoryLoader, as n8n loads community packages) inside n8n-core's
 * real WorkflowExecute, with a credentials helper that behaves like n8n's CLI
 * (packages/cli/src/credentials-helper.ts): generic `authenticate` expressions are resolved
 * with the workflow's expression engine, `preAuthentication` runs when the expirable field is
 * empty or after a 401, and the returned token is stored with the credential.
 *
 * Test-only pieces (never shipped): an "items source" node type that outputs given items, so the
 * node under test can receive several input items; an in-memory credential store; a logger that
 * captures everything n8n and the node log.
 */
import fs from 'fs';
import path from 'path';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	getAdditionalKeys,
	PackageDirectoryLoader,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	ICredentials,
	ICredentialsHelper,
	isExpression,
	LoggerProxy,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	Logger as LoggerType,
	LogMetadata,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-openclinica';
export const NODE_TYPE = `${PACKAGE_NAME}.openClinica`;
export const CREDENTIAL_TYPE = 'openClinicaApi';
export const ITEMS_SOURCE_TYPE = 'test.itemsSource';
const SOURCE_NODE_NAME = 'Items';
const NODE_UNDER_TEST = 'OpenClinica';
const MODE: WorkflowExecuteMode = 'manual';

// ---------------------------------------------------------------------------------------------
// Logging: one capture logger for n8n-core (Container's Logger, which nodes reach as this.logger)
// and for LoggerProxy (what n8n-workflow and the engine log through).
// ---------------------------------------------------------------------------------------------

export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: LogMetadata;
}

export class CaptureLogger implements LoggerType {
	readonly entries: LogEntry[] = [];

	error(message: string, metadata?: LogMetadata) {
		this.entries.push({ level: 'error', message, metadata });
	}

	warn(message: string, metadata?: LogMetadata) {
		this.entries.push({ level: 'warn', message, metadata });
	}

	info(message: string, metadata?: LogMetadata) {
		this.entries.push({ level: 'info', message, metadata });
	}

	debug(message: string, metadata?: LogMetadata) {
		this.entries.push({ level: 'debug', message, metadata });
	}

	/** n8n-core services call `logger.scoped(...)`; scopes are irrelevant here. */
	scoped() {
		return this;
	}

	clear() {
		this.entries.length = 0;
	}

	/** Everything logged so far as one string (for "no token / no PHI in the logs" checks). */
	text(): string {
		return this.entries
			.map((e) => {
				let meta = '';
				try {
					meta = e.metadata === undefined ? '' : JSON.stringify(e.metadata, errorReplacer);
				} catch {
					meta = String(e.metadata);
				}
				return `${e.level} ${e.message} ${meta}`;
			})
			.join('\n');
	}
}

function errorReplacer(_key: string, value: unknown) {
	if (value instanceof Error) {
		return { ...value, name: value.name, message: value.message, stack: value.stack };
	}
	return value;
}

export const logger = new CaptureLogger();
Container.set(Logger, logger as unknown as Logger);
LoggerProxy.init(logger);

// ---------------------------------------------------------------------------------------------
// Loading the package as n8n does.
// ---------------------------------------------------------------------------------------------

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	packageName: string;
	nodeType(shortName: string): INodeType | IVersionedNodeType;
	credentialType(name: string): ICredentialType;
	packageVersion: string;
}

const loadedPackages = new Map<string, Promise<LoadedPackage>>();

/**
 * Loads a package directory (default: this repository, i.e. its built dist/) once per test file
 * (jest isolates module registries per file).
 */
export async function loadPackage(directory = REPO_ROOT): Promise<LoadedPackage> {
	let loading = loadedPackages.get(directory);
	if (!loading) {
		loading = (async () => {
			assertBuilt(directory);
			const loader = new PackageDirectoryLoader(directory);
			await loader.loadAll();
			return {
				loader,
				packageName: loader.packageName,
				packageVersion: String(loader.packageJson.version),
				nodeType: (shortName: string) => loader.getNode(shortName).type,
				credentialType: (name: string) => loader.getCredential(name).type,
			};
		})();
		loadedPackages.set(directory, loading);
	}
	return await loading;
}

/** A clear message instead of a loader stack trace when dist/ is missing (run `npm run build`). */
function assertBuilt(directory: string) {
	const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const files = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !fs.existsSync(path.join(directory, file)));
	if (files.length === 0 || missing.length > 0) {
		throw new Error(
			`The package in ${directory} is not built (missing: ${missing.join(', ') || 'n8n block'}); run \`npm run build\` first`,
		);
	}
}

// ---------------------------------------------------------------------------------------------
// The test-only items source node.
// ---------------------------------------------------------------------------------------------

class ItemsSource implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Items Source (test)',
		name: 'itemsSource',
		group: ['input'],
		version: 1,
		description: 'Outputs the items given in its parameter (test harness only)',
		defaults: { name: SOURCE_NODE_NAME },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Items (JSON Array)',
				name: 'items',
				type: 'json',
				default: '[]',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string;
		const list = JSON.parse(raw) as IDataObject[];
		return [list.map((json) => ({ json, pairedItem: { item: 0 } }))];
	}
}

/**
 * INodeTypes as the CLI's NodeTypes: package node types are named `<package>.<name>` and
 * resolved with NodeHelpers.getVersionedNodeType. The node under test's `execute` is observed
 * (not changed) so tests get the real error object it threw: WorkflowExecute only keeps a plain
 * copy of it in the run data.
 */
class TestNodeTypes implements INodeTypes {
	private readonly source = new ItemsSource();

	constructor(
		private readonly pkg: LoadedPackage,
		private readonly onNodeError: (error: unknown) => void,
	) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		if (nodeType === ITEMS_SOURCE_TYPE) return this.source;
		const prefix = `${this.pkg.packageName}.`;
		if (!nodeType.startsWith(prefix)) throw new Error(`Unknown node type ${nodeType}`);
		return this.pkg.nodeType(nodeType.slice(prefix.length));
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const versioned = NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
		if (nodeType === ITEMS_SOURCE_TYPE || typeof versioned.execute !== 'function') return versioned;
		const original = versioned.execute;
		const onNodeError = this.onNodeError;
		const observed = Object.create(versioned) as INodeType;
		observed.execute = async function (this: IExecuteFunctions, ...args: unknown[]) {
			try {
				return await (original as (...a: unknown[]) => ReturnType<NonNullable<INodeType['execute']>>).apply(this, args);
			} catch (error) {
				onNodeError(error);
				throw error;
			}
		};
		return observed;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------
// Credentials helper (in memory), behaving like the CLI's CredentialsHelper.
// ---------------------------------------------------------------------------------------------

class MemoryCredentials extends ICredentials {
	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private stored: ICredentialDataDecryptedObject,
	) {
		super(details, type);
	}

	getData(): ICredentialDataDecryptedObject {
		return { ...this.stored };
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.stored) };
	}

	setData(data: ICredentialDataDecryptedObject) {
		this.stored = { ...data };
	}
}

export interface PreAuthCall {
	credentialsExpired: boolean;
	/** Whether the credential type's preAuthentication function actually ran (a login). */
	ran: boolean;
	error?: unknown;
}

export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly store = new Map<string, { type: string; name: string; data: ICredentialDataDecryptedObject }>();

	/** Every preAuthentication call n8n-core made, in order. */
	readonly preAuthCalls: PreAuthCall[] = [];

	/** Every updateCredentials call (what n8n would persist). */
	readonly updates: Array<{ id: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(private readonly pkg: LoadedPackage) {
		super();
	}

	/** Number of logins: times the credential's preAuthentication function ran. */
	get logins(): number {
		return this.preAuthCalls.filter((c) => c.ran).length;
	}

	/** Logins triggered by a 401 (n8n called preAuthentication with credentialsExpired = true). */
	get refreshes(): number {
		return this.preAuthCalls.filter((c) => c.ran && c.credentialsExpired).length;
	}

	set(id: string, type: string, data: ICredentialDataDecryptedObject, name = `${type} ${id}`) {
		this.store.set(id, { type, name, data: { ...data } });
	}

	/** The stored (raw) data, as n8n's database would hold it. */
	stored(id: string): ICredentialDataDecryptedObject {
		const entry = this.store.get(id);
		if (!entry) throw new Error(`No credential ${id}`);
		return { ...entry.data };
	}

	private credentialType(name: string): ICredentialType {
		return this.pkg.credentialType(name);
	}

	getParentTypes(name: string): string[] {
		const type = this.credentialType(name);
		const parents = type.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypesSafe(parent)]);
	}

	private getParentTypesSafe(name: string): string[] {
		try {
			return this.getParentTypes(name);
		} catch {
			return [];
		}
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions;
		const { authenticate } = this.credentialType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object') {
			if (requestOptions.headers === undefined) requestOptions.headers = {};
			if (authenticate.type === 'generic') {
				for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
					for (const [key, value] of Object.entries(outerValue as IDataObject)) {
						const keyResolved = this.resolveValue(key, credentials, workflow, node);
						const valueResolved = this.resolveValue(value as string, credentials, workflow, node);
						const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
						if (!target[outerKey]) target[outerKey] = {};
						target[outerKey][keyResolved] = valueResolved;
					}
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials } as IDataObject,
			undefined,
			'',
		);
		return resolved ? String(resolved) : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialType(typeName);
		const expirable = credentialType.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined) return undefined;
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		if (!(credentials[expirable.name] === '' || credentialsExpired || isTestingCredentials)) {
			this.preAuthCalls.push({ credentialsExpired, ran: false });
			return undefined;
		}
		const call: PreAuthCall = { credentialsExpired, ran: true };
		this.preAuthCalls.push(call);
		let output: IDataObject;
		try {
			output = await credentialType.preAuthentication.call(helpers, credentials);
		} catch (error) {
			call.error = error;
			throw error;
		}
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			const nodeCredentials = node.credentials[credentialType.name];
			const storedData = (await this.getCredentials(nodeCredentials, credentialType.name)).getData();
			const toPersist: ICredentialDataDecryptedObject = { ...storedData };
			for (const [key, value] of Object.entries(output as ICredentialDataDecryptedObject)) {
				if (key === expirable.name || !isExpression(storedData[key])) toPersist[key] = value;
			}
			await this.updateCredentials(nodeCredentials, credentialType.name, toPersist);
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const entry = nodeCredentials.id ? this.store.get(nodeCredentials.id) : undefined;
		if (!entry || entry.type !== type) {
			throw new Error(`Credential with ID "${nodeCredentials.id}" of type "${type}" does not exist`);
		}
		return new MemoryCredentials({ id: nodeCredentials.id, name: entry.name }, type, entry.data);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		_executeData?: IExecuteData,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const original = (await this.getCredentials(nodeCredentials, type)).getData();
		if (raw === true) return original;
		// Defaults as the CLI applies them (applyDefaultsAndOverwrites), then expressions.
		const properties = this.getCredentialsProperties(type);
		let data = NodeHelpers.getNodeParameters(
			properties,
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		const hasExpression = Object.values(data).some((v) => isExpression(v));
		if (hasExpression) {
			const workflow = new Workflow({
				nodes: [mockNode],
				connections: {},
				active: false,
				nodeTypes: new TestNodeTypes(this.pkg, () => undefined),
			});
			const additionalKeys = getAdditionalKeys(additionalData, mode, null, { secretsEnabled: false });
			data = workflow.expression.getComplexParameterValue(
				mockNode,
				data as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				data,
			) as ICredentialDataDecryptedObject;
		}
		return data;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const id = nodeCredentials.id;
		const entry = id ? this.store.get(id) : undefined;
		if (!id || !entry || entry.type !== type) throw new Error(`Cannot update unknown credential ${id}`);
		entry.data = { ...data };
		this.updates.push({ id, data: { ...data } });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('updateCredentialsOauthTokenData is not expected for this package');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialType(type);
		if (!credentialType.extends?.length) return credentialType.properties;
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}
}

const mockNode: INode = {
	id: 'mock',
	name: '',
	typeVersion: 1,
	type: ITEMS_SOURCE_TYPE,
	position: [0, 0],
	parameters: {},
};

// ---------------------------------------------------------------------------------------------
// Running a workflow: [Items source] -> [OpenClinica].
// ---------------------------------------------------------------------------------------------

export interface OpenClinicaCredentialData extends ICredentialDataDecryptedObject {
	studyUrl: string;
	tokenUrl: string;
	username: string;
	password: string;
}

export interface RunOptions {
	/** The package to run (default: this repository's dist/). */
	package?: LoadedPackage;
	/** Short node type name in that package (default `openClinica`). */
	nodeName?: string;
	/** Credential type the node uses (default `openClinicaApi`). */
	credentialType?: string;
	/** The node under test's parameters. */
	parameters: INodeParameters;
	/** Input items (json only) given to the node; default one empty item. */
	items?: IDataObject[];
	/** Credentials helper to use (share one across runs to reuse a stored token). */
	credentialsHelper?: TestCredentialsHelper;
	/** Credential data; stored as credential id "1" in a new helper when none is passed. */
	credentials?: ICredentialDataDecryptedObject;
	credentialId?: string;
	/** Node settings. */
	continueOnFail?: boolean;
	onError?: INode['onError'];
	typeVersion?: number;
}

export interface EngineResult {
	run: IRun;
	status: IRun['status'];
	/** Output items of the node under test (first output), json and binary. */
	items: INodeExecutionData[];
	/** The error the node threw (the real NodeApiError / NodeOperationError object). */
	error?: Error & { description?: string | null; httpCode?: string | null; context?: IDataObject };
	/** The run-level error as WorkflowExecute recorded it (a plain copy). */
	runError?: IDataObject;
	/** Execution hints the node added. */
	hints: NodeExecutionHint[];
	credentialsHelper: TestCredentialsHelper;
	executionId: string;
}

export interface RunHandle {
	/** Cancels the execution the way n8n stops one (PCancelable.cancel → abort signal). */
	cancel(): void;
	done: Promise<EngineResult>;
	credentialsHelper: TestCredentialsHelper;
}

let executionCounter = 0;

/** A credentials helper for this repository's package, optionally holding credential "1". */
export async function createCredentialsHelper(
	data?: OpenClinicaCredentialData,
	id = '1',
): Promise<TestCredentialsHelper> {
	const helper = new TestCredentialsHelper(await loadPackage());
	if (data) helper.set(id, CREDENTIAL_TYPE, data, 'test credential');
	return helper;
}

/** The parts of n8n's additionalData that every engine run here needs (no real server behind the URLs). */
function baseAdditionalData(credentialsHelper: ICredentialsHelper, executionId: string) {
	return {
		credentialsHelper,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		userId: 'engine-test-user',
	};
}

/** Starts a run; use `done` for the result and `cancel()` to stop it. */
export async function startRun(options: RunOptions): Promise<RunHandle> {
	const pkg = options.package ?? (await loadPackage());
	const nodeName = options.nodeName ?? 'openClinica';
	const credentialType = options.credentialType ?? CREDENTIAL_TYPE;
	const credentialId = options.credentialId ?? '1';
	const credentialsHelper = options.credentialsHelper ?? new TestCredentialsHelper(pkg);
	if (options.credentials) {
		credentialsHelper.set(credentialId, credentialType, options.credentials, 'test credential');
	}

	const nodeErrors: unknown[] = [];
	const nodeTypes = new TestNodeTypes(pkg, (error) => nodeErrors.push(error));

	const source: INode = {
		id: 'source',
		name: SOURCE_NODE_NAME,
		type: ITEMS_SOURCE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items ?? [{}]) },
	};
	const typeVersion = options.typeVersion ?? latestVersion(pkg.nodeType(nodeName));
	const nodeUnderTest: INode = {
		id: 'node-under-test',
		name: NODE_UNDER_TEST,
		type: `${pkg.packageName}.${nodeName}`,
		typeVersion,
		position: [200, 0],
		parameters: options.parameters,
		credentials: { [credentialType]: { id: credentialId, name: 'test credential' } },
		...(options.continueOnFail !== undefined ? { continueOnFail: options.continueOnFail } : {}),
		...(options.onError !== undefined ? { onError: options.onError } : {}),
	};
	const workflow = new Workflow({
		id: 'engine-test',
		name: 'engine test',
		nodes: [source, nodeUnderTest],
		connections: {
			[SOURCE_NODE_NAME]: { main: [[{ node: NODE_UNDER_TEST, type: 'main', index: 0 }]] },
		},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	executionCounter += 1;
	const executionId = `engine-${process.pid}-${executionCounter}`;
	const hooks = new ExecutionLifecycleHooks(MODE, executionId, {
		id: workflow.id,
		name: workflow.name,
		active: false,
		isArchived: false,
		nodes: [source, nodeUnderTest],
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as unknown as ConstructorParameters<typeof ExecutionLifecycleHooks>[2]);

	const additionalData = {
		...baseAdditionalData(credentialsHelper, executionId),
		hooks,
		executeWorkflow: async () => {
			throw new Error('executeWorkflow is not available in engine tests');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('task runners are not available in engine tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const workflowExecute = new WorkflowExecute(additionalData, MODE);
	const running = workflowExecute.run({ workflow, startNode: source });

	const done = (async (): Promise<EngineResult> => {
		const run = await running;
		const taskData = run.data.resultData.runData[NODE_UNDER_TEST]?.[0];
		const nodeError = nodeErrors[0] as EngineResult['error'] | undefined;
		return {
			run,
			status: run.status,
			items: taskData?.data?.main?.[0] ?? [],
			error: nodeError,
			runError: run.data.resultData.error as IDataObject | undefined,
			hints: taskData?.hints ?? [],
			credentialsHelper,
			executionId,
		};
	})();

	return { cancel: () => running.cancel(), done, credentialsHelper };
}

/** Runs the workflow to the end and returns the node under test's result. */
export async function runNode(options: RunOptions): Promise<EngineResult> {
	return await (await startRun(options)).done;
}

function latestVersion(nodeType: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** The bytes of a binary property (inline base64 unless a BinaryDataService is set up). */
export function binaryBuffer(item: INodeExecutionData, property = 'data'): Buffer {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property "${property}"`);
	if (binary.id) throw new Error('binary data stored by id; the harness expects inline data');
	return Buffer.from(binary.data, 'base64');
}

/** Call from afterAll: n8n-core keeps a cleanup timer that would keep jest alive. */
export function shutdownEngine() {
	Container.get(SSHClientsManager).onShutdown();
}

// ---------------------------------------------------------------------------------------------
// Polling triggers: the node's poll() in n8n-core's real PollContext, created as n8n creates it:
// once per activation with mode 'trigger' (ActiveWorkflows.activatePolling, reused for every
// poll of the active workflow), or with mode 'manual' for a test run (WorkflowExecute). The
// Workflow object, and so its static data, lives as long as the Poller: one active workflow.
// ---------------------------------------------------------------------------------------------

export const TRIGGER_NODE_NAME = 'OpenClinica Trigger';

export interface PollerOptions {
	package?: LoadedPackage;
	/** Short node type name in the package (default `openClinicaTrigger`). */
	nodeName?: string;
	parameters: INodeParameters;
	credentialsHelper?: TestCredentialsHelper;
	credentials?: ICredentialDataDecryptedObject;
	credentialId?: string;
	credentialType?: string;
	/** The workflow's static data to start from (e.g. what n8n saved before a restart). */
	staticData?: IDataObject;
}

export interface Poller {
	/** One poll; the items of the first output, or null when the node returned null. */
	poll(mode?: 'trigger' | 'manual'): Promise<INodeExecutionData[] | null>;
	/** The node's static data (what the trigger stored). */
	nodeStaticData(): IDataObject;
	/** The whole workflow static data as n8n would save it (plain JSON). */
	savedStaticData(): IDataObject;
	/** Changes the node's parameters for later polls (the Workflow and its static data stay). */
	setParameters(parameters: INodeParameters): void;
	workflow: Workflow;
	credentialsHelper: TestCredentialsHelper;
}

export async function createPoller(options: PollerOptions): Promise<Poller> {
	const pkg = options.package ?? (await loadPackage());
	const nodeName = options.nodeName ?? 'openClinicaTrigger';
	const credentialType = options.credentialType ?? CREDENTIAL_TYPE;
	const credentialId = options.credentialId ?? '1';
	const credentialsHelper = options.credentialsHelper ?? new TestCredentialsHelper(pkg);
	if (options.credentials) {
		credentialsHelper.set(credentialId, credentialType, options.credentials, 'test credential');
	}
	const nodeTypes = new TestNodeTypes(pkg, () => undefined);
	const trigger: INode = {
		id: 'trigger-under-test',
		name: TRIGGER_NODE_NAME,
		type: `${pkg.packageName}.${nodeName}`,
		typeVersion: latestVersion(pkg.nodeType(nodeName)),
		position: [0, 0],
		parameters: options.parameters,
		credentials: { [credentialType]: { id: credentialId, name: 'test credential' } },
	};
	const workflow = new Workflow({
		id: 'engine-poll-test',
		name: 'engine poll test',
		nodes: [trigger],
		connections: {},
		active: true,
		nodeTypes,
		staticData: options.staticData ? structuredClone(options.staticData) : undefined,
		settings: { executionOrder: 'v1' },
	});
	const node = workflow.getNode(TRIGGER_NODE_NAME) as INode;
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (typeof nodeType.poll !== 'function') throw new Error(`${node.type} has no poll()`);
	const pollFn = nodeType.poll;

	const additionalData = (): IWorkflowExecuteAdditionalData => {
		executionCounter += 1;
		return baseAdditionalData(
			credentialsHelper,
			`engine-poll-${process.pid}-${executionCounter}`,
		) as unknown as IWorkflowExecuteAdditionalData;
	};
	// As in ActiveWorkflows: one context for all polls of the activation.
	let activeContext: PollContext | undefined;

	return {
		workflow,
		credentialsHelper,
		async poll(mode = 'trigger') {
			const context =
				mode === 'manual'
					? new PollContext(workflow, node, additionalData(), 'manual', 'manual')
					: (activeContext ??= new PollContext(workflow, node, additionalData(), 'trigger', 'activate'));
			const output = await pollFn.call(context);
			return output === null ? null : (output[0] ?? []);
		},
		nodeStaticData: () => workflow.getStaticData('node', node),
		savedStaticData: () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject,
		setParameters(parameters) {
			node.parameters = NodeHelpers.getNodeParameters(
				nodeType.description.properties,
				parameters,
				true,
				false,
				node,
				nodeType.description,
			) as INodeParameters;
		},
	};
}
