import { javascript, typescript } from 'projen';

// ts-jest transpiles file by file (isolatedModules in test/tsconfig.json); the test task type-checks first with tsc.
const TS_JEST = { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] };

// projen owns package.json, tsconfig*.json, the jest config and eslint: edit this file, then run `npx projen`.
const project = new typescript.TypeScriptProject({
  name: 'cdktf-planetscale-credentials',
  description:
    'CDK for Terraform constructs that manage PlanetScale database passwords, IP restrictions and service tokens as code, with secrets kept out of Terraform state.',
  license: 'Apache-2.0',
  copyrightOwner: 'cdktf-planetscale-credentials contributors',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  typescriptVersion: '~5.9.0',
  sampleCode: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  prettier: false,
  // The CLI ships bundled (with undici), like the handler: see scripts/bundle.ts.
  bin: { 'planetscale-cdktf': 'assets/cli/index.js' },
  // Either framework: the app brings one (see src/framework.ts); both peers are optional (peerDependenciesMeta below).
  peerDeps: ['cdktf@^0.21.0', 'cdktn@>=0.24.0 <1.0.0', 'constructs@^10.4.2'],
  // Develop against constructs 10.7.x (also accepted by the cdktn fork), not the oldest peer version.
  peerDependencyOptions: { pinnedDevDependency: false },
  deps: [
    // JSON-schema validation shared by synth, handler and emulator.
    'ajv@^8.17.1',
    // CIDR parsing and normalization (IPv4 and IPv6).
    'ipaddr.js@^2.2.0',
    // CIDR set algebra: whether two allow-lists cover the same addresses (ranges merged the way the API may merge them).
    'ip-num@^1.6.2',
    // Duration strings ('90d', '12h', '30m').
    'ms@^2.1.3',
  ],
  devDeps: [
    // Types of the oldest supported Node, so nothing newer is used by accident.
    '@types/node@^20',
    'cdktf@0.21.0',
    'constructs@~10.7.0',
    'cdktf-cli@0.21.0',
    'cdktn@0.24.0',
    'cdktn-cli@0.24.0',
    // HTTP client with retry/interceptor support, bundled into the handler, the CLI and the client export (so not a
    // runtime dependency). v7, not v8: v8 needs Node 22.19, and Node 20 is still supported here.
    'undici@^7.16.0',
    '@types/ms@^2.1.0',
    // Bundles the handler, the CLI, the client and the emulator into one file each (scripts/bundle.ts).
    'esbuild@^0.25.0',
    // Reads the PlanetScale OpenAPI description in contract tests.
    'yaml@^2.8.0',
    // Real parsers that check the Postgres connection strings in tests: libpq URLs (node-postgres's own parser),
    // ADO.NET strings (Npgsql's format), .env files (Laravel), shell words (the psql command line).
    'pg-connection-string@^2.9.0',
    // The types pg-connection-string's declarations import.
    '@types/pg@^8',
    '@tediousjs/connection-string@^1.1.0',
    'dotenv@^17.0.0',
    'shell-quote@^1.8.0',
    '@types/shell-quote@^1.7.5',
    // The database clients of `emulator --databases` (its admin connections, bundled into the emulator and the CLI)
    // and of the tests and demo that connect with the generated connection strings, as applications would.
    'mysql2@^3.15.0',
    'pg@^8.16.0',
    // Atomic file writes (temporary file, fsync, rename; mode 0600) for the outputs file, its journal and the
    // emulator's state: npm's own implementation, bundled with the handler, the CLI and the emulator.
    'write-file-atomic@^7.0.1',
    '@types/write-file-atomic@^4.0.3',
  ],
  jestOptions: {
    jestVersion: '^29',
    junitReporting: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      // Two projects: unit tests (test/unit: no terraform, network, emulator or ../shared; `npx jest test/unit`) run
      // without the global setup, which bundles the handler that the other tests' stacks reference.
      projects: [
        { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform: TS_JEST },
        {
          displayName: 'integration',
          testMatch: ['<rootDir>/test/**/*.test.ts'],
          testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
          globalSetup: '<rootDir>/test/global-setup.ts',
          transform: TS_JEST,
        },
      ],
      testTimeout: 120_000,
      maxWorkers: 2,
      collectCoverage: false,
    },
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../scripts/**/*.ts'],
    // ts-jest then transpiles file by file (fast); the test task type-checks everything with tsc first.
    compilerOptions: { isolatedModules: true },
  },
  gitignore: [
    'cdktf.out/',
    'planetscale-outputs.json',
    'planetscale-outputs.json.pending',
    'planetscale-outputs.json.lock',
    '*.tfstate',
    '*.tfstate.*',
    '.terraform/',
    '/assets/',
    '.emulator-state*.json',
    '/bench-results/',
  ],
  npmignoreEnabled: true,
});

// The eslint component adds this resolver unversioned; pin it below 3.10, whose native resolver bindings for every
// platform must all be in the lockfile for `npm ci`, which a registry mirror serving only some platforms cannot give.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.8.0');

// The Node lines supported and tested (README: Frameworks, versions and the package). 20.18.1 is undici 7's floor.
project.package.addField('engines', { node: '^20.18.1 || ^22.0.0 || ^24.0.0' });

// An app brings exactly one of the two frameworks; neither peer may be installed for it (npm would add cdktf 0.21
// beside cdktn, and elements of one framework crash in a stack of the other).
project.package.addField('peerDependenciesMeta', { cdktf: { optional: true }, cdktn: { optional: true } });

// The main entry is the constructs and their types; the API client and the emulator are subpath exports, bundled
// (scripts/bundle.ts), so that synth never loads undici or an HTTP server and undici is no runtime dependency.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './client': { types: './lib/api/index.d.ts', default: './assets/client/index.js' },
  './emulator': { types: './lib/emulator/index.d.ts', default: './assets/emulator/index.js' },
  './package.json': './package.json',
});
// For TypeScript configurations that do not read `exports` (moduleResolution "node", cdktf's project template).
project.package.addField('typesVersions', { '*': { client: ['lib/api/index.d.ts'], emulator: ['lib/emulator/index.d.ts'] } });

// Type-check src, tests, scripts and examples before running the tests (ts-jest only transpiles).
project.testTask.prependExec('tsc --noEmit -p tsconfig.json && tsc --noEmit -p test/tsconfig.json');

project.npmignore?.exclude('/examples/', '/scripts/', '/cdktf.json');
project.npmignore?.include('/assets/');

// The handler runs inside `terraform apply`, far from node_modules; it, the CLI and the client and emulator exports
// ship as self-contained files (scripts/bundle.ts), so undici is no runtime dependency.
const bundle = project.addTask('bundle', {
  description: 'Bundle the handler, the CLI, the client and the emulator into assets/',
  exec: 'ts-node --transpile-only scripts/bundle.ts',
});
project.preCompileTask.spawn(bundle);

project.addTask('demo', {
  description: 'Deploy the example stack with the real cdktf CLI against the embedded emulator, then destroy it',
  exec: 'ts-node --transpile-only scripts/demo.ts',
});
project.addTask('bench', {
  description: 'Apply time of 50 and 500 passwords against as many bare terraform_data resources (ratio), and more',
  exec: 'ts-node --transpile-only scripts/bench.ts',
});

project.synth();
