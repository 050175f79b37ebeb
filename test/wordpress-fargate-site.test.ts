import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Duration, RemovalPolicy, Size, Stack, TimeZone } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { SsmDecoupledVpc, WordpressFargateSite, WordpressFargateSiteProps } from '../src';
import { assetImage, buildAndSynth, Built as BuiltIn, containersOf, environmentOf, findIntrinsics, ingressOf, joinedJson, logicalId, logicalIdOf, only, REGION_ENV, synth, testApp } from './support';
import { serviceLimitFindings, webAclCapacities } from './support/service-limits';

/** The site the tests build, with `props` (plus what `extra` builds first), synthesized in a fresh app. */
type Built = Omit<BuiltIn<WordpressFargateSite>, 'construct'> & { readonly site: WordpressFargateSite };

/** The warning every site behind the CDN gets by default (its own tests below check it). */
const CDN_TIMEOUT_WARNING = 'cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit';

function build(props: WordpressFargateSiteProps = {}, extra?: (stack: Stack) => WordpressFargateSiteProps): Built {
  const { construct: site, ...built } = buildAndSynth((stack) => {
    const blog = new WordpressFargateSite(stack, 'Blog', { ...extra?.(stack), ...props });
    if (props.cdn) {
      Annotations.of(blog).acknowledgeWarning(CDN_TIMEOUT_WARNING, 'no request through the CDN of the test site runs longer');
    }
    return blog;
  }, { env: REGION_ENV });
  return { site, ...built };
}

const environment = environmentOf;

describe('WordpressFargateSite with default props', () => {
  let b: Built;
  let containers: Record<string, any>;
  beforeAll(() => {
    b = build();
    containers = containersOf(b.template);
  });

  test('one Fargate task definition with an nginx (port 80) and a php-fpm (port 9000) container, both essential, and a metrics sidecar', () => {
    b.template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    // 0.5 vCPU / 1 GiB on Graviton: the shipped images are multi-arch, and a quiet site's baseline task
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'], Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(Object.keys(containers)).toEqual(['nginx', 'wordpress', 'metrics']);
    expect(containers.nginx).toMatchObject({ Essential: true, PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }] });
    expect(containers.wordpress).toMatchObject({ Essential: true, PortMappings: [{ ContainerPort: 9000, Protocol: 'tcp' }] });
  });

  test('both containers log with awslogs to one log group kept one month', () => {
    const logGroup = logicalId(b.stack, b.site.logGroup);
    for (const [name, container] of Object.entries(containers)) {
      expect(container.LogConfiguration).toEqual({
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: logGroup }, 'awslogs-stream-prefix': name, 'awslogs-region': 'eu-west-1' },
      });
    }
    b.template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  test('the images are built from the Dockerfiles shipped in assets/wordpress', () => {
    const manifest = b.synthesized.assembly.artifacts
      .filter((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)
      .find((a) => a.id === `${b.stack.artifactId}.assets`)!;
    const images = Object.values(manifest.contents.dockerImages ?? {});
    expect(images).toHaveLength(2);
    const dockerfiles = images.map((i) => fs.readFileSync(path.join(b.synthesized.assembly.directory, i.source.directory!, 'Dockerfile'), 'utf8'));
    expect(dockerfiles.some((d) => /^FROM nginx:/m.test(d))).toBe(true);
    expect(dockerfiles.some((d) => /^FROM wordpress:.*fpm/m.test(d))).toBe(true);
    for (const container of Object.values(containers)) {
      expect(JSON.stringify(container.Image)).toContain('container-assets');
    }
  });

  test('one EFS volume at /var/www/html: read-write for php-fpm, read-only for nginx', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [{
        Name: 'wordpress',
        EFSVolumeConfiguration: {
          FilesystemId: { Ref: logicalId(b.stack, b.site.fileSystem) },
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: { Ref: logicalId(b.stack, b.site.accessPoint) }, IAM: 'ENABLED' },
        },
      }],
    });
    expect(containers.wordpress.MountPoints).toEqual([{ ContainerPath: '/var/www/html', ReadOnly: false, SourceVolume: 'wordpress' }]);
    expect(containers.nginx.MountPoints).toEqual([{ ContainerPath: '/var/www/html', ReadOnly: true, SourceVolume: 'wordpress' }]);
  });

  test('the file system is encrypted, elastic, backed up, TLS only, and kept when the stack goes (but not after a failed first deployment)', () => {
    b.template.hasResource('AWS::EFS::FileSystem', {
      Properties: Match.objectLike({
        Encrypted: true,
        ThroughputMode: 'elastic',
        BackupPolicy: { Status: 'ENABLED' },
        FileSystemPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]), Version: '2012-10-17' },
      }),
      // kept on delete and replacement; deleted when the deployment that created it rolls back
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the file system is reachable on NFS from the service\'s security group only', () => {
    const service = b.stack.resolve(b.site.service.connections.securityGroups[0].securityGroupId);
    const fileSystemGroup = b.stack.resolve(b.site.fileSystem.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    expect(ingressOf(b.template, fileSystemGroup)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: service }),
    ]);
  });

  test('the access point makes every file www-data\'s (uid/gid 33) under /wordpress', () => {
    b.template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '33', Gid: '33' },
      RootDirectory: { Path: '/wordpress', CreationInfo: { OwnerUid: '33', OwnerGid: '33', Permissions: '755' } },
    });
  });

  test('the task role may mount and write exactly this file system, through exactly this access point', () => {
    const taskRole = logicalId(b.stack, b.site.taskDefinition.taskRole as any);
    const statements = Object.values(b.template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: taskRole }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: { 'Fn::GetAtt': [logicalId(b.stack, b.site.fileSystem), 'Arn'] },
      Condition: {
        StringEquals: { 'elasticfilesystem:AccessPointArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    }]);
  });

  test('the file system gives nobody root access; only the task role may mount it, through an access point, over TLS', () => {
    const statements = only(b.template, 'AWS::EFS::FileSystem').Properties.FileSystemPolicy.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [logicalId(b.stack, b.site.taskDefinition.taskRole as any), 'Arn'] } },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: {
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          ArnLike: { 'elasticfilesystem:AccessPointArn': { 'Fn::Join': ['', ['arn:aws:elasticfilesystem:eu-west-1:', { Ref: 'AWS::AccountId' }, ':access-point/*']] } },
        },
      },
    ]);
    expect(JSON.stringify(b.json)).not.toContain('elasticfilesystem:ClientRootAccess');
  });

  test('files that moved to infrequent access come back to primary storage on their first read', () => {
    expect(only(b.template, 'AWS::EFS::FileSystem').Properties.LifecyclePolicies).toEqual([
      { TransitionToIA: 'AFTER_30_DAYS' },
      { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' },
    ]);
  });

  test('the service is created only after the file system\'s mount targets exist', () => {
    const mountTargets = Object.keys(b.template.findResources('AWS::EFS::MountTarget'));
    expect(mountTargets).toHaveLength(2);
    expect(only(b.template, 'AWS::ECS::Service').DependsOn).toEqual(expect.arrayContaining(mountTargets));
  });

  test('the service is created only after the rules that let its tasks reach the file system and the database', () => {
    const serviceGroup = { 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::EC2::SecurityGroup', /BlogServiceSecurityGroup/), 'GroupId'] };
    const rules = b.template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { SourceSecurityGroupId: serviceGroup } });
    const groupOf = (type: string) => ({ 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::EC2::SecurityGroup', type === 'efs' ? /FileSystem/ : /Database/), 'GroupId'] });
    expect(Object.values(rules).map((r: any) => r.Properties.GroupId)).toEqual(expect.arrayContaining([groupOf('efs'), groupOf('db')]));
    expect(Object.keys(rules)).toHaveLength(2);
    // without it the first tasks may start before the rules exist and fail to mount EFS or to connect
    expect(only(b.template, 'AWS::ECS::Service').DependsOn).toEqual(expect.arrayContaining(Object.keys(rules)));
  });

  test('Aurora MySQL Serverless v2 with a writer that can pause at 0 ACU (up to 8, which accepts 1,000 connections), 7 days of backups', () => {
    b.template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.12.0',
        ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: 300 },
        BackupRetentionPeriod: 7,
        StorageEncrypted: true,
        DatabaseName: 'wordpress',
      }),
      DeletionPolicy: 'Snapshot',
    });
    b.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    b.template.resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  describe('a failed first deployment rolls back cleanly, and the database is protected from then on', () => {
    const protectionId = () => logicalIdOf(b.template, 'Custom::AWS', /DatabaseDeletionProtection/);

    test('the template leaves deletion protection out: the cluster is created without it, and no later update switches it off', () => {
      // CloudFormation's cluster handler sends ModifyDBCluster the template's DeletionProtection
      // on every update; a false there would undo the custom resource each time
      expect(Object.keys(only(b.template, 'AWS::RDS::DBCluster').Properties)).not.toContain('DeletionProtection');
    });

    test('a custom resource turns the protection on with RDS ModifyDBCluster, on creation and on every change, never off on deletion', () => {
      const resource = b.json.Resources[protectionId()];
      const database = logicalId(b.stack, b.site.database);
      for (const call of [resource.Properties.Create, resource.Properties.Update]) {
        expect(joinedJson(call)).toMatchObject({
          service: 'RDS',
          action: 'modifyDBCluster',
          parameters: { DBClusterIdentifier: `\${Ref:${database}}`, DeletionProtection: true, ApplyImmediately: true },
        });
      }
      expect(resource.Properties.Delete).toBeUndefined();
      // only this cluster may be modified, by the provider's role
      const policy = only(b.template, 'AWS::IAM::Policy', { Properties: Match.objectLike({ PolicyName: Match.stringLikeRegexp('DatabaseDeletionProtection') }) });
      expect(policy.Properties.PolicyDocument.Statement).toEqual([{
        Action: 'rds:ModifyDBCluster',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:aws:rds:eu-west-1:', { Ref: 'AWS::AccountId' }, ':cluster:', { Ref: database }]] },
      }]);
    });

    test('CloudFormation creates it after every other resource of the site: the service, its scaling, the alarms', () => {
      const dependsOn: string[] = b.json.Resources[protectionId()].DependsOn;
      const siteResources = Object.keys(b.json.Resources).filter((id) => id.startsWith('Blog') && !id.startsWith('BlogDatabaseDeletionProtection'));
      expect(siteResources.length).toBeGreaterThan(40);
      expect(siteResources.filter((id) => !dependsOn.includes(id))).toEqual([]);
      expect(dependsOn).toEqual(expect.arrayContaining([logicalId(b.stack, b.site.service), logicalId(b.stack, b.site.database)]));
    });

    test('its IAM policy does not wait for the rest of the site: attached minutes before the call, it has reached IAM when the call runs', () => {
      const [policyId, policy] = Object.entries<any>(b.json.Resources)
        .find(([, r]) => r.Type === 'AWS::IAM::Policy' && /DatabaseDeletionProtection/.test(r.Properties.PolicyName))!;
      expect(policy.DependsOn ?? []).not.toContain(logicalId(b.stack, b.site.service));
      expect(policy.DependsOn ?? []).toHaveLength(0);
      // the call waits for its policy (AwsCustomResource's own dependency)
      expect(b.json.Resources[protectionId()].DependsOn).toContain(policyId);
    });

    test('with deletionProtection false it turns the protection off (so that turning it off takes effect)', () => {
      const { json } = build({ removalPolicy: RemovalPolicy.DESTROY, database: { deletionProtection: false } });
      const resource = Object.values<any>(json.Resources).find((r) => r.Type === 'Custom::AWS');
      expect(joinedJson(resource.Properties.Update).parameters.DeletionProtection).toBe(false);
      expect(joinedJson(resource.Properties.Create).parameters.DeletionProtection).toBe(false);
    });
  });

  test('the database is reachable from the service\'s security group only', () => {
    const service = b.stack.resolve(b.site.service.connections.securityGroups[0].securityGroupId);
    const databaseGroup = b.stack.resolve(b.site.database.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    expect(ingressOf(b.template, databaseGroup)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', SourceSecurityGroupId: service, FromPort: { 'Fn::GetAtt': [logicalId(b.stack, b.site.database), 'Endpoint.Port'] } }),
    ]);
  });

  test('WordPress gets the database host and the table prefix as environment, user, password and name as secrets', () => {
    const database = logicalId(b.stack, b.site.database);
    expect(environment(containers.wordpress)).toMatchObject({
      WORDPRESS_DB_HOST: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [database, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [database, 'Endpoint.Port'] }]] },
      WORDPRESS_TABLE_PREFIX: 'wp_',
    });
    const attachment = b.stack.resolve(b.site.databaseSecret.secretArn);
    const secrets = Object.fromEntries(containers.wordpress.Secrets.map((s: any) => [s.Name, s.ValueFrom]));
    for (const [name, field] of [['WORDPRESS_DB_USER', 'username'], ['WORDPRESS_DB_PASSWORD', 'password'], ['WORDPRESS_DB_NAME', 'dbname']]) {
      expect(secrets[name]).toEqual({ 'Fn::Join': ['', [attachment, `:${field}::`]] });
    }
    b.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', SecretStringTemplate: '{"username":"wordpress","dbname":"wordpress"}' }),
    });
  });

  test('keys and salts: one secret of 512 characters generated at deploy time, the same for every task', () => {
    const keys = logicalId(b.stack, b.site.keysAndSaltsSecret);
    b.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 512, ExcludePunctuation: true },
    });
    expect(containers.wordpress.Secrets).toEqual(expect.arrayContaining([{ Name: 'WORDPRESS_KEYS_AND_SALTS', ValueFrom: { Ref: keys } }]));
  });

  test('nothing secret sits in the template', () => {
    const plain = Object.keys({ ...environment(containers.wordpress), ...environment(containers.nginx) });
    expect(plain.filter((name) => /KEY|SALT|PASSWORD|SECRET/.test(name))).toEqual([]);
    expect(findIntrinsics(b.json, 'SecretString')).toEqual([]);
  });

  test('the upload limit of 64 MiB reaches PHP, and nginx and post_max_size allow 1 MiB more', () => {
    expect(environment(containers.wordpress)).toMatchObject({ PHP_UPLOAD_MAX_FILESIZE: '64M', PHP_POST_MAX_SIZE: '65M' });
    expect(environment(containers.nginx)).toMatchObject({ NGINX_CLIENT_MAX_BODY_SIZE: '65m' });
  });

  test('nginx caches anonymous pages 5 s and believes X-Forwarded-For only from the VPC (the load balancer)', () => {
    expect(environment(containers.nginx)).toEqual({
      NGINX_CLIENT_MAX_BODY_SIZE: '65m',
      NGINX_PAGE_CACHE_TTL: '5',
      NGINX_REAL_IP_FROM: { 'Fn::GetAtt': [logicalId(b.stack, b.site.vpc as any), 'CidrBlock'] },
      NGINX_REAL_IP_HEADER: 'X-Forwarded-For',
      NGINX_BEHIND_CDN: '0',
      NGINX_KEEPALIVE_TIMEOUT: '690s',
    });
  });

  test('a metrics sidecar from the nginx image publishes php-fpm\'s busy share every 10 s; the site serves on without it', () => {
    expect(containers.metrics).toMatchObject({
      Image: containers.nginx.Image,
      Command: ['/usr/local/bin/cfb-metrics'],
      Essential: false,
      Cpu: 16,
      Memory: 32,
      ReadonlyRootFilesystem: true,
      User: '101',
      // the stack's name (here its id), and the path within the stack
      Environment: [{ Name: 'CFB_METRICS_SITE', Value: 'TestStack/Blog' }, { Name: 'CFB_METRICS_INTERVAL', Value: '10' }],
      LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ 'awslogs-stream-prefix': 'metrics' }) },
    });
    expect(containers.metrics.PortMappings).toBeUndefined();
  });

  test('the load signal of the same site deployed twice into one region under two stack names never mixes', () => {
    // the same app deployed twice into one account and region: same construct paths, two stack names
    const sites = ['blog-blue', 'blog-green'].map((stackName) => {
      const app = testApp();
      const stack = new Stack(app, 'Site', { env: REGION_ENV, stackName });
      const site = new WordpressFargateSite(new Construct(stack, 'Web'), 'Blog');
      return { stack, site, template: synth(app).template(stack) };
    });
    const dimensions = sites.map(({ stack, site }) => stack.resolve((site.phpBusyMetric as cloudwatch.Metric).dimensions));
    expect(dimensions).toEqual([{ Site: 'blog-blue/Web/Blog' }, { Site: 'blog-green/Web/Blog' }]);
    sites.forEach(({ template }, i) => {
      expect(environment(containersOf(template).metrics).CFB_METRICS_SITE).toBe(dimensions[i].Site);
      expect(only(template, 'AWS::CloudWatch::Alarm', { Properties: { MetricName: 'PhpBusyPercent' } }).Properties.Dimensions)
        .toEqual([{ Name: 'Site', Value: dimensions[i].Site }]);
    });
  });

  test('scales out on a single 10-second datapoint of php-fpm\'s busy share: +50% tasks from 60%, +100% from 85%', () => {
    const alarm = only(b.template, 'AWS::CloudWatch::Alarm', { Properties: { MetricName: 'PhpBusyPercent' } }).Properties;
    expect(alarm).toMatchObject({
      Namespace: 'CdkFargateBlueprints/WordPress',
      Dimensions: [{ Name: 'Site', Value: 'TestStack/Blog' }],
      Statistic: 'Average',
      Period: 10,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const policy = b.json.Resources[alarm.AlarmActions[0].Ref].Properties;
    expect(policy.StepScalingPolicyConfiguration).toMatchObject({
      AdjustmentType: 'PercentChangeInCapacity',
      MinAdjustmentMagnitude: 1,
      Cooldown: 60,
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 25, ScalingAdjustment: 50 },
        { MetricIntervalLowerBound: 25, ScalingAdjustment: 100 },
      ],
    });
    const metric = b.site.phpBusyMetric as cloudwatch.Metric;
    expect([metric.namespace, metric.metricName, metric.period.toSeconds(), metric.statistic]).toEqual(['CdkFargateBlueprints/WordPress', 'PhpBusyPercent', 10, 'Average']);
  });

  test('without fastScaleOut, the busy share is published but drives nothing', () => {
    const { template } = build({ scaling: { fastScaleOut: false } });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'PhpBusyPercent' }, 0);
    expect(containersOf(template).metrics.Command).toEqual(['/usr/local/bin/cfb-metrics']);
  });

  test('php-fpm gets one worker per 64 MiB of the task\'s memory beyond nginx\'s 256 MiB', () => {
    expect(environment(containers.wordpress).PHP_FPM_MAX_CHILDREN).toBe('12');
  });

  test('nginx starts only when php-fpm is healthy; both have container health checks', () => {
    expect(containers.nginx.DependsOn).toEqual([{ ContainerName: 'wordpress', Condition: 'HEALTHY' }]);
    expect(containers.nginx.HealthCheck.Command).toEqual(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/healthz || exit 1']);
    // the first task on an empty file system installs WordPress first
    expect(containers.wordpress.HealthCheck).toMatchObject({ StartPeriod: 180, Command: ['CMD-SHELL', expect.stringContaining('fsockopen("127.0.0.1", 9000)')] });
  });

  test('the service runs on the latest Fargate platform (EFS needs 1.4.0 or later) in its own VPC\'s public subnets with public IPs (no NAT gateway), nginx behind the load balancer', () => {
    b.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    b.template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED', Subnets: b.site.vpc.publicSubnets.map((s) => b.stack.resolve(s.subnetId)) }),
      },
      LoadBalancers: [Match.objectLike({ ContainerName: 'nginx', ContainerPort: 80 })],
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      HealthCheckGracePeriodSeconds: 240,
    });
    expect(only(b.template, 'AWS::ECS::Service').Properties.DesiredCount).toBeUndefined();
  });

  test('in its own VPC the database and the file system sit in the isolated subnets, which keep the ids and addresses of the private ones they were', () => {
    const isolated = b.site.vpc.isolatedSubnets.map((subnet) => b.stack.resolve(subnet.subnetId).Ref);
    expect(isolated).toEqual([expect.stringMatching(/^BlogVpcPrivateSubnet1Subnet/), expect.stringMatching(/^BlogVpcPrivateSubnet2Subnet/)]);
    expect(Object.values(b.template.findResources('AWS::EFS::MountTarget')).map((r) => r.Properties.SubnetId.Ref)).toEqual(isolated);
    expect(only(b.template, 'AWS::RDS::DBSubnetGroup').Properties.SubnetIds.map((id: any) => id.Ref)).toEqual(isolated);
    expect(isolated.map((id) => b.json.Resources[id].Properties.CidrBlock)).toEqual(['10.0.128.0/18', '10.0.192.0/18']);
  });

  test('an internet-facing load balancer listens on port 80', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    expect(b.stack.resolve(b.site.url)).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/^BlogServiceLB/), 'DNSName'] }]] });
  });

  test('the health check asks nginx for /healthz, which needs neither WordPress nor the database', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
    });
  });

  test('scales 1 to 10 tasks on CPU (50%), scaling out after 60 s; not on requests, which the page cache answers for next to nothing', () => {
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10 });
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }),
        TargetValue: 50,
        ScaleOutCooldown: 60,
      }),
    });
    expect(JSON.stringify(b.json)).not.toContain('ALBRequestCountPerTarget');
  });

  test('without the page cache, every request is PHP work: it also tracks 600 requests per task and minute', () => {
    const { template } = build({ pageCacheTtl: Duration.seconds(0) });
    expect(environment(containersOf(template).nginx).NGINX_PAGE_CACHE_TTL).toBe('0');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 600,
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RequestCountPerTarget', Period: 60, EvaluationPeriods: 1, Threshold: 900 });
  });

  test('reacts to a CPU spike on a single one-minute datapoint', () => {
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Period: 60, EvaluationPeriods: 1, Threshold: 80 });
  });

  test('writes load balancer access logs to a retained bucket', () => {
    b.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    expect(b.site.accessLogsBucket).toBeDefined();
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('WordpressFargateSite for an event: HTTPS, domain, pre-warm of tasks and database', () => {
  let b: Built;
  let containers: Record<string, any>;
  const rushStarts = appscaling.Schedule.cron({ month: '3', day: '1', hour: '8', minute: '45' });
  const rushEnds = appscaling.Schedule.cron({ month: '3', day: '1', hour: '10', minute: '30' });
  beforeAll(() => {
    b = build({
      uploadMaxSize: Size.mebibytes(128),
      tablePrefix: 'event_',
      wordpressConfigExtra: 'define(\'DISALLOW_FILE_EDIT\', true);',
      cpu: 2048,
      memoryLimitMiB: 4096,
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      database: { minCapacity: 0.5, maxCapacity: 16, backupRetention: Duration.days(14), engineVersion: rds.AuroraMysqlEngineVersion.VER_3_10_0 },
      databaseSchedules: [
        { id: 'RushStarts', schedule: rushStarts, minCapacity: 8, timeZone: TimeZone.EUROPE_BERLIN },
        { id: 'RushEnds', schedule: rushEnds, minCapacity: 0.5, timeZone: TimeZone.EUROPE_BERLIN },
      ],
      scaling: {
        minCapacity: 1,
        maxCapacity: 30,
        requestsPerTarget: 300,
        schedules: [
          { id: 'RushStarts', schedule: rushStarts, minCapacity: 12, timeZone: TimeZone.EUROPE_BERLIN },
          { id: 'RushEnds', schedule: rushEnds, minCapacity: 1, timeZone: TimeZone.EUROPE_BERLIN },
        ],
      },
      enableExecuteCommand: true,
      healthCheckGracePeriod: Duration.seconds(300),
    }, (stack) => ({
      vpc: SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/event/network' }),
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
      domainName: 'register.example.com',
      domainZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
      alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true }),
    }));
    containers = containersOf(b.template);
  });

  test('serves HTTPS with the certificate and redirects HTTP', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }],
    });
    expect(b.site.url).toBe('https://register.example.com');
  });

  test('WordPress knows its https address, forces HTTPS for the admin, and gets the extra configuration', () => {
    expect(environment(containers.wordpress).WORDPRESS_CONFIG_EXTRA).toBe([
      'define(\'WP_HOME\', \'https://register.example.com\');',
      'define(\'WP_SITEURL\', \'https://register.example.com\');',
      'define(\'FORCE_SSL_ADMIN\', true);',
      'define(\'DISALLOW_FILE_EDIT\', true);',
    ].join('\n'));
    b.template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'register.example.com.', Type: 'A' });
  });

  test('the upload limit, table prefix, task size and architecture as given', () => {
    expect(environment(containers.wordpress)).toMatchObject({
      PHP_UPLOAD_MAX_FILESIZE: '128M', PHP_POST_MAX_SIZE: '129M', WORDPRESS_TABLE_PREFIX: 'event_', PHP_FPM_MAX_CHILDREN: '60',
    });
    expect(environment(containers.nginx)).toMatchObject({ NGINX_CLIENT_MAX_BODY_SIZE: '129m' });
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '2048', Memory: '4096', RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    b.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the database stays between 0.5 and 16 ACUs, never pauses, keeps 14 days of backups', () => {
    const cluster = only(b.template, 'AWS::RDS::DBCluster').Properties;
    expect(cluster.ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0.5, MaxCapacity: 16 });
    expect(cluster.BackupRetentionPeriod).toBe(14);
    expect(cluster.EngineVersion).toBe('8.0.mysql_aurora.3.10.0');
  });

  test('in a VPC without isolated subnets, the database uses the private subnets published in SSM', () => {
    const subnetIdsParameter = Object.entries<any>(b.json.Parameters).find(([, p]) => p.Default === '/event/network/private-with-egress/subnet-ids')![0];
    b.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [0, 1].map((i) => ({ 'Fn::Select': [i, { 'Fn::Split': [',', { Ref: subnetIdsParameter }] }] })),
    });
  });

  test('pre-warms tasks before the rush, in the time zone given', () => {
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 30,
      ScheduledActions: [
        { ScheduledActionName: 'RushStarts', Schedule: 'cron(45 8 1 3 ? *)', ScalableTargetAction: { MinCapacity: 12 }, Timezone: 'Europe/Berlin' },
        { ScheduledActionName: 'RushEnds', Schedule: 'cron(30 10 1 3 ? *)', ScalableTargetAction: { MinCapacity: 1 }, Timezone: 'Europe/Berlin' },
      ],
    });
  });

  test('raises the database floor before the rush and lowers it after, through EventBridge Scheduler', () => {
    const cluster = logicalId(b.stack, b.site.database);
    for (const [min, cron] of [[8, 'cron(45 8 1 3 ? *)'], [0.5, 'cron(30 10 1 3 ? *)']] as const) {
      const schedule = only(b.template, 'AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: cron } }).Properties;
      expect(schedule.ScheduleExpressionTimezone).toBe('Europe/Berlin');
      expect(schedule.Target.Arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:rds:modifyDBCluster']] });
      expect(joinedJson(b.stack.resolve(schedule.Target.Input))).toEqual({
        DbClusterIdentifier: `\${Ref:${cluster}}`,
        ServerlessV2ScalingConfiguration: { MinCapacity: min, MaxCapacity: 16 },
        ApplyImmediately: true,
      });
      expect(schedule.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 });
      expect(schedule.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(b.stack, b.site.databaseSchedulesDeadLetterQueue as any), 'Arn'] } });
    }
    b.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'rds:ModifyDBCluster',
          Resource: { 'Fn::Join': ['', ['arn:aws:rds:eu-west-1:', { Ref: 'AWS::AccountId' }, ':cluster:', { Ref: cluster }]] },
        }]),
      },
    });
  });

  test('a database schedule that failed after its retries leaves a message that alarms the alarm topic', () => {
    const queue = logicalId(b.stack, b.site.databaseSchedulesDeadLetterQueue as any);
    b.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    const alarm = only(b.template, 'AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' } }).Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalIdOf(b.template, 'AWS::SNS::Topic') }],
    });
    // CloudWatch may publish this alarm to the alarm topic, whose TLS policy has no SNS default statement
    const topicPolicy = only(b.template, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;
    expect(topicPolicy).toContainEqual({
      Sid: 'AlarmsFromCloudWatch',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: logicalIdOf(b.template, 'AWS::SNS::Topic') },
      Condition: {
        ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::CloudWatch::Alarm', /DatabaseSchedulesAlarm/), 'Arn'] }] },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    // the schedules' role may put the failed change into exactly this queue
    b.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }]),
      },
    });
  });

  test('allows ECS Exec', () => {
    b.template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true, HealthCheckGracePeriodSeconds: 300 });
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('WordpressFargateSite, other choices', () => {
  test('adds its listener to the load balancer given, as the seed\'s network stack provides it', () => {
    const { template, site, stack } = build({}, (s) => {
      const vpc = new ec2.Vpc(s, 'Network', { maxAzs: 2, natGateways: 1 });
      vpc.addFlowLog('FlowLog');
      return { vpc, loadBalancer: new elbv2.ApplicationLoadBalancer(s, 'SharedAlb', { vpc, internetFacing: true }) };
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^SharedAlb') },
    });
    expect(site.accessLogsBucket).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(logicalId(stack, site.loadBalancer as any)).toMatch(/^SharedAlb/);
  });

  test('DESTROY deletes database and file system (without deletion protection)', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY, database: { deletionProtection: false } });
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: Match.absent() }) });
    template.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Delete' });
    // the custom resource keeps the protection off
    const protection = Object.values<any>(template.findResources('Custom::AWS')).map((r) => joinedJson(r.Properties.Update));
    expect(protection).toEqual([expect.objectContaining({ action: 'modifyDBCluster', parameters: expect.objectContaining({ DeletionProtection: false }) })]);
  });

  test('RETAIN keeps both', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.RETAIN });
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  test('an internal load balancer admits the VPC only', () => {
    const { template, site, stack } = build({ publicLoadBalancer: false });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const group = stack.resolve(site.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    expect(ingressOf(template, group)).toEqual([expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/Vpc/), 'CidrBlock'] }, FromPort: 80 })]);
  });

  test('in isolated subnets when the VPC has them, the database stays out of the subnets with internet egress', () => {
    const { template } = build({}, (s) => ({
      vpc: new ec2.Vpc(s, 'Network', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        ],
        flowLogs: { all: {} },
      }),
    }));
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: [{ Ref: Match.stringLikeRegexp('DataSubnet1') }, { Ref: Match.stringLikeRegexp('DataSubnet2') }] });
    // the file system's mount targets stay beside the tasks, one per zone
    const mountTargets = Object.values(template.findResources('AWS::EFS::MountTarget')).map((r) => r.Properties.SubnetId.Ref);
    expect(mountTargets).toEqual([expect.stringMatching(/AppSubnet1/), expect.stringMatching(/AppSubnet2/)]);
  });

  test('an image of your own with several tasks at the first start: a warning that says what to do', () => {
    const app = testApp({ context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } });
    const stack = new Stack(app, 'TestStack', { env: REGION_ENV });
    new WordpressFargateSite(stack, 'Blog', {
      wordpressImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/wordpress:7.1-php8.3-fpm'),
      scaling: { minCapacity: 3 },
    });
    expect(synth(app).allWarnings()).toEqual([expect.objectContaining({
      path: '/TestStack/Blog',
      text: expect.stringMatching(/^3 tasks will start together on an empty file system.*Start with scaling.minCapacity 1/),
    })]);
  });

  test('the shipped image with several tasks at the first start: no warning (its lock makes that safe)', () => {
    const app = testApp();
    const stack = new Stack(app, 'TestStack', { env: REGION_ENV });
    new WordpressFargateSite(stack, 'Blog', { scaling: { minCapacity: 3 } });
    expect(synth(app).allWarnings()).toEqual([]);
  });

  test('the images given replace the shipped ones, on x86 (an image of yours may not be built for ARM64)', () => {
    const { template } = build({
      nginxImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.30'),
      wordpressImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/wordpress:7.1-php8.3-fpm'),
    });
    const containers = containersOf(template);
    expect([containers.nginx.Image, containers.wordpress.Image]).toEqual([
      'public.ecr.aws/nginx/nginx:1.30', 'public.ecr.aws/docker/library/wordpress:7.1-php8.3-fpm',
    ]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' } });
  });

  test('an nginx image of yours built for linux/arm64 runs on Graviton, and the shipped WordPress image is built for it too', () => {
    const b = build({ nginxImage: assetImage(ecrAssets.Platform.LINUX_ARM64) });
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    const images = b.synthesized.dockerImages(b.stack);
    expect(images).toHaveLength(2);
    expect(images.map((i) => i.platform)).toEqual(['linux/arm64', 'linux/arm64']);
  });

  test('beside an image that does not say, an ARM64 asset runs on ARM64 when told, and an amd64 asset on x86 without being told', () => {
    const arm = build({ nginxImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.30'), wordpressImage: assetImage(ecrAssets.Platform.LINUX_ARM64), cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    arm.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    const x86 = build({ nginxImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.30'), wordpressImage: assetImage(ecrAssets.Platform.LINUX_AMD64) });
    x86.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' } });
  });

  test('an architecture named through CpuArchitecture.of builds the shipped images for it too', () => {
    // the site compares the architecture it resolved with aws-cdk-lib's own object
    const b = build({ cpuArchitecture: ecs.CpuArchitecture.of('ARM64') });
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    expect(b.synthesized.dockerImages(b.stack).map((i) => i.platform)).toEqual(['linux/arm64', 'linux/arm64']);
  });

  test('the shipped images run on x86 when asked', () => {
    const { template } = build({ cpuArchitecture: ecs.CpuArchitecture.X86_64 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' } });
  });

  test('a database that pauses after the time given', () => {
    const { template } = build({ database: { autoPauseAfter: Duration.hours(1) } });
    template.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: 3600 } });
  });
});

describe('WordpressFargateSite at its first deployment and in its first rush', () => {
  let b: Built;
  beforeAll(() => {
    b = build();
  });

  const attribute = (template: any, key: string) => only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties.LoadBalancerAttributes
    .find((a: any) => a.Key === key)?.Value;

  test('the load balancer keeps an idle connection 660 s, so a PHP request may run its 600 s and still reach the visitor', () => {
    expect(attribute(b.template, 'idle_timeout.timeout_seconds')).toBe('660');
  });

  // ELB: "configure the idle timeout of your application to be larger than the idle timeout
  // configured for the load balancer", or it answers 502 on a connection the target closed
  test.each([
    ['the default idle timeout', {}, '660', '690s'],
    ['an idle timeout of its own', { idleTimeout: Duration.seconds(900) }, '900', '930s'],
  ])('nginx keeps an idle connection 30 s longer than the load balancer, from the same setting: %s', (_name, props, idle, keepalive) => {
    const { template } = build(props);
    expect(attribute(template, 'idle_timeout.timeout_seconds')).toBe(idle);
    expect(environment(containersOf(template).nginx).NGINX_KEEPALIVE_TIMEOUT).toBe(keepalive);
  });

  test('behind a load balancer given, whose idle timeout the site cannot know, nginx outlives the longest one (4,000 s)', () => {
    const { template } = build({}, (s) => {
      const vpc = new ec2.Vpc(s, 'Network', { maxAzs: 2, natGateways: 1 });
      vpc.addFlowLog('FlowLog');
      return { vpc, loadBalancer: new elbv2.ApplicationLoadBalancer(s, 'SharedAlb', { vpc, internetFacing: false }) };
    });
    expect(environment(containersOf(template).nginx).NGINX_KEEPALIVE_TIMEOUT).toBe('4030s');
  });

  test('an idle timeout shorter than PHP may run is taken, with a warning that says what it cuts', () => {
    const { template, synthesized } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog', { idleTimeout: Duration.seconds(120) }), {
      env: REGION_ENV, app: { context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } },
    });
    expect(attribute(template, 'idle_timeout.timeout_seconds')).toBe('120');
    expect(synthesized.allWarnings()).toEqual([expect.objectContaining({
      path: '/TestStack/Blog',
      text: expect.stringMatching(/^idleTimeout is 2 minutes, shorter than the 600 seconds PHP may run: the load balancer cuts longer requests .* Raise idleTimeout/),
    })]);
  });

  test('all php-fpm workers of the most tasks scaling allows fit the database\'s connections at its maximum (no warning)', () => {
    // 10 tasks x 12 workers = 120 connections; 8 ACU accept 1,000
    expect(environment(containersOf(b.template).wordpress).PHP_FPM_MAX_CHILDREN).toBe('12');
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test.each([
    ['the most tasks', { memoryLimitMiB: 2048, scaling: { maxCapacity: 40 }, database: { maxCapacity: 4 } }, /^40 tasks x 28 php-fpm workers \(from memoryLimitMiB 2048\) may open 1120 database connections, but Aurora MySQL Serverless v2 at database\.maxCapacity 4 ACU accepts about 135 \(max_connections\).*Raise database\.maxCapacity to 16 ACU or more, lower scaling\.maxCapacity to 4, or give the tasks less memory/],
    ['a pre-warm window', {
      memoryLimitMiB: 2048,
      scaling: { maxCapacity: 10, schedules: [{ id: 'Rush', schedule: appscaling.Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 20, maxCapacity: 50 }] },
    }, /^50 tasks x 28 php-fpm workers .* may open 1400 database connections, but .* at database\.maxCapacity 8 ACU accepts about 1000/],
  ])('more workers than the database accepts, for %s: a warning with the numbers and the fixes', (_name, props, message) => {
    const { synthesized } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog', props as WordpressFargateSiteProps), {
      env: REGION_ENV, app: { context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } },
    });
    expect(synthesized.allWarnings()).toEqual([expect.objectContaining({ text: expect.stringMatching(message) })]);
  });

  test('the connection warning can be acknowledged by its id', () => {
    const { synthesized } = buildAndSynth((stack) => {
      const site = new WordpressFargateSite(stack, 'Blog', { scaling: { maxCapacity: 40 }, database: { maxCapacity: 4 } });
      Annotations.of(site).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.databaseConnections', 'the site never runs 40 tasks at once');
      return site;
    }, { env: REGION_ENV });
    expect(synthesized.allWarnings()).toEqual([]);
  });

  test('a load balancer given is not opened to the internet: its owner decides who may reach it', () => {
    const { template, stack, site } = build({}, (s) => {
      const vpc = new ec2.Vpc(s, 'Network', { maxAzs: 2, natGateways: 1 });
      vpc.addFlowLog('FlowLog');
      return { vpc, loadBalancer: new elbv2.ApplicationLoadBalancer(s, 'SharedAlb', { vpc, internetFacing: false }) };
    });
    const group = stack.resolve(site.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    expect(ingressOf(template, group)).toEqual([]);
    const openIngress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.CidrIp === '0.0.0.0/0');
    expect(openIngress).toEqual([]);
  });

  test.each([
    [RemovalPolicy.SNAPSHOT],
    [RemovalPolicy.RETAIN],
  ])('with removalPolicy %s the database secret is kept with the data, so a restored snapshot has known credentials', (removalPolicy) => {
    const { template } = build({ removalPolicy });
    template.hasResource('AWS::SecretsManager::Secret', {
      // even after a failed first deployment, whose rollback leaves a snapshot of the database
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"wordpress","dbname":"wordpress"}' }) }),
    });
  });

  test('with removalPolicy DESTROY the database secret goes with the database', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY, database: { deletionProtection: false } });
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"wordpress","dbname":"wordpress"}' }) }),
    });
  });

  test('in an environment-agnostic stack the load balancer writes access logs too', () => {
    const { template, synthesized } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog'));
    expect(attribute(template, 'access_logs.s3.enabled')).toBe('true');
    expect(synthesized.allWarnings()).toEqual([]);
  });
});

describe('WordpressFargateSite for the rush: behind a CDN, with a firewall', () => {
  let b: Built;
  let distribution: any;
  beforeAll(() => {
    b = build({ cdn: true, firewall: {}, pageCacheTtl: Duration.seconds(10) });
    distribution = only(b.template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
  });

  const behaviorOf = (pathPattern: string) => distribution.CacheBehaviors.find((c: any) => c.PathPattern === pathPattern);
  const cachePolicyOf = (behavior: any) => b.json.Resources[behavior.CachePolicyId.Ref]?.Properties.CachePolicyConfig ?? behavior.CachePolicyId;

  test('the load balancer is internal and admits CloudFront\'s origin-facing servers alone, where a VPC origin\'s requests come from', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const group = b.stack.resolve(b.site.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    const lookup = logicalIdOf(b.template, 'Custom::AWS', /CdnOriginFacingPrefixList/);
    // not the VPC's range: CloudFront Developer Guide, "Restrict access with VPC origins"
    expect(ingressOf(b.template, group)).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      Description: 'from CloudFront (VPC origin)',
      GroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      SourcePrefixListId: { 'Fn::GetAtt': [lookup, 'PrefixLists.0.PrefixListId'] },
    }]);
    b.template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        Arn: { Ref: logicalIdOf(b.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer') },
        HTTPPort: 80,
        OriginProtocolPolicy: 'http-only',
      }),
    });
  });

  test('the prefix list\'s id, which differs per region, is asked of EC2 at deploy time, by name', () => {
    const lookup = b.json.Resources[logicalIdOf(b.template, 'Custom::AWS', /CdnOriginFacingPrefixList/)];
    for (const call of [lookup.Properties.Create, lookup.Properties.Update]) {
      expect(JSON.parse(call)).toEqual({
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
        physicalResourceId: { responsePath: 'PrefixLists.0.PrefixListId' },
        outputPaths: ['PrefixLists.0.PrefixListId'],
      });
    }
    const policy = only(b.template, 'AWS::IAM::Policy', { Properties: Match.objectLike({ PolicyName: Match.stringLikeRegexp('CdnOriginFacingPrefixList') }) });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Action: 'ec2:DescribeManagedPrefixLists', Effect: 'Allow', Resource: '*' }]);
  });

  test('the VPC origin and its load balancer are created after the VPC\'s internet gateway is attached, which a VPC origin needs', () => {
    const attachment = logicalIdOf(b.template, 'AWS::EC2::VPCGatewayAttachment');
    expect(only(b.template, 'AWS::CloudFront::VpcOrigin').DependsOn).toEqual(expect.arrayContaining([attachment]));
    expect(only(b.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').DependsOn).toEqual(expect.arrayContaining([attachment]));
  });

  test('nginx takes the visitor\'s address from the header the viewer-request function writes, not X-Forwarded-For (which ends with CloudFront)', () => {
    expect(environment(containersOf(b.template).nginx)).toMatchObject({ NGINX_REAL_IP_HEADER: 'x-cfb-viewer-address', NGINX_BEHIND_CDN: '1' });
  });

  test('CloudFront waits 60 s for an answer, once (a GET it timed out on it would send again), and closes an idle connection after 5 s', () => {
    const origin = distribution.Origins[0];
    expect(origin.VpcOriginConfig).toMatchObject({ OriginReadTimeout: 60, OriginKeepaliveTimeout: 5 });
    expect(origin.ConnectionAttempts).toBe(1);
  });

  test('the VPC origin\'s name, unique in the account across regions, names the region', () => {
    const name = only(b.template, 'AWS::CloudFront::VpcOrigin').Properties.VpcOriginEndpointConfig.Name;
    expect(name).toEqual({ 'Fn::Join': ['', [expect.stringMatching(/^TestStack-Blog-[A-Za-z0-9-]+-$/), { Ref: 'AWS::Region' }]] });
    expect(name['Fn::Join'][1][0].length + 'ap-southeast-7'.length).toBeLessThanOrEqual(64);
  });

  test('each site creates one custom cache policy (an account may have 20), for pages and static files alike', () => {
    b.template.resourceCountIs('AWS::CloudFront::CachePolicy', 1);
  });

  test('visitors are sent to HTTPS, and the site\'s URL is the distribution\'s', () => {
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(b.stack.resolve(b.site.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::CloudFront::Distribution'), 'DomainName'] }]] });
    // nginx believes CloudFront-Forwarded-Proto: the load balancer only hears CloudFront
    expect(environment(containersOf(b.template).nginx)).toMatchObject({ NGINX_BEHIND_CDN: '1', NGINX_PAGE_CACHE_TTL: '10' });
  });

  test('pages are cached as long as the micro-cache (pageCacheTtl), per query string, apart for visitors WordPress knows', () => {
    const pages = cachePolicyOf(distribution.DefaultCacheBehavior);
    expect(pages).toMatchObject({
      // nginx gives anonymous pages no lifetime of their own: the default TTL is theirs
      DefaultTTL: 10,
      // 0, so CloudFront keeps nothing nginx or WordPress marks private, no-cache or no-store
      MinTTL: 0,
      MaxTTL: 604800,
      ParametersInCacheKeyAndForwardedToOrigin: {
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-cfb-personal'] },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
    expect(distribution.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
  });

  test.each(['/wp-admin/*', '/wp-login.php', '/wp-signup.php', '/wp-json/*', '/xmlrpc.php', '/wp-cron.php', '/wp-comments-post.php'])('%s is never cached', (pattern) => {
    // the managed CachingDisabled policy
    expect(behaviorOf(pattern).CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
  });

  test('static files of /wp-content/ and /wp-includes/ are kept as long as nginx says (7 days, the policy\'s maximum), per ?ver=, whatever the cookies', () => {
    // the default behavior serves them: no behavior of their own
    expect(distribution.CacheBehaviors.map((c: any) => c.PathPattern).filter((p: string) => /wp-(content|includes)/.test(p))).toEqual([]);
    const policy = cachePolicyOf(distribution.DefaultCacheBehavior);
    expect(policy.MaxTTL).toBe(7 * 24 * 3600);
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin.CookiesConfig).toEqual({ CookieBehavior: 'none' });
  });

  test('error pages WordPress may write for one visitor are never kept; the load balancer\'s 502, 503 and 504 are, 10 s', () => {
    // CloudFront honours Cache-Control private on 404, 410, 414 and 501 only
    expect(distribution.CustomErrorResponses).toEqual([400, 403, 405, 500].map((ErrorCode) => ({ ErrorCode, ErrorCachingMinTTL: 0 })));
  });

  test('with pageCacheTtl 0, CloudFront keeps no page either', () => {
    const { template, json } = build({ cdn: true, pageCacheTtl: Duration.seconds(0) });
    const config = only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(json.Resources[config.DefaultCacheBehavior.CachePolicyId.Ref].Properties.CachePolicyConfig).toMatchObject({ DefaultTTL: 0, MinTTL: 0 });
  });

  test('every behavior forwards the whole request to WordPress and runs the viewer-request function', () => {
    const functionArn = { 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::CloudFront::Function'), 'FunctionARN'] };
    for (const behavior of [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors]) {
      // AllViewerAndCloudFrontHeaders-2022-06: Host, cookies, query strings, CloudFront-Forwarded-Proto
      expect(behavior.OriginRequestPolicyId).toBe('33f36d7e-f396-46d9-90e0-52428a34d9dc');
      expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: functionArn }]);
    }
  });

  describe('the viewer-request function, run on sample requests', () => {
    let handler: (event: any) => any;
    beforeAll(() => {
      const code = only(b.template, 'AWS::CloudFront::Function').Properties.FunctionCode;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      handler = new Function(`${code}\nreturn handler;`)();
    });
    const run = (cookies: Record<string, { value: string }>, headers: Record<string, { value: string }> = {}) =>
      handler({ viewer: { ip: '198.51.100.7' }, request: { method: 'GET', uri: '/register/', headers, cookies, querystring: {} } }).headers;

    test('an anonymous visitor shares the cache, and carries the address CloudFront saw', () => {
      expect(run({ _ga: { value: 'x' } })).toEqual({ 'x-cfb-personal': { value: '0' }, 'x-cfb-viewer-address': { value: '198.51.100.7' } });
    });

    test.each(['wordpress_logged_in_0123abcd', 'wp-postpass_0123abcd', 'comment_author_0123abcd', 'wordpress_no_cache'])('a visitor with %s gets pages of their own', (cookie) => {
      expect(run({ [cookie]: { value: 'v' } })['x-cfb-personal']).toEqual({ value: '1' });
    });

    test('an address the visitor sends in the header is replaced by the one CloudFront saw', () => {
      expect(run({}, { 'x-cfb-viewer-address': { value: '127.0.0.1' } })['x-cfb-viewer-address']).toEqual({ value: '198.51.100.7' });
    });
  });

  test('the CDN writes its access logs to a bucket of its own that keeps ACLs, as CloudFront\'s standard logs need', () => {
    const bucket = logicalIdOf(b.template, 'AWS::S3::Bucket', /CdnLogs/);
    expect(b.json.Resources[bucket]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: expect.objectContaining({ OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }),
    });
    expect(distribution.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [bucket, 'RegionalDomainName'] }, Prefix: 'cdn/' });
  });

  test('a regional web ACL guards the load balancer with AWS\'s managed rules for WordPress, PHP, SQL injection and bad inputs', () => {
    const acl = only(b.template, 'AWS::WAFv2::WebACL').Properties;
    expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(acl.Rules.slice(1, 6).map((r: any) => [r.Priority, r.Statement.ManagedRuleGroupStatement.Name, r.OverrideAction])).toEqual([
      [1, 'AWSManagedRulesCommonRuleSet', { None: {} }],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet', { None: {} }],
      [3, 'AWSManagedRulesSQLiRuleSet', { None: {} }],
      [4, 'AWSManagedRulesPHPRuleSet', { None: {} }],
      [5, 'AWSManagedRulesWordPressRuleSet', { None: {} }],
    ]);
    // uploads and long posts are over the common rule set's 8 KB body limit: counted, not
    // blocked; the rules on the body count in their groups and block in the rule after them
    const counted = (i: number) => acl.Rules[i].Statement.ManagedRuleGroupStatement.RuleActionOverrides
      ?.map((o: any) => [o.Name, o.ActionToUse]).filter(([, action]: any) => JSON.stringify(action) === '{"Count":{}}').map(([name]: any) => name);
    expect(counted(1)).toEqual(['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY']);
    expect(counted(2)).toBeUndefined();
    expect(counted(3)).toEqual(['SQLi_BODY', 'SQLiExtendedPatterns_BODY']);
    expect(counted(4)).toEqual(['PHPHighRiskMethodsVariables_BODY']);
    // /xmlrpc.php: blocked outright by WordPressExploitablePaths_URIPATH, which nothing overrides
    expect(counted(5)).toBeUndefined();
    b.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: logicalIdOf(b.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer') },
      WebACLArn: { 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::WAFv2::WebACL'), 'Arn'] },
    });
  });

  describe('the site\'s own editors are not blocked for posting HTML', () => {
    let rule: any;
    beforeAll(() => {
      rule = only(b.template, 'AWS::WAFv2::WebACL').Properties.Rules.find((r: any) => r.Name === 'BodyRulesOutsideEditors');
    });

    test('after the managed groups, a rule blocks what their body rules matched (by the labels they publish)', () => {
      expect(rule).toMatchObject({ Priority: 6, Action: { Block: {} } });
      const [labels] = rule.Statement.AndStatement.Statements;
      expect(labels.OrStatement.Statements.map((s: any) => s.LabelMatchStatement)).toEqual([
        'core-rule-set:CrossSiteScripting_Body', 'core-rule-set:GenericLFI_Body', 'core-rule-set:GenericRFI_Body', 'core-rule-set:EC2MetaDataSSRF_Body',
        'sql-database:SQLi_Body', 'sql-database:SQLiExtendedPatterns_Body', 'php-app:PHPHighRiskMethodsVariables_Body',
      ].map((label) => ({ Scope: 'LABEL', Key: `awswaf:managed:aws:${label}` })));
    });

    test('unless a logged-in visitor posts to /wp-admin/ or the REST API (the block editor saves HTML in JSON there)', () => {
      const [, exemption] = rule.Statement.AndStatement.Statements;
      const [paths, cookie] = exemption.NotStatement.Statement.AndStatement.Statements;
      expect(paths.OrStatement.Statements.map((s: any) => s.ByteMatchStatement)).toEqual([
        ...['/wp-admin/', '/wp-json/'].map((prefix) => ({
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: prefix,
          // "/wp-json/../wp-login.php" is the login, as nginx normalizes it
          TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }, { Priority: 1, Type: 'NORMALIZE_PATH' }],
        })),
        // the API without pretty permalinks: /index.php?rest_route=%2Fwp%2Fv2%2Fposts%2F1
        {
          FieldToMatch: { SingleQueryArgument: { Name: 'rest_route' } },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/',
          TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
        },
      ]);
      expect(cookie.ByteMatchStatement).toMatchObject({
        FieldToMatch: { SingleHeader: { Name: 'cookie' } }, PositionalConstraint: 'CONTAINS', SearchString: 'wordpress_logged_in_',
      });
    });

    test.each([
      ['an editor saving a post through the block editor', { path: '/wp-json/wp/v2/posts/1', loggedIn: true }, 'allowed'],
      ['an editor saving through the block editor without pretty permalinks', { path: '/index.php', query: 'rest_route=%2Fwp%2Fv2%2Fposts%2F1&_locale=user', loggedIn: true }, 'allowed'],
      ['an anonymous post of HTML to the REST API without pretty permalinks', { path: '/index.php', query: 'rest_route=/contact-form-7/v1/feedback', loggedIn: false }, 'blocked'],
      ['an editor saving the classic form', { path: '/wp-admin/post.php', loggedIn: true }, 'allowed'],
      ['an anonymous post of HTML to a public REST endpoint', { path: '/wp-json/contact-form-7/v1/contact-forms/1/feedback', loggedIn: false }, 'blocked'],
      ['a comment with a script', { path: '/wp-comments-post.php', loggedIn: true }, 'blocked'],
      ['a path that leaves the API once normalized', { path: '/wp-json/../wp-login.php', loggedIn: true }, 'blocked'],
    ])('%s: %s', (_name, request: { path: string; query?: string; loggedIn: boolean }, outcome) => {
      // the rule's statement, evaluated on a request whose body a body rule matched
      const evaluate = (statement: any): boolean => {
        if (statement.AndStatement) return statement.AndStatement.Statements.every(evaluate);
        if (statement.OrStatement) return statement.OrStatement.Statements.some(evaluate);
        if (statement.NotStatement) return !evaluate(statement.NotStatement.Statement);
        if (statement.LabelMatchStatement) return statement.LabelMatchStatement.Key.endsWith('CrossSiteScripting_Body');
        const match = statement.ByteMatchStatement;
        if (match.FieldToMatch.UriPath) {
          const normalized = path.posix.normalize(decodeURIComponent(request.path as string));
          return normalized.startsWith(match.SearchString);
        }
        if (match.FieldToMatch.SingleQueryArgument) {
          // URLSearchParams decodes, as the URL_DECODE transformation does
          const value = new URLSearchParams(request.query ?? '').get(match.FieldToMatch.SingleQueryArgument.Name);
          return value !== null && value.startsWith(match.SearchString);
        }
        return request.loggedIn && match.SearchString === 'wordpress_logged_in_';
      };
      expect(evaluate(rule.Statement) ? 'blocked' : 'allowed').toBe(outcome);
    });
  });

  test('the web ACL needs at most the 1,500 capacity units its base price includes, adding up AWS\'s published capacities', () => {
    expect(serviceLimitFindings(b.json)).toEqual([]);
    expect(webAclCapacities(b.json)).toEqual([1441]);
  });

  test('the limits oracle would flag a web ACL over those 1,500 units (it checks what the test above relies on)', () => {
    const over = JSON.parse(JSON.stringify(b.json));
    const acl: any = Object.values(over.Resources).find((r: any) => r.Type === 'AWS::WAFv2::WebACL');
    acl.Properties.Rules.push({ ...acl.Properties.Rules[1], Name: 'Again', Priority: 99 });
    expect(serviceLimitFindings(over)).toEqual([expect.stringMatching(/WebACL\) needs 2141 capacity units, more than the 1500 its base price includes$/)]);
  });

  test('a client may submit the login and signup 100 times in 5 minutes, counted by the address the CDN forwards', () => {
    const rule = only(b.template, 'AWS::WAFv2::WebACL').Properties.Rules[0];
    expect(rule).toMatchObject({ Name: 'RateLimitForms', Priority: 0, Action: { Block: {} } });
    const rate = rule.Statement.RateBasedStatement;
    expect(rate).toMatchObject({
      Limit: 100,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: 'x-cfb-viewer-address', FallbackBehavior: 'MATCH' },
    });
    const [post, paths] = rate.ScopeDownStatement.AndStatement.Statements;
    expect(post.ByteMatchStatement).toMatchObject({ FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: 'POST' });
    // not /xmlrpc.php: the WordPress rules block it outright
    expect(paths.OrStatement.Statements.map((s: any) => [s.ByteMatchStatement.SearchString, s.ByteMatchStatement.PositionalConstraint])).toEqual([
      ['/wp-login.php', 'STARTS_WITH'], ['/wp-signup.php', 'STARTS_WITH'],
    ]);
    expect(paths.OrStatement.Statements[0].ByteMatchStatement.TextTransformations).toEqual([{ Priority: 0, Type: 'URL_DECODE' }, { Priority: 1, Type: 'LOWERCASE' }]);
  });

  test('the firewall\'s blocked requests are a metric to alarm on', () => {
    const acl = only(b.template, 'AWS::WAFv2::WebACL').Properties;
    const metric = b.site.firewallBlockedRequests! as cloudwatch.Metric;
    expect(metric.namespace).toBe('AWS/WAFV2');
    expect(metric.metricName).toBe('BlockedRequests');
    expect(b.stack.resolve(metric.dimensions)).toEqual({ WebACL: acl.Name, Rule: 'ALL', Region: { Ref: 'AWS::Region' } });
    expect(acl.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: acl.Name });
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('WordpressFargateSite behind a CDN, other choices', () => {
  test('with a certificate and a domain, CloudFront serves the domain over TLS 1.2 and up, and WordPress knows its https home', () => {
    const { template, site, stack } = build({ cdn: true, domainName: 'register.example.com' }, (s) => ({
      certificate: acm.Certificate.fromCertificateArn(s, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
      domainZone: route53.HostedZone.fromHostedZoneAttributes(s, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
    }));
    const config = only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['register.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'register.example.com.',
      Type: 'A',
      AliasTarget: Match.objectLike({ DNSName: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] } }),
    });
    // the load balancer keeps plain HTTP inside the VPC
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS' }, 0);
    expect(site.url).toBe('https://register.example.com');
    expect(environment(containersOf(template).wordpress).WORDPRESS_CONFIG_EXTRA).toBe(
      "define('WP_HOME', 'https://register.example.com');\ndefine('WP_SITEURL', 'https://register.example.com');\ndefine('FORCE_SSL_ADMIN', true);");
    expect(stack.resolve(site.distribution!.distributionDomainName)).toEqual({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] });
  });

  test('without a CDN, the firewall counts the address the load balancer sees; countOnly blocks nothing', () => {
    const { template } = build({ firewall: { countOnly: true, rateLimit: 20, rateLimitWindow: Duration.minutes(1), rateLimitedPaths: ['/register/'] } });
    const acl = only(template, 'AWS::WAFv2::WebACL').Properties;
    const rate = acl.Rules[0];
    expect(rate.Action).toEqual({ Count: {} });
    expect(rate.Statement.RateBasedStatement).toMatchObject({ Limit: 20, EvaluationWindowSec: 60, AggregateKeyType: 'IP' });
    expect(rate.Statement.RateBasedStatement.ForwardedIPConfig).toBeUndefined();
    // one path: no Or of one statement
    expect(rate.Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements[1].ByteMatchStatement.SearchString).toBe('/register/');
    expect(acl.Rules.slice(1, 6).map((r: any) => r.OverrideAction)).toEqual(Array(5).fill({ Count: {} }));
    expect(acl.Rules[6]).toMatchObject({ Name: 'BodyRulesOutsideEditors', Action: { Count: {} } });
  });

  test('by default a warning says that CloudFront cuts a request after 60 s, shorter than PHP\'s 600, and names the prop', () => {
    const { synthesized } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog', { cdn: true }), {
      env: REGION_ENV, app: { context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } },
    });
    expect(synthesized.allWarnings()).toEqual([expect.objectContaining({
      path: '/TestStack/Blog',
      text: expect.stringMatching(/^cdnOriginReadTimeout is 60 seconds, shorter than the 600 seconds PHP may run: CloudFront answers a longer request .* with a 504 while PHP goes on\. Raise cdnOriginReadTimeout \(up to 120 seconds, 180 with a quota increase\)/),
    })]);
  });

  test.each([[1], [120], [180]])('cdnOriginReadTimeout of %i s is CloudFront\'s origin response timeout', (seconds) => {
    const { template } = build({ cdn: true, cdnOriginReadTimeout: Duration.seconds(seconds) });
    expect(only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Origins[0].VpcOriginConfig.OriginReadTimeout).toBe(seconds);
  });

  test('in an opt-in region, where CloudFront delivers no standard logs, the CDN has none, and says so', () => {
    const { template, synthesized, stack } = buildAndSynth((s) => {
      const site = new WordpressFargateSite(s, 'Blog', { cdn: true });
      Annotations.of(site).acknowledgeWarning(CDN_TIMEOUT_WARNING, 'test');
      return site;
    }, { env: { region: 'eu-south-1' } });
    expect(only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Logging).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => /CdnLogs/.test(id))).toEqual([]);
    expect(synthesized.messages(stack, 'info').map((m) => m.text)).toEqual([
      expect.stringMatching(/^The CDN writes no standard logs: CloudFront delivers none to a bucket in eu-south-1, an opt-in region\./),
    ]);
  });

  test('in an environment-agnostic stack, the CDN logs unless deployed to an opt-in region (a condition decides)', () => {
    const { json } = buildAndSynth((stack) => {
      const site = new WordpressFargateSite(stack, 'Blog', { cdn: true });
      Annotations.of(site).acknowledgeWarning(CDN_TIMEOUT_WARNING, 'test');
      return site;
    });
    const logging = Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Logging;
    expect(logging).toEqual({ 'Fn::If': ['CfbCdnLogsDelivered', { Bucket: expect.anything(), Prefix: 'cdn/' }, { Ref: 'AWS::NoValue' }] });
    // and the bucket (retained) only where it receives logs
    const logResources = Object.entries<any>(json.Resources).filter(([id]) => /CdnLogs/.test(id));
    expect(logResources.map(([, r]) => [r.Type, r.Condition])).toEqual([['AWS::S3::Bucket', 'CfbCdnLogsDelivered'], ['AWS::S3::BucketPolicy', 'CfbCdnLogsDelivered']]);
    const regions = JSON.stringify(json.Conditions.CfbCdnLogsDelivered);
    for (const optIn of ['af-south-1', 'ap-east-1', 'eu-south-1', 'me-south-1', 'il-central-1']) {
      expect(regions).toContain(`"${optIn}"`);
    }
    expect(regions).not.toContain('"eu-west-1"');
  });

  test('a VPC imported without public subnets may lack the internet gateway a VPC origin needs: a warning says so', () => {
    const { synthesized } = buildAndSynth((stack) => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.1.0.0/16',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
      });
      const site = new WordpressFargateSite(stack, 'Blog', { cdn: true, vpc });
      Annotations.of(site).acknowledgeWarning(CDN_TIMEOUT_WARNING, 'test');
      return site;
    }, { env: REGION_ENV, app: { context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } } });
    expect(synthesized.allWarnings()).toEqual([expect.objectContaining({
      text: expect.stringMatching(/^vpc TestStack\/Imported is imported without public subnets, so whether it has an internet gateway cannot be known at synth time: a CloudFront VPC origin needs one/),
    })]);
  });

  test('a VPC imported with public subnets has an internet gateway: no warning (the sample\'s SsmDecoupledVpc.fromParameters)', () => {
    const { synthesized } = build({ cdn: true }, (stack) => ({ vpc: SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: '/my-app/network' }) }));
    expect(synthesized.allWarnings()).toEqual([]);
  });

  test('four rate-limited paths still fit the 1,500 capacity units of the base price (1,485), a fifth does not (bad-input)', () => {
    const { json } = build({ firewall: { rateLimitedPaths: ['/wp-login.php', '/wp-signup.php', '/register/', '/contact/'] } });
    expect(webAclCapacities(json)).toEqual([1485]);
    expect(serviceLimitFindings(json)).toEqual([]);
  });

  test('the CDN in the newest region that offers VPC origins synthesizes', () => {
    const { template } = buildAndSynth((stack) => {
      const site = new WordpressFargateSite(stack, 'Blog', { cdn: true });
      Annotations.of(site).acknowledgeWarning(CDN_TIMEOUT_WARNING, 'test');
      return site;
    }, { env: { region: 'mx-central-1' } });
    template.resourceCountIs('AWS::CloudFront::VpcOrigin', 1);
  });

  test('the firewall is described with the characters AWS WAF accepts, whatever the construct id', () => {
    // "(" is fine in a construct id (and in security group descriptions) but not in a web ACL description
    const { template } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog (prod)', { firewall: {} }), { env: REGION_ENV });
    expect(only(template, 'AWS::WAFv2::WebACL').Properties.Description)
      .toBe('WordPress site TestStack/Blog -prod-: managed rules and a rate limit on logins and registrations');
  });
});

test('an alarm topic from another stack is left alone, with a warning that says what its policy must allow', () => {
  const app = testApp({ context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } });
  const alarms = new sns.Topic(new Stack(app, 'Alarms', { env: REGION_ENV }), 'Topic', { enforceSSL: true });
  const stack = new Stack(app, 'TestStack', { env: REGION_ENV });
  new WordpressFargateSite(stack, 'Blog', {
    alarmTopic: alarms,
    databaseSchedules: [{ id: 'Rush', schedule: appscaling.Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 2 }],
  });
  const synthesized = synth(app);
  expect(synthesized.template(stack).findResources('AWS::SNS::TopicPolicy')).toEqual({});
  expect(synthesized.allWarnings()).toEqual([expect.objectContaining({
    path: '/TestStack/Blog',
    text: expect.stringMatching(/^alarmTopic is not a topic of this stack, so its policy is left alone: it must allow sns:Publish for cloudwatch\.amazonaws\.com/),
  })]);
});
