import { execFile, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ADMIN, ASSETS, makeCoreSource, missingBinaries, Nginx, request, WordpressServers } from './support/wordpress-servers';

/**
 * The SES mail plugin of the WordPress image (assets/wordpress/php/mu-plugins), proven
 * with real programs on loopback: its Signature Version 4 signer against AWS's published
 * test vectors, its container credentials against a fake ECS credentials endpoint, and
 * WordPress (Debian's, with the image's entrypoint and plugin) sending a password reset
 * through it to a fake SES that checks what SES checks.
 */

const PLUGINS = path.join(ASSETS, 'php', 'mu-plugins');
const AWS_PHP = path.join(PLUGINS, 'cfb-ses-mail', 'aws.php');
const VECTORS = path.join(__dirname, 'fixtures', 'aws-sig-v4-test-suite.json');
const phpAvailable = spawnSync('php', ['-v']).status === 0;
const serversAvailable = missingBinaries.length === 0;

if ((!serversAvailable || !phpAvailable) && process.env.CI) {
  test('the real-server test has its packages (CI)', () => {
    throw new Error(`missing on this CI machine: ${missingBinaries.join(', ')}${phpAvailable ? '' : ' php'}; .ci/run installs them`);
  });
}

/** A server on a free loopback port; `close()` stops it. */
async function listen(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const readBody = (req: http.IncomingMessage) => new Promise<Buffer>((resolve) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks)));
});

/** The container credentials a fake ECS endpoint hands out, and the token it wants. */
const CONTAINER = { token: 'container-authorization-token', key: 'ASIAFAKETASKROLE', secret: 'fake/secret+of+the+task+role', session: 'FakeSessionToken//of+the+task' };

/**
 * A fake ECS container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI): answers
 * only with the authorization token, credentials valid for `validSeconds`.
 */
async function fakeCredentialsEndpoint(validSeconds: () => number) {
  const calls: string[] = [];
  const server = await listen((req, res) => {
    calls.push(req.url!);
    if (req.headers.authorization !== CONTAINER.token) {
      res.writeHead(401).end('{"message":"bad token"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
      AccessKeyId: CONTAINER.key,
      SecretAccessKey: CONTAINER.secret,
      Token: CONTAINER.session,
      Expiration: new Date(Date.now() + validSeconds() * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      RoleArn: 'arn:aws:iam::123456789012:role/TaskRole',
    }));
  });
  return { ...server, calls, uri: `http://127.0.0.1:${server.port}/v2/credentials/task` };
}

type CredentialsEndpoint = Awaited<ReturnType<typeof fakeCredentialsEndpoint>>;

/** Runs `use` with a fake credentials endpoint (see fakeCredentialsEndpoint), closed afterwards whatever happens. */
async function withCredentialsEndpoint(validSeconds: () => number, use: (endpoint: CredentialsEndpoint) => Promise<void>) {
  const endpoint = await fakeCredentialsEndpoint(validSeconds);
  try {
    await use(endpoint);
  } finally {
    await endpoint.close();
  }
}

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks a request's Signature Version 4 the way AWS does: recomputes the signature from
 * the request as received, with the secret of the credentials the endpoint handed out.
 * Returns what is wrong, or undefined.
 */
function sigV4Problem(req: http.IncomingMessage, body: Buffer, region: string, service: string): string | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/
    .exec(String(req.headers.authorization));
  if (!match) {
    return `malformed Authorization: ${req.headers.authorization}`;
  }
  const [, key, date, scopeRegion, scopeService, signedHeaders, signature] = match;
  const amzDate = String(req.headers['x-amz-date']);
  if (key !== CONTAINER.key || scopeRegion !== region || scopeService !== service || !amzDate.startsWith(date)) {
    return `wrong credential scope: ${match[1]}/${date}/${scopeRegion}/${scopeService} at ${amzDate}`;
  }
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(Date.now() - signedAt) < 5 * 60_000)) {
    return `signed at ${amzDate}, more than 5 minutes away`;
  }
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-security-token']) {
    if (!names.includes(required)) {
      return `${required} is not signed`;
    }
  }
  if (req.headers['x-amz-security-token'] !== CONTAINER.session) {
    return 'the session token is not the container credentials\'';
  }
  const url = new URL(req.url!, 'http://x');
  const query = [...url.searchParams].map(([k, v]) => [encode(k), encode(v)]).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const canonical = [
    req.method,
    url.pathname.split('/').map((s) => encode(decodeURIComponent(s))).join('/'),
    query,
    ...names.map((n) => `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256(body),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  let signingKey: Buffer = hmac(`AWS4${CONTAINER.secret}`, date);
  for (const part of [region, service, 'aws4_request']) {
    signingKey = hmac(signingKey, part);
  }
  const expected = crypto.createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return expected === signature ? undefined : `signature ${signature} does not match ${expected}`;
}

/** One SendEmail the fake SES accepted. */
interface SentMail {
  readonly request: any;
  /** The raw MIME message. */
  readonly raw: string;
}

/**
 * A fake SES v2 endpoint: POST /v2/email/outbound-emails, signed for `region` with the
 * container credentials, else 403 as SES answers. `reject` makes it refuse the next
 * messages as SES refuses mail to an unverified address in the sandbox.
 */
async function fakeSes(region: string) {
  const sent: SentMail[] = [];
  const refused: string[] = [];
  const state = { reject: false };
  const server = await listen(async (req, res) => {
    const body = await readBody(req);
    const problem = req.method !== 'POST' || req.url !== '/v2/email/outbound-emails' ? `unexpected ${req.method} ${req.url}` : sigV4Problem(req, body, region, 'ses');
    if (problem) {
      refused.push(problem);
      res.writeHead(403, { 'x-amzn-ErrorType': 'SignatureDoesNotMatch:' }).end(JSON.stringify({ message: problem }));
      return;
    }
    if (state.reject) {
      res.writeHead(400, { 'x-amzn-ErrorType': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/' })
        .end(JSON.stringify({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: admin@example.com' }));
      return;
    }
    const parsed = JSON.parse(body.toString('utf-8'));
    sent.push({ request: parsed, raw: Buffer.from(parsed.Content.Raw.Data, 'base64').toString('utf-8') });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ MessageId: `fake-${sent.length}` }));
  });
  return { ...server, sent, refused, state };
}

/** A header of a raw MIME message (unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
}

(phpAvailable ? describe : describe.skip)('the SES mail plugin\'s AWS code on PHP', () => {
  test('its Signature Version 4 signer passes AWS\'s published test vectors', () => {
    const suite = JSON.parse(fs.readFileSync(VECTORS, 'utf-8'));
    const run = spawnSync('php', [path.join(__dirname, 'support', 'sigv4-vectors.php'), AWS_PHP, VECTORS], { encoding: 'utf-8' });
    expect(run.stderr).toBe('');
    const signed = JSON.parse(run.stdout);
    expect(suite.vectors.length).toBeGreaterThanOrEqual(16);
    for (const vector of suite.vectors) {
      expect({ name: vector.name, authorization: signed[vector.name] }).toEqual({ name: vector.name, authorization: vector.authorization });
    }
  });

  describe('container credentials', () => {
    let tmp: string;
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-credentials-'));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** Runs `credentials()` in a PHP process of its own (as a php-fpm request); returns the access key id or the error. */
    // asynchronous: the fake endpoint answers from this process's event loop
    const credentialsIn = (env: Record<string, string>) => new Promise<string>((resolve) => {
      execFile('php', ['-r', `require '${AWS_PHP}'; try { echo CfbSesMail\\credentials()['key']; } catch (Throwable $e) { echo 'error: ', $e->getMessage(); }`], {
        encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: tmp, ...env }, timeout: 20_000,
      }, (_error, stdout, stderr) => resolve(stdout + stderr));
    });

    test('come from AWS_CONTAINER_CREDENTIALS_FULL_URI with the authorization token, and are fetched once while valid', async () => {
      await withCredentialsEndpoint(() => 3600, async (endpoint) => {
        const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER.token };
        expect(await credentialsIn(env)).toBe(CONTAINER.key);
        expect(await credentialsIn(env)).toBe(CONTAINER.key);
        expect(endpoint.calls).toEqual(['/v2/credentials/task']);
        // the cache is for this user only
        const cached = fs.readdirSync(tmp).filter((f) => f.startsWith('cfb-ses-mail-credentials-'));
        expect(cached).toHaveLength(1);
        expect((fs.statSync(path.join(tmp, cached[0])).mode % 0o1000).toString(8)).toBe('600');
      });
    });

    test('are fetched again when they expire within 5 minutes', async () => {
      await withCredentialsEndpoint(() => 240, async (endpoint) => {
        const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER.token };
        expect(await credentialsIn(env)).toBe(CONTAINER.key);
        expect(await credentialsIn(env)).toBe(CONTAINER.key);
        expect(endpoint.calls).toHaveLength(2);
      });
    });

    test('the token may come from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE; a wrong one is an error with the endpoint\'s answer', async () => {
      await withCredentialsEndpoint(() => 3600, async (endpoint) => {
        const tokenFile = path.join(tmp, 'token');
        fs.writeFileSync(tokenFile, `${CONTAINER.token}\n`);
        expect(await credentialsIn({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }))
          .toBe(CONTAINER.key);
        fs.rmSync(path.join(tmp, fs.readdirSync(tmp).find((f) => f.startsWith('cfb-ses-mail-credentials-'))!));
        expect(await credentialsIn({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong' }))
          .toBe('error: the container credentials endpoint answered 401: {"message":"bad token"}');
      });
    });

    test('on Fargate they come from the ECS agent at 169.254.170.2 and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, which wins over a full URI', async () => {
      // the variable ECS sets in every container of a task with a task role (ECS Developer
      // Guide, "Amazon ECS task IAM role": the SDKs read 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
      const credentialsRequest = (env: Record<string, string>) => new Promise<string>((resolve) => {
        execFile('php', ['-r', `require '${AWS_PHP}'; echo json_encode(CfbSesMail\\credentials_request());`], {
          encoding: 'utf-8', env: { PATH: process.env.PATH, ...env }, timeout: 20_000,
        }, (_error, stdout, stderr) => resolve(stdout + stderr));
      });
      expect(JSON.parse(await credentialsRequest({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/0f1e2d3c' })))
        .toEqual(['http://169.254.170.2/v2/credentials/0f1e2d3c', []]);
      expect(JSON.parse(await credentialsRequest({
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/0f1e2d3c', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds',
      }))).toEqual(['http://169.254.170.2/v2/credentials/0f1e2d3c', []]);
    });

    test('a full URI over plain HTTP must be a loopback or ECS/EKS agent address, as in the AWS SDKs', async () => {
      expect(await credentialsIn({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://198.51.100.7/creds' }))
        .toBe('error: AWS_CONTAINER_CREDENTIALS_FULL_URI http://198.51.100.7/creds is neither HTTPS nor a loopback or ECS/EKS agent address');
      expect(await credentialsIn({})).toMatch(/^error: no container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set$/);
    });
  });
});

(serversAvailable ? describe : describe.skip)('WordPress sends mail through SES with the task role (real nginx, php-fpm, MariaDB)', () => {
  const REGION = 'eu-west-1';
  let tmp: string;
  let html: string;
  let servers: WordpressServers;
  let nginx: Nginx;
  let ses: Awaited<ReturnType<typeof fakeSes>>;
  let credentials: Awaited<ReturnType<typeof fakeCredentialsEndpoint>>;
  const muPlugin = () => path.join(html, 'wp-content', 'mu-plugins', 'cfb-ses-mail.php');

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-mail-'));
    fs.chmodSync(tmp, 0o755);
    const source = path.join(tmp, 'src');
    html = path.join(tmp, 'html');
    fs.mkdirSync(html);
    makeCoreSource(source);
    ses = await fakeSes(REGION);
    credentials = await fakeCredentialsEndpoint(() => 3600);
    servers = await WordpressServers.prepare({
      dir: tmp,
      webRoot: html,
      coreSource: source,
      phpEnvironment: {
        // what the construct sets with mail: { fromAddress, fromName }
        CFB_MAIL_FROM: 'registration@example.com',
        CFB_MAIL_FROM_NAME: 'Registration Desk',
        CFB_MAIL_CONFIGURATION_SET: 'BlogMailConfigurationSet',
        CFB_MAIL_REGION: REGION,
        // what ECS gives a task (a loopback stand-in for the agent), and the test-only endpoint
        AWS_CONTAINER_CREDENTIALS_FULL_URI: credentials.uri,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER.token,
        CFB_MAIL_SES_ENDPOINT: `http://127.0.0.1:${ses.port}`,
        TMPDIR: tmp,
      },
    });
    await servers.startDatabase();
    await servers.startPhp();
    nginx = await servers.startNginx();
    await servers.installWordpress(nginx.port);
  }, 180_000);

  afterAll(async () => {
    await servers?.stop();
    await ses?.close();
    await credentials?.close();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the entrypoint put the must-use plugin into the web root', () => {
    expect(fs.readFileSync(muPlugin(), 'utf-8')).toBe(fs.readFileSync(path.join(PLUGINS, 'cfb-ses-mail.php'), 'utf-8'));
    expect(fs.readFileSync(path.join(html, 'wp-content', 'mu-plugins', 'cfb-ses-mail', 'aws.php'), 'utf-8')).toBe(fs.readFileSync(AWS_PHP, 'utf-8'));
  });

  test('a password reset reaches SES as raw MIME, signed with the container credentials', async () => {
    const before = ses.sent.length;
    const response = await request(nginx.port, '/wp-login.php?action=lostpassword', {
      method: 'POST',
      body: new URLSearchParams({ 'user_login': ADMIN.user, 'redirect_to': '', 'wp-submit': 'Get New Password' }),
    });
    expect({ status: response.status, location: response.location }).toEqual({ status: 302, location: '/wp-login.php?checkemail=confirm' });
    expect(ses.refused).toEqual([]);
    expect(ses.sent).toHaveLength(before + 1);
    const mail = ses.sent[ses.sent.length - 1];
    expect(mail.request).toMatchObject({
      FromEmailAddress: 'registration@example.com',
      Destination: { ToAddresses: ['admin@example.com'] },
      ConfigurationSetName: 'BlogMailConfigurationSet',
    });
    expect(header(mail.raw, 'From')).toBe('Registration Desk <registration@example.com>');
    expect(header(mail.raw, 'To')).toBe('admin@example.com');
    // "Password Reset" in WordPress 6.1 (Debian's), "Password Reset Request" in later ones
    expect(header(mail.raw, 'Subject')).toMatch(/^\[Registration\] Password Reset( Request)?$/);
    expect(header(mail.raw, 'Bcc')).toBeUndefined();
    expect(mail.raw).toMatch(/action=rp&key=[A-Za-z0-9]+&login=admin/);
    // every line ends in CRLF, as RFC 5322 wants
    expect(mail.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // the credentials came from the container endpoint, with its token, once for every mail so far
    expect(credentials.calls).toEqual(['/v2/credentials/task']);
  });

  test('a message SES refuses makes wp_mail() fail, and SES\'s error is logged', async () => {
    ses.state.reject = true;
    try {
      const response = await request(nginx.port, '/wp-login.php?action=lostpassword', {
        method: 'POST',
        body: new URLSearchParams({ 'user_login': ADMIN.user, 'redirect_to': '', 'wp-submit': 'Get New Password' }),
      });
      // retrieve_password() reports wp_mail()'s false as "The email could not be sent."
      expect(response.status).toBe(200);
      expect(response.body).toContain('The email could not be sent.');
      expect(fs.readFileSync(path.join(tmp, 'php-fpm.log'), 'utf-8'))
        .toMatch(/cfb-ses-mail: wp_mail\(\) failed: SES SendEmail failed \(400\) MessageRejected: Email address is not verified\./);
    } finally {
      ses.state.reject = false;
    }
  });

  test('a site installed before gets the image\'s version of the plugin on the next start', async () => {
    fs.writeFileSync(muPlugin(), '<?php // an older version\n');
    await servers.stopPhp();
    await servers.startPhp();
    expect(fs.readFileSync(muPlugin(), 'utf-8')).toBe(fs.readFileSync(path.join(PLUGINS, 'cfb-ses-mail.php'), 'utf-8'));
    expect(fs.readdirSync(path.dirname(muPlugin())).filter((f) => f.includes('.cfb-new.'))).toEqual([]);
  }, 60_000);
});
