import { awscdk, javascript, JsonFile, JsonPatch, TaskShell, TextFile } from 'projen';
import { DependencyType } from 'projen/lib/dependencies';
import { JobPermission, JobStep } from 'projen/lib/github/workflows-model';

/** Dev copy of aws-cdk-lib: the current release the tests run against. */
const CDK_DEV_VERSION = '2.276.0';
/**
 * Peer floor: the first release whose `Validations.of(scope).acknowledge()` stays below
 * `scope` (aws/aws-cdk#38495, fixed by #38789 in 2.271.0). On older releases the
 * constructs' cdk-nag acknowledgements hid the same findings on a user's own resources
 * (test/nag.test.ts proves it on this floor and on the dev copy).
 */
const CDK_PEER_FLOOR = '2.271.0';
/** The CDK CLI that synthesizes the sample app. */
const CDK_CLI_VERSION = '2.1148.1';
/**
 * The newest @aws-cdk/integ-runner on npm. It reads cloud assembly schema 53 at most,
 * aws-cdk-lib writes 55: build-tools/patch-integ-runner.ts lifts that limit at install.
 */
const INTEG_RUNNER_VERSION = '2.197.10';
/**
 * aws-cdk-lib of the Python tests: the newest release PyPI serves. PyPI does not have
 * CDK_DEV_VERSION (npm and the Go proxy do): `pip install aws-cdk-lib==2.276.0` fails with
 * "No matching distribution found for aws-cdk-lib==2.276.0". Move it up when PyPI has it.
 */
const CDK_PYPI_VERSION = '2.275.0';
/**
 * aws-cdk-lib of the jar's build and the Java tests: the newest release Maven Central
 * serves, at least the peer floor. 2.273.0 and later fail with "Could not find artifact
 * software.amazon.awscdk:aws-cdk-lib:jar:2.275.0 in central"; and Central's metadata still
 * names 2.263.0 the latest, below the floor, so build-tools/maven-aws-cdk-lib.sh installs
 * this one locally for the jar's version range. Move it up when Maven has newer.
 */
const CDK_MAVEN_VERSION = '2.272.0';
/** The Python test and lint tools, from PyPI (test/python/requirements.txt). */
const PYTEST_VERSION = '9.2.0';
const CFN_LINT_VERSION = '1.58.0';
/** The newest integ-tests-alpha on npm; it works with the dev copy of aws-cdk-lib. */
const INTEG_TESTS_VERSION = '2.245.0-alpha.0';
/**
 * The region the integ tests deploy to, nightly and by hand. integ.config.json hands it
 * to integ-runner, and the integ stacks that name a region take it from there
 * (integ/util.ts), so the committed snapshots are the templates the nightly deploys.
 */
const INTEG_REGION = 'eu-west-1';
/** Where the nightly deployment runs: never in a fork. */
const UPSTREAM_REPOSITORY = 'cdk-fargate-blueprints/cdk-fargate-blueprints';

/**
 * The conventional commit types this project uses, for pull request titles (squash merges
 * make them the commit on main) and the changelog: a section for what users notice, none
 * for the rest. `versionrcOptions` hands the sections to commit-and-tag-version, which
 * writes the release notes (https://github.com/conventional-changelog/conventional-changelog-config-spec).
 */
const COMMIT_TYPES: Array<{ type: string; section?: string }> = [
  { type: 'feat', section: 'Features' },
  { type: 'fix', section: 'Bug Fixes' },
  { type: 'perf', section: 'Performance' },
  { type: 'revert', section: 'Reverts' },
  { type: 'docs', section: 'Documentation' },
  { type: 'refactor' },
  { type: 'test' },
  { type: 'ci' },
  { type: 'build' },
  { type: 'chore' },
  { type: 'style' },
];

/**
 * What the build and release workflows set up before they run the whole suite
 * (`test:all`, through the build task): the toolchains of the binding and language
 * checks, then the system packages from the one list `.ci/run` installs as well.
 * The action versions are those of the workflows projen writes.
 */
const SUITE_SETUP_STEPS: JobStep[] = [
  { name: 'Set up Python 3.11', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.11' } },
  { name: 'Set up Java 17 (Temurin)', uses: 'actions/setup-java@v6.0.0', with: { 'distribution': 'temurin', 'java-version': '17' } },
  { name: 'Set up Go', uses: 'actions/setup-go@v7.0.0', with: { 'go-version': '1.26.x', 'cache': false } },
  // Maven, when the runner lacks it, and the WordPress image test's servers
  { name: 'Install system packages', run: 'bash .ci/install-system-packages.sh' },
];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-fargate-blueprints',
  description:
    'Production-grade AWS CDK v2 constructs for ECS Fargate: WordPress built for a registration rush, scheduled ETL, load-balanced auto-scaling services, and VPCs shared through SSM Parameter Store.',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'ecs', 'fargate', 'wordpress', 'ssm', 'vpc', 'alb', 'etl'],
  author: 'cdk-fargate-blueprints maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-fargate-blueprints/cdk-fargate-blueprints.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '22.x',
  githubOptions: {
    pullRequestLintOptions: { semanticTitleOptions: { types: COMMIT_TYPES.map((t) => t.type) } },
  },
  versionrcOptions: {
    types: COMMIT_TYPES.map(({ type, section }) => (section ? { type, section } : { type, hidden: true })),
  },
  // the build task runs the whole suite (below): the workflows set up what it needs
  buildWorkflowOptions: { preBuildSteps: SUITE_SETUP_STEPS },
  releaseWorkflowSetupSteps: SUITE_SETUP_STEPS,

  cdkVersion: CDK_PEER_FLOOR,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // dev copies are pinned explicitly (below) instead of to the peer floor
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    `aws-cdk-lib@${CDK_DEV_VERSION}`,
    // the peer floor itself, only to type-check the library against it (compat:floor)
    `aws-cdk-lib-floor@npm:aws-cdk-lib@${CDK_PEER_FLOOR}`,
    `aws-cdk@${CDK_CLI_VERSION}`,
    'cdk-nag@^3.0.2',
    'fast-check@^4',
    'tsx@^4',
    'yaml@^2',
    // the load generator of bench:wordpress
    'autocannon@^8',
    '@types/autocannon@^7',
  ],

  // Releases publish without long-lived tokens where the registry and projen allow it:
  // npm, PyPI and NuGet take a short-lived OIDC token of the release workflow (trusted
  // publishing, set up once on each registry: CONTRIBUTING.md). Every publishing job
  // runs in the `release` environment, whose protection rules decide who may release.
  releaseEnvironment: 'release',
  npmTrustedPublishing: true,
  publishToPypi: {
    distName: 'cdk-fargate-blueprints',
    module: 'cdk_fargate_blueprints',
    trustedPublishing: true,
  },
  publishToNuget: {
    dotNetNamespace: 'CdkFargateBlueprints',
    packageId: 'CdkFargateBlueprints',
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkfargateblueprints',
    mavenGroupId: 'io.github.cdk-fargate-blueprints',
    mavenArtifactId: 'cdk-fargate-blueprints',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-fargate-blueprints/cdk-fargate-blueprints-go',
  },

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {
      // transpile-only tests (ts-jest reads this); types are checked by the typecheck task
      isolatedModules: true,
      // the sample imports the library by its package name, as a user's app does
      paths: { 'cdk-fargate-blueprints': ['./src/index.ts'] },
    },
    include: ['integ/**/*.ts', 'sample/**/*.ts', 'build-tools/**/*.ts', '.projenrc.ts'],
    exclude: ['lib', 'dist', '.tmp', '**/cdk.out'],
  },
  eslintOptions: {
    // one type-aware project for every linted file (tests, integ, sample, tools included)
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    dirs: ['src'],
    devdirs: ['test', 'integ', 'sample', 'build-tools', 'projenrc', '.projenrc.ts'],
  },
  jestOptions: {
    // snapshots are reviewed, never rewritten by a plain test run (`npx projen test:update` does that)
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // the suites are CPU-bound synthesis: use every core (jest's default leaves one idle)
      maxWorkers: '100%',
      // coverage instrumentation costs a third of the suite's time on 2 cores (63 s with it,
      // 43 s without) and nothing in CI reads the report: `npx projen test:coverage` writes it
      collectCoverage: false,
      // integ tests and their snapshots belong to integ-runner (`npx projen integ`), not to jest
      testPathIgnorePatterns: ['/node_modules/', '/integ/', '/sample/'],
      // the sample app imports the library by its package name (test/sample.test.ts loads it)
      moduleNameMapper: { '^cdk-fargate-blueprints$': '<rootDir>/src/index.ts' },
    },
  },

  // integ-runner, the way projen sets it up: the `integ` task, run from `test`, and
  // `integ:update` (both adjusted below)
  experimentalIntegRunner: true,

  npmignoreEnabled: true,
  gitignore: [
    'cdk.out', '/.tmp/', '.jsii.tabl.json',
    // integ-runner's working copies of the cloud assemblies
    'integ/**/cdk-integ.out.*',
    // the asset payloads in the integ snapshots (the assertion provider's 2 MB bundle): the
    // snapshot comparison reads the templates and asset manifests only, and a deployment
    // builds the assets from source (the tests set stackUpdateWorkflow: false)
    'integ/*.snapshot/asset.*',
    // ...but the snapshots' own `cdk.out` marker file is part of integ-runner's format
    '!integ/*.snapshot/cdk.out',
    // what the Python, Java and Go tests build
    '__pycache__', '.pytest_cache',
  ],
});

// jsii: the compiler's warnings are errors. A reserved word of a target language in the
// public API (for example a prop named `default` or `lambda`) would force Python or Java
// users into escaped names, so it fails the build instead of being silenced.
// One warning is silenced on purpose: jsii wants the dev copy of aws-cdk-lib at the peer
// floor, we test against a current release instead, and the `compat:floor` task proves
// that the library still compiles against the floor.
const JSII_FLAGS = '--fail-on-warnings --silence-warnings=metadata/missing-dev-dependency';
project.compileTask.reset(`jsii ${JSII_FLAGS}`);
project.watchTask.reset(`jsii -w ${JSII_FLAGS}`);
// The machines this project is developed and tested on run Node 20, which jsii 6 no
// longer lists as supported; the release workflows run Node 22.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
// The CDK CLI must not reach out to the network while synthesizing offline.
project.tasks.addEnvironment('CDK_DISABLE_CLI_TELEMETRY', 'true');
project.tasks.addEnvironment('AWS_EC2_METADATA_DISABLED', 'true');

/** constructs of the tests, in every language (npm, PyPI, Maven Central, the Go proxy). */
const CONSTRUCTS_DEV_VERSION = '10.8.1';
project.addDevDeps(`constructs@${CONSTRUCTS_DEV_VERSION}`);
// experimentalIntegRunner asks for `latest` of both: pin them, so that an upgrade is a reviewed change
project.deps.addDependency(`@aws-cdk/integ-runner@${INTEG_RUNNER_VERSION}`, DependencyType.DEVENV);
project.deps.addDependency(`@aws-cdk/integ-tests-alpha@${INTEG_TESTS_VERSION}`, DependencyType.DEVENV);
// unrs-resolver (jest, eslint-import-resolver-typescript) 1.13.0 lists platform bindings
// the npm registry mirror of our CI machines does not carry, which leaves them out of
// package-lock.json and makes `npm ci` refuse the lock file; 1.12.2 has every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Maven's output of test:java (added here: a pattern under /test/ given to the constructor is
// dropped when projen adds its own `!/test/`)
project.gitignore.addPatterns('/test/java/target/');

// What the npm package ships: the compiled library, its assembly and the Docker build contexts.
project.npmignore?.exclude('/integ/', '/integ.config.json', '/sample/', '/build-tools/', '/.ci/', '/.tmp/', '/rosetta/', 'cdk.out', '/.compatignore', '/.cfnlintrc.yaml');
project.npmignore?.include('/assets/');

// ---------------------------------------------------------------------------------------
// Tests

// The library must compile against the oldest aws-cdk-lib its peer dependency accepts.
new javascript.TypescriptConfig(project, {
  fileName: 'tsconfig.floor.json',
  include: ['src/**/*.ts'],
  compilerOptions: {
    ...project.tsconfig?.compilerOptions,
    noEmit: true,
    declaration: false,
    types: ['node'],
    paths: {
      'aws-cdk-lib': ['./node_modules/aws-cdk-lib-floor'],
      'aws-cdk-lib/*': ['./node_modules/aws-cdk-lib-floor/*'],
    },
  },
});
const compatFloor = project.addTask('compat:floor', {
  description: `Type-check the library against aws-cdk-lib ${CDK_PEER_FLOOR}, the peer dependency floor`,
  exec: 'tsc -p tsconfig.floor.json',
});

// API compatibility with the latest release on npm (jsii-diff): a breaking change fails
// unless .compatignore lists it with a reason; before the first release it passes,
// saying there is nothing to compare with (build-tools/compat.sh says why it wraps jsii-diff).
const compat = project.tasks.tryFind('compat')!;
compat.description = 'Fail on a change that breaks the API of the latest release on npm, unless .compatignore lists it with a reason';
compat.reset('bash build-tools/compat.sh');

const testFloor = project.addTask('test:floor', {
  description: `Run the cdk-nag, validation and sample app tests on aws-cdk-lib ${CDK_PEER_FLOOR}, the peer dependency floor`,
  exec: 'jest --ci --config build-tools/jest.floor.config.js',
});

// Property-based tests (test/props.fuzz.test.ts): the test command runs a fixed seed and a
// bounded number of cases per construct; this task runs many more with a random seed and
// prints the seed, and for a failure the path, to replay it. Override with FUZZ_RUNS
// (cases per construct), FUZZ_SEED and FUZZ_PATH.
project.addTask('fuzz', {
  description: 'Run the property-based props tests long: many cases per construct, a random seed (FUZZ_RUNS, FUZZ_SEED, FUZZ_PATH)',
  env: { FUZZ: 'long' },
  exec: 'jest --ci --coverage=false test/props.fuzz.test.ts',
  receiveArgs: true,
});

project.addTask('test:coverage', {
  description: 'Run the unit tests with coverage and write the report to coverage/',
  exec: 'jest --ci --coverage',
});

const typecheck = project.addTask('typecheck', {
  description: 'Type-check tests, integ tests, the sample app and build tools (jest only transpiles)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);
// the unit tests keep the cloud assemblies of the apps that validate their templates in
// .tmp/unit-assemblies (test/support/app.ts), where lint:cfn reads them
project.testTask.env('CFB_TEST_OUTDIR', '.tmp/unit-assemblies');
project.testTask.prependExec('rm -rf .tmp/unit-assemblies');

// ---------------------------------------------------------------------------------------
// Integ tests: @aws-cdk/integ-runner on integ/integ.<name>.ts
//
// integ.config.json is integ-runner's own configuration file (it reads it from the working
// directory), so `npx projen integ*`, a bare `npx integ-runner` and the nightly workflow all
// find the tests, run them the same way and deploy them to the same region.
new JsonFile(project, 'integ.config.json', {
  // integ-runner refuses unknown keys, projen's "//" marker among them
  marker: false,
  obj: {
    'directory': 'integ',
    // transpile only: tsc type-checks the integ tests (typecheck), and the runner's
    // preset (`node -r ts-node/register`) would type-check every test again.
    // No stack traces: aws-cdk-lib writes one into the snapshot's metadata for every
    // acknowledged validation rule, with the checkout's absolute paths and line numbers,
    // which would change the snapshot on every machine and with every edit (to see the
    // trace of a failing synthesis, run `node -r ts-node/register integ/integ.<name>.ts`)
    'app': 'node --stack-trace-limit=0 -r ts-node/register/transpile-only {filePath}',
    'parallel-regions': [INTEG_REGION],
    // a test named on the command line that does not exist is an error, not 0 tests
    'strict': true,
  },
});

// The install step of this repository makes the runner read the assemblies of the
// aws-cdk-lib it tests with (see the script for the why and when it can go). `prepare`,
// not `postinstall`: npm runs it on `npm ci`/`npm install` here, never in a user's install
// of the published package.
project.package.setScript('prepare', 'tsx build-tools/patch-integ-runner.ts');

// projen's tasks: `integ` runs `integ-runner $@ --language typescript`, `integ:update`
// adds --update-on-failed, which deploys the failed tests; here it must stay offline.
const INTEG_RUNNER = ['integ-runner', '$@', '--language', 'typescript'];
project.tasks.tryFind('integ')!.description =
  'Synthesize every integ test and compare it with its committed snapshot (offline); fails on any difference';
const integUpdate = project.tasks.tryFind('integ:update')!;
integUpdate.description =
  'Rewrite the snapshots of the integ tests that no longer match (offline, nothing is deployed); review the diff before committing';
integUpdate.reset();
// --dry-run: write the snapshot without deploying (integ:deploy and the nightly workflow deploy)
integUpdate.execArgs([...INTEG_RUNNER, '--update-on-failed', '--dry-run'], { receiveArgs: true });
project.addTask('integ:deploy', {
  description: `Deploy every integ test (or the ones named) to ${INTEG_REGION}, run its assertions and destroy it; needs credentials of a bootstrapped account`,
  execArgs: [...INTEG_RUNNER, '--force'],
  receiveArgs: true,
});

const rosetta = project.addTask('rosetta:check', {
  description: 'Compile every TypeScript example of the README and the API docs in strict mode',
  exec: 'jsii-rosetta extract --strict --fail --compile --cache-to .tmp/rosetta-tablet.json .jsii',
});

// ---------------------------------------------------------------------------------------
// The bindings, built and used the way Python, Java and Go users use them
//
// One jsii-pacmak run builds the Python wheel, the Java jar (with the Maven repository
// layout a pom can point at) and the Go module into dist/, the way the release workflow
// does; .NET is generated only (no .NET SDK on the test machines; the release workflow
// builds it). Maven keeps its downloads in the user's repository (~/.m2/repository)
// instead of pacmak's throwaway one, and Go its modules and build cache in the user's
// caches, so a second run downloads and compiles nothing it already has.
// the jar's pom asks for aws-cdk-lib in the peer range, which Central's stale metadata cannot
// resolve: the release installs it in the user's Maven repository first, and jsii-pacmak must
// build in that repository (its default is a throwaway one under the build directory)
const MAVEN_AWS_CDK_LIB = `bash build-tools/maven-aws-cdk-lib.sh ${CDK_MAVEN_VERSION}`;
const MAVEN_REPOSITORY = '--maven-local-repository="$HOME/.m2/repository"';
const packageJava = project.tasks.tryFind('package:java')!;
packageJava.reset(MAVEN_AWS_CDK_LIB);
packageJava.exec(`jsii-pacmak -v --target java ${MAVEN_REPOSITORY}`);

const bindings = project.addTask('bindings:build', {
  description: 'Build the Python wheel, the Java jar and the Go module into dist/ (one jsii-pacmak run); generate the .NET code',
  steps: [
    { exec: 'rm -rf dist/python dist/java dist/go .tmp/bindings' },
    { exec: MAVEN_AWS_CDK_LIB },
    // jsii-pacmak builds the Go module with `go build`: with-go.sh brings a recent enough Go
    { exec: `bash build-tools/with-go.sh jsii-pacmak --target python --target java --target go ${MAVEN_REPOSITORY}` },
    { exec: 'jsii-pacmak --code-only --no-npmignore --no-fingerprint --outdir .tmp/bindings --target dotnet' },
  ],
});

// The Python tools of the tests, pinned; one virtual environment (.tmp/venv) holds them.
new TextFile(project, 'test/python/requirements.txt', {
  lines: [
    '# ~~ Generated by projen: the versions are set in .projenrc.ts',
    `aws-cdk-lib==${CDK_PYPI_VERSION}`,
    `constructs==${CONSTRUCTS_DEV_VERSION}`,
    `pytest==${PYTEST_VERSION}`,
    `cfn-lint==${CFN_LINT_VERSION}`,
  ],
});

const testPython = project.addTask('test:python', {
  description: `pytest (test/python) on the built wheel with aws-cdk-lib ${CDK_PYPI_VERSION} from PyPI, in .tmp/venv`,
  exec: 'bash build-tools/test-python.sh',
  receiveArgs: true,
});

const testJava = project.addTask('test:java', {
  description: `JUnit (test/java, Maven) on the built jar with aws-cdk-lib ${CDK_MAVEN_VERSION} from Maven Central`,
  exec: `bash build-tools/test-java.sh -Dcdk.version=${CDK_MAVEN_VERSION} -Dconstructs.version=${CONSTRUCTS_DEV_VERSION}`,
  receiveArgs: true,
});

const testGo = project.addTask('test:go', {
  description: 'go test (test/go) on the built Go module with aws-cdk-go from the Go proxy',
  cwd: 'test/go',
  exec: 'bash ../../build-tools/with-go.sh go test -count=1 ./...',
  receiveArgs: true,
});

const lintCfn = project.addTask('lint:cfn', {
  description: 'cfn-lint on the templates of the sample app, the integ snapshots and the unit tests (.cfnlintrc.yaml)',
  exec: 'bash build-tools/lint-cfn.sh',
  receiveArgs: true,
});

const docsCheck = project.addTask('docgen:check', {
  description: 'Fail when the committed API.md differs from the one the current code generates',
  shell: TaskShell.bash(),
  steps: [
    { exec: 'mkdir -p .tmp && jsii-docgen -o .tmp/API.md' },
    { exec: 'diff -u API.md .tmp/API.md > .tmp/API.md.diff || { cat .tmp/API.md.diff; echo "API.md is stale: run npx projen docgen and commit it"; exit 1; }' },
  ],
});

project.addTask('bench:synth', {
  description: 'Synthesis time of each construct next to the same architecture written with aws-cdk-lib directly',
  exec: 'tsx build-tools/bench-synth.ts',
  receiveArgs: true,
});

project.addTask('readme:costs', {
  description: 'Rewrite the README\'s "What it costs" table from the cost model (test/support/cost-model.ts)',
  exec: 'tsx build-tools/readme-costs.ts',
});

project.addTask('bench:wordpress', {
  description: 'Front page requests per second and p99 latency of the WordPress images on real servers (loopback), page cache on and off',
  exec: 'tsx build-tools/bench-wordpress.ts',
  receiveArgs: true,
});

const packageSmoke = project.addTask('package:smoke', {
  description: `Install the packed tarball into a fresh CDK app on aws-cdk-lib ${CDK_PEER_FLOOR} and synthesize it`,
  exec: 'bash build-tools/package-smoke.sh',
});

// ---------------------------------------------------------------------------------------
// The sample app: synthesized offline, like a user's app, from sample/cdk.json

new javascript.TypescriptConfig(project, {
  fileName: 'sample/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.dev.json']),
  include: ['*.ts'],
});
new JsonFile(project, 'sample/cdk.json', {
  obj: {
    app: 'npx tsx --tsconfig tsconfig.json app.ts',
    output: 'cdk.out',
    context: {
      // the feature flags `cdk init` writes for a new app today
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ...require('aws-cdk-lib/recommended-feature-flags.json'),
      // and no CloudFormation validation finding at all, warnings included
      '@aws-cdk/core:strictCfnValidateErrors': true,
    },
  },
});

const sample = project.addTask('sample', {
  description: 'Synthesize the sample app to sample/cdk.out (no AWS account or credentials needed)',
  steps: [
    { exec: 'cdk synth --quiet --strict --no-notices', cwd: 'sample' },
    { exec: 'tsx build-tools/list-stacks.ts sample/cdk.out' },
  ],
});

// The quick part of the suite: projen's test steps (type-check, jest, eslint, integ snapshots).
const testUnit = project.addTask('test:unit', {
  description: 'Type-check, unit tests (jest), eslint and the integ snapshots: the quick part of the suite',
});
testUnit.addSteps(...project.testTask.steps);
// and its environment: where the unit tests keep the templates lint:cfn reads
testUnit.env('CFB_TEST_OUTDIR', '.tmp/unit-assemblies');

// The whole suite, as CI runs it: the README's test command.
const testAll = project.addTask('test:all', {
  description: 'Everything CI checks: compile, unit and integ snapshot tests, lint, docs, bindings built and tested in Python, Java and Go, sample synth, cfn-lint',
});
// the README's promise: on a machine with only Node.js and npm, `npm run test:all` brings
// the rest itself (Debian packages, as root or with sudo; Go from the Go module proxy)
testAll.exec('bash .ci/install-system-packages.sh');
testAll.spawn(project.compileTask);
testAll.spawn(compat);
testAll.spawn(compatFloor);
testAll.spawn(testUnit);
testAll.spawn(testFloor);
testAll.spawn(docsCheck);
testAll.spawn(rosetta);
testAll.spawn(bindings);
testAll.spawn(testPython);
testAll.spawn(testJava);
testAll.spawn(testGo);
testAll.spawn(packageSmoke);
testAll.spawn(sample);
testAll.spawn(lintCfn);

// `test`, the test phase of projen's build task (which the build and release workflows
// run), is the whole suite: whatever test:all checks, a pull request and a release check
// too. The build task compiles first, so test:all compiles a second time (about 20 s).
project.testTask.reset();
project.testTask.spawn(testAll);

// npm accepts a trusted publisher's OIDC token from npm 11.5.1 on
// (https://docs.npmjs.com/trusted-publishers); the Node.js of the workflows brings npm 10.
// (projen adds the publishing jobs at synthesis: the patch applies to the written file,
// after the job's first step, setup-node; test/workflows.test.ts checks the order)
const releaseWorkflow = project.github?.tryFindWorkflow('release');
releaseWorkflow?.file?.patch(JsonPatch.add('/jobs/release_npm/steps/1', {
  name: 'Update npm for trusted publishing',
  run: 'npm install -g npm@^11.5.1 && npm --version',
}));

// ---------------------------------------------------------------------------------------
// Nightly: deploy every integ test to a real account and run its assertions

// integ-runner deploys each test (the test stacks, then its assertion stack), reads the
// assertion results, destroys the stacks (also after a failure) and exits non-zero when a
// deployment, an assertion or a destroy failed. Only on schedule or by hand, and only in
// this repository: no pull request (from a fork or not) and no fork ever gets credentials.
const nightly = project.github?.addWorkflow('integ-nightly');
nightly?.on({
  schedule: [{ cron: '0 3 * * *' }],
  workflowDispatch: {},
});
nightly?.addJobs({
  integ: {
    name: 'Deploy integ tests and run their assertions',
    if: `github.repository == '${UPSTREAM_REPOSITORY}'`,
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
    environment: 'integ',
    // one run at a time: the integ tests use fixed stack and SSM parameter names
    concurrency: { 'group': 'integ-nightly', 'cancel-in-progress': false },
    // the tests deploy one after the other (one region); WordPress alone takes about 40 minutes
    timeoutMinutes: 180,
    env: {
      CI: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    },
    steps: [
      // the same action versions as the workflows projen writes
      { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': '22.x' } },
      // also patches integ-runner (the `prepare` script)
      { name: 'Install dependencies', run: 'npm ci' },
      {
        name: 'Configure AWS credentials (OIDC)',
        uses: 'aws-actions/configure-aws-credentials@v5',
        with: {
          'role-to-assume': '${{ vars.INTEG_AWS_ROLE_ARN }}',
          'aws-region': INTEG_REGION,
          'role-session-name': 'cdk-fargate-blueprints-integ',
        },
      },
      {
        name: `Deploy, assert and destroy every integ test (integ-runner, ${INTEG_REGION})`,
        run: 'npx projen integ:deploy --verbose --verbose',
      },
    ],
  },
});

project.synth();
