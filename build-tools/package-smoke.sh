#!/usr/bin/env bash
# Installs the packed npm tarball into a fresh CDK app, the way a user installs it,
# and synthesizes a producer (SsmDecoupledVpc) and a consumer (fromParameters) that
# runs a LoadBalancedScalingService, and a WordpressFargateSite, whose images are built
# from the Dockerfiles the package ships (assets/wordpress).
#
#   bash build-tools/package-smoke.sh [aws-cdk-lib version]
#
# The app runs against the aws-cdk-lib version given (default: the peer dependency
# floor), so this also proves the compiled library works at the oldest version it
# accepts. Needs a compiled library (npx projen compile).
set -euo pipefail
cd "$(dirname "$0")/.."

cdk_version="${1:-$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[^0-9]*/, '')")}"
constructs_version="$(node -p "require('./package.json').peerDependencies.constructs.replace(/^[^0-9]*/, '')")"
work=".tmp/package-smoke"
rm -rf "$work" && mkdir -p "$work/app"

npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/cdk-fargate-blueprints-*.tgz)"
echo "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB); installing it with aws-cdk-lib@$cdk_version"

cat > "$work/app/package.json" <<JSON
{ "name": "smoke-app", "private": true, "version": "0.0.0" }
JSON
(cd "$work/app" && npm install --silent --prefer-offline --no-audit --no-fund \
  "../$(basename "$tarball")" "aws-cdk-lib@$cdk_version" "constructs@$constructs_version")

cat > "$work/app/app.js" <<'JS'
const assert = require('assert');
const { App, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const fs = require('fs');
const path = require('path');
const { LoadBalancedScalingService, SsmDecoupledVpc, WordpressFargateSite } = require('cdk-fargate-blueprints');

const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
const network = new Stack(app, 'Network');
new SsmDecoupledVpc(network, 'Network', { parameterPrefix: '/smoke/network' });
const consumer = new Stack(app, 'Consumer', { env: { region: 'eu-west-1' } });
const vpc = SsmDecoupledVpc.fromParameters(consumer, 'Vpc', { parameterPrefix: '/smoke/network' });
new LoadBalancedScalingService(consumer, 'Web', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest'),
  cpuArchitecture: ecs.CpuArchitecture.X86_64,
  containerPorts: [8000],
  vpc,
});
const blog = new Stack(app, 'Blog', { env: { region: 'eu-west-1' } });
new WordpressFargateSite(blog, 'Blog', { vpc: SsmDecoupledVpc.fromParameters(blog, 'Vpc', { parameterPrefix: '/smoke/network' }) });
const assembly = app.synth();

const producer = assembly.getStackByName('Network').template;
const names = Object.values(producer.Resources).filter((r) => r.Type === 'AWS::SSM::Parameter').map((r) => r.Properties.Name);
assert.ok(names.includes('/smoke/network/vpc-id') && names.includes('/smoke/network/public/subnet-ids'), `published: ${names}`);
const imported = assembly.getStackByName('Consumer').template;
const sources = Object.values(imported.Parameters).map((p) => p.Default);
assert.ok(sources.includes('/smoke/network/public/subnet-ids'), `imported: ${sources}`);
assert.ok(!JSON.stringify(imported).includes('Fn::ImportValue'));
const types = Object.values(imported.Resources).map((r) => r.Type);
for (const type of ['AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ApplicationAutoScaling::ScalingPolicy']) {
  assert.ok(types.includes(type), `consumer lacks ${type}`);
}
// the two images of the site, staged from the package's Dockerfiles
const blogAssets = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Blog.assets.json'), 'utf-8'));
const dockerfiles = Object.values(blogAssets.dockerImages)
  .map((image) => fs.readFileSync(path.join(assembly.directory, image.source.directory, 'Dockerfile'), 'utf-8'));
assert.ok(dockerfiles.some((d) => /^FROM nginx:/m.test(d)) && dockerfiles.some((d) => /^FROM wordpress:/m.test(d)), 'WordPress images not staged');
console.log(`synthesized ${assembly.stacks.length} stacks with aws-cdk-lib ${require('aws-cdk-lib/package.json').version}: ` +
  `${names.length} parameters published, ${sources.length - 1} read by the consumer's LoadBalancedScalingService ` +
  `(${types.length} resources), and a WordpressFargateSite with ${dockerfiles.length} images from the package's Dockerfiles`);
JS
(cd "$work/app" && CDK_OUTDIR="$PWD/cdk.out" node app.js)
