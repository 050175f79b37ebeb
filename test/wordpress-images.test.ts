import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Annotations, Duration } from 'aws-cdk-lib';
import { WordpressFargateSite, WordpressFargateSiteProps } from '../src';
import { buildAndSynth, containersOf, environmentOf, REGION_ENV } from './support';
import {
  binaries, busybox, ENTRYPOINT, freePort, makeCoreSource, makeImageBin, Metrics, MetricsLine, missingBinaries, Nginx, rawRequest, request,
  Response, unshare, waitFor, WordpressServers,
} from './support/wordpress-servers';

/**
 * What the WordPress images of WordpressFargateSite do, proven with real servers.
 *
 * No Docker engine is available to build the images, so the shipped configuration runs
 * on Debian's own nginx, php-fpm, MariaDB and WordPress, on loopback only
 * (test/support/wordpress-servers.ts): the nginx template filled in with envsubst, the
 * php ini and pool files, and php-fpm started through the image's cfb-entrypoint.sh,
 * which installs WordPress onto the web root as it does onto EFS.
 *
 * `.ci/run` installs the packages. Without them the suite is skipped, except on CI,
 * where that is a failure.
 */

const UPLOAD_LIMIT_MIB = 8;
const MIB = 1024 * 1024;
/** Seconds a page stays fresh in the micro-cache here: short, so the test can outlive it. */
const PAGE_CACHE_TTL = 2;
const KEYS = Array.from({ length: 8 }, (_, i) => String.fromCharCode(65 + i).repeat(63) + String(i)).join('');
const serversAvailable = missingBinaries.length === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if ((!serversAvailable || !busybox) && process.env.CI) {
  test('the real-server test has its packages (CI)', () => {
    throw new Error(`missing on this CI machine: ${[...missingBinaries, ...(busybox ? [] : ['busybox'])].join(', ')}; .ci/run installs them`);
  });
}

/** Every entry under `root` (files by content), minus the names in `except`. */
function tree(root: string, except: string[] = []): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (except.includes(relative)) {
        continue;
      }
      if (entry.isDirectory()) {
        entries[relative] = 'directory';
        walk(relative);
      } else {
        entries[relative] = crypto.createHash('sha1').update(fs.readFileSync(path.join(root, relative))).digest('hex');
      }
    }
  };
  walk('');
  return entries;
}

const countFiles = (root: string) => fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).length;
const temporaries = (root: string) => fs.readdirSync(root).filter((f) => f.startsWith('.cfb-tmp.'));

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; output: string }>;
}

/** Starts the image's entrypoint with `args` as the container command. */
function runEntrypoint(env: Record<string, string>, args: string[] = ['php-fpm', '-v']): Run {
  // its own process group: killing it kills the cp it started, as when a task dies
  const child = spawn(ENTRYPOINT, args, { env: { PATH: process.env.PATH, ...env }, detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, output }))) };
}

/** The access log line of `server` that contains `marker` (nginx writes it once the response is out). */
async function accessLogLine(server: Nginx, marker: string): Promise<string> {
  let line: string | undefined;
  await waitFor('the access log', () => {
    line = fs.readFileSync(server.accessLog, 'utf-8').split('\n').find((l) => l.includes(marker));
    return line !== undefined;
  }, 5_000);
  return line!;
}

/**
 * The environment the construct gives the nginx container for `props` (what is a literal
 * in the template; NGINX_REAL_IP_FROM, the VPC's range, is a reference there).
 */
function constructNginxEnvironment(props: WordpressFargateSiteProps): Record<string, string> {
  const { template } = buildAndSynth((stack) => {
    const site = new WordpressFargateSite(stack, 'Blog', props);
    Annotations.of(site).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit', 'the test serves no long request');
    return site;
  }, { env: REGION_ENV });
  return Object.fromEntries(Object.entries(environmentOf(containersOf(template).nginx)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

(serversAvailable ? describe : describe.skip)('the WordPress images on real nginx, php-fpm and MariaDB', () => {
  let tmp: string;
  let source: string;
  let html: string;
  let servers: WordpressServers;
  let nginx: Nginx;
  const imageEnv = () => ({ PATH: `${servers.bin}:${process.env.PATH}`, CFB_WEB_ROOT: html, CFB_CORE_SOURCE: source });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-wordpress-'));
    fs.chmodSync(tmp, 0o755);
    source = path.join(tmp, 'src');
    html = path.join(tmp, 'html');
    fs.mkdirSync(html);
    makeCoreSource(source);
    servers = await WordpressServers.prepare({
      dir: tmp,
      webRoot: html,
      coreSource: source,
      phpEnvironment: {
        PHP_UPLOAD_MAX_FILESIZE: `${UPLOAD_LIMIT_MIB}M`,
        PHP_POST_MAX_SIZE: `${UPLOAD_LIMIT_MIB + 1}M`,
        PHP_MEMORY_LIMIT: '256M',
        WORDPRESS_KEYS_AND_SALTS: KEYS,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await servers?.stop();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  describe('the first start on an empty web root', () => {
    let victim: Run;
    let victimTemporary: string;

    afterAll(() => {
      if (victim && victim.child.exitCode === null && victim.child.signalCode === null) {
        process.kill(-victim.child.pid!, 'SIGKILL');
      }
    });

    test('tasks starting together, one killed while copying, leave WordPress complete and identical to the image\'s', async () => {
      // the first task holds the lock and stalls in the middle of its copy (every cp it
      // starts copies its files and then hangs, like writes to a stuck file system)
      const stall = path.join(tmp, 'stall');
      fs.mkdirSync(stall);
      fs.writeFileSync(path.join(stall, 'cp'), `#!/bin/sh\n${fs.realpathSync('/bin/cp')} "$@"\nexec sleep 120\n`, { mode: 0o755 });
      victim = runEntrypoint({ ...imageEnv(), PATH: `${stall}:${imageEnv().PATH}` });
      await waitFor('the first task to copy', () => {
        const mine = temporaries(html).find((f) => f.endsWith(`.${victim.child.pid}`) || f.includes(`.${victim.child.pid}.`));
        victimTemporary = mine ? path.join(html, mine) : '';
        return !!mine && countFiles(victimTemporary) > 0;
      }, 30_000, 20);

      // three more do not get the lock within a second, so they copy all at the same time
      const handovers = path.join(tmp, 'handovers.log');
      const others = [1, 2, 3].map(() => runEntrypoint({ ...imageEnv(), CFB_SETUP_LOCK_TIMEOUT: '1', CFB_HANDOVER_LOG: handovers }));
      const results = await Promise.all(others.map((o) => o.done));
      process.kill(-victim.child.pid!, 'SIGKILL');
      await victim.done;

      expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(results.map((r) => r.output)).toEqual(Array(3).fill(expect.stringContaining('installing anyway')));
      expect(results.filter((r) => r.output.includes('installing WordPress from')).length).toBeGreaterThanOrEqual(2);
      // each handed over to the official entrypoint with WordPress and wp-config.php in place
      const states = fs.readFileSync(handovers, 'utf-8').trim().split('\n').map((l) => l.split(':')[1]);
      expect(states).toEqual(Array(3).fill(' index.php version.php wp-config.php'));
      // the killed task had copied part of WordPress, and placed none of it
      expect(countFiles(victimTemporary)).toBeLessThan(countFiles(source));
      expect(temporaries(html)).toEqual([path.basename(victimTemporary)]);

      expect(tree(html, ['wp-config.php', '.cfb-core-installed', '.cfb-setup.lock', path.basename(victimTemporary)])).toEqual(tree(source));
      expect(fs.readFileSync(path.join(html, 'wp-config.php'), 'utf-8')).toBe(fs.readFileSync(path.join(source, 'wp-config-docker.php'), 'utf-8'));
      expect(fs.readFileSync(path.join(html, '.cfb-core-installed'), 'utf-8')).toBe('6.1.9\n');
    }, 60_000);

    test('the next start removes what the killed task left once it is 30 minutes old, and php-fpm serves WordPress', async () => {
      // younger, it may belong to a task still copying: kept
      expect((await runEntrypoint(imageEnv()).done).code).toBe(0);
      expect(temporaries(html)).toEqual([path.basename(victimTemporary)]);

      const halfAnHourAgo = new Date(Date.now() - 31 * 60_000);
      fs.utimesSync(victimTemporary, halfAnHourAgo, halfAnHourAgo);
      await servers.startPhp();
      expect(temporaries(html)).toEqual([]);
      expect(fs.readFileSync(path.join(tmp, 'php-fpm.out'), 'utf-8')).not.toMatch(/installing WordPress from/);
    }, 60_000);
  });

  describe('serving', () => {
    beforeAll(async () => {
      nginx = await servers.startNginx({
        NGINX_CLIENT_MAX_BODY_SIZE: `${UPLOAD_LIMIT_MIB + 1}m`,
        NGINX_PAGE_CACHE_TTL: String(PAGE_CACHE_TTL),
        NGINX_REAL_IP_FROM: '127.0.0.1/32',
      });
      // a probe that reports what PHP received (never cached: it says no-store), one whose
      // pages can be cached and that notes every call, and a PHP file among the uploads
      fs.writeFileSync(path.join(html, 'cfb-probe.php'), [
        '<?php',
        'header(\'Content-Type: application/json\');',
        'header(\'Cache-Control: no-store\');',
        'echo json_encode([',
        '  \'error\' => $_FILES[\'f\'][\'error\'] ?? null,',
        '  \'size\' => $_FILES[\'f\'][\'size\'] ?? null,',
        '  \'https\' => $_SERVER[\'HTTPS\'] ?? \'\',',
        '  \'remote_addr\' => $_SERVER[\'REMOTE_ADDR\'],',
        '  \'ini\' => array_combine($k = [\'file_uploads\', \'upload_max_filesize\', \'post_max_size\', \'max_execution_time\', \'memory_limit\',',
        '    \'realpath_cache_ttl\', \'opcache.revalidate_freq\', \'opcache.validate_timestamps\', \'expose_php\'], array_map(\'ini_get\', $k)),',
        '  \'env\' => getenv(\'WORDPRESS_DB_NAME\'),',
        ']);',
        '',
      ].join('\n'));
      fs.writeFileSync(path.join(html, 'cfb-page.php'), [
        '<?php',
        'usleep(((int) ($_GET[\'sleep\'] ?? 0)) * 1000);',
        'file_put_contents(__DIR__ . \'/cfb-calls.log\', ($_GET[\'name\'] ?? \'\') . "\\n", FILE_APPEND | LOCK_EX);',
        'if (isset($_GET[\'cookie\'])) { setcookie(\'cfb_visitor\', \'1\'); }',
        'if (isset($_GET[\'private\'])) { header(\'Cache-Control: private\'); }',
        'if (isset($_GET[\'max-age\'])) { header(\'Cache-Control: max-age=600\'); }',
        'echo uniqid(\'page \', true);',
        '',
      ].join('\n'));
      fs.mkdirSync(path.join(html, 'wp-content', 'uploads'), { recursive: true });
      fs.writeFileSync(path.join(html, 'wp-content', 'uploads', 'evil.php'), '<?php echo "executed";');
    });

    const get = (urlPath: string, headers: Record<string, string> = {}) => request(nginx.port, urlPath, { headers });
    const calls = (name: string) => fs.readFileSync(path.join(html, 'cfb-calls.log'), 'utf-8').split('\n').filter((l) => l === name).length;

    test('the health endpoint answers 200 while the database is down, where PHP pages fail', async () => {
      expect(servers.databaseRunning).toBe(false);
      expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
      const page = await get('/');
      expect(page.status).toBe(500);
      expect(page.body).toMatch(/Error establishing a database connection/);
    });

    test('the WordPress install page renders through nginx and php-fpm once the database is up', async () => {
      await servers.startDatabase();
      const home = await get('/');
      expect(home.status).toBe(302);
      expect(home.location).toMatch(/\/wp-admin\/install\.php$/);
      const install = await get('/wp-admin/install.php');
      expect(install.status).toBe(200);
      expect(install.body).toMatch(/<title>WordPress &rsaquo; Installation<\/title>/);
      expect(install.body).toMatch(/<form id="setup"/);
      // static files are served by nginx itself
      expect((await get('/wp-admin/css/install.css')).status).toBe(200);
      // and the redirect to the installer was not cached (WordPress says no-cache)
      expect((await get('/')).cache).toBe('MISS');
    }, 60_000);

    test('PHP runs with the shipped settings and the limits from the environment', async () => {
      const probe = JSON.parse((await get('/cfb-probe.php')).body);
      expect(probe.ini).toEqual({
        'file_uploads': '1',
        'upload_max_filesize': `${UPLOAD_LIMIT_MIB}M`,
        'post_max_size': `${UPLOAD_LIMIT_MIB + 1}M`,
        'max_execution_time': '600',
        'memory_limit': '256M',
        'realpath_cache_ttl': '600',
        'opcache.revalidate_freq': '60',
        'opcache.validate_timestamps': '1',
        'expose_php': '',
      });
      // the pool keeps the environment for WordPress' getenv() (clear_env = no)
      expect(probe.env).toBe('wordpress');
    });

    const upload = async (bytes: number) => {
      const form = new FormData();
      form.append('f', new Blob([Buffer.alloc(bytes, 0x61)]), 'upload.bin');
      return request(nginx.port, '/cfb-probe.php', { method: 'POST', body: form });
    };

    test('a file of exactly the upload limit is accepted by nginx and by PHP', async () => {
      const response = await upload(UPLOAD_LIMIT_MIB * MIB);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ error: 0, size: UPLOAD_LIMIT_MIB * MIB });
    }, 60_000);

    test('a file just under the limit is accepted too', async () => {
      const response = await upload(UPLOAD_LIMIT_MIB * MIB - 64 * 1024);
      expect(JSON.parse(response.body)).toMatchObject({ error: 0, size: UPLOAD_LIMIT_MIB * MIB - 64 * 1024 });
    }, 60_000);

    test('a file over the limit gets 413 from nginx', async () => {
      expect((await upload((UPLOAD_LIMIT_MIB + 2) * MIB)).status).toBe(413);
    }, 60_000);

    test('a file a little over the limit passes nginx, and PHP refuses it (UPLOAD_ERR_INI_SIZE)', async () => {
      const response = await upload(UPLOAD_LIMIT_MIB * MIB + 256 * 1024);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ error: 1 });
    }, 60_000);

    test('WordPress sees HTTPS when the load balancer says the visitor used it', async () => {
      expect(JSON.parse((await get('/cfb-probe.php', { 'X-Forwarded-Proto': 'https' })).body).https).toBe('on');
      expect(JSON.parse((await get('/cfb-probe.php', { 'X-Forwarded-Proto': 'http' })).body).https).toBe('');
    });

    describe('behind CloudFront (NGINX_BEHIND_CDN=1)', () => {
      let cdn: Nginx;
      // as the construct configures nginx behind the CDN; the load balancer (127.0.0.1) in the VPC's range
      beforeAll(async () => {
        cdn = await servers.startNginx({ ...constructNginxEnvironment({ cdn: true, pageCacheTtl: Duration.seconds(60) }), NGINX_REAL_IP_FROM: '127.0.0.0/8' });
      });
      afterAll(() => cdn?.stop());
      const probe = async (port: number, headers: Record<string, string>) => JSON.parse((await request(port, '/cfb-probe.php', { headers })).body);

      test('WordPress sees HTTPS when CloudFront says the visitor used it, whatever the load balancer says', async () => {
        expect((await probe(cdn.port, { 'CloudFront-Forwarded-Proto': 'https', 'X-Forwarded-Proto': 'http' })).https).toBe('on');
        expect((await probe(cdn.port, { 'CloudFront-Forwarded-Proto': 'http', 'X-Forwarded-Proto': 'https' })).https).toBe('');
        // without CloudFront's header, the load balancer's word stands
        expect((await probe(cdn.port, { 'X-Forwarded-Proto': 'https' })).https).toBe('on');
        expect((await probe(cdn.port, { 'X-Forwarded-Proto': 'http' })).https).toBe('');
      });

      test('without it, CloudFront-Forwarded-Proto is ignored: a visitor could send it to a public load balancer', async () => {
        expect((await probe(nginx.port, { 'CloudFront-Forwarded-Proto': 'https', 'X-Forwarded-Proto': 'http' })).https).toBe('');
        expect((await probe(nginx.port, { 'CloudFront-Forwarded-Proto': 'http', 'X-Forwarded-Proto': 'https' })).https).toBe('on');
      });

      test('the scheme CloudFront reports is part of the page cache key, and only behind CloudFront', async () => {
        const page = (port: number, name: string, headers: Record<string, string>) => request(port, `/cfb-page.php?name=${name}`, { headers });
        const viaHttps = { 'CloudFront-Forwarded-Proto': 'https', 'X-Forwarded-Proto': 'http' };
        const viaHttp = { 'CloudFront-Forwarded-Proto': 'http', 'X-Forwarded-Proto': 'http' };
        const first = await page(cdn.port, 'cdn-scheme', viaHttps);
        expect(first.cache).toBe('MISS');
        expect((await page(cdn.port, 'cdn-scheme', viaHttp)).cache).toBe('MISS');
        expect(await page(cdn.port, 'cdn-scheme', viaHttps)).toMatchObject({ cache: 'HIT', body: first.body });
        expect(calls('cdn-scheme')).toBe(2);
        // a public load balancer's visitor saying https over http gets the http page
        const plain = await page(nginx.port, 'public-scheme', {});
        expect(await page(nginx.port, 'public-scheme', viaHttps)).toMatchObject({ cache: 'HIT', body: plain.body });
      });

      // The load balancer's X-Forwarded-For ends with its client, a CloudFront server
      // (130.176.0.0/16 is one of CloudFront's origin-facing ranges), which is no proxy of
      // the VPC: the visitor's address is the one CloudFront's viewer-request function
      // writes into X-Cfb-Viewer-Address (replacing any the visitor sent).
      test('PHP and the access log see the address CloudFront\'s function writes, not a forged X-Forwarded-For nor CloudFront\'s own', async () => {
        const headers = { 'X-Forwarded-For': '198.51.100.9, 203.0.113.7, 130.176.1.1', 'X-Cfb-Viewer-Address': '192.0.2.44' };
        const response = await request(cdn.port, '/cfb-probe.php?logged=cdn-visitor', { headers });
        expect(JSON.parse(response.body).remote_addr).toBe('192.0.2.44');
        expect(await accessLogLine(cdn, '?logged=cdn-visitor')).toMatch(/^192\.0\.2\.44 /);
        // an IPv6 visitor too
        expect((await probe(cdn.port, { 'X-Cfb-Viewer-Address': '2001:db8::7' })).remote_addr).toBe('2001:db8::7');
      });

      test('without the CDN the header is ignored: a visitor could send it to a public load balancer', async () => {
        const headers = { 'X-Forwarded-For': '203.0.113.7', 'X-Cfb-Viewer-Address': '192.0.2.44' };
        expect(JSON.parse((await request(nginx.port, '/cfb-probe.php', { headers })).body).remote_addr).toBe('203.0.113.7');
      });
    });

    describe('keep-alive: the load balancer closes an idle connection first (else it may reuse one nginx closed: a 502)', () => {
      test('nginx runs with the keep-alive the construct derives from the load balancer\'s idle timeout (660 s -> 690 s)', async () => {
        const environment = constructNginxEnvironment({});
        expect(environment.NGINX_KEEPALIVE_TIMEOUT).toBe('690s');
        const derived = await servers.startNginx({ ...environment, NGINX_REAL_IP_FROM: '127.0.0.1/32' });
        try {
          // the server's own keepalive_timeout, not the main configuration's 65 s (the nginx image's)
          const server = derived.effectiveConfiguration().split(/^\s*server \{/m).find((block) => block.includes('location = /healthz'))!;
          expect(server.match(/^\s*keepalive_timeout\s+(\S+);/m)?.[1]).toBe('690s');
        } finally {
          await derived.stop();
        }
      });

      test('an idle connection stays open as long as the keep-alive says, and no longer', async () => {
        const short = await servers.startNginx({ NGINX_REAL_IP_FROM: '127.0.0.1/32', NGINX_KEEPALIVE_TIMEOUT: '2s' });
        try {
          const socket = net.connect(short.port, '127.0.0.1');
          const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
          let received = '';
          socket.on('data', (d) => (received += d));
          const ask = () => socket.write('GET /healthz HTTP/1.1\r\nHost: site\r\n\r\n');
          socket.on('connect', ask);
          await waitFor('the first answer', () => received.includes('ok'), 5_000, 10);
          // idle 1 s (under the keep-alive): the same connection answers again
          await sleep(1_000);
          ask();
          await waitFor('the second answer', () => received.split('ok').length === 3, 5_000, 10);
          const idleSince = Date.now();
          const idleFor = (await closed) - idleSince;
          expect(idleFor).toBeGreaterThanOrEqual(1_500);
          expect(idleFor).toBeLessThan(4_000);
        } finally {
          await short.stop();
        }
      });
    });

    test('dot files, the first start\'s marker and PHP in the uploads are never served', async () => {
      expect((await get('/.cfb-setup.lock')).status).toBe(403);
      expect((await get('/.cfb-core-installed')).status).toBe(403);
      const evil = await get('/wp-content/uploads/evil.php');
      expect(evil.status).toBe(403);
      expect(evil.body).not.toContain('executed');
    });

    describe('the visitor\'s address', () => {
      const remoteAddr = async (port: number, forwardedFor: string, query = '') =>
        JSON.parse((await request(port, `/cfb-probe.php${query}`, { headers: { 'X-Forwarded-For': forwardedFor } })).body).remote_addr;

      test('behind a trusted proxy, PHP and the access log see the address it forwards', async () => {
        expect(await remoteAddr(nginx.port, '203.0.113.7', '?logged=visitor')).toBe('203.0.113.7');
        expect(await accessLogLine(nginx, '?logged=visitor')).toMatch(/^203\.0\.113\.7 /);
      });

      test('addresses the visitor wrote into X-Forwarded-For themselves are ignored', async () => {
        expect(await remoteAddr(nginx.port, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
      });

      test('the header of a peer outside the trusted range is ignored', async () => {
        const untrusting = await servers.startNginx({ NGINX_REAL_IP_FROM: '10.0.0.0/16' });
        try {
          expect(await remoteAddr(untrusting.port, '203.0.113.7')).toBe('127.0.0.1');
        } finally {
          await untrusting.stop();
        }
      });
    });

    describe('the page micro-cache', () => {
      let session: string;
      // nginx counts whole seconds: a page is fresh for the TTL and up to one second more
      const expire = () => new Promise((r) => setTimeout(r, (PAGE_CACHE_TTL + 1) * 1000 + 100));

      beforeAll(async () => {
        await servers.installWordpress(nginx.port);
        session = await servers.logIn(nginx.port);
      }, 60_000);

      test('an anonymous visitor\'s second request for a WordPress page is a HIT with the same page', async () => {
        const first = await get('/');
        expect(first).toMatchObject({ status: 200, cache: 'MISS' });
        expect(first.body).toMatch(/Hello world!/);
        expect(first.body).not.toMatch(/wpadminbar/);
        const second = await get('/');
        expect(second).toMatchObject({ status: 200, cache: 'HIT', body: first.body });
      });

      test('a logged-in visitor always gets a page of their own, which is never cached for others', async () => {
        for (const attempt of [1, 2]) {
          const page = await get('/', { Cookie: session });
          expect([attempt, page.status, page.cache]).toEqual([attempt, 200, 'BYPASS']);
          expect(page.body).toMatch(/wpadminbar/);
        }
        expect((await get('/')).body).not.toMatch(/wpadminbar/);
      });

      test.each([
        ['wordpress_logged_in_0123abc=admin%7C1'],
        ['wp-postpass_0123abc=%24P%24Bsecret'],
        ['comment_author_0123abc=Visitor'],
        ['wordpress_no_cache=1'],
      ])('a visitor with the cookie %s is never served from the cache', async (cookie) => {
        const name = `cookie-${cookie.split('=')[0]}`;
        await get(`/cfb-page.php?name=${name}`);
        const page = await get(`/cfb-page.php?name=${name}`, { Cookie: `other=1; ${cookie}` });
        expect(page.cache).toBe('BYPASS');
        expect(calls(name)).toBe(2);
      });

      test('a POST is never answered from the cache, nor cached', async () => {
        for (const attempt of [1, 2]) {
          const response = await request(nginx.port, '/cfb-page.php?name=post', { method: 'POST', body: new URLSearchParams({ a: '1' }) });
          expect([attempt, response.cache]).toEqual([attempt, 'BYPASS']);
        }
        expect((await get('/cfb-page.php?name=post')).cache).toBe('MISS');
        expect(calls('post')).toBe(3);
      });

      test.each([
        ['/wp-login.php'],
        ['/wp-admin/admin-ajax.php'],
        ['/wp-json/'],
        ['/?rest_route=/'],
        ['/xmlrpc.php'],
        ['/wp-cron.php'],
        ['/?p=1&preview=true'],
      ])('%s is never cached', async (urlPath) => {
        expect((await get(urlPath)).cache).toBe('BYPASS');
        expect((await get(urlPath)).cache).toBe('BYPASS');
      });

      test('what nginx never caches it marks private for the caches after it (CloudFront); pages it caches get no such mark', async () => {
        const cacheControl = async (urlPath: string, init: Parameters<typeof request>[2] = {}) => (await request(nginx.port, urlPath, init)).headers.get('cache-control');
        // anonymous pages: no lifetime of their own, CloudFront keeps them its default TTL (pageCacheTtl)
        expect(await cacheControl('/')).toBeNull();
        expect(await cacheControl('/cfb-page.php?name=marked')).toBeNull();
        for (const [what, urlPath, init] of [
          ['logged in', '/', { headers: { Cookie: session } }],
          ['a comment left', '/cfb-page.php?name=marked', { headers: { Cookie: 'comment_author_0123abc=Visitor' } }],
          ['a POST', '/cfb-page.php?name=marked', { method: 'POST', body: new URLSearchParams({ a: '1' }) }],
          ['a page that sets a cookie', '/cfb-page.php?name=marked&cookie=1', {}],
          ['a preview', '/?p=1&preview=true', {}],
          ['the login', '/wp-login.php', {}],
        ] as const) {
          expect([what, await cacheControl(urlPath, init)]).toEqual([what, expect.stringMatching(/(^|, *)private(,|$)/)]);
        }
      });

      test('files of the core, themes, plugins and uploads say how long to keep them (7 days), which is what CloudFront keeps them; PHP there does not', async () => {
        fs.writeFileSync(path.join(html, 'wp-content', 'uploads', 'cfb-guide.pdf'), '%PDF-1.4\n');
        fs.mkdirSync(path.join(html, 'wp-content', 'plugins', 'cfb-plugin'), { recursive: true });
        fs.writeFileSync(path.join(html, 'wp-content', 'plugins', 'cfb-plugin', 'ajax.php'), '<?php echo "plugin";');
        for (const urlPath of ['/wp-includes/js/jquery/jquery.min.js', '/wp-content/uploads/cfb-guide.pdf']) {
          const file = await request(nginx.port, urlPath);
          expect([urlPath, file.status, file.headers.get('cache-control')]).toEqual([urlPath, 200, 'max-age=604800']);
        }
        const script = await request(nginx.port, '/wp-content/plugins/cfb-plugin/ajax.php');
        expect([script.status, script.body, script.headers.get('cache-control')]).toEqual([200, 'plugin', null]);
        // a file that is not there goes to WordPress (a 404 page, or its redirect to a similar
        // name), whose answer gets no lifetime from nginx
        const missing = await request(nginx.port, '/wp-content/uploads/cfb-missing.pdf');
        expect([missing.cache !== null, missing.headers.get('cache-control') ?? 'none']).toEqual([true, expect.not.stringMatching(/max-age=604800/)]);
      });

      test('a page that sets a cookie or says it is private is never cached', async () => {
        for (const kind of ['cookie', 'private']) {
          const statuses = [(await get(`/cfb-page.php?name=${kind}&${kind}=1`)).cache, (await get(`/cfb-page.php?name=${kind}&${kind}=1`)).cache];
          expect([kind, ...statuses]).toEqual([kind, 'MISS', 'MISS']);
          expect(calls(kind)).toBe(2);
        }
      });

      test('each query string, method and scheme is a page of its own', async () => {
        expect((await get('/?s=hello')).cache).toBe('MISS');
        expect((await get('/?s=hello')).cache).toBe('HIT');
        expect((await get('/?s=other')).cache).toBe('MISS');
        expect((await request(nginx.port, '/?s=hello', { method: 'HEAD' })).cache).toBe('MISS');
        const https = await get('/?s=hello', { 'X-Forwarded-Proto': 'https' });
        expect(https.cache).toBe('MISS');
        expect(https.body).toMatch(/https:\/\/127\.0\.0\.1/);
      });

      test('one PHP request fills a page many visitors ask for at once; when it expires, one refreshes it while the rest get the cached copy', async () => {
        const crowd = () => Promise.all(Array.from({ length: 20 }, () => get('/cfb-page.php?name=crowd&sleep=300')));
        const cold = await crowd();
        expect(calls('crowd')).toBe(1);
        expect(cold.map((r) => r.cache).sort()).toEqual([...Array(19).fill('HIT'), 'MISS']);
        expect(new Set(cold.map((r) => r.body)).size).toBe(1);

        await expire();
        const expired = await crowd();
        expect(new Set(expired.map((r) => r.body))).toEqual(new Set([cold[0].body]));
        expect(expired.map((r) => r.cache).every((c) => c === 'STALE' || c === 'UPDATING')).toBe(true);
        await waitFor('the refresh', () => calls('crowd') === 2, 5_000);
        const refreshed = await get('/cfb-page.php?name=crowd&sleep=300');
        expect(refreshed.cache).toBe('HIT');
        expect(refreshed.body).not.toBe(cold[0].body);
        expect(calls('crowd')).toBe(2);
      }, 30_000);

      test('a TTL of 0 turns the cache off, even for pages that give themselves a lifetime', async () => {
        const uncached = await servers.startNginx({ NGINX_PAGE_CACHE_TTL: '0' });
        try {
          for (const urlPath of ['/cfb-page.php?name=ttl0', '/cfb-page.php?name=ttl0&max-age=1']) {
            const statuses = [(await request(uncached.port, urlPath)).cache, (await request(uncached.port, urlPath)).cache];
            expect([urlPath, ...statuses]).toEqual([urlPath, 'BYPASS', 'BYPASS']);
          }
          expect(calls('ttl0')).toBe(4);
          // where the same page with its own lifetime is cached with a TTL
          await get('/cfb-page.php?name=ttl0&max-age=1');
          expect((await get('/cfb-page.php?name=ttl0&max-age=1')).cache).toBe('HIT');
        } finally {
          await uncached.stop();
        }
      });

      describe('compression', () => {
        const gzip = { 'Accept-Encoding': 'gzip, deflate, br' };

        beforeAll(() => {
          // a page PHP compresses itself for a client that accepts gzip, as a careless
          // plugin might (without Vary), and a small file
          fs.writeFileSync(path.join(html, 'cfb-gzip.php'), [
            '<?php',
            '$text = str_repeat("compressible text\\n", 200);',
            'if (str_contains($_SERVER[\'HTTP_ACCEPT_ENCODING\'] ?? \'\', \'gzip\')) {',
            '  header(\'Content-Encoding: gzip\');',
            '  echo gzencode($text);',
            '} else {',
            '  echo $text;',
            '}',
            '',
          ].join('\n'));
          fs.writeFileSync(path.join(html, 'cfb-small.css'), 'body { color: black; }\n'.repeat(20));
        });

        test('a page goes out compressed to a client that accepts gzip and plain to one that does not, from the same cached copy', async () => {
          const compressed = await rawRequest(nginx.port, '/?page=gzip', gzip);
          expect([compressed.status, compressed.headers['x-cache'], compressed.headers['content-encoding']]).toEqual([200, 'MISS', 'gzip']);
          expect(compressed.headers.vary).toMatch(/Accept-Encoding/);
          const page = zlib.gunzipSync(compressed.body).toString('utf-8');
          expect(page).toMatch(/Hello world!/);
          expect(compressed.body.length).toBeLessThan(Buffer.byteLength(page) / 3);

          const plain = await rawRequest(nginx.port, '/?page=gzip');
          expect([plain.headers['x-cache'], plain.headers['content-encoding']]).toEqual(['HIT', undefined]);
          expect(plain.body.toString('utf-8')).toBe(page);
          const again = await rawRequest(nginx.port, '/?page=gzip', gzip);
          expect([again.headers['x-cache'], again.headers['content-encoding']]).toEqual(['HIT', 'gzip']);
          expect(zlib.gunzipSync(again.body).toString('utf-8')).toBe(page);
        });

        test('PHP never compresses: the cache holds what every visitor can read', async () => {
          const compressed = await rawRequest(nginx.port, '/cfb-gzip.php', gzip);
          expect([compressed.headers['x-cache'], compressed.headers['content-encoding']]).toEqual(['MISS', 'gzip']);
          // compressed once, by nginx
          expect(zlib.gunzipSync(compressed.body).toString('utf-8')).toBe('compressible text\n'.repeat(200));
          const plain = await rawRequest(nginx.port, '/cfb-gzip.php');
          expect([plain.headers['x-cache'], plain.headers['content-encoding']]).toEqual(['HIT', undefined]);
          expect(plain.body.toString('utf-8')).toBe('compressible text\n'.repeat(200));
        });

        test.each([
          ['/wp-admin/css/install.css', /^text\/css/],
          ['/wp-includes/js/wp-embed.min.js', /javascript/],
          ['/?rest_route=/wp/v2/types', /^application\/json/],
          ['/?feed=rss2', /^application\/rss\+xml/],
          ['/wp-includes/wlwmanifest.xml', /xml/],
          ['/wp-admin/images/wordpress-logo.svg', /^image\/svg\+xml/],
        ])('%s is compressed for a client that accepts gzip', async (urlPath, type) => {
          const compressed = await rawRequest(nginx.port, urlPath, gzip);
          const plain = await rawRequest(nginx.port, urlPath);
          expect([compressed.status, compressed.headers['content-type'], compressed.headers['content-encoding']]).toEqual([200, expect.stringMatching(type), 'gzip']);
          expect(plain.headers['content-encoding']).toBeUndefined();
          expect(zlib.gunzipSync(compressed.body)).toEqual(plain.body);
        });

        test.each([
          ['/wp-admin/images/wordpress-logo.png', 'an image compressed already'],
          ['/cfb-small.css', 'a file under 1 KiB'],
        ])('%s is sent as it is (%s)', async (urlPath) => {
          const response = await rawRequest(nginx.port, urlPath, gzip);
          expect([response.status, response.headers['content-encoding']]).toEqual([200, undefined]);
        });
      });

      test('while php-fpm is down, the pages in the cache are served stale', async () => {
        const fresh = await get('/?page=stale-test');
        expect(fresh.cache).toBe('MISS');
        await expire();
        await servers.stopPhp();
        const stale: Response = await get('/?page=stale-test');
        expect(stale).toMatchObject({ status: 200, cache: 'STALE', body: fresh.body });
        // and a page that was never cached fails
        expect((await get('/?page=never-seen')).status).toBe(502);
      }, 30_000);
    });

    (busybox ? describe : describe.skip)('the load signal for scale-out: the metrics sidecar\'s script on busybox', () => {
      /** A Site with the characters JSON must escape. */
      const SITE = 'Registration/Site "blue" \\ eu';
      const UNITS: Record<string, string> = { PhpBusyPercent: 'Percent', PhpListenQueue: 'Count', PhpRequests: 'Count', Requests: 'Count' };
      const INTERVAL_MS = 1000;
      let site: Nginx;
      let metrics: Metrics;
      /** One whose status pages never answer, as the process 1 of its container where unshare can make it so. */
      let unanswered: Metrics;

      beforeAll(async () => {
        const nowhere = await freePort();
        unanswered = servers.startMetrics({
          CFB_METRICS_INTERVAL: '1',
          CFB_METRICS_SAMPLE_INTERVAL: '0.1',
          CFB_NGINX_STATUS_URL: `http://127.0.0.1:${nowhere}/nginx-status`,
          CFB_PHP_STATUS_URL: `http://127.0.0.1:${nowhere}/fpm-status`,
        }, { processOne: !!unshare });
      });

      afterAll(async () => {
        await unanswered?.stop();
        await metrics?.stop();
        await site?.stop();
      });

      /** The line as an EMF document, checked against the specification; its metrics by name. */
      const emf = (line: MetricsLine): Record<string, number> => {
        const document = JSON.parse(line.text);
        expect(Object.keys(document._aws)).toEqual(['Timestamp', 'CloudWatchMetrics']);
        const { Timestamp: timestamp, CloudWatchMetrics: directives } = document._aws;
        // the start of the window, a whole interval, just before the line
        expect(timestamp % INTERVAL_MS).toBe(0);
        expect(line.receivedAt - timestamp).toBeGreaterThanOrEqual(INTERVAL_MS);
        expect(line.receivedAt - timestamp).toBeLessThan(INTERVAL_MS + 3000);
        expect(directives).toHaveLength(1);
        expect(directives[0].Namespace).toBe('CdkFargateBlueprints/WordPress');
        expect(directives[0].Dimensions).toEqual([['Site']]);
        expect(document.Site).toBe(SITE);
        const names: string[] = directives[0].Metrics.map((m: { Name: string }) => m.Name);
        expect(directives[0].Metrics).toEqual(names.map((name) => ({ Name: name, Unit: UNITS[name], StorageResolution: 1 })));
        expect(Object.keys(document).sort()).toEqual(['Site', '_aws', ...names].sort());
        for (const name of names) {
          expect([name, Number.isFinite(document[name]) && document[name] >= 0]).toEqual([name, true]);
          expect([name, UNITS[name] === 'Count' ? Number.isInteger(document[name]) : document[name] <= 100]).toEqual([name, true]);
        }
        return Object.fromEntries(names.map((name) => [name, document[name]]));
      };
      const has = (name: string) => (line: MetricsLine) => name in JSON.parse(line.text);

      test('started before nginx and php-fpm, it prints its first line once nginx answers, without PHP metrics while php-fpm is down, and with them when it is back', async () => {
        // php-fpm is down since the last test
        expect(servers.phpPid).toBeUndefined();
        const statusPort = await freePort();
        metrics = servers.startMetrics({
          CFB_METRICS_SITE: SITE,
          CFB_METRICS_INTERVAL: String(INTERVAL_MS / 1000),
          CFB_METRICS_SAMPLE_INTERVAL: '0.1',
          CFB_NGINX_STATUS_URL: `http://127.0.0.1:${statusPort}/nginx-status`,
          CFB_PHP_STATUS_URL: `http://127.0.0.1:${statusPort}/fpm-status`,
        });
        await waitFor('the script to try nginx', () => /nginx status does not answer/.test(metrics.stderr), 5_000, 20);
        site = await servers.startNginx({ NGINX_STATUS_PORT: String(statusPort), NGINX_PAGE_CACHE_TTL: '60' });
        const nginxOnly = await metrics.waitForLine('a line with nginx\'s requests', has('Requests'));
        expect(nginxOnly).toBe(0);
        expect(Object.keys(emf(metrics.lines[nginxOnly]))).toEqual(['Requests']);

        await servers.startPhp();
        const withPhp = await metrics.waitForLine('a line with php-fpm\'s metrics', has('PhpBusyPercent'), nginxOnly);
        // idle: the harness' own check that php-fpm listens is its only connection
        expect(emf(metrics.lines[withPhp])).toEqual({ PhpBusyPercent: 0, PhpListenQueue: 0, PhpRequests: expect.any(Number), Requests: 0 });
        expect(emf(metrics.lines[withPhp]).PhpRequests).toBeLessThanOrEqual(1);
        expect(metrics.stderr).toMatch(/php status answers/);
        // every line it printed: EMF, nothing else
        metrics.lines.forEach(emf);
        expect(metrics.running).toBe(true);
      }, 30_000);

      test('the status pages answer on 127.0.0.1 only, never on the port the load balancer reaches, whatever X-Forwarded-For says', async () => {
        const stub = await rawRequest(site.statusPort, '/nginx-status');
        expect([stub.status, stub.body.toString()]).toEqual([200, expect.stringMatching(/^Active connections: \d+/)]);
        const fpm = await rawRequest(site.statusPort, '/fpm-status');
        expect([fpm.status, fpm.body.toString()]).toEqual([200, expect.stringMatching(/^accepted conn: +\d+$/m)]);
        expect(fpm.body.toString()).toMatch(/^active processes: +0$/m);
        // bound to 127.0.0.1, not to every address
        await expect(rawRequest(site.statusPort, '/nginx-status', {}, '127.0.0.2')).rejects.toThrow(/ECONNREFUSED/);
        // nginx (the main one) believes X-Forwarded-For from 127.0.0.1: a forged one says 127.0.0.1 too
        for (const urlPath of ['/nginx-status', '/fpm-status', '/fpm-status?full']) {
          for (const headers of [{}, { 'X-Forwarded-For': '127.0.0.1' }] as Record<string, string>[]) {
            const response = await rawRequest(nginx.port, urlPath, headers);
            expect([urlPath, headers, response.status]).toEqual([urlPath, headers, 404]);
            expect(response.body.toString()).not.toMatch(/Active connections|accepted conn|active processes/);
          }
        }
      });

      test('its lines count every request and PHP\'s share, and show php-fpm busy and queueing while slow PHP requests run', async () => {
        // a page in the cache, then a window of its own
        expect((await request(site.port, '/?page=metrics')).cache).toBe('MISS');
        const synced = await metrics.waitForLine('the next line', () => true, metrics.lines.length);
        const start = Date.now();
        // 6 slow PHP requests for 4 workers: 2 wait in php-fpm's listen queue for 1 s, then
        // run 1 s; meanwhile 40 visitors get the cached page without PHP
        const slow = Array.from({ length: 6 }, (_, i) => request(site.port, `/cfb-page.php?name=slow-${i}&sleep=1000`));
        const cached = await Promise.all(Array.from({ length: 40 }, () => request(site.port, '/?page=metrics')));
        expect(new Set(cached.map((r) => r.cache))).toEqual(new Set(['HIT']));
        expect((await Promise.all(slow)).map((r) => r.status)).toEqual(Array(6).fill(200));
        const end = Date.now();
        const last = await metrics.waitForLine('the line of the spike\'s last window', (l) => JSON.parse(l.text)._aws.Timestamp + INTERVAL_MS > end, synced + 1);

        const window = metrics.lines.slice(synced + 1, last + 1);
        const values = window.map(emf);
        const sum = (name: string) => values.reduce((total, v) => total + v[name], 0);
        expect(sum('Requests')).toBeGreaterThanOrEqual(46);
        expect(sum('Requests')).toBeLessThanOrEqual(47);
        expect(sum('PhpRequests')).toBe(6);
        expect(Math.max(...values.map((v) => v.PhpListenQueue))).toBeGreaterThanOrEqual(1);
        expect(Math.max(...values.map((v) => v.PhpListenQueue))).toBeLessThanOrEqual(2);
        // windows with half a second or more of the spike show busy workers (all 4 at first,
        // then 2), and one of them at least 2 of 4 on average (any 2 s hold a whole window)
        const during = window.filter((l) => {
          const from = JSON.parse(l.text)._aws.Timestamp;
          return Math.min(from + INTERVAL_MS, end - 200) - Math.max(from, start + 200) >= 500;
        });
        expect(during.length).toBeGreaterThanOrEqual(1);
        expect(during.map((l) => emf(l).PhpBusyPercent > 0)).toEqual(during.map(() => true));
        expect(Math.max(...values.map((v) => v.PhpBusyPercent))).toBeGreaterThanOrEqual(50);
        // the first line showing the spike came at most an interval and a sample after the window it started in
        const firstBusy = window.find((l) => emf(l).PhpBusyPercent > 0)!;
        expect(firstBusy.receivedAt - start).toBeLessThan(2 * INTERVAL_MS + 1000);
      }, 30_000);

      test('while its status pages never answer, it prints nothing and keeps running', () => {
        // started before the tests above, seconds ago: windows have passed
        expect([unanswered.running, unanswered.lines, unanswered.unfinished]).toEqual([true, [], '']);
        expect(unanswered.stderr).toMatch(/nginx status does not answer/);
      });

      (unshare ? test : test.skip)('SIGTERM ends it at once, also as the process 1 of its container', async () => {
        const exited = new Promise<number | null>((resolve) => unanswered.child.once('exit', (code) => resolve(code)));
        process.kill(unanswered.scriptPid!, 'SIGTERM');
        expect(await Promise.race([exited, sleep(1000).then(() => 'still running after 1 s')])).toBe(0);
      });
    });

    test('nginx and php-fpm logged no errors', () => {
      // the refused uploads, forbidden files and php-fpm stopped on purpose are the only
      // errors allowed, and the warnings of WordPress 6.1's installer on PHP 8.2 (Debian's)
      const installerWarning = /PHP Warning: {2}Undefined variable \$upload(_url)?_path in \S+\/wp-admin\/install\.php/;
      const expected = [
        /client intended to send too large body|access forbidden by rule|connect\(\) failed \(111: Connection refused\) while connecting to upstream/,
        installerWarning,
      ];
      expect(servers.nginxErrors().filter((l) => !expected.some((e) => e.test(l)))).toEqual([]);
      const phpLog = fs.readFileSync(path.join(tmp, 'php-fpm.log'), 'utf-8').split('\n');
      expect(phpLog.filter((l) => /ERROR|WARNING/.test(l) && !installerWarning.test(l))).toEqual([]);
    });
  });
});

(binaries.flock ? describe : describe.skip)('the WordPress image\'s entrypoint', () => {
  let tmp: string;
  let bin: string;
  let source: string;
  let root: string;

  /** A WordPress of a few files, laid out as the official image's /usr/src/wordpress. */
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-entrypoint-'));
    bin = makeImageBin(tmp);
    source = path.join(tmp, 'src');
    const files: Record<string, string> = {
      'index.php': '<?php require __DIR__ . \'/wp-blog-header.php\';',
      'wp-blog-header.php': '<?php',
      'wp-includes/version.php': '<?php\n$wp_version = \'7.1.0\';\n',
      'wp-admin/index.php': '<?php',
      'wp-content/index.php': '<?php // Silence is golden.',
      'wp-content/plugins/akismet/akismet.php': '<?php // the image\'s',
      'wp-content/themes/twentytwentyfive/style.css': '/* the image\'s */',
      'wp-config-docker.php': '<?php // the official template',
    };
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(source, file)), { recursive: true });
      fs.writeFileSync(path.join(source, file), content);
    }
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(tmp, 'root-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const start = (env: Record<string, string> = {}, args?: string[]) =>
    runEntrypoint({ PATH: `${bin}:${process.env.PATH}`, CFB_WEB_ROOT: root, CFB_CORE_SOURCE: source, ...env }, args).done;
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf-8');

  test('with the lock, one of the tasks starting together copies and the others find WordPress in place', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => start()));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.filter((r) => r.output.includes('installing WordPress from'))).toHaveLength(1);
    expect(tree(root, ['wp-config.php', '.cfb-core-installed', '.cfb-setup.lock'])).toEqual(tree(source));
    expect(read('.cfb-core-installed')).toBe('7.1.0\n');
  });

  test('a start on an installed web root only looks for the marker', async () => {
    fs.writeFileSync(path.join(root, '.cfb-core-installed'), '7.1.0\n');
    // no WordPress to copy from, and still nothing to do
    const result = await start({ CFB_CORE_SOURCE: path.join(tmp, 'nowhere') });
    expect(result.code).toBe(0);
    // php-fpm -v ran, and the entrypoint had nothing to say
    expect(result.output).toMatch(/^PHP \d+\.\d+\.\d+ \(fpm-fcgi\)/);
    expect(result.output).not.toContain('cfb-entrypoint');
    // not even the lock was taken
    expect(fs.readdirSync(root)).toEqual(['.cfb-core-installed']);
  });

  test('a web root installed before the marker existed is kept, and a truncated wp-config.php is replaced', async () => {
    fs.writeFileSync(path.join(root, 'index.php'), '<?php // the site\'s own');
    fs.mkdirSync(path.join(root, 'wp-includes'));
    fs.writeFileSync(path.join(root, 'wp-includes', 'version.php'), '<?php\n$wp_version = \'6.8.2\';\n');
    fs.writeFileSync(path.join(root, 'wp-config.php'), '');
    expect((await start()).code).toBe(0);
    expect(read('index.php')).toBe('<?php // the site\'s own');
    expect(fs.existsSync(path.join(root, 'wp-admin'))).toBe(false);
    expect(read('wp-config.php')).toBe('<?php // the official template');
    expect(read('.cfb-core-installed')).toBe('6.8.2\n');
    expect(fs.readdirSync(root).filter((f) => f.startsWith('.cfb-tmp.'))).toEqual([]);
  });

  test('wp-content already there (a volume seeded from the image) keeps its plugins and gains the missing ones', async () => {
    fs.mkdirSync(path.join(root, 'wp-content', 'plugins', 'akismet'), { recursive: true });
    fs.writeFileSync(path.join(root, 'wp-content', 'plugins', 'akismet', 'akismet.php'), '<?php // the site\'s');
    fs.mkdirSync(path.join(root, 'wp-content', 'themes'));
    expect((await start()).code).toBe(0);
    expect(read('wp-content/plugins/akismet/akismet.php')).toBe('<?php // the site\'s');
    expect(read('wp-content/themes/twentytwentyfive/style.css')).toBe('/* the image\'s */');
    expect(read('index.php')).toBe(fs.readFileSync(path.join(source, 'index.php'), 'utf-8'));
    expect(fs.readdirSync(root).filter((f) => f.startsWith('.cfb-tmp.'))).toEqual([]);
  });

  test('only php-fpm sets WordPress up: any other command runs as it is', async () => {
    const result = await start({}, ['sh', '-c', 'echo other']);
    expect(result).toEqual({ code: 0, output: 'other\n' });
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('every task gets the same eight keys and salts, cut from the one secret', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(63) + String(i)).join('');
    const result = await start({ WORDPRESS_KEYS_AND_SALTS: keys }, ['sh', '-c', 'env | grep "^WORDPRESS_" | sort']);
    const names = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
    expect(result.output.trim().split('\n')).toEqual(names.map((n, i) => `WORDPRESS_${n}=${keys.slice(i * 64, (i + 1) * 64)}`).sort());
  });

  test('a secret of the wrong length stops the task with a message', async () => {
    const result = await start({ WORDPRESS_KEYS_AND_SALTS: KEYS.slice(0, 500) });
    expect(result.code).toBe(1);
    expect(result.output).toContain('WORDPRESS_KEYS_AND_SALTS must hold 512 characters');
  });
});
