/**
 * The unit tests that prove behaviour, run against aws-cdk-lib at the peer dependency
 * floor (the `aws-cdk-lib-floor` alias): every `aws-cdk-lib` import, including
 * cdk-nag's, resolves to the floor release. `npx projen test:floor` runs it.
 *
 * These run every construct in its default and fully featured configurations under
 * cdk-nag and strict CloudFormation validation, every validation rule, and the sample
 * app, on the oldest aws-cdk-lib a user may have. Snapshot and template-shape tests
 * stay on the current release: templates differ between releases by design, and the
 * older CloudFormation validator warns about concrete availability zones in any VPC
 * of a stack with account and region.
 */
const base = require('../package.json').jest;

module.exports = {
  ...base,
  rootDir: '..',
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^aws-cdk-lib$': 'aws-cdk-lib-floor',
    '^aws-cdk-lib/(.*)$': 'aws-cdk-lib-floor/$1',
  },
  testMatch: ['<rootDir>/test/{nag,bad-input,sample}.test.ts'],
};
