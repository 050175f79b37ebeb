import * as path from 'path';
import { Annotations, Arn, ArnFormat, CfnResource, Duration, RemovalPolicy, Size, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { checkVpcOriginRegion, cloudFrontOriginFacing, createCdn, VIEWER_ADDRESS_HEADER } from './cdn';
import { createFirewall, WordpressFirewallOptions } from './firewall';
import { createMail, WordpressMailOptions } from './mail';
import { LoadBalancedFrontProps } from '../common/load-balancer-props';
import { FargateNetworkProps } from '../common/network-props';
import { ServiceScalingOptions } from '../common/scaling-options';
import { FargateTaskSizeProps } from '../common/task-props';
import { addToTopicPolicy, alarmsMayPublish } from '../private/alarm-topic';
import { ResolvedFargateSize, resolveFargateSize } from '../private/fargate-sizing';
import { createLoadBalancedService, LoadBalancedService } from '../private/load-balanced-service';
import { acknowledgeAwsCustomResourceProvider, acknowledgeNagFinding } from '../private/nag';
import { checkTaskSubnets, createsVpc, defaultTaskSubnets, NAT_FREE_LAYOUT, resolveCluster, resolveVpc, vpcCidrOf } from '../private/network';
import { addSpikeScaling, checkScheduleWindows, resolveScaling, ResolvedScaling } from '../private/scaling';
import { checkEnvironmentSize, createFargateTask, FargateTask, resolveCpuArchitecture } from '../private/task';
import { checkConstructId, checkDuration, checkMebibytes, invalid } from '../private/validation';
import { resolveWebFront, WebFront } from '../private/web-front';

export type { WordpressFirewallOptions } from './firewall';
export type { WordpressMailOptions } from './mail';

/** The build contexts of the two images, shipped in the npm package. */
const ASSETS = path.join(__dirname, '..', '..', 'assets', 'wordpress');
/** www-data in the official (Debian-based) WordPress image. */
const WWW_DATA = '33';
/** Where both containers see the shared web root. */
const WEB_ROOT = '/var/www/html';
/** What the nginx image's metrics script publishes (assets/wordpress/nginx/cfb-metrics): where, and how often. */
const LOAD_SIGNAL_NAMESPACE = 'CdkFargateBlueprints/WordPress';
const LOAD_SIGNAL_PERIOD = Duration.seconds(10);
/** PHP's max_execution_time in the shipped image (assets/wordpress/php/zz-cfb-wordpress.ini). */
const PHP_MAX_EXECUTION_SECONDS = 600;
/**
 * How much longer nginx keeps an idle keep-alive connection than the load balancer in
 * front of it. Elastic Load Balancing: "configure the idle timeout of your application to
 * be larger than the idle timeout configured for the load balancer. Otherwise [...] the
 * load balancer sends an HTTP 502" (Application Load Balancer User Guide, "Connection idle
 * timeout"). The load balancer then always closes an idle connection first.
 */
const NGINX_KEEPALIVE_MARGIN_SECONDS = 30;
/** The longest idle timeout an Application Load Balancer takes: what a load balancer given may have. */
const ALB_MAX_IDLE_TIMEOUT_SECONDS = 4000;
/** Memory per php-fpm worker the construct plans with, and what nginx keeps for itself. */
const MIB_PER_PHP_WORKER = 64;
const MIB_FOR_NGINX = 256;

/**
 * The Aurora MySQL Serverless v2 database of a `WordpressFargateSite`.
 */
export interface WordpressDatabaseOptions {
  /**
   * The lowest capacity in Aurora capacity units (ACU), from 0 to 256 in steps of 0.5.
   *
   * 0 lets the database pause after `autoPauseAfter` without connections, which leaves
   * only storage to pay for; the first request after a pause waits while it resumes
   * (about 15 seconds). Use 0.5 or more for a site that must always answer at once.
   *
   * @default 0
   */
  readonly minCapacity?: number;

  /**
   * The highest capacity in ACUs, from 1 to 256 in steps of 0.5.
   *
   * It also sets how many connections the database accepts (MySQL's `max_connections`,
   * fixed by the maximum, not the current, capacity): about 90 at 1 ACU, 135 at 4, 1,000
   * at 8, 2,000 at 16, 3,000 at 32. Every php-fpm worker of every task may hold one; the
   * construct warns when `scaling.maxCapacity` tasks could open more. A raised maximum
   * takes effect for connections after the database restarts. Serverless v2 bills the
   * capacity used, not the maximum.
   *
   * @default 8
   */
  readonly maxCapacity?: number;

  /**
   * How long the database waits without connections before it pauses (only with
   * `minCapacity` 0), from 5 minutes to 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly autoPauseAfter?: Duration;

  /**
   * How long automated backups are kept, from 1 to 35 days.
   *
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * The Aurora MySQL version (3.08 or later, for pausing at 0 ACU).
   *
   * @default rds.AuroraMysqlEngineVersion.VER_3_12_0
   */
  readonly engineVersion?: rds.AuroraMysqlEngineVersion;

  /**
   * Whether the cluster can only be deleted after this is turned off (also by
   * CloudFormation: set it to false before deleting the stack).
   *
   * The protection is turned on once everything else of the site exists (a custom
   * resource after the service, the CDN and the firewall), so that a first deployment that
   * fails before rolls back cleanly instead of stopping in ROLLBACK_FAILED on a protected
   * database.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * A window in which the database keeps a higher minimum capacity, for example during a
 * registration rush: a database that is paused or at its floor would take seconds to
 * catch up with a sudden load.
 */
export interface DatabaseCapacitySchedule {
  /**
   * Names the schedule; unique among the database schedules (part of the construct id).
   */
  readonly id: string;

  /**
   * When the capacity changes, for example `Schedule.cron({ hour: '8', minute: '45' })`.
   */
  readonly schedule: appscaling.Schedule;

  /**
   * The minimum capacity from then on, in ACUs (0 to let it pause again).
   */
  readonly minCapacity: number;

  /**
   * The maximum capacity from then on, in ACUs.
   *
   * @default - the database's `maxCapacity`
   */
  readonly maxCapacity?: number;

  /**
   * The time zone of `schedule`.
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

/**
 * Properties of a `WordpressFargateSite`.
 */
export interface WordpressFargateSiteProps extends FargateTaskSizeProps, FargateNetworkProps, LoadBalancedFrontProps {
  // ---------------------------------------------------------------- where it runs

  /**
   * An existing load balancer to add the site's listener to (as the seed's network stack
   * provides one). It must not have a listener on the site's ports yet; the construct
   * neither changes its attributes nor its access logs.
   *
   * @default - a new load balancer
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  // ---------------------------------------------------------------- WordPress

  /**
   * The largest file an author can upload: PHP's upload_max_filesize; PHP's
   * post_max_size and nginx's client_max_body_size allow 1 MiB more for the rest of the
   * form. From 1 MiB to 4 GiB.
   *
   * @default Size.mebibytes(64)
   */
  readonly uploadMaxSize?: Size;

  /**
   * How long nginx keeps an anonymous page in its micro-cache (on each task's own disk),
   * from 0 to 1 hour in whole seconds; `Duration.seconds(0)` turns the cache off. A page
   * then costs one PHP request per TTL and task however many visitors reload it; logged-in
   * visitors, the administration, the login, previews and every POST always reach PHP.
   * Anonymous visitors see a change within the TTL; with `cdn`, CloudFront's edges keep
   * anonymous pages as long too, and a change shows within about twice the TTL.
   *
   * @default Duration.seconds(5)
   */
  readonly pageCacheTtl?: Duration;

  /**
   * The prefix of WordPress' database tables.
   *
   * @default 'wp_'
   */
  readonly tablePrefix?: string;

  /**
   * PHP added to wp-config.php (`WORDPRESS_CONFIG_EXTRA` of the official image), for
   * example `define('DISALLOW_FILE_EDIT', true);`. With `domainName`, the construct also
   * defines WP_HOME and WP_SITEURL.
   *
   * @default - none
   */
  readonly wordpressConfigExtra?: string;

  /**
   * The nginx image; the metrics sidecar runs it too. An image of your own should be
   * built `FROM` the shipped one (assets/wordpress/nginx), which brings the page cache,
   * the status server on the task's loopback and the `cfb-metrics` script: without the
   * script the sidecar stops at once and the 10-second scale-out has no signal (CPU still
   * scales the site).
   *
   * @default - built from the Dockerfile shipped in assets/wordpress/nginx
   */
  readonly nginxImage?: ecs.ContainerImage;

  /**
   * The WordPress (php-fpm) image. An image of your own should keep the behaviour of
   * the shipped one (assets/wordpress/php), which installs WordPress onto an empty file
   * system atomically (a copy of its own, renamed into place): without it, tasks that
   * start together race to install WordPress, and the construct warns.
   *
   * @default - built from the Dockerfile shipped in assets/wordpress/php
   */
  readonly wordpressImage?: ecs.ContainerImage;

  /**
   * The database.
   *
   * @default - Aurora MySQL Serverless v2, 0 to 8 ACUs, pausing after 5 minutes, 7 days of backups
   */
  readonly database?: WordpressDatabaseOptions;

  /**
   * Windows with a higher database floor, for example before a registration rush.
   *
   * @default - none
   */
  readonly databaseSchedules?: DatabaseCapacitySchedule[];

  /**
   * The topic the site's alarms notify, for example when a database schedule could not
   * change the capacity. A topic of the same stack gets a statement in its policy that
   * lets CloudWatch publish for these alarms only (its policy then replaces SNS's default
   * one, as any CDK-written topic policy does); a topic from elsewhere must allow that
   * itself, and the construct warns.
   *
   * @default - no notification: the alarms show in CloudWatch only
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * What happens to the database and the file system when they leave the stack:
   * `SNAPSHOT` takes a final snapshot of the database and keeps the file system,
   * `RETAIN` keeps both, `DESTROY` deletes both (and needs `database.deletionProtection`
   * false). Unless `DESTROY`, the file system is kept too when an update replaces it,
   * and deleted only when the deployment that created it rolls back (nothing is in it
   * yet); the database secret is always kept with the database or its snapshot.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  // ---------------------------------------------------------------- the tasks

  /**
   * Auto scaling of the tasks: bounds, targets, fast scale-out and pre-warm windows.
   *
   * @default - 1 to 10 tasks, CPU target 50%, fast scale-out on php-fpm's busy share every 10 seconds and on CPU every
   * minute; with `pageCacheTtl` 0 also 600 requests per task and minute
   */
  readonly scaling?: ServiceScalingOptions;

  /**
   * Allow `aws ecs execute-command` into the containers.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  // ---------------------------------------------------------------- the load balancer

  /**
   * The path of the load balancer's health check. The default is answered by nginx
   * itself: it works before WordPress is installed and never wakes the database.
   *
   * @default '/healthz'
   */
  readonly healthCheckPath?: string;

  /**
   * How long ECS ignores failing load balancer health checks of a starting task: the
   * first task on an empty file system installs WordPress onto it (php-fpm's start
   * period is 180 seconds), later ones start in seconds.
   *
   * @default Duration.seconds(240)
   */
  readonly healthCheckGracePeriod?: Duration;

  // ---------------------------------------------------------------- in front of the site

  /**
   * Put a CloudFront distribution in front of the site. The load balancer is then
   * internal and admits CloudFront's origin-facing servers alone (the managed prefix list
   * a VPC origin's requests come from), so no visitor bypasses the CDN; nginx takes the
   * visitor's address from the header CloudFront's viewer-request function writes. The
   * VPC needs an internet gateway and the region VPC origins (both checked at synth). Anonymous pages are served from CloudFront's edges
   * for `pageCacheTtl` (a change shows after at most about twice that: the edge's copy
   * may be made from nginx's), static files as long as their headers say (7 days);
   * logged-in visitors, the administration, the login, previews and every POST always
   * reach WordPress. With `certificate` (which must then be in us-east-1) and `domainName`,
   * the distribution serves the domain; otherwise its own cloudfront.net name.
   *
   * @default false
   */
  readonly cdn?: boolean;

  /**
   * How long CloudFront waits for the site's answer (the origin response timeout), with
   * `cdn`: from 1 to 180 seconds in whole seconds. CloudFront's default quota "Response
   * timeout per origin" allows up to 120 seconds; more needs an approved quota increase,
   * or the deployment fails. A request PHP works on longer (PHP may run 600 seconds: an
   * import, an update) gets a 504 from CloudFront while PHP goes on, and the construct
   * warns: run such work through ECS Exec and WP-CLI, or acknowledge the warning.
   *
   * @default Duration.seconds(60)
   */
  readonly cdnOriginReadTimeout?: Duration;

  /**
   * An AWS WAF web ACL on the load balancer: AWS's managed rules for WordPress, PHP, SQL
   * injection, known bad inputs and the common rule set, and a rate limit per client on
   * login and registration submissions. Their rules on the request body spare a logged-in
   * editor posting to `/wp-admin/` or `/wp-json/` (the block editor saves HTML there);
   * `/xmlrpc.php` is blocked. Its `firewallBlockedRequests` metric counts what it blocks.
   *
   * @default - no firewall
   */
  readonly firewall?: WordpressFirewallOptions;

  /**
   * Mail: WordPress' `wp_mail()` (new accounts, password resets, form plugins) sends
   * through Amazon SES from `mail.fromAddress` with the task role, no SMTP credentials.
   * An SES identity with Easy DKIM is created for the address's domain (its DKIM records
   * go into `domainZone` when given, otherwise they are stack outputs to add to the DNS);
   * bounces and complaints go to `alarmTopic` (or a new topic, `mailTopic`), and an alarm
   * watches the account's bounce rate. A new SES account sends only to verified
   * addresses until production access is granted.
   *
   * @default - no mail: the official WordPress image has no mail transport, so `wp_mail()` fails
   */
  readonly mail?: WordpressMailOptions;
}

/**
 * WordPress on ECS Fargate that survives a registration rush: nginx and php-fpm in one
 * task, the web root on a shared, encrypted EFS file system, the database on Aurora
 * MySQL Serverless v2, behind an Application Load Balancer.
 *
 * For a site that is quiet most of the year and overrun at known times, it scales fast
 * (target tracking on requests and CPU plus a step scale-out that reacts within about a
 * minute), pre-warms tasks and the database on a schedule, and pays little while idle
 * (one task, a database that pauses, EFS storage). WordPress' keys and salts are
 * generated once and shared by every task; the data survives the stack by default.
 *
 * With `certificate`, WordPress sees that visitors use HTTPS (nginx passes the load
 * balancer's `X-Forwarded-Proto` on) and `FORCE_SSL_ADMIN` is set; with `domainName`,
 * it is WordPress' home and site URL (WP_HOME, WP_SITEURL).
 *
 * @exampleMetadata fixture=construct
 * @example
 * const site = new WordpressFargateSite(this, 'Blog', {
 *   scaling: {
 *     minCapacity: 1,
 *     maxCapacity: 20,
 *     schedules: [
 *       { id: 'RushStarts', schedule: appscaling.Schedule.cron({ month: '3', day: '1', hour: '8', minute: '45' }), minCapacity: 8 },
 *       { id: 'RushEnds', schedule: appscaling.Schedule.cron({ month: '3', day: '1', hour: '10', minute: '0' }), minCapacity: 1 },
 *     ],
 *   },
 * });
 */
export class WordpressFargateSite extends Construct {
  /** The VPC of the site. */
  public readonly vpc: ec2.IVpc;
  /** The cluster the tasks run in. */
  public readonly cluster: ecs.ICluster;
  /** The aws-ecs-patterns construct the service is built on. */
  public readonly loadBalancedService: ecsPatterns.ApplicationLoadBalancedFargateService;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition with the two containers. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** nginx: receives the load balancer's traffic on port 80. */
  public readonly nginxContainer: ecs.ContainerDefinition;
  /** WordPress (php-fpm): listens on port 9000 for nginx. */
  public readonly wordpressContainer: ecs.ContainerDefinition;
  /**
   * The metrics sidecar (nginx's image, not essential): every 10 seconds it publishes how
   * busy php-fpm is, which drives the scale-out within a minute.
   */
  public readonly metricsContainer: ecs.ContainerDefinition;
  /**
   * The share of php-fpm's workers busy, averaged over the tasks, every 10 seconds
   * (CdkFargateBlueprints/WordPress PhpBusyPercent of this site), which the fast scale-out
   * steps on; also to alarm on or chart.
   */
  public readonly phpBusyMetric: cloudwatch.IMetric;
  /** The load balancer (the one given, or the one created). */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The listener that forwards to the site. */
  public readonly listener: elbv2.ApplicationListener;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The Aurora MySQL Serverless v2 cluster. */
  public readonly database: rds.DatabaseCluster;
  /** The generated secret with the database user, password, host and name. */
  public readonly databaseSecret: secretsmanager.ISecret;
  /** The secret with WordPress' keys and salts, generated once. */
  public readonly keysAndSaltsSecret: secretsmanager.Secret;
  /** The shared file system of the web root. */
  public readonly fileSystem: efs.FileSystem;
  /** The access point the tasks mount (as www-data). */
  public readonly accessPoint: efs.AccessPoint;
  /** The auto scaling of the task count (the `scaling` prop configures it). */
  public readonly scalableTaskCount: ecs.ScalableTaskCount;
  /**
   * Where the database schedules' changes end up that failed after their retries.
   *
   * @default - undefined without `databaseSchedules`
   */
  public readonly databaseSchedulesDeadLetterQueue?: sqs.IQueue;
  /**
   * The alarm on failed database schedules (a message in their dead-letter queue); it
   * notifies `alarmTopic`.
   *
   * @default - undefined without `databaseSchedules`
   */
  public readonly databaseSchedulesAlarm?: cloudwatch.Alarm;
  /** The log group of both containers. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The bucket of the load balancer's access logs.
   *
   * @default - undefined without access logs
   */
  public readonly accessLogsBucket?: s3.IBucket;
  /**
   * The CloudFront distribution in front of the site.
   *
   * @default - undefined without `cdn`
   */
  public readonly distribution?: cloudfront.Distribution;
  /**
   * The AWS WAF web ACL on the load balancer.
   *
   * @default - undefined without `firewall`
   */
  public readonly firewallWebAcl?: wafv2.CfnWebACL;
  /**
   * The requests the firewall blocked (AWS/WAFV2 BlockedRequests of the web ACL, sum per
   * minute), to alarm on.
   *
   * @default - undefined without `firewall`
   */
  public readonly firewallBlockedRequests?: cloudwatch.IMetric;
  /** The URL of the site: its domain, or the CDN's or the load balancer's DNS name. */
  /**
   * The SES identity the site sends as.
   *
   * @default - undefined without `mail`
   */
  public readonly mailIdentity?: ses.IEmailIdentity;
  /**
   * The SES configuration set of the site's mail (bounces and complaints go to `mailTopic`).
   *
   * @default - undefined without `mail`
   */
  public readonly mailConfigurationSet?: ses.ConfigurationSet;
  /**
   * The topic that receives bounces, complaints and the bounce rate alarm: `alarmTopic`,
   * or a new one to subscribe to.
   *
   * @default - undefined without `mail`
   */
  public readonly mailTopic?: sns.ITopic;
  /**
   * The alarm on the SES account's bounce rate (Reputation.BounceRate); it notifies `mailTopic`.
   *
   * @default - undefined without `mail`
   */
  public readonly mailBounceRateAlarm?: cloudwatch.Alarm;
  public readonly url: string;
  /** The secret CDK generated for the database (databaseSecret is its attachment to the cluster). */
  private readonly generatedDatabaseSecret: rds.DatabaseSecret;
  /** Where the tasks run: the public subnets of a VPC of its own, else the private subnets with egress. */
  private readonly taskSubnets: ec2.SubnetSelection;
  /** Where the file system's mount targets are: the isolated subnets of a VPC of its own, else the private ones with egress. */
  private readonly dataSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: WordpressFargateSiteProps = {}) {
    super(scope, id);
    checkConstructId(this);
    const settings = resolveSiteSettings(this, props);

    // network
    // a VPC of its own has no NAT gateway: the tasks run in its public subnets with a public
    // IP, the database and the file system in its isolated ones
    const ownVpc = createsVpc(props);
    this.vpc = resolveVpc(this, props, NAT_FREE_LAYOUT);
    this.taskSubnets = defaultTaskSubnets(props);
    this.dataSubnets = ownVpc ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    checkTaskSubnets(this, this.vpc, props, { default: this.taskSubnets });
    if (settings.cdn) {
      checkVpcOriginPrerequisites(this, this.vpc);
    }
    this.cluster = resolveCluster(this, this.vpc, props);

    // storage: the shared web root, the database and the secrets
    this.fileSystem = this.createFileSystem(settings.removalPolicy);
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: '/wordpress',
      posixUser: { uid: WWW_DATA, gid: WWW_DATA },
      createAcl: { ownerUid: WWW_DATA, ownerGid: WWW_DATA, permissions: '755' },
    });
    this.generatedDatabaseSecret = new rds.DatabaseSecret(this, 'DatabaseSecret', { username: 'wordpress', dbname: 'wordpress' });
    // a kept database (or its final snapshot) is only usable with its password: keep them
    // together, also after a failed first deployment (whose rollback snapshots the database)
    this.generatedDatabaseSecret.applyRemovalPolicy(settings.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    this.database = this.createDatabase(settings.database, this.generatedDatabaseSecret, settings.removalPolicy);
    this.databaseSecret = this.database.secret!;
    // one secret of 512 characters, cut into WordPress' eight keys and salts by the image
    this.keysAndSaltsSecret = new secretsmanager.Secret(this, 'KeysAndSalts', {
      description: `WordPress keys and salts of ${this.node.path}: 8 x 64 characters`,
      generateSecretString: { passwordLength: 512, excludePunctuation: true },
    });

    // the task: nginx and php-fpm sharing the web root
    const task = this.createTask({ ...props, cpuArchitecture: settings.cpuArchitecture }, settings.size);
    this.taskDefinition = task.taskDefinition;
    this.logGroup = task.logGroup;
    const platform = settings.cpuArchitecture === ecs.CpuArchitecture.ARM64 ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64;
    const nginxImage = props.nginxImage ?? ecs.ContainerImage.fromAsset(path.join(ASSETS, 'nginx'), { platform });
    this.nginxContainer = this.addNginxContainer(task, nginxImage, settings);
    this.wordpressContainer = this.addWordpressContainer(task, props.wordpressImage ?? ecs.ContainerImage.fromAsset(path.join(ASSETS, 'php'), { platform }), settings);
    this.metricsContainer = this.addMetricsContainer(task, nginxImage);
    this.nginxContainer.addContainerDependencies({ container: this.wordpressContainer, condition: ecs.ContainerDependencyCondition.HEALTHY });

    // the service behind the load balancer, which admits CloudFront's VPC origin alone with the CDN
    const web = this.createService(props, settings, settings.cdn ? cloudFrontOriginFacing(this) : undefined);
    ({
      loadBalancedService: this.loadBalancedService, service: this.service, loadBalancer: this.loadBalancer, listener: this.listener,
      targetGroup: this.targetGroup, accessLogsBucket: this.accessLogsBucket, scalableTaskCount: this.scalableTaskCount,
    } = web);
    this.phpBusyMetric = this.scaleOutOnBusyPhp(settings.scaling);

    // in front of the site
    if (settings.cdn) {
      this.distribution = createCdn(this, {
        ...props,
        loadBalancer: this.loadBalancer,
        listenerPort: settings.front.listenerPort,
        originReadTimeout: settings.cdnOriginReadTimeout,
        internetConnectivity: internetGatewayAttached(this.vpc),
        firewall: props.firewall !== undefined,
        pageCacheTtl: Duration.seconds(settings.pageCacheSeconds),
      });
      // the load balancer of a VPC origin too (CloudFront Developer Guide, VPC origins' prerequisites)
      this.loadBalancer.node.addDependency(internetGatewayAttached(this.vpc));
    }
    if (props.firewall) {
      const firewall = createFirewall(this, this.loadBalancer, props.firewall, settings.cdn ? VIEWER_ADDRESS_HEADER : undefined);
      this.firewallWebAcl = firewall.webAcl;
      this.firewallBlockedRequests = firewall.blockedRequests;
    }
    if (props.mail) {
      const mail = createMail(this, props.mail, this.taskDefinition.taskRole, props.domainZone, props.alarmTopic);
      ({
        identity: this.mailIdentity, configurationSet: this.mailConfigurationSet, topic: this.mailTopic, bounceRateAlarm: this.mailBounceRateAlarm,
      } = mail);
      for (const [name, value] of Object.entries(mail.environment)) {
        this.wordpressContainer.addEnvironment(name, value);
      }
    }
    this.url = this.distribution ? `https://${props.domainName ?? this.distribution.distributionDomainName}` : web.url;

    // the data is reachable from the tasks only, and the tasks start once they can mount it
    this.database.connections.allowDefaultPortFrom(this.service, 'from the WordPress tasks');
    this.fileSystem.connections.allowDefaultPortFrom(this.service, 'from the WordPress tasks');
    // the tasks start once they can mount the file system and reach the database: after the
    // mount targets, and after the rules of the two security groups that admit the tasks
    // (separate SecurityGroupIngress resources, which CloudFormation may create last)
    this.service.node.defaultChild!.node.addDependency(
      this.fileSystem.mountTargetsAvailable,
      ...this.fileSystem.connections.securityGroups,
      ...this.database.connections.securityGroups,
    );

    if (settings.databaseSchedules.length > 0) {
      const deadLetterQueue = this.createDatabaseSchedulesDeadLetterQueue();
      settings.databaseSchedules.forEach((window) => this.scheduleDatabaseCapacity(window, settings.database, deadLetterQueue));
      this.databaseSchedulesDeadLetterQueue = deadLetterQueue;
      this.databaseSchedulesAlarm = this.alarmOnFailedDatabaseSchedules(deadLetterQueue, props.alarmTopic);
    }
    this.protectDatabaseOnceDeployed(settings.database.deletionProtection);
    this.acknowledgeNagFindings(props.enableExecuteCommand);
  }

  /**
   * Deletion protection, turned on by a custom resource (`DatabaseDeletionProtection`,
   * RDS ModifyDBCluster) that CloudFormation creates after every other resource of the
   * site. The cluster is created unprotected: when a first deployment fails before the
   * end (an image that does not start, a quota), its rollback deletes the cluster (with a
   * final snapshot unless the removal policy is DESTROY) instead of stopping in
   * ROLLBACK_FAILED on a protected database. From then on the cluster is protected; the
   * resource sets the prop's value on every change of it and does nothing when deleted,
   * so deleting the stack never lifts the protection.
   */
  private protectDatabaseOnceDeployed(deletionProtection: boolean): void {
    const cluster = Stack.of(this).formatArn({
      service: 'rds', resource: 'cluster', resourceName: this.database.clusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const modify: cr.AwsSdkCall = {
      service: 'RDS',
      action: 'modifyDBCluster',
      parameters: { DBClusterIdentifier: this.database.clusterIdentifier, DeletionProtection: deletionProtection, ApplyImmediately: true },
      physicalResourceId: cr.PhysicalResourceId.of(`${this.database.clusterIdentifier}-deletion-protection`),
      // the response describes the whole cluster, more than a custom resource may return
      outputPaths: ['DBCluster.DeletionProtection'],
    };
    const protection = new cr.AwsCustomResource(this, 'DatabaseDeletionProtection', {
      onCreate: modify,
      onUpdate: modify,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['rds:ModifyDBCluster'], resources: [cluster] })]),
      installLatestAwsSdk: false,
    });
    // after everything else of the site: it is the last thing a first deployment creates
    // (but for resources that exist only under a condition: the CDN's log bucket, which
    // a DependsOn may not name where the condition is false). Only the call waits: its IAM
    // policy is created with the cluster, long before, because a policy attached just before
    // the call may not have reached IAM yet and the call would fail with AccessDenied at the
    // very end of a first deployment (aws/aws-cdk#23340, #37675), rolling all of it back.
    const others = this.node.findAll().filter((c) => c instanceof CfnResource && !c.cfnOptions.condition
      && !c.node.path.startsWith(protection.node.path + '/'));
    protection.node.findChild('Resource').node.addDependency(...others);
    acknowledgeAwsCustomResourceProvider(protection);
    if (deletionProtection) {
      acknowledgeNagFinding(this.database, 'AwsSolutions-RDS10',
        'Deletion protection is on: the DatabaseDeletionProtection custom resource turns it on once the rest of the site exists, '
        + 'so that a failed first deployment can roll back; the template leaves it to that resource.');
    }
  }

  /**
   * The Site dimension of the load signal: the stack's name and the path within it, so
   * sites of two stacks that share construct ids (a stage deployed twice into one
   * account and region under different stack names) never share a metric.
   */
  private get loadSignalSite(): string {
    const stack = Stack.of(this);
    const within = this.node.scopes.slice(stack.node.scopes.length).map((scope) => scope.node.id);
    return [stack.stackName, ...within].join('/');
  }

  /**
   * The metrics sidecar: the nginx image's `cfb-metrics` script reads php-fpm's and nginx's
   * status on the task's loopback every 2 seconds and prints, every 10 seconds, one line of
   * CloudWatch embedded metric format, which the log driver ships and CloudWatch turns into
   * high-resolution metrics. Not essential: without it the site serves on, scaling on CPU.
   */
  private addMetricsContainer(task: FargateTask, image: ecs.ContainerImage): ecs.ContainerDefinition {
    return task.taskDefinition.addContainer('metrics', {
      containerName: 'metrics',
      image,
      command: ['/usr/local/bin/cfb-metrics'],
      essential: false,
      cpu: 16,
      memoryLimitMiB: 32,
      readonlyRootFilesystem: true,
      user: '101',
      environment: {
        CFB_METRICS_SITE: this.loadSignalSite,
        CFB_METRICS_INTERVAL: String(LOAD_SIGNAL_PERIOD.toSeconds()),
      },
      logging: task.logDriver('metrics'),
    });
  }

  /**
   * Scale-out within a minute of a spike: a step policy on a single 10-second datapoint of
   * php-fpm's busy share (the page cache keeps cheap reloads out of it), +50% tasks from
   * 60%, +100% from 85%. Target tracking on CPU brings the count back down.
   */
  private scaleOutOnBusyPhp(scaling: ResolvedScaling): cloudwatch.IMetric {
    const metric = new cloudwatch.Metric({
      namespace: LOAD_SIGNAL_NAMESPACE,
      metricName: 'PhpBusyPercent',
      dimensionsMap: { Site: this.loadSignalSite },
      statistic: 'Average',
      period: LOAD_SIGNAL_PERIOD,
    });
    if (scaling.fastScaleOut) {
      addSpikeScaling(this.scalableTaskCount, 'PhpBusySpikeScaling', metric, { from: 60, doubleFrom: 85, cooldown: scaling.scaleOutCooldown });
    }
    return metric;
  }

  /**
   * The service behind the load balancer (the shared building block). With the CDN,
   * certificate and domain name belong to CloudFront and the load balancer is internal.
   */
  private createService(props: WordpressFargateSiteProps, settings: SiteSettings, cloudFront?: ec2.IPeer): LoadBalancedService {
    return createLoadBalancedService(this, {
      front: settings.front,
      scaling: settings.scaling,
      loadBalancer: props.loadBalancer,
      publicLoadBalancer: !settings.cdn && (props.publicLoadBalancer ?? true),
      // with the CDN, only CloudFront's VPC origin, whose requests come from CloudFront's
      // origin-facing addresses, not the VPC's range (CloudFront Developer Guide, VPC origins)
      internalIngress: cloudFront ? { peer: cloudFront, description: 'from CloudFront (VPC origin)' } : undefined,
      certificate: settings.cdn ? undefined : props.certificate,
      domainName: settings.cdn ? undefined : props.domainName,
      domainZone: settings.cdn ? undefined : props.domainZone,
      accessLogsBucket: props.accessLogsBucket,
      enableExecuteCommand: props.enableExecuteCommand,
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      taskSubnets: this.taskSubnets,
    });
  }

  /**
   * The web root: encrypted, elastic throughput (a small file system gets little burst
   * throughput, elastic follows a rush), backed up, TLS only, kept unless the site's
   * removal policy is DESTROY.
   */
  private createFileSystem(removalPolicy: RemovalPolicy): efs.FileSystem {
    const fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: this.vpc,
      vpcSubnets: this.dataSubnets,
      encrypted: true,
      throughputMode: efs.ThroughputMode.ELASTIC,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      enableAutomaticBackups: true,
      // not "allow anonymous access": the policy below allows no anonymous client, but
      // with false aws-cdk-lib would add a statement giving every IAM principal that
      // reaches a mount target root access (ClientRootAccess to AWS: *)
      allowAnonymousAccess: true,
      // kept unless DESTROY, when the stack or the construct goes or an update replaces it,
      // but deleted by the rollback of the deployment that created it (RetainExceptOnCreate):
      // a failed first deployment leaves no file system behind
      removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    fileSystem.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    return fileSystem;
  }

  /**
   * The tasks' role, and nobody else, may mount the web root and write to it, only
   * through an access point (as www-data, never as root), only over TLS. The role's own
   * policy names the site's access point; the file system's policy cannot (the access
   * point is created after the file system), so it admits the role through any access
   * point of the account, of which this file system has one.
   */
  private grantWebRoot(taskRole: iam.IRole): void {
    const actions = ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'];
    const viaMountTarget = { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } };
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions,
      resources: [this.fileSystem.fileSystemArn],
      conditions: { ...viaMountTarget, StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn } },
    }));
    const anyAccessPoint = Stack.of(this).formatArn({ service: 'elasticfilesystem', resource: 'access-point', resourceName: '*' });
    this.fileSystem.addToResourcePolicy(new iam.PolicyStatement({
      actions,
      principals: [taskRole],
      conditions: { ...viaMountTarget, ArnLike: { 'elasticfilesystem:AccessPointArn': anyAccessPoint } },
    }));
  }

  /**
   * Aurora MySQL Serverless v2 in the isolated subnets when the VPC has them (else the
   * private ones), encrypted, backed up, removed as the site's removal policy says.
   */
  private createDatabase(database: ResolvedDatabase, secret: rds.DatabaseSecret, removalPolicy: RemovalPolicy): rds.DatabaseCluster {
    const cluster = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: database.engineVersion }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      serverlessV2MinCapacity: database.minCapacity,
      serverlessV2MaxCapacity: database.maxCapacity,
      serverlessV2AutoPauseDuration: database.minCapacity === 0 ? database.autoPauseAfter : undefined,
      // dbname in the secret too: the tasks read user, password and database name from it
      credentials: rds.Credentials.fromSecret(secret),
      defaultDatabaseName: 'wordpress',
      vpc: this.vpc,
      vpcSubnets: this.vpc.isolatedSubnets.length > 0
        ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
        : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      storageEncrypted: true,
      backup: { retention: database.backupRetention },
      removalPolicy,
    });
    // No DeletionProtection in the template: protectDatabaseOnceDeployed turns it on once
    // the rest of the site exists. Absent, CloudFormation creates the cluster unprotected
    // (RDS's default) and leaves the protection alone on every later update and rollback
    // (its resource handler sends ModifyDBCluster the template's DeletionProtection, and
    // nothing when the template has none); a false would switch it off again at each one.
    (cluster.node.defaultChild as rds.CfnDBCluster).addPropertyDeletionOverride('DeletionProtection');
    // the CloudFormation validator of older aws-cdk-lib releases (2.262's) asks every DB instance
    // for StorageEncrypted, which an Aurora instance does not take: the cluster encrypts the storage
    Validations.of(cluster.node.findChild('Writer')).acknowledge({
      id: 'CloudFormation-Validate::W9008',
      reason: 'Aurora encrypts storage per cluster (StorageEncrypted: true on the cluster); an Aurora DB instance has no StorageEncrypted of its own.',
    });
    return cluster;
  }

  /** The task definition with the web root as an EFS volume (TLS, through the access point, with IAM authorization). */
  private createTask(props: Pick<WordpressFargateSiteProps, 'logRetention'> & { readonly cpuArchitecture: ecs.CpuArchitecture }, size: ResolvedFargateSize): FargateTask {
    const task = createFargateTask(this, {
      ...props,
      size,
      volumes: [{
        name: 'wordpress',
        efsVolumeConfiguration: {
          fileSystemId: this.fileSystem.fileSystemId,
          transitEncryption: 'ENABLED',
          authorizationConfig: { accessPointId: this.accessPoint.accessPointId, iam: 'ENABLED' },
        },
      }],
    });
    this.grantWebRoot(task.taskDefinition.taskRole);
    return task;
  }

  /**
   * nginx, first: the first essential container is the one the load balancer targets.
   * It serves the web root read-only and answers its own health check.
   */
  private addNginxContainer(task: FargateTask, image: ecs.ContainerImage, settings: SiteSettings): ecs.ContainerDefinition {
    const container = task.taskDefinition.addContainer('nginx', {
      containerName: 'nginx',
      image,
      essential: true,
      portMappings: [{ containerPort: 80, protocol: ecs.Protocol.TCP }],
      environment: {
        NGINX_CLIENT_MAX_BODY_SIZE: `${settings.uploadMaxMiB + 1}m`,
        NGINX_PAGE_CACHE_TTL: String(settings.pageCacheSeconds),
        // the proxy whose word on the visitor's address nginx believes: the load balancer, in the VPC
        NGINX_REAL_IP_FROM: vpcCidrOf(this.vpc, this.node.path, 'nginx believes the visitor\'s address only from proxies in it'),
        // Where the load balancer says who the visitor is. Its own X-Forwarded-For ends with
        // the address of its client, which behind the CDN is a CloudFront server: there the
        // visitor's address is the header CloudFront's viewer-request function writes (it
        // replaces any a visitor sends), and CloudFront alone reaches the load balancer.
        // nginx matches header names in any case (the image test sends X-Cfb-Viewer-Address)
        NGINX_REAL_IP_HEADER: settings.cdn ? VIEWER_ADDRESS_HEADER : 'X-Forwarded-For',
        // only CloudFront reaches the load balancer then: its CloudFront-Forwarded-Proto can be believed
        NGINX_BEHIND_CDN: settings.cdn ? '1' : '0',
        // longer than the load balancer's idle timeout, so that the load balancer closes an idle connection first
        NGINX_KEEPALIVE_TIMEOUT: `${settings.nginxKeepaliveSeconds}s`,
      },
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/healthz || exit 1'],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      logging: task.logDriver('nginx'),
    });
    container.addMountPoints({ sourceVolume: 'wordpress', containerPath: WEB_ROOT, readOnly: true });
    return container;
  }

  /**
   * WordPress on php-fpm: database settings from the environment and the database secret,
   * keys and salts from their secret, PHP limits from the props, the web root read-write.
   */
  private addWordpressContainer(task: FargateTask, image: ecs.ContainerImage, settings: SiteSettings): ecs.ContainerDefinition {
    const container = task.taskDefinition.addContainer('wordpress', {
      containerName: 'wordpress',
      image,
      essential: true,
      portMappings: [{ containerPort: 9000, protocol: ecs.Protocol.TCP }],
      environment: {
        WORDPRESS_DB_HOST: this.database.clusterEndpoint.socketAddress,
        WORDPRESS_TABLE_PREFIX: settings.tablePrefix,
        PHP_UPLOAD_MAX_FILESIZE: `${settings.uploadMaxMiB}M`,
        PHP_POST_MAX_SIZE: `${settings.uploadMaxMiB + 1}M`,
        PHP_FPM_MAX_CHILDREN: String(settings.phpWorkers),
        ...(settings.configExtra ? { WORDPRESS_CONFIG_EXTRA: settings.configExtra } : {}),
      },
      secrets: {
        WORDPRESS_DB_USER: ecs.Secret.fromSecretsManager(this.databaseSecret, 'username'),
        WORDPRESS_DB_PASSWORD: ecs.Secret.fromSecretsManager(this.databaseSecret, 'password'),
        WORDPRESS_DB_NAME: ecs.Secret.fromSecretsManager(this.databaseSecret, 'dbname'),
        WORDPRESS_KEYS_AND_SALTS: ecs.Secret.fromSecretsManager(this.keysAndSaltsSecret),
      },
      healthCheck: {
        // php-fpm accepts connections (no request, so no database access)
        command: ['CMD-SHELL', 'php -r \'exit(@fsockopen("127.0.0.1", 9000) ? 0 : 1);\''],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        // the first task on an empty file system installs WordPress onto it (seconds to
        // tens of seconds on EFS, after up to 60 s waiting for another task's install);
        // later starts take milliseconds
        startPeriod: Duration.seconds(180),
      },
      logging: task.logDriver('wordpress'),
    });
    container.addMountPoints({ sourceVolume: 'wordpress', containerPath: WEB_ROOT, readOnly: false });
    return container;
  }

  /** Changes the database's capacity range at the time given (RDS ModifyDBCluster through EventBridge Scheduler). */
  private scheduleDatabaseCapacity(window: DatabaseCapacitySchedule, database: ResolvedDatabase, deadLetterQueue: sqs.IQueue): void {
    const defaultMax = database.maxCapacity;
    const cluster = Stack.of(this).formatArn({
      service: 'rds',
      resource: 'cluster',
      resourceName: this.database.clusterIdentifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    new scheduler.Schedule(this, `DatabaseSchedule${window.id}`, {
      description: `Database capacity ${window.minCapacity} to ${window.maxCapacity ?? defaultMax} ACUs for ${this.node.path} (${window.id})`,
      schedule: scheduler.ScheduleExpression.expression(window.schedule.expressionString, window.timeZone),
      target: new schedulerTargets.Universal({
        service: 'rds',
        action: 'modifyDBCluster',
        input: scheduler.ScheduleTargetInput.fromObject({
          DbClusterIdentifier: this.database.clusterIdentifier,
          ServerlessV2ScalingConfiguration: {
            MinCapacity: window.minCapacity,
            MaxCapacity: window.maxCapacity ?? defaultMax,
            // back to 0: pause after the site's idle time again (ModifyDBCluster would apply its own default)
            ...(window.minCapacity === 0 ? { SecondsUntilAutoPause: database.autoPauseAfter.toSeconds() } : {}),
          },
          ApplyImmediately: true,
        }),
        policyStatements: [new iam.PolicyStatement({ actions: ['rds:ModifyDBCluster'], resources: [cluster] })],
        retryAttempts: 3,
        // a change that comes later than this is no longer a warm-up
        maxEventAge: Duration.minutes(15),
        deadLetterQueue,
      }),
    });
  }

  /** Encrypted, TLS only, kept 14 days: time to see why a warm-up did not happen. */
  private createDatabaseSchedulesDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DatabaseSchedulesDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNagFinding(queue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the database capacity schedules.');
    return queue;
  }

  /** A failed database schedule leaves a message in the dead-letter queue: alarm from the first one. */
  private alarmOnFailedDatabaseSchedules(deadLetterQueue: sqs.IQueue, alarmTopic?: sns.ITopic): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'DatabaseSchedulesAlarm', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `A database capacity schedule of ${this.node.path} failed: the database did not get the capacity planned (see the dead-letter queue)`,
    });
    if (alarmTopic) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(alarmTopic));
      if (!addToTopicPolicy(this, alarmTopic, [alarmsMayPublish(alarmTopic.topicArn, [alarm])])) {
        Annotations.of(this).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.alarmTopicPolicy',
          'alarmTopic is not a topic of this stack, so its policy is left alone: it must allow sns:Publish for cloudwatch.amazonaws.com '
          + '(aws:SourceArn: databaseSchedulesAlarm), or the alarm reaches nobody (a topic without a policy of its own allows it).');
      }
    }
    return alarm;
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeNagFindings(enableExecuteCommand?: boolean): void {
    const reasons: Array<[Construct, string, string]> = [
      [this.database, 'AwsSolutions-RDS6', 'WordPress connects with a user and password (from Secrets Manager); it has no IAM database authentication.'],
      [this.database, 'AwsSolutions-RDS11',
        'The database admits connections from the WordPress tasks\' security group only; another port number would add no protection.'],
      [this.database, 'AwsSolutions-RDS14', 'Backtracking rewinds the whole cluster in place, losing every later write, and is billed per change record; '
        + 'the automated backups restore any point in time into a new cluster instead.'],
      // the generated secret itself (databaseSecret is its attachment to the cluster)
      [this.generatedDatabaseSecret, 'AwsSolutions-SMG4',
        'The tasks receive the password when they start: rotating it would cut running tasks off the database until they restart. Rotate it with a deployment.'],
      [this.keysAndSaltsSecret, 'AwsSolutions-SMG4', 'Rotating WordPress\' keys and salts logs every user out; it is done on purpose, with a deployment.'],
      [this.taskDefinition, 'AwsSolutions-ECS2',
        'The environment holds only the database host, the table prefix, PHP limits and the mail sender settings; passwords, keys and salts are ECS secrets.'],
    ];
    if (this.taskDefinition.executionRole) {
      reasons.push([this.taskDefinition.executionRole, 'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken, needed to pull the images from ECR, supports no resource-level permissions.']);
    }
    if (enableExecuteCommand) {
      reasons.push([this.taskDefinition.taskRole, 'AwsSolutions-IAM5[Resource::*]',
        'ECS Exec opens its Session Manager channel with ssmmessages actions that support no resource-level permissions.']);
    }
    for (const [construct, rule, reason] of reasons) {
      acknowledgeNagFinding(construct, rule, reason);
    }
  }
}

/** The database options, checked, with the defaults applied. */
interface ResolvedDatabase {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly autoPauseAfter: Duration;
  readonly backupRetention: Duration;
  readonly engineVersion: rds.AuroraMysqlEngineVersion;
  readonly deletionProtection: boolean;
}

/** The props of a WordpressFargateSite, checked, with the defaults applied. */
interface SiteSettings {
  readonly size: ResolvedFargateSize;
  readonly front: WebFront;
  readonly uploadMaxMiB: number;
  readonly tablePrefix: string;
  readonly configExtra: string;
  readonly cdn: boolean;
  readonly cdnOriginReadTimeout: Duration;
  readonly nginxKeepaliveSeconds: number;
  readonly pageCacheSeconds: number;
  readonly phpWorkers: number;
  readonly database: ResolvedDatabase;
  readonly databaseSchedules: DatabaseCapacitySchedule[];
  readonly removalPolicy: RemovalPolicy;
  readonly scaling: ResolvedScaling;
  readonly cpuArchitecture: ecs.CpuArchitecture;
}

function resolveSiteSettings(scope: Construct, props: WordpressFargateSiteProps): SiteSettings {
  const sitePath = scope.node.path;
  // 0.5 vCPU and 1 GiB: 12 php-fpm workers, the baseline task of a quiet site ($14.42 a month
  // on ARM64 against $36.04 for 1 vCPU and 2 GiB on x86); a rush scales out to more of them
  const size = resolveFargateSize(sitePath, props, { cpu: 512, memoryAtLeast: 1024 });
  // the shipped images are multi-arch (official nginx:alpine and wordpress:fpm): Graviton;
  // images of the user's run where their assets are built for, else on x86
  const cpuArchitecture = resolveCpuArchitecture(sitePath, props.cpuArchitecture,
    { nginxImage: props.nginxImage, wordpressImage: props.wordpressImage },
    props.nginxImage || props.wordpressImage ? ecs.CpuArchitecture.X86_64 : ecs.CpuArchitecture.ARM64);
  if (props.loadBalancer && props.publicLoadBalancer !== undefined) {
    invalid(sitePath, 'publicLoadBalancer', props.publicLoadBalancer, 'only applies to the load balancer the construct creates, not to the loadBalancer given');
  }
  if (props.loadBalancer && (props.accessLogs !== undefined || props.accessLogsBucket)) {
    invalid(sitePath, props.accessLogs !== undefined ? 'accessLogs' : 'accessLogsBucket', props.accessLogs ?? props.accessLogsBucket!.node.path,
      'only applies to the load balancer the construct creates; configure access logs on the loadBalancer given');
  }
  const cdn = checkCdn(sitePath, props);
  // with the CDN the load balancer speaks HTTP to CloudFront only: the certificate is CloudFront's
  const albProps = cdn ? { ...props, certificate: undefined, domainName: undefined, domainZone: undefined } : props;
  const front = resolveWebFront(scope, albProps, {
    healthCheckPath: '/healthz',
    healthCheckGracePeriod: Duration.seconds(240),
    idleTimeout: Duration.seconds(PHP_MAX_EXECUTION_SECONDS + 60),
  });
  if (props.firewall && props.loadBalancer) {
    invalid(sitePath, 'firewall', props.loadBalancer.node.path,
      'only applies to the load balancer the construct creates; associate a web ACL with the loadBalancer given yourself');
  }
  if (props.loadBalancer && props.idleTimeout) {
    invalid(sitePath, 'idleTimeout', props.idleTimeout.toHumanString(), 'only applies to the load balancer the construct creates; set it on the loadBalancer given');
  }
  const cdnOriginReadTimeout = checkCdnOriginReadTimeout(scope, props, cdn);
  if (front.idleTimeout.toSeconds({ integral: false }) < PHP_MAX_EXECUTION_SECONDS) {
    Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.idleTimeoutBelowPhpLimit',
      `idleTimeout is ${front.idleTimeout.toHumanString()}, shorter than the ${PHP_MAX_EXECUTION_SECONDS} seconds PHP may run: the load balancer `
      + 'cuts longer requests (imports, updates, image processing) with a 504. Raise idleTimeout, or acknowledge this warning if no request runs that long.');
  }
  const tablePrefix = props.tablePrefix ?? 'wp_';
  if (!/^[A-Za-z0-9_]{1,20}$/.test(tablePrefix)) {
    invalid(sitePath, 'tablePrefix', tablePrefix, 'must be 1 to 20 letters, digits or "_" (WordPress uses it in table names)');
  }
  checkEnvironmentSize(sitePath, 'wordpressConfigExtra', { WORDPRESS_CONFIG_EXTRA: props.wordpressConfigExtra ?? '' });
  const database = resolveDatabase(sitePath, props.database ?? {});
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
  if (removalPolicy === RemovalPolicy.DESTROY && database.deletionProtection) {
    invalid(sitePath, 'removalPolicy', 'DESTROY', 'cannot delete a database with deletion protection; also set database.deletionProtection to false');
  }
  const databaseSchedules = props.databaseSchedules ?? [];
  checkDatabaseSchedules(sitePath, databaseSchedules, database.maxCapacity);
  const pageCacheSeconds = checkDuration(sitePath, 'pageCacheTtl', props.pageCacheTtl ?? Duration.seconds(5),
    { min: 0, max: 3600, literal: 'nginx\'s cache settings are computed from it' })!;
  // without the page cache every request is PHP work and requests are a fair measure of
  // load; with it, cached reloads cost next to nothing and CPU (and php-fpm's busy share) is
  const scaling = resolveScaling(sitePath, 'scaling', { requestsPerTarget: pageCacheSeconds === 0 ? 600 : undefined, ...props.scaling }, { maxCapacity: 10 });
  if (props.wordpressImage && scaling.minCapacity > 1) {
    Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.concurrentFirstStart',
      `${scaling.minCapacity} tasks will start together on an empty file system, and the wordpressImage given may not `
      + 'install WordPress onto it atomically as the shipped image does (a copy of its own, renamed into place). Start with scaling.minCapacity 1 '
      + 'for the first deployment, or build your image FROM the shipped one.');
  }
  const phpWorkers = phpWorkersFor(size.memoryLimitMiB);
  checkConnectionBudget(scope, { phpWorkers, scaling, database, memoryLimitMiB: size.memoryLimitMiB });
  return {
    size,
    front,
    uploadMaxMiB: checkUploadSize(sitePath, props.uploadMaxSize ?? Size.mebibytes(64)),
    tablePrefix,
    configExtra: wordpressConfigExtra(props, cdn || front.https),
    cdn,
    cdnOriginReadTimeout,
    nginxKeepaliveSeconds: (props.loadBalancer ? ALB_MAX_IDLE_TIMEOUT_SECONDS : front.idleTimeout.toSeconds()) + NGINX_KEEPALIVE_MARGIN_SECONDS,
    pageCacheSeconds,
    phpWorkers,
    database,
    databaseSchedules,
    removalPolicy,
    scaling,
    cpuArchitecture,
  };
}

/** What the construct adds to wp-config.php: the site's URL with a domain name, HTTPS for the admin, then the user's PHP. */
function wordpressConfigExtra(props: Pick<WordpressFargateSiteProps, 'domainName' | 'wordpressConfigExtra'>, https: boolean): string {
  const home = props.domainName ? `${https ? 'https' : 'http'}://${props.domainName}` : undefined;
  return [
    ...(home ? [`define('WP_HOME', '${home}');`, `define('WP_SITEURL', '${home}');`] : []),
    ...(https ? ['define(\'FORCE_SSL_ADMIN\', true);'] : []),
    ...(props.wordpressConfigExtra ? [props.wordpressConfigExtra] : []),
  ].join('\n');
}

/**
 * php-fpm workers per task: one per 64 MiB of what nginx leaves (256 MiB), 4 to 200. A
 * fixed pool (pm = static), so a rush finds them started.
 */
function phpWorkersFor(memoryLimitMiB: number): number {
  if (Token.isUnresolved(memoryLimitMiB)) {
    return 4;
  }
  return Math.min(200, Math.max(4, Math.floor((memoryLimitMiB - MIB_FOR_NGINX) / MIB_PER_PHP_WORKER)));
}

/**
 * Aurora MySQL Serverless v2's default max_connections by maximum capacity, as the
 * Aurora User Guide tabulates it ("Maximum connections for Aurora Serverless v2",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections):
 * the value follows the maximum ACU, not the current one. Between two rows the lower one
 * applies (the formula grows with the memory of the maximum).
 */
const MYSQL_MAX_CONNECTIONS_BY_MAX_ACU: ReadonlyArray<[number, number]> = [
  [1, 90], [4, 135], [8, 1000], [16, 2000], [32, 3000], [64, 4000], [128, 5000],
];

/** What Aurora MySQL Serverless v2 accepts at `maxAcu` (the table row at or below it). */
function mysqlMaxConnections(maxAcu: number): number {
  return [...MYSQL_MAX_CONNECTIONS_BY_MAX_ACU].reverse().find(([acu]) => acu <= maxAcu)?.[1] ?? MYSQL_MAX_CONNECTIONS_BY_MAX_ACU[0][1];
}

/**
 * Every php-fpm worker of every task may hold a database connection: at the largest
 * number of tasks scaling may run (its maximum or a schedule's), that must fit what the
 * database accepts at its maximum capacity, or requests fail with "Too many connections"
 * just when the site is busiest. A warning, acknowledgeable, names the ways out.
 */
function checkConnectionBudget(
  scope: Construct,
  budget: { phpWorkers: number; scaling: ResolvedScaling; database: ResolvedDatabase; memoryLimitMiB: number },
): void {
  const { phpWorkers, scaling, database } = budget;
  const taskCounts = [scaling.maxCapacity, ...scaling.schedules.map((s) => s.maxCapacity ?? 0)];
  if ([...taskCounts, database.maxCapacity, budget.memoryLimitMiB].some((v) => Token.isUnresolved(v))) {
    return;
  }
  const tasks = Math.max(...taskCounts);
  const connections = mysqlMaxConnections(database.maxCapacity);
  if (tasks * phpWorkers <= connections) {
    return;
  }
  const enough = MYSQL_MAX_CONNECTIONS_BY_MAX_ACU.find(([, max]) => max >= tasks * phpWorkers)?.[0];
  Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.databaseConnections',
    `${tasks} tasks x ${phpWorkers} php-fpm workers (from memoryLimitMiB ${budget.memoryLimitMiB}) may open ${tasks * phpWorkers} database connections, `
    + `but Aurora MySQL Serverless v2 at database.maxCapacity ${database.maxCapacity} ACU accepts about ${connections} (max_connections): `
    + 'at full scale requests would fail with "Too many connections". '
    + `${enough !== undefined ? `Raise database.maxCapacity to ${enough} ACU or more, ` : ''}lower scaling.maxCapacity to ${Math.floor(connections / phpWorkers)}, `
    + 'or give the tasks less memory (fewer workers each).');
}

/**
 * The CDN reaches a load balancer of the construct's own, internal; what configured HTTPS on
 * the load balancer has no place there.
 */
function checkCdn(sitePath: string, props: WordpressFargateSiteProps): boolean {
  if (!props.cdn) {
    return false;
  }
  const conflicts: Array<[string, unknown, string]> = [
    ['loadBalancer', props.loadBalancer?.node.path, 'CloudFront reaches a load balancer the construct creates, internal, through a VPC origin; drop loadBalancer or cdn'],
    ['publicLoadBalancer', props.publicLoadBalancer, 'is always false with cdn: CloudFront reaches the internal load balancer through a VPC origin, nobody else may'],
    ['redirectHttp', props.redirectHttp, 'does not apply with cdn: CloudFront redirects HTTP to HTTPS'],
    ['sslPolicy', props.sslPolicy, 'does not apply with cdn: CloudFront ends TLS (TLS 1.2 or later)'],
  ];
  for (const [prop, value, allowed] of conflicts) {
    if (value !== undefined) {
      invalid(sitePath, prop, value, allowed);
    }
  }
  if (props.domainName !== undefined && !props.certificate) {
    invalid(sitePath, 'domainName', props.domainName, 'needs a certificate for it in us-east-1 with cdn (CloudFront serves the domain)');
  }
  const certificateRegion = props.certificate && !Token.isUnresolved(props.certificate.certificateArn)
    ? Arn.split(props.certificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region : undefined;
  if (certificateRegion !== undefined && certificateRegion !== 'us-east-1') {
    invalid(sitePath, 'certificate', props.certificate!.certificateArn, 'must be in us-east-1 with cdn (CloudFront only uses certificates from there)');
  }
  const port = props.listenerPort;
  // CloudFront origins listen on 80, 443 or 1024 to 65535
  if (port !== undefined && !Token.isUnresolved(port) && port !== 80 && port !== 443 && !(port >= 1024 && port <= 65535)) {
    invalid(sitePath, 'listenerPort', port, 'must be 80, 443 or from 1024 to 65535 with cdn (the ports CloudFront reaches an origin on)');
  }
  return true;
}

/**
 * CloudFront's origin response timeout: 1 to 180 seconds (its hard limit; over 120 needs a
 * quota increase), only with the CDN. Shorter than PHP may run, it cuts long requests at
 * the edge: a warning says so, naming the prop.
 */
function checkCdnOriginReadTimeout(scope: Construct, props: WordpressFargateSiteProps, cdn: boolean): Duration {
  const sitePath = scope.node.path;
  if (props.cdnOriginReadTimeout && !cdn) {
    invalid(sitePath, 'cdnOriginReadTimeout', props.cdnOriginReadTimeout.toHumanString(), 'only applies with cdn');
  }
  const timeout = props.cdnOriginReadTimeout ?? Duration.seconds(60);
  const seconds = checkDuration(sitePath, 'cdnOriginReadTimeout', timeout, { min: 1, max: 180, literal: 'it is compared with PHP\'s time limit' })!;
  if (cdn && seconds < PHP_MAX_EXECUTION_SECONDS) {
    Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit',
      `cdnOriginReadTimeout is ${seconds} seconds, shorter than the ${PHP_MAX_EXECUTION_SECONDS} seconds PHP may run: CloudFront answers a longer request `
      + '(an import, an update, image processing) with a 504 while PHP goes on. Raise cdnOriginReadTimeout (up to 120 seconds, 180 with a quota increase), '
      + 'run such work with WP-CLI through ECS Exec, or acknowledge this warning if no request through the CDN runs that long.');
  }
  return timeout;
}

/**
 * What a CloudFront VPC origin needs (CloudFront Developer Guide, "Restrict access with VPC
 * origins", Prerequisites): a region that offers VPC origins (refused when the region is
 * known and does not), and an internet gateway attached to its VPC: refused for a VPC of
 * this app without one, a warning for a VPC imported without public subnets (whether it
 * has one cannot be known at synth time); a VPC imported with public subnets has one.
 */
function checkVpcOriginPrerequisites(scope: Construct, vpc: ec2.IVpc): void {
  checkVpcOriginRegion(scope.node.path, scope);
  if (vpc instanceof ec2.Vpc) {
    if (vpc.internetGatewayId === undefined) {
      invalid(scope.node.path, 'vpc', vpc.node.path,
        'must have an internet gateway with cdn: a CloudFront VPC origin needs one attached to its VPC (give the VPC a public subnet, or an internet gateway)');
    }
  } else if (vpc.publicSubnets.length === 0) {
    Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.vpcOriginInternetGateway',
      `vpc ${vpc.node.path} is imported without public subnets, so whether it has an internet gateway cannot be known at synth time: a CloudFront VPC origin `
      + 'needs one attached to the VPC, or its creation fails. Import the VPC with its public subnets, or acknowledge this warning if it has an internet gateway.');
  }
}

/**
 * What stands for the VPC's internet gateway being attached: the attachment of a VPC of
 * this app (its `internetConnectivityEstablished` holds the gateway and the routes, not
 * the attachment itself), or the group aws-cdk-lib keeps for an imported one.
 */
function internetGatewayAttached(vpc: ec2.IVpc): IDependable {
  return vpc.node.findAll().find((c) => c instanceof ec2.CfnVPCGatewayAttachment) ?? vpc.internetConnectivityEstablished;
}

/** The upload limit as whole MiB, from 1 MiB to 4 GiB. */
function checkUploadSize(sitePath: string, size: Size): number {
  return checkMebibytes(sitePath, 'uploadMaxSize', size, {
    min: 1,
    max: 4096,
    allowed: 'a whole number of MiB from 1 MiB to 4 GiB (for example Size.mebibytes(64))',
    literal: 'the PHP and nginx limits are computed from it',
  });
}

/** Aurora Serverless v2 capacity: from `min` to 256 ACUs in steps of 0.5 (tokens pass). */
function checkCapacityUnits(sitePath: string, prop: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && !Token.isUnresolved(value) && (value < min || value > 256 || !Number.isInteger(value * 2))) {
    invalid(sitePath, prop, value, `must be from ${min} to 256 Aurora capacity units in steps of 0.5`);
  }
  return value;
}

function resolveDatabase(sitePath: string, options: WordpressDatabaseOptions): ResolvedDatabase {
  const minCapacity = checkCapacityUnits(sitePath, 'database.minCapacity', options.minCapacity, 0) ?? 0;
  const maxCapacity = checkCapacityUnits(sitePath, 'database.maxCapacity', options.maxCapacity, 1) ?? Math.max(8, minCapacity);
  if (maxCapacity < minCapacity) {
    invalid(sitePath, 'database.maxCapacity', maxCapacity, `must be at least database.minCapacity (${minCapacity})`);
  }
  const autoPauseAfter = options.autoPauseAfter ?? Duration.minutes(5);
  checkDuration(sitePath, 'database.autoPauseAfter', autoPauseAfter, { min: 300, max: 86400 });
  if (options.autoPauseAfter && minCapacity !== 0) {
    invalid(sitePath, 'database.autoPauseAfter', autoPauseAfter.toHumanString(), 'only applies with database.minCapacity 0 (a database with a higher floor never pauses)');
  }
  const backupRetention = options.backupRetention ?? Duration.days(7);
  checkDuration(sitePath, 'database.backupRetention', backupRetention, { min: 1, max: 35, unit: 'days' });
  return {
    minCapacity,
    maxCapacity,
    autoPauseAfter,
    backupRetention,
    engineVersion: options.engineVersion ?? rds.AuroraMysqlEngineVersion.VER_3_12_0,
    deletionProtection: options.deletionProtection ?? true,
  };
}

function checkDatabaseSchedules(sitePath: string, schedules: DatabaseCapacitySchedule[], maxCapacity: number): void {
  checkScheduleWindows(sitePath, 'databaseSchedules', schedules);
  schedules.forEach((s, i) => {
    const at = `databaseSchedules[${i}]`;
    checkCapacityUnits(sitePath, `${at}.minCapacity`, s.minCapacity, 0);
    checkCapacityUnits(sitePath, `${at}.maxCapacity`, s.maxCapacity, 1);
    const max = s.maxCapacity ?? maxCapacity;
    if (max < s.minCapacity) {
      invalid(sitePath, `${at}.minCapacity`, s.minCapacity, `must not exceed the maximum of that window (${max} ACUs); raise its maxCapacity`);
    }
  });
}
