import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * What the WordPress images of WordpressFargateSite contain, proven with real servers.
 *
 * No Docker engine is available to build the images, so the shipped configuration runs
 * on Debian's own nginx, php-fpm, MariaDB and WordPress, on loopback only:
 * - nginx with assets/wordpress/nginx/default.conf.template, filled in with envsubst as
 *   the nginx image's entrypoint does (upstream pointed at the local php-fpm);
 * - php-fpm with assets/wordpress/php/zz-cfb-*.ini and zz-cfb-pool.conf, their limits
 *   from the environment as the construct sets them;
 * - the entrypoint assets/wordpress/php/cfb-entrypoint.sh in front of a stand-in for the
 *   official image's docker-entrypoint.sh.
 *
 * `.ci/run` installs the packages (Debian: nginx, php-fpm, php-mysql, mariadb-server,
 * wordpress, gettext-base). Without them the suite is skipped, except on CI, where that
 * is a failure.
 */

const ASSETS = path.join(__dirname, '..', 'assets', 'wordpress');
const UPLOAD_LIMIT_MIB = 8;
const MIB = 1024 * 1024;

function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf-8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const phpFpm = fs.existsSync('/usr/sbin') ? fs.readdirSync('/usr/sbin').find((f) => /^php-fpm\d/.test(f)) : undefined;
const binaries = {
  'nginx': which('nginx') ?? (fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined),
  'php-fpm': phpFpm ? `/usr/sbin/${phpFpm}` : undefined,
  'mariadbd': which('mariadbd') ?? (fs.existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : undefined),
  'mariadb-install-db': which('mariadb-install-db'),
  'mariadb': which('mariadb'),
  'envsubst': which('envsubst'),
  'flock': which('flock'),
  'wordpress': fs.existsSync('/usr/share/wordpress/wp-settings.php') ? '/usr/share/wordpress' : undefined,
};
const missing = Object.entries(binaries).filter(([, found]) => !found).map(([name]) => name);
const serversAvailable = missing.length === 0;

if (!serversAvailable && process.env.CI) {
  test('the real-server test has its packages (CI)', () => {
    throw new Error(`missing on this CI machine: ${missing.join(', ')}; .ci/run installs them`);
  });
}

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) {
        return;
      }
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A plain HTTP request to the local nginx (no redirects followed). */
async function request(port: number, urlPath: string, init: { method?: string; body?: Blob | FormData; headers?: Record<string, string> } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

/** A multipart upload of `bytes` bytes to the probe script. */
async function upload(port: number, bytes: number) {
  const form = new FormData();
  form.append('f', new Blob([Buffer.alloc(bytes, 0x61)]), 'upload.bin');
  return request(port, '/cfb-upload-probe.php', { method: 'POST', body: form });
}

(serversAvailable ? describe : describe.skip)('the WordPress images on real nginx, php-fpm and MariaDB', () => {
  const processes: ChildProcess[] = [];
  let tmp: string;
  let nginxPort: number;
  let fpmPort: number;
  let dbPort: number;
  const asRoot = process.getuid?.() === 0;

  function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}, logName?: string): ChildProcess {
    const log = fs.openSync(path.join(tmp, `${logName ?? path.basename(command)}.out`), 'a');
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
    processes.push(child);
    return child;
  }

  function logs(): string {
    return fs.readdirSync(tmp).filter((f) => /\.(out|log|err)$/.test(f))
      .map((f) => `--- ${f}\n${fs.readFileSync(path.join(tmp, f), 'utf-8').slice(-3000)}`).join('\n');
  }

  async function startMariadb(): Promise<void> {
    const user = asRoot ? ['--user=root'] : [];
    start(binaries.mariadbd!, ['--no-defaults', ...user, `--datadir=${tmp}/db`, `--socket=${tmp}/mysqld.sock`, `--port=${dbPort}`,
      '--bind-address=127.0.0.1', '--skip-name-resolve', `--pid-file=${tmp}/mysqld.pid`, `--log-error=${tmp}/mysqld.err`]);
    await waitFor('MariaDB', () => fs.existsSync(`${tmp}/mysqld.sock`));
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-wordpress-'));
    fs.chmodSync(tmp, 0o755);
    [nginxPort, fpmPort, dbPort] = [await freePort(), await freePort(), await freePort()];

    // the web root: Debian's WordPress, a wp-config.php reading the database from the
    // environment as the official image's does, and a probe that reports what PHP received
    const html = path.join(tmp, 'html');
    fs.cpSync(binaries.wordpress!, html, { recursive: true, dereference: true, filter: (src) => !src.endsWith('.htaccess') });
    fs.writeFileSync(path.join(html, 'wp-config.php'), [
      '<?php',
      'define(\'DB_NAME\', getenv(\'WORDPRESS_DB_NAME\'));',
      'define(\'DB_USER\', getenv(\'WORDPRESS_DB_USER\'));',
      'define(\'DB_PASSWORD\', getenv(\'WORDPRESS_DB_PASSWORD\'));',
      'define(\'DB_HOST\', getenv(\'WORDPRESS_DB_HOST\'));',
      'define(\'DB_CHARSET\', \'utf8mb4\');',
      '$table_prefix = getenv(\'WORDPRESS_TABLE_PREFIX\');',
      'if (!defined(\'ABSPATH\')) { define(\'ABSPATH\', __DIR__ . \'/\'); }',
      'require_once ABSPATH . \'wp-settings.php\';',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(html, 'cfb-upload-probe.php'), [
      '<?php',
      'header(\'Content-Type: application/json\');',
      'echo json_encode([',
      '  \'error\' => $_FILES[\'f\'][\'error\'] ?? null,',
      '  \'size\' => $_FILES[\'f\'][\'size\'] ?? null,',
      '  \'https\' => $_SERVER[\'HTTPS\'] ?? \'\',',
      '  \'ini\' => array_combine($k = [\'file_uploads\', \'upload_max_filesize\', \'post_max_size\', \'max_execution_time\', \'memory_limit\',',
      '    \'realpath_cache_ttl\', \'opcache.revalidate_freq\', \'opcache.validate_timestamps\', \'expose_php\'], array_map(\'ini_get\', $k)),',
      '  \'env\' => getenv(\'WORDPRESS_DB_NAME\'),',
      ']);',
      '',
    ].join('\n'));
    fs.mkdirSync(path.join(html, 'wp-content', 'uploads'), { recursive: true });
    fs.writeFileSync(path.join(html, 'wp-content', 'uploads', 'evil.php'), '<?php echo "executed";');
    fs.writeFileSync(path.join(html, '.cfb-setup.lock'), '');
    spawnSync('chmod', ['-R', 'a+rX', html]);

    // MariaDB, initialized now, started only later (the health check must not need it)
    const init = spawnSync(binaries['mariadb-install-db']!, ['--no-defaults', ...(asRoot ? ['--user=root'] : []), `--datadir=${tmp}/db`,
      '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf-8', timeout: 120_000 });
    if (init.status !== 0) {
      throw new Error(`mariadb-install-db failed: ${init.stdout}${init.stderr}`);
    }

    // php-fpm: a pool listening on loopback, plus the shipped pool file and ini files
    fs.mkdirSync(path.join(tmp, 'pool.d'));
    fs.mkdirSync(path.join(tmp, 'conf.d'));
    fs.writeFileSync(path.join(tmp, 'php-fpm.conf'), [
      '[global]', `pid = ${tmp}/php-fpm.pid`, `error_log = ${tmp}/php-fpm.log`, 'daemonize = no', `include = ${tmp}/pool.d/*.conf`, '',
    ].join('\n'));
    fs.writeFileSync(path.join(tmp, 'pool.d', 'www.conf'), [
      '[www]', `listen = 127.0.0.1:${fpmPort}`, ...(asRoot ? ['user = root', 'group = root'] : []), 'catch_workers_output = yes', '',
    ].join('\n'));
    fs.copyFileSync(path.join(ASSETS, 'php', 'zz-cfb-pool.conf'), path.join(tmp, 'pool.d', 'zz-cfb-pool.conf'));
    for (const ini of ['zz-cfb-wordpress.ini', 'zz-cfb-opcache.ini']) {
      fs.copyFileSync(path.join(ASSETS, 'php', ini), path.join(tmp, 'conf.d', ini));
    }
    start(binaries['php-fpm']!, ['--nodaemonize', ...(asRoot ? ['--allow-to-run-as-root'] : []), '--fpm-config', path.join(tmp, 'php-fpm.conf')], {
      // the default scan directory (extensions) and ours
      PHP_INI_SCAN_DIR: `:${tmp}/conf.d`,
      PHP_UPLOAD_MAX_FILESIZE: `${UPLOAD_LIMIT_MIB}M`,
      PHP_POST_MAX_SIZE: `${UPLOAD_LIMIT_MIB + 1}M`,
      PHP_MEMORY_LIMIT: '256M',
      PHP_FPM_MAX_CHILDREN: '4',
      WORDPRESS_DB_HOST: `127.0.0.1:${dbPort}`,
      WORDPRESS_DB_USER: 'wordpress',
      WORDPRESS_DB_PASSWORD: 'not-a-secret-of-anything',
      WORDPRESS_DB_NAME: 'wordpress',
      WORDPRESS_TABLE_PREFIX: 'wp_',
    }, 'php-fpm');

    // nginx: the shipped template, filled in as the nginx image's entrypoint does
    const variables = {
      NGINX_PORT: String(nginxPort),
      PHP_FPM_HOST: '127.0.0.1',
      PHP_FPM_PORT: String(fpmPort),
      NGINX_DOCUMENT_ROOT: html,
      NGINX_CLIENT_MAX_BODY_SIZE: `${UPLOAD_LIMIT_MIB + 1}m`,
    };
    const rendered = spawnSync(binaries.envsubst!, [Object.keys(variables).map((v) => `\${${v}}`).join(' ')], {
      input: fs.readFileSync(path.join(ASSETS, 'nginx', 'default.conf.template'), 'utf-8'),
      env: { ...process.env, ...variables },
      encoding: 'utf-8',
    });
    fs.mkdirSync(path.join(tmp, 'conf.d', 'nginx'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'conf.d', 'nginx', 'default.conf'), rendered.stdout);
    for (const file of ['fastcgi_params', 'mime.types']) {
      fs.copyFileSync(path.join('/etc/nginx', file), path.join(tmp, file));
    }
    for (const dir of ['client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi']) {
      fs.mkdirSync(path.join(tmp, 'temp', dir), { recursive: true, mode: 0o777 });
      fs.chmodSync(path.join(tmp, 'temp', dir), 0o777);
    }
    // the nginx image's main configuration, reduced to what the test needs
    fs.writeFileSync(path.join(tmp, 'nginx.conf'), [
      'worker_processes 1;', `pid ${tmp}/nginx.pid;`, `error_log ${tmp}/nginx-error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  include mime.types;', '  default_type application/octet-stream;', `  access_log ${tmp}/nginx-access.log;`,
      ...['client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi'].map((d) => `  ${d}_temp_path ${tmp}/temp/${d};`),
      `  include ${tmp}/conf.d/nginx/*.conf;`,
      '}', '',
    ].join('\n'));
    const test = spawnSync(binaries.nginx!, ['-t', '-p', tmp, '-c', path.join(tmp, 'nginx.conf')], { encoding: 'utf-8' });
    if (test.status !== 0) {
      throw new Error(`nginx rejects the shipped configuration:\n${test.stderr}\n${rendered.stdout}`);
    }
    start(binaries.nginx!, ['-p', tmp, '-c', path.join(tmp, 'nginx.conf'), '-g', 'daemon off;']);

    try {
      await waitFor('php-fpm', () => new Promise<boolean>((resolve) => {
        const socket = net.connect(fpmPort, '127.0.0.1', () => { socket.end(); resolve(true); });
        socket.on('error', () => resolve(false));
      }));
      await waitFor('nginx', async () => (await request(nginxPort, '/healthz')).status === 200);
    } catch (e) {
      throw new Error(`${e}\n${logs()}`);
    }
  }, 180_000);

  afterAll(async () => {
    for (const child of processes) {
      child.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const child of processes) {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the health endpoint answers 200 while the database is down, where PHP pages fail', async () => {
    expect(fs.existsSync(`${tmp}/mysqld.sock`)).toBe(false);
    expect(await request(nginxPort, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const page = await request(nginxPort, '/');
    expect(page.status).toBe(500);
    expect(page.body).toMatch(/Error establishing a database connection/);
  });

  test('the WordPress install page renders through nginx and php-fpm once the database is up', async () => {
    await startMariadb();
    const setup = spawnSync(binaries.mariadb!, ['--no-defaults', `--socket=${tmp}/mysqld.sock`, '--user=root', '--execute',
      'CREATE DATABASE wordpress; CREATE USER \'wordpress\'@\'127.0.0.1\' IDENTIFIED BY \'not-a-secret-of-anything\'; '
      + 'GRANT ALL ON wordpress.* TO \'wordpress\'@\'127.0.0.1\';'], { encoding: 'utf-8' });
    expect(setup.stderr).toBe('');

    const home = await request(nginxPort, '/');
    expect(home.status).toBe(302);
    expect(home.location).toMatch(/\/wp-admin\/install\.php$/);
    const install = await request(nginxPort, '/wp-admin/install.php');
    expect(install.status).toBe(200);
    expect(install.body).toMatch(/<title>WordPress &rsaquo; Installation<\/title>/);
    expect(install.body).toMatch(/<form id="setup"/);
    // static files are served by nginx itself
    const css = await request(nginxPort, '/wp-admin/css/install.css');
    expect(css.status).toBe(200);
  }, 60_000);

  test('PHP runs with the shipped settings and the limits from the environment', async () => {
    const probe = JSON.parse((await request(nginxPort, '/cfb-upload-probe.php')).body);
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

  test('a file of exactly the upload limit is accepted by nginx and by PHP', async () => {
    const response = await upload(nginxPort, UPLOAD_LIMIT_MIB * MIB);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ error: 0, size: UPLOAD_LIMIT_MIB * MIB });
  }, 60_000);

  test('a file just under the limit is accepted too', async () => {
    const response = await upload(nginxPort, UPLOAD_LIMIT_MIB * MIB - 64 * 1024);
    expect(JSON.parse(response.body)).toMatchObject({ error: 0, size: UPLOAD_LIMIT_MIB * MIB - 64 * 1024 });
  }, 60_000);

  test('a file over the limit gets 413 from nginx', async () => {
    const response = await upload(nginxPort, (UPLOAD_LIMIT_MIB + 2) * MIB);
    expect(response.status).toBe(413);
  }, 60_000);

  test('a file a little over the limit passes nginx, and PHP refuses it (UPLOAD_ERR_INI_SIZE)', async () => {
    const response = await upload(nginxPort, UPLOAD_LIMIT_MIB * MIB + 256 * 1024);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ error: 1 });
  }, 60_000);

  test('WordPress sees HTTPS when the load balancer says the visitor used it', async () => {
    expect(JSON.parse((await request(nginxPort, '/cfb-upload-probe.php', { headers: { 'X-Forwarded-Proto': 'https' } })).body).https).toBe('on');
    expect(JSON.parse((await request(nginxPort, '/cfb-upload-probe.php', { headers: { 'X-Forwarded-Proto': 'http' } })).body).https).toBe('');
  });

  test('dot files and PHP in the uploads are never served', async () => {
    expect((await request(nginxPort, '/.cfb-setup.lock')).status).toBe(403);
    const evil = await request(nginxPort, '/wp-content/uploads/evil.php');
    expect(evil.status).toBe(403);
    expect(evil.body).not.toContain('executed');
  });

  test('nginx and php-fpm logged no errors', () => {
    const errors = fs.readFileSync(`${tmp}/nginx-error.log`, 'utf-8').split('\n').filter((l) => /\[(error|crit|alert|emerg)\]/.test(l));
    // the refused uploads and forbidden files are the only errors allowed
    expect(errors.filter((l) => !/client intended to send too large body|access forbidden by rule/.test(l))).toEqual([]);
    expect(fs.readFileSync(`${tmp}/php-fpm.log`, 'utf-8')).not.toMatch(/ERROR|WARNING/);
  });
});

(binaries.flock ? describe : describe.skip)('the WordPress image\'s entrypoint', () => {
  let tmp: string;
  const keys = Array.from({ length: 8 }, (_, i) => String.fromCharCode(65 + i).repeat(63) + String(i)).join('');

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-entrypoint-'));
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.mkdirSync(path.join(tmp, 'root'));
    // a stand-in for the official image's docker-entrypoint.sh: its setup (run with
    // `php-fpm -t`) takes a second and notes when it overlaps another setup
    fs.writeFileSync(path.join(tmp, 'bin', 'docker-entrypoint.sh'), [
      '#!/bin/sh',
      'root="$WORDPRESS_WEB_ROOT"',
      'if [ "$*" = "php-fpm -t" ]; then',
      '  if [ -e "$root/setup.running" ]; then echo overlap >> "$root/calls.log"; fi',
      '  touch "$root/setup.running"; sleep 1; rm -f "$root/setup.running"',
      '  echo setup >> "$root/calls.log"',
      'else',
      '  env | grep "^WORDPRESS_" | sort > "$root/env.$$"',
      '  echo "run $*" >> "$root/calls.log"',
      'fi',
      '',
    ].join('\n'), { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function entrypoint(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn('sh', [path.join(ASSETS, 'php', 'cfb-entrypoint.sh'), 'php-fpm'], {
        env: { PATH: `${tmp}/bin:${process.env.PATH}`, WORDPRESS_WEB_ROOT: path.join(tmp, 'root'), ...env },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  test('three tasks starting together set WordPress up one after the other, then all run', async () => {
    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => entrypoint({ WORDPRESS_KEYS_AND_SALTS: keys })));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const calls = fs.readFileSync(path.join(tmp, 'root', 'calls.log'), 'utf-8').trim().split('\n');
    expect(calls.filter((c) => c === 'overlap')).toEqual([]);
    expect(calls.filter((c) => c === 'setup')).toHaveLength(3);
    expect(calls.filter((c) => c === 'run php-fpm')).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(fs.existsSync(path.join(tmp, 'root', '.cfb-setup.lock'))).toBe(true);
  }, 30_000);

  test('every task gets the same eight keys and salts, cut from the one secret', () => {
    const envFiles = fs.readdirSync(path.join(tmp, 'root')).filter((f) => f.startsWith('env.'));
    expect(envFiles).toHaveLength(3);
    const names = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
    const expected = names.map((n, i) => `WORDPRESS_${n}=${keys.slice(i * 64, (i + 1) * 64)}`).sort();
    for (const file of envFiles) {
      const lines = fs.readFileSync(path.join(tmp, 'root', file), 'utf-8').trim().split('\n').filter((l) => !l.startsWith('WORDPRESS_WEB_ROOT'));
      expect(lines).toEqual(expected);
    }
  });

  test('a secret of the wrong length stops the task with a message', async () => {
    const result = await entrypoint({ WORDPRESS_KEYS_AND_SALTS: keys.slice(0, 500) });
    expect(result.code).toBe(1);
    expect(result.output).toContain('WORDPRESS_KEYS_AND_SALTS must hold 512 characters');
  });
});
