import { Annotations, CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { addToTopicPolicy, alarmsMayPublish } from '../private/alarm-topic';
import { invalid } from '../private/validation';

/**
 * Mail of a `WordpressFargateSite`: WordPress' `wp_mail()` (new accounts, password
 * resets, form plugins) sends through Amazon SES with the task role's credentials.
 *
 * A must-use plugin of the WordPress image sends each message with the SES v2
 * `SendEmail` API (raw content, so attachments and headers survive), signed with the
 * credentials the task gets from the ECS container credentials endpoint: no SMTP user,
 * no access key, no secret. The task role may send only from `fromAddress`, as the
 * identity, in the site's configuration set. A failed send is logged with SES's error and
 * makes `wp_mail()` return false.
 *
 * New SES accounts are in the sandbox: they send only to verified addresses, at most
 * 200 messages a day. Request production access in the SES console (Account dashboard,
 * "Request production access") before the site goes live.
 */
export interface WordpressMailOptions {
  /**
   * The address every message is sent from (WordPress' `From`), such as
   * `registration@example.com`. Its domain becomes the SES identity (unless `identity`
   * is given); with `domainZone`, the domain must be the zone's or one below it.
   */
  readonly fromAddress: string;

  /**
   * The name shown beside `fromAddress`.
   *
   * @default - WordPress' own ("WordPress"), or what a plugin sets
   */
  readonly fromName?: string;

  /**
   * An SES identity that already exists (verified outside this stack) to send as: the
   * domain of `fromAddress` (or a domain above it, whose verification covers its
   * subdomains) or the address itself. The task role may send only as it. Give it when
   * the domain is already an SES identity in this account and region (verified in the
   * console, or by another stack or stage of the site): creating it again fails the
   * deployment (AlreadyExists), for example
   * `ses.EmailIdentity.fromEmailIdentityName(this, 'Identity', 'example.com')`.
   *
   * @default - a new domain identity for the domain of `fromAddress`, with Easy DKIM; it
   * belongs to the stack, which deletes it with itself
   */
  readonly identity?: ses.IEmailIdentity;

  /**
   * The bounce rate (0 to 1) at which `mailBounceRateAlarm` goes off. SES reviews an
   * account whose bounce rate reaches 5% and may pause its sending at 10%.
   *
   * @default 0.05
   */
  readonly bounceRateAlarmThreshold?: number;
}

/** What `createMail` built. */
export interface SiteMail {
  readonly identity: ses.IEmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly topic: sns.ITopic;
  readonly bounceRateAlarm: cloudwatch.Alarm;
  /** The environment of the php container that turns the must-use plugin on. */
  readonly environment: Record<string, string>;
}

/**
 * The SES identity (DKIM records into `domainZone`, or stack outputs), the configuration
 * set whose bounces and complaints go to a topic, the bounce rate alarm, and the task
 * role's permission to send as the identity only.
 */
export function createMail(scope: Construct, options: WordpressMailOptions, taskRole: iam.IRole,
  domainZone?: route53.IHostedZone, alarmTopic?: sns.ITopic): SiteMail {
  const domain = checkMail(scope.node.path, options, domainZone);

  const configurationSet = new ses.ConfigurationSet(scope, 'MailConfigurationSet', {
    // Reputation.BounceRate and Reputation.ComplaintRate per configuration set too
    reputationMetrics: true,
    // addresses that bounced or complained are not sent to again (the account's suppression list)
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  const identity = options.identity ?? createIdentity(scope, domain, configurationSet, domainZone);

  const topic = alarmTopic ?? new sns.Topic(scope, 'MailTopic', { displayName: 'Bounces, complaints and bounce rate alarms of WordPress mail', enforceSSL: true });
  // SES publishes to a topic of another stack too, if its policy allows ses.amazonaws.com;
  // this stack's topics get the statement from the event destination
  new ses.ConfigurationSetEventDestination(scope, 'MailBouncesAndComplaints', {
    configurationSet,
    destination: ses.EventDestination.snsTopic(topic),
    events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
  });

  // The account's bounce rate, the one SES reputation enforcement looks at: under review
  // at 5%, sending may pause at 10% ("Creating reputation monitoring alarms using
  // CloudWatch", https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html).
  const bounceRateAlarm = new cloudwatch.Metric({
    namespace: 'AWS/SES',
    metricName: 'Reputation.BounceRate',
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.hours(1),
  }).createAlarm(scope, 'MailBounceRateAlarm', {
    alarmDescription: `The SES account's bounce rate (Reputation.BounceRate) of ${scope.node.path}'s mail: SES reviews the account at 5% and may pause its sending at 10%`,
    threshold: options.bounceRateAlarmThreshold ?? 0.05,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  bounceRateAlarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  if (!addToTopicPolicy(scope, topic, [alarmsMayPublish(topic.topicArn, [bounceRateAlarm], 'MailAlarmsFromCloudWatch')])) {
    Annotations.of(scope).addWarningV2('cdk-fargate-blueprints:WordpressFargateSite.mailTopicPolicy',
      'alarmTopic is not a topic of this stack, so its policy is left alone: it must allow sns:Publish for ses.amazonaws.com (bounces and '
      + 'complaints of the configuration set) and cloudwatch.amazonaws.com (the bounce rate alarm).');
  }

  // Send as the identity only, from fromAddress only, in this configuration set. SES v2
  // SendEmail authorizes the identity and, when the request names one, the configuration
  // set; ses:FromAddress is the condition key on the From address of SendEmail and
  // SendRawEmail ("Identity and access management in Amazon SES",
  // https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html; "Actions defined by
  // Amazon Simple Email Service v2", Service Authorization Reference,
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html).
  taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ses:SendEmail', 'ses:SendRawEmail'],
    resources: [identity.emailIdentityArn, Stack.of(scope).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName })],
    conditions: { StringEquals: { 'ses:FromAddress': options.fromAddress } },
  }));

  Annotations.of(scope).addInfo(`${scope.node.path} sends mail through Amazon SES from ${options.fromAddress}. A new SES account is in the sandbox: `
    + 'it sends only to verified addresses, at most 200 messages a day, until you request production access '
    + '(SES console, Account dashboard, "Request production access").'
    + (options.identity ? '' : ` The stack creates the SES identity ${domain}: if it already exists in this account and region, pass it as mail.identity instead.`));

  return {
    identity,
    configurationSet,
    topic,
    bounceRateAlarm,
    environment: {
      CFB_MAIL_FROM: options.fromAddress,
      ...(options.fromName !== undefined ? { CFB_MAIL_FROM_NAME: options.fromName } : {}),
      CFB_MAIL_CONFIGURATION_SET: configurationSet.configurationSetName,
      CFB_MAIL_REGION: Stack.of(scope).region,
    },
  };
}

function createIdentity(scope: Construct, domain: string, configurationSet: ses.IConfigurationSet,
  domainZone?: route53.IHostedZone): ses.EmailIdentity {
  const identity = new ses.EmailIdentity(scope, 'MailIdentity', {
    identity: ses.Identity.domain(domain),
    dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
    configurationSet,
  });
  identity.dkimRecords.forEach((record, i) => {
    if (domainZone) {
      // as aws-cdk-lib writes them for Identity.publicHostedZone
      new route53.CfnRecordSet(scope, `MailDkimRecord${i + 1}`, {
        hostedZoneId: domainZone.hostedZoneId,
        name: record.name,
        type: 'CNAME',
        resourceRecords: [record.value],
        ttl: '1800',
      });
    } else {
      new CfnOutput(scope, `MailDkimRecord${i + 1}`, {
        description: `DKIM record ${i + 1} of 3 to add to the DNS of ${domain}, so that SES verifies the domain and signs its mail`,
        value: `${record.name} CNAME ${record.value}`,
      });
    }
  });
  return identity;
}

/** Checks the options; returns the domain of `fromAddress`. */
function checkMail(path: string, options: WordpressMailOptions, domainZone?: route53.IHostedZone): string {
  const address = options.fromAddress;
  if (Token.isUnresolved(address)) {
    invalid(path, 'mail.fromAddress', 'a token', 'must be a literal address, because its domain becomes the SES identity');
  }
  // local part: letters, digits and the specials RFC 5322 allows unquoted; domain: labels
  // of letters, digits and hyphens, a dot between them, no more than 253 characters
  const match = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64})@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/.exec(address);
  if (!match || match[1].startsWith('.') || match[1].endsWith('.') || match[1].includes('..') || match[2].length > 253) {
    invalid(path, 'mail.fromAddress', address, 'must be an email address such as registration@example.com (no name, no spaces, a domain with a dot)');
  }
  const domain = match[2].toLowerCase();
  if (options.fromName !== undefined && !Token.isUnresolved(options.fromName) && /[\r\n]/.test(options.fromName)) {
    invalid(path, 'mail.fromName', options.fromName, 'must be one line (it goes into the From header)');
  }
  const threshold = options.bounceRateAlarmThreshold;
  if (threshold !== undefined && !Token.isUnresolved(threshold) && !(threshold > 0 && threshold <= 1)) {
    invalid(path, 'mail.bounceRateAlarmThreshold', threshold, 'must be a rate above 0 and at most 1 (0.05 is 5%)');
  }
  // a verified domain covers its subdomains and their addresses (SES Developer Guide,
  // "Creating and verifying identities in Amazon SES")
  const identityName = options.identity?.emailIdentityName;
  if (identityName !== undefined && !Token.isUnresolved(identityName)) {
    const name = identityName.toLowerCase();
    if (name !== address.toLowerCase() && name !== domain && !domain.endsWith(`.${name}`)) {
      invalid(path, 'mail.identity', identityName,
        `must be the identity fromAddress sends as: ${address}, its domain ${domain} or a domain above it (the task role may send as this identity only, so every message would be refused)`);
    }
  }
  if (domainZone && !options.identity && !Token.isUnresolved(domainZone.zoneName)) {
    const zone = domainZone.zoneName.replace(/\.$/, '').toLowerCase();
    if (domain !== zone && !domain.endsWith(`.${zone}`)) {
      invalid(path, 'mail.fromAddress', address, `must be an address of domainZone's domain ${zone} or of one below it, where its DKIM records go`);
    }
  }
  return domain;
}
