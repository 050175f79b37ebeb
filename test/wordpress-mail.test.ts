import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { WordpressFargateSite, WordpressFargateSiteProps } from '../src';
import { buildAndSynth, containersOf, environmentOf, logicalId, only, REGION_ENV, statementsOf } from './support';

/** The mail of WordpressFargateSite (`mail`): SES identity, sending with the task role, bounces and complaints. */

function build(props: WordpressFargateSiteProps, extra?: (stack: Stack) => WordpressFargateSiteProps) {
  const { construct: site, ...built } = buildAndSynth((stack) => new WordpressFargateSite(stack, 'Blog', { ...extra?.(stack), ...props }), { env: REGION_ENV });
  return { site, ...built };
}

const zone = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });

/** The statements of the task role's policies that allow an SES action. */
function sesStatements(template: Template, stack: Stack, site: WordpressFargateSite): any[] {
  return statementsOf(template, logicalId(stack, site.taskDefinition.taskRole as any))
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ses:')));
}

describe('WordpressFargateSite without mail', () => {
  const b = build({});

  test('has no SES resource, no mail environment and no SES permission', () => {
    expect(Object.keys(b.template.findResources('AWS::SES::EmailIdentity'))).toEqual([]);
    expect(Object.keys(b.template.findResources('AWS::SES::ConfigurationSet'))).toEqual([]);
    expect(Object.keys(environmentOf(containersOf(b.template).wordpress)).filter((n) => n.startsWith('CFB_MAIL'))).toEqual([]);
    expect(sesStatements(b.template, b.stack, b.site)).toEqual([]);
    expect(b.site.mailIdentity).toBeUndefined();
  });
});

describe('WordpressFargateSite with mail and a domainZone', () => {
  const b = build({ domainName: 'www.example.com', mail: { fromAddress: 'registration@example.com', fromName: 'Registration' } },
    (stack) => ({ domainZone: zone(stack) }));
  const identityId = () => logicalId(b.stack, b.site.mailIdentity as ses.EmailIdentity);
  const configurationSetId = () => logicalId(b.stack, b.site.mailConfigurationSet!);

  test('an SES identity for the domain of fromAddress with Easy DKIM (2048-bit keys), using the configuration set', () => {
    b.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      // Easy DKIM: SES makes the keys (no DomainSigningPrivateKey); signing is on, DkimAttributes' default
      DkimAttributes: Match.absent(),
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT', DomainSigningPrivateKey: Match.absent() },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId() } },
    });
  });

  test('the three DKIM records of the identity go into domainZone', () => {
    const records = Object.values(b.template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'CNAME' } })).map((r) => r.Properties);
    expect(records).toHaveLength(3);
    records.forEach((record, i) => expect(record).toEqual({
      HostedZoneId: 'Z0123456789',
      Type: 'CNAME',
      TTL: '1800',
      Name: { 'Fn::GetAtt': [identityId(), `DkimDNSTokenName${i + 1}`] },
      ResourceRecords: [{ 'Fn::GetAtt': [identityId(), `DkimDNSTokenValue${i + 1}`] }],
    }));
    expect(Object.keys(b.template.findOutputs('*')).filter((o) => o.includes('Dkim'))).toEqual([]);
  });

  test('the task role may send only as the identity, in the configuration set, from fromAddress', () => {
    const statements = sesStatements(b.template, b.stack, b.site);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['ses:SendEmail', 'ses:SendRawEmail'],
      Resource: expect.any(Array),
      Condition: { StringEquals: { 'ses:FromAddress': 'registration@example.com' } },
    }]);
    expect(statements[0].Resource).toHaveLength(2);
    expect(statements[0].Resource).toEqual(expect.arrayContaining([
      { 'Fn::Join': ['', ['arn:aws:ses:eu-west-1:', { Ref: 'AWS::AccountId' }, ':identity/', { Ref: identityId() }]] },
      { 'Fn::Join': ['', ['arn:aws:ses:eu-west-1:', { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: configurationSetId() }]] },
    ]));
  });

  test('no IAM user, no access key, no SMTP password anywhere', () => {
    expect(Object.keys(b.template.findResources('AWS::IAM::User'))).toEqual([]);
    expect(Object.keys(b.template.findResources('AWS::IAM::AccessKey'))).toEqual([]);
    expect(JSON.stringify(b.json)).not.toMatch(/smtp/i);
  });

  test('the php container gets the sender, the configuration set and the region', () => {
    expect(environmentOf(containersOf(b.template).wordpress)).toMatchObject({
      CFB_MAIL_FROM: 'registration@example.com',
      CFB_MAIL_FROM_NAME: 'Registration',
      CFB_MAIL_CONFIGURATION_SET: { Ref: configurationSetId() },
      CFB_MAIL_REGION: 'eu-west-1',
    });
    expect(environmentOf(containersOf(b.template).wordpress)).not.toHaveProperty('CFB_MAIL_SES_ENDPOINT');
  });

  test('bounces and complaints of the configuration set go to a new topic (no alarmTopic)', () => {
    const topicId = logicalId(b.stack, b.site.mailTopic as sns.Topic);
    b.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId() },
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: { Ref: topicId } } },
    });
    b.template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    // SES and the alarm may publish to it
    const statements = only(b.template, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Principal?.Service).filter(Boolean).sort()).toEqual(['cloudwatch.amazonaws.com', 'ses.amazonaws.com']);
  });

  test('an alarm on the account\'s bounce rate (Reputation.BounceRate) at 5% notifies the topic', () => {
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Dimensions: Match.absent(),
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalId(b.stack, b.site.mailTopic as sns.Topic) }],
    });
  });

  test('the SES sandbox is told at synth, with how to leave it', () => {
    const infos = b.synthesized.messages(b.stack, 'info').map((m) => m.text);
    expect(infos).toContainEqual(expect.stringMatching(/sandbox: it sends only to verified addresses.*Request production access/));
  });

  test('the synth says which SES identity the stack creates, and what to do when it already exists (CloudFormation fails with AlreadyExists)', () => {
    const infos = b.synthesized.messages(b.stack, 'info').map((m) => m.text);
    expect(infos).toContainEqual(expect.stringMatching(/The stack creates the SES identity example\.com: if it already exists in this account and region, pass it as mail\.identity instead\.$/));
  });
});

describe('WordpressFargateSite with mail, no domainZone, and an alarmTopic', () => {
  const b = build({ mail: { fromAddress: 'registration@mail.example.org' } }, (stack) => ({ alarmTopic: new sns.Topic(stack, 'Alarms') }));

  test('the DKIM records the user must add are stack outputs, and no record is written', () => {
    const identityId = logicalId(b.stack, b.site.mailIdentity as ses.EmailIdentity);
    b.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.example.org' });
    expect(Object.keys(b.template.findResources('AWS::Route53::RecordSet'))).toEqual([]);
    const outputs = Object.values(b.template.findOutputs('*')).filter((o: any) => /DKIM record/.test(o.Description));
    expect(outputs.map((o: any) => o.Value)).toEqual([1, 2, 3].map((i) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [identityId, `DkimDNSTokenName${i}`] }, ' CNAME ', { 'Fn::GetAtt': [identityId, `DkimDNSTokenValue${i}`] }]],
    })));
  });

  test('bounces, complaints and the bounce rate alarm go to alarmTopic, and no topic is created for them', () => {
    const alarmTopicId = b.stack.resolve((b.site.mailTopic as sns.Topic).topicArn);
    expect(alarmTopicId).toEqual({ Ref: expect.stringMatching(/^Alarms/) });
    b.template.resourceCountIs('AWS::SNS::Topic', 1);
    b.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', { EventDestination: { SnsDestination: { TopicARN: alarmTopicId } } });
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.BounceRate', AlarmActions: [alarmTopicId] });
  });
});

test('beside the database schedules\' alarm on the same alarmTopic, every statement of the topic policy has an id of its own', () => {
  const b = build({
    mail: { fromAddress: 'registration@example.com' },
    databaseSchedules: [{ id: 'Rush', schedule: appscaling.Schedule.cron({ hour: '8', minute: '40' }), minCapacity: 4 }],
  }, (stack) => ({ alarmTopic: new sns.Topic(stack, 'Alarms') }));
  const statements = only(b.template, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;
  const sids = statements.map((s: any) => s.Sid);
  expect(statements.filter((s: any) => s.Principal.Service === 'cloudwatch.amazonaws.com')).toHaveLength(2);
  expect(new Set(sids).size).toBe(sids.length);
});

describe('WordpressFargateSite with mail as an existing identity', () => {
  const b = build({ domainName: 'www.example.com' }, (stack) => ({
    domainZone: zone(stack),
    mail: { fromAddress: 'news@example.net', identity: ses.EmailIdentity.fromEmailIdentityName(stack, 'Identity', 'example.net') },
  }));

  test('creates no identity and no DKIM record, and scopes sending to the identity given', () => {
    expect(Object.keys(b.template.findResources('AWS::SES::EmailIdentity'))).toEqual([]);
    expect(Object.keys(b.template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'CNAME' } }))).toEqual([]);
    const [statement] = sesStatements(b.template, b.stack, b.site);
    expect(statement.Resource.map((r: unknown) => JSON.stringify(r))).toEqual(expect.arrayContaining([expect.stringContaining(':identity/example.net')]));
    expect(statement.Resource).toHaveLength(2);
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'news@example.net' } });
  });
});

describe('mail inputs at the boundary are accepted', () => {
  test.each([
    ['a sender of a subdomain of domainZone', { fromAddress: 'a@mail.example.com' }],
    ['a sender of domainZone\'s own domain, in capitals', { fromAddress: 'Registration@EXAMPLE.COM' }],
    ['a local part of 64 characters with RFC 5322 specials', { fromAddress: `${'r'.repeat(60)}+x.y@example.com` }],
    ['a bounce rate alarm threshold of 1', { fromAddress: 'a@example.com', bounceRateAlarmThreshold: 1 }],
    ['a bounce rate alarm threshold just above 0', { fromAddress: 'a@example.com', bounceRateAlarmThreshold: 0.001 }],
  ])('%s', (_name, mail) => {
    expect(() => build({ domainName: 'www.example.com', mail }, (stack) => ({ domainZone: zone(stack) }))).not.toThrow();
  });

  // a verified domain covers its subdomains and their addresses (SES Developer Guide,
  // "Creating and verifying identities in Amazon SES")
  test.each([
    ['the address itself', 'news@mail.example.net'],
    ['its domain, in capitals', 'MAIL.example.net'],
    ['a domain above it', 'example.net'],
  ])('an existing identity that is %s', (_name, identityName) => {
    expect(() => build({}, (stack) => ({
      mail: { fromAddress: 'news@mail.example.net', identity: ses.EmailIdentity.fromEmailIdentityName(stack, 'Identity', identityName) },
    }))).not.toThrow();
  });
});
