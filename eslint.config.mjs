// Shipped code (nodes/, credentials/, package.json) gets n8n's community-node rules, composed
// the way @n8n/node-cli's config does (that package does not install on Node 20).
// Tests, the sandbox and tools get ordinary TypeScript rules.
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['node_modules/**', 'build/**', 'coverage/**', '.cache/**', 'demo-output/**'] },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			'prefer-spread': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'dist/nodes/**/*.js', 'dist/credentials/**/*.js'],
		...communityNodes.configs.recommended,
		ignores: [],
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'dist/nodes/**/*.js', 'dist/credentials/**/*.js'],
		rules: {
			'no-console': 'error',
			'no-restricted-syntax': [
				'error',
				{ selector: "Identifier[name='console']", message: 'No console in shipped code: use this.logger.' },
			],
		},
	},
	{
		files: ['dist/**/*.js'],
		rules: {
			'@typescript-eslint/no-require-imports': 'off',
			'@typescript-eslint/no-unused-vars': 'off',
		},
	},
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase, '@n8n/community-nodes': communityNodes },
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: {
			...n8nNodesBase.configs.community.rules,
			...communityNodes.configs.recommended.rules,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['eslint.config.mjs', 'gulpfile.js', 'jest.config.js', 'test/**/*.js', 'tools/**/*.js'],
		languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
);
