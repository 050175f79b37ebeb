#!/usr/bin/env node
/**
 * The sample app: what a user of cdk-fargate-blueprints writes.
 *
 * `npm run sample` synthesizes it to sample/cdk.out without an AWS account or credentials.
 * Every stack is environment-agnostic, and stacks share the network through SSM
 * Parameter Store, never through CloudFormation exports: each can be deployed, updated
 * and rolled back on its own (the network first).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SsmDecoupledVpc } from 'cdk-fargate-blueprints';

/** Where the network stack publishes the VPC, and every other stack finds it. */
const NETWORK_PREFIX = '/cdk-fargate-blueprints-sample/network';

const app = new App();

// The network: a VPC (2 AZs, 1 NAT gateway, S3/DynamoDB endpoints, flow logs) published
// under NETWORK_PREFIX, plus the VPC id alone under /go-on-aws/vpc for tools that look it
// up by id.
const networkStack = new Stack(app, 'SampleNetwork', {
  description: 'cdk-fargate-blueprints sample: the shared VPC, published through SSM Parameter Store',
});
new SsmDecoupledVpc(networkStack, 'Network', {
  parameterPrefix: NETWORK_PREFIX,
  vpcIdParameterName: '/go-on-aws/vpc',
});

// A consumer in another stack: the ECS cluster the Fargate workloads share, and the
// security group of their tasks, placed in the VPC imported through SSM.
const clusterStack = new Stack(app, 'SampleCluster', {
  description: 'cdk-fargate-blueprints sample: an ECS cluster in the VPC imported through SSM',
});
const vpc = SsmDecoupledVpc.fromParameters(clusterStack, 'Vpc', { parameterPrefix: NETWORK_PREFIX });
new ecs.Cluster(clusterStack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
new ec2.SecurityGroup(clusterStack, 'TaskSecurityGroup', {
  vpc,
  description: 'Fargate tasks of the sample workloads',
});
// deployment order only: no CloudFormation export links the two stacks
clusterStack.addStackDependency(networkStack);
