import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';

/**
 * The WordPress images of WordpressFargateSite on real servers, without Docker: the
 * shipped configuration files and entrypoint on Debian's nginx, php-fpm, MariaDB and
 * WordPress, on loopback only, on free ports. Shared by test/wordpress-images.test.ts
 * and build-tools/bench-wordpress.ts.
 *
 * - nginx runs assets/wordpress/nginx/default.conf.template filled in with envsubst, as
 *   the nginx image's entrypoint does, from the Dockerfile's ENV defaults and what the
 *   caller sets (as the construct does);
 * - php-fpm runs with assets/wordpress/php/zz-cfb-*.ini and zz-cfb-pool.conf, started
 *   through assets/wordpress/php/cfb-entrypoint.sh and a stand-in for the official
 *   image's docker-entrypoint.sh that only runs the command it is given;
 * - the WordPress core the entrypoint installs is Debian's, laid out as the official
 *   image's /usr/src/wordpress (see {@link makeCoreSource});
 * - the metrics sidecar's script (assets/wordpress/nginx/cfb-metrics) runs on busybox,
 *   as in the nginx:alpine image: sh and only busybox's applets on its PATH.
 *
 * Debian packages: nginx, php-fpm, php-mysql, mariadb-server, wordpress,
 * wordpress-theme-twentytwentythree, gettext-base, busybox (`.ci/run` installs them).
 */

export const ASSETS = path.join(__dirname, '..', '..', 'assets', 'wordpress');
export const ENTRYPOINT = path.join(ASSETS, 'php', 'cfb-entrypoint.sh');
export const METRICS_SCRIPT = path.join(ASSETS, 'nginx', 'cfb-metrics');
/** Debian's WordPress, and the theme a fresh install activates. */
const DEBIAN_WORDPRESS = '/usr/share/wordpress';
const DEFAULT_THEME = path.join(DEBIAN_WORDPRESS, 'wp-content', 'themes', 'twentytwentythree');

function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf-8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
const sbin = (name: string) => which(name) ?? (fs.existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : undefined);
const phpFpm = fs.existsSync('/usr/sbin') ? fs.readdirSync('/usr/sbin').find((f) => /^php-fpm\d/.test(f)) : undefined;

/** The programs the servers need, undefined where missing. */
export const binaries = {
  'nginx': sbin('nginx'),
  'php-fpm': phpFpm ? `/usr/sbin/${phpFpm}` : undefined,
  'mariadbd': sbin('mariadbd'),
  'mariadb-install-db': which('mariadb-install-db'),
  'mariadb': which('mariadb'),
  'envsubst': which('envsubst'),
  'flock': which('flock'),
  'wordpress': fs.existsSync(path.join(DEBIAN_WORDPRESS, 'wp-settings.php')) ? DEBIAN_WORDPRESS : undefined,
  'twentytwentythree': fs.existsSync(path.join(DEFAULT_THEME, 'style.css')) ? DEFAULT_THEME : undefined,
};
export const missingBinaries = Object.entries(binaries).filter(([, found]) => !found).map(([name]) => name);
/** busybox, the shell and tools of the nginx:alpine image, for the metrics script; undefined where missing. */
export const busybox = which('busybox');
/** util-linux's unshare, to run a process as the process 1 of a PID namespace (as in a container). */
export const unshare = which('unshare');

const asRoot = process.getuid?.() === 0;

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) {
        return;
      }
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Response {
  readonly status: number;
  readonly headers: Headers;
  readonly location: string | null;
  readonly cache: string | null;
  readonly body: string;
}

export interface RequestInit {
  readonly method?: string;
  readonly body?: Blob | FormData | URLSearchParams;
  readonly headers?: Record<string, string>;
}

/** A plain HTTP request to a local nginx (no redirects followed). */
export async function request(port: number, urlPath: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return {
    status: response.status,
    headers: response.headers,
    location: response.headers.get('location'),
    cache: response.headers.get('x-cache'),
    body: await response.text(),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as it came over the wire (not decompressed). */
  readonly body: Buffer;
}

/**
 * A plain HTTP request to a local server with exactly the headers given: unlike fetch,
 * it asks for no compression by itself and decompresses nothing.
 */
export async function rawRequest(port: number, urlPath: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: urlPath, headers, timeout: 30_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port}${urlPath}`)));
    req.on('error', reject);
  });
}

/** `ENV NAME=value` defaults of a Dockerfile of the images. */
export function dockerfileDefaults(image: 'nginx' | 'php'): Record<string, string> {
  const dockerfile = fs.readFileSync(path.join(ASSETS, image, 'Dockerfile'), 'utf-8');
  return Object.fromEntries([...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=(\S*?)\s*\\?$/gm)].map((m) => [m[1], m[2]]));
}

/**
 * Lays out Debian's WordPress at `target` as the official image's /usr/src/wordpress:
 * plain files (Debian's symlinks dereferenced), no wp-config.php, and a
 * wp-config-docker.php that reads the database and the keys from the environment.
 */
export function makeCoreSource(target: string): void {
  fs.cpSync(binaries.wordpress!, target, { recursive: true, dereference: true, filter: (src) => !src.endsWith('.htaccess') });
  fs.rmSync(path.join(target, 'wp-config.php'));
  const keys = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
  fs.writeFileSync(path.join(target, 'wp-config-docker.php'), [
    '<?php',
    ...['NAME', 'USER', 'PASSWORD', 'HOST'].map((v) => `define('DB_${v}', getenv('WORDPRESS_DB_${v}'));`),
    'define(\'DB_CHARSET\', \'utf8mb4\');',
    ...keys.map((k) => `define('${k}', getenv('WORDPRESS_${k}') ?: 'put your unique phrase here');`),
    '$table_prefix = getenv(\'WORDPRESS_TABLE_PREFIX\') ?: \'wp_\';',
    // the machine has no route to wordpress.org: fail its update checks at once
    'define(\'WP_HTTP_BLOCK_EXTERNAL\', true);',
    'if (!defined(\'ABSPATH\')) { define(\'ABSPATH\', __DIR__ . \'/\'); }',
    'require_once ABSPATH . \'wp-settings.php\';',
    '',
  ].join('\n'));
}

/**
 * A folder for PATH with what the entrypoint calls in the image: a stand-in for the
 * official docker-entrypoint.sh (it only runs its command, after noting whether
 * WordPress and wp-config.php were in place when it got control) and `php-fpm`.
 */
export function makeImageBin(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'docker-entrypoint.sh'), [
    '#!/bin/sh',
    'if [ -n "${CFB_HANDOVER_LOG:-}" ]; then',
    '  state=""',
    '  [ -e "$CFB_WEB_ROOT/index.php" ] && state="$state index.php"',
    '  [ -e "$CFB_WEB_ROOT/wp-includes/version.php" ] && state="$state version.php"',
    '  [ -s "$CFB_WEB_ROOT/wp-config.php" ] && state="$state wp-config.php"',
    '  echo "$$:$state" >> "$CFB_HANDOVER_LOG"',
    'fi',
    'exec "$@"',
    '',
  ].join('\n'), { mode: 0o755 });
  fs.rmSync(path.join(bin, 'php-fpm'), { force: true });
  fs.symlinkSync(binaries['php-fpm']!, path.join(bin, 'php-fpm'));
  return bin;
}

export interface WordpressServersOptions {
  /** A scratch folder of the caller's; the servers' files and logs go there. */
  readonly dir: string;
  /** The web root: the EFS volume of the task. */
  readonly webRoot: string;
  /** Where the entrypoint installs WordPress from (`makeCoreSource`). */
  readonly coreSource: string;
  /** php-fpm workers (PHP_FPM_MAX_CHILDREN). @default 4 */
  readonly phpWorkers?: number;
  /** nginx worker processes. @default 1 */
  readonly nginxWorkers?: number;
  /** Environment of the php container, as the construct sets it. */
  readonly phpEnvironment?: Record<string, string>;
}

/** What a running nginx answers on. */
export interface Nginx {
  readonly port: number;
  /** The port of its loopback-only server of status pages. */
  readonly statusPort: number;
  /** Its access log. */
  readonly accessLog: string;
  /** The master process. */
  readonly pid: number;
  /** The configuration nginx runs with, every file included, as `nginx -T` prints it. */
  effectiveConfiguration(): string;
  stop(): Promise<void>;
}

/** The database password of the test site (a throwaway MariaDB on loopback). */
const DB_PASSWORD = 'not-a-secret-of-anything';
/** The administrator of the test site. */
export const ADMIN = { user: 'admin', password: 'Correct-Horse-Battery-Staple-42' };

/**
 * MariaDB, php-fpm and any number of nginx servers, started and stopped on demand.
 * `stop()` ends every process it started.
 */
export class WordpressServers {
  static async prepare(options: WordpressServersOptions): Promise<WordpressServers> {
    const servers = new WordpressServers(options, await freePort(), await freePort(), await freePort());
    servers.initDatabase();
    return servers;
  }

  private readonly processes: ChildProcess[] = [];
  private php?: ChildProcess;
  private nginxCount = 0;
  readonly bin: string;

  private constructor(private readonly options: WordpressServersOptions, readonly fpmPort: number, readonly dbPort: number,
    /** php-fpm's status listener (pm.status_listen). */
    readonly fpmStatusPort: number) {
    this.bin = makeImageBin(options.dir);
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Starts a process with its output appended to `<dir>/<logName>.out`. */
  spawn(command: string, args: string[], env: NodeJS.ProcessEnv, logName: string): ChildProcess {
    const log = fs.openSync(path.join(this.dir, `${logName}.out`), 'a');
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.processes.push(child);
    return child;
  }

  /** The tail of every log, for error messages. */
  logs(): string {
    const nginxLogs = fs.readdirSync(this.dir).filter((f) => f.startsWith('nginx-') && !f.endsWith('.out')).map((f) => path.join(f, 'error.log'));
    return [...fs.readdirSync(this.dir).filter((f) => /\.(out|log|err)$/.test(f)), ...nginxLogs]
      .map((f) => `--- ${f}\n${fs.readFileSync(path.join(this.dir, f), 'utf-8').slice(-3000)}`).join('\n');
  }

  private initDatabase(): void {
    const init = spawnSync(binaries['mariadb-install-db']!, ['--no-defaults', ...(asRoot ? ['--user=root'] : []), `--datadir=${this.dir}/db`,
      '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf-8', timeout: 120_000 });
    if (init.status !== 0) {
      throw new Error(`mariadb-install-db failed: ${init.stdout}${init.stderr}`);
    }
  }

  get databaseRunning(): boolean {
    return fs.existsSync(`${this.dir}/mysqld.sock`);
  }

  /** Starts MariaDB and creates WordPress' database and user. */
  async startDatabase(): Promise<void> {
    this.spawn(binaries.mariadbd!, ['--no-defaults', ...(asRoot ? ['--user=root'] : []), `--datadir=${this.dir}/db`,
      `--socket=${this.dir}/mysqld.sock`, `--port=${this.dbPort}`, '--bind-address=127.0.0.1', '--skip-name-resolve',
      `--pid-file=${this.dir}/mysqld.pid`, `--log-error=${this.dir}/mysqld.err`], {}, 'mariadbd');
    await waitFor('MariaDB', () => this.databaseRunning);
    const setup = spawnSync(binaries.mariadb!, ['--no-defaults', `--socket=${this.dir}/mysqld.sock`, '--user=root', '--execute',
      `CREATE DATABASE wordpress; CREATE USER 'wordpress'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}'; `
      + 'GRANT ALL ON wordpress.* TO \'wordpress\'@\'127.0.0.1\';'], { encoding: 'utf-8' });
    if (setup.status !== 0 || setup.stderr) {
      throw new Error(`creating the database failed: ${setup.stderr}`);
    }
  }

  /** The environment the php container gets: the Dockerfile's defaults, then the construct's. */
  phpEnvironment(): Record<string, string> {
    return {
      ...dockerfileDefaults('php'),
      PHP_FPM_MAX_CHILDREN: String(this.options.phpWorkers ?? 4),
      WORDPRESS_DB_HOST: `127.0.0.1:${this.dbPort}`,
      WORDPRESS_DB_USER: 'wordpress',
      WORDPRESS_DB_PASSWORD: DB_PASSWORD,
      WORDPRESS_DB_NAME: 'wordpress',
      WORDPRESS_TABLE_PREFIX: 'wp_',
      ...this.options.phpEnvironment,
      PHP_FPM_STATUS_LISTEN: `127.0.0.1:${this.fpmStatusPort}`,
      // where the image has them
      CFB_WEB_ROOT: this.options.webRoot,
      CFB_CORE_SOURCE: this.options.coreSource,
      CFB_MU_PLUGINS_SOURCE: path.join(ASSETS, 'php', 'mu-plugins'),
    };
  }

  /**
   * Starts php-fpm as the image does: through cfb-entrypoint.sh, which installs
   * WordPress onto the web root first if it is not there yet.
   */
  async startPhp(): Promise<void> {
    const conf = path.join(this.dir, 'php');
    if (!fs.existsSync(conf)) {
      fs.mkdirSync(path.join(conf, 'pool.d'), { recursive: true });
      fs.mkdirSync(path.join(conf, 'conf.d'));
      fs.writeFileSync(path.join(conf, 'php-fpm.conf'), [
        '[global]', `pid = ${conf}/php-fpm.pid`, `error_log = ${this.dir}/php-fpm.log`, 'daemonize = no', `include = ${conf}/pool.d/*.conf`, '',
      ].join('\n'));
      // the official image's pool listens on port 9000 (zz-docker.conf); here a free port
      fs.writeFileSync(path.join(conf, 'pool.d', 'www.conf'), [
        '[www]', `listen = 127.0.0.1:${this.fpmPort}`, ...(asRoot ? ['user = root', 'group = root'] : []), 'catch_workers_output = yes', '',
      ].join('\n'));
      fs.copyFileSync(path.join(ASSETS, 'php', 'zz-cfb-pool.conf'), path.join(conf, 'pool.d', 'zz-cfb-pool.conf'));
      for (const ini of ['zz-cfb-wordpress.ini', 'zz-cfb-opcache.ini']) {
        fs.copyFileSync(path.join(ASSETS, 'php', ini), path.join(conf, 'conf.d', ini));
      }
      // no mail server here: WordPress' install mail goes nowhere
      fs.writeFileSync(path.join(conf, 'conf.d', 'machine.ini'), 'sendmail_path = /bin/true\n');
    }
    this.php = this.spawn(ENTRYPOINT, ['php-fpm', '--nodaemonize', ...(asRoot ? ['--allow-to-run-as-root'] : []), '--fpm-config', path.join(conf, 'php-fpm.conf')], {
      PATH: `${this.bin}:${process.env.PATH}`,
      // the default scan directory (extensions) and ours
      PHP_INI_SCAN_DIR: `:${conf}/conf.d`,
      ...this.phpEnvironment(),
    }, 'php-fpm');
    const php = this.php;
    try {
      await waitFor('php-fpm', () => {
        if (php.exitCode !== null) {
          throw new Error(`php-fpm exited with ${php.exitCode}`);
        }
        return new Promise<boolean>((resolve) => {
          const socket = net.connect(this.fpmPort, '127.0.0.1', () => { socket.end(); resolve(true); });
          socket.on('error', () => resolve(false));
        });
      }, 60_000);
    } catch (e) {
      throw new Error(`${e}\n${this.logs()}`);
    }
  }

  /** php-fpm's master process, while it runs. */
  get phpPid(): number | undefined {
    return this.php?.pid;
  }

  /** MariaDB's process, while it runs. */
  get databasePid(): number | undefined {
    return this.processes.find((p) => p.spawnfile === binaries.mariadbd && p.exitCode === null)?.pid;
  }

  async stopPhp(): Promise<void> {
    if (this.php) {
      await stopProcess(this.php);
      this.php = undefined;
    }
  }

  /**
   * Starts an nginx with the shipped template, filled in from the Dockerfile's defaults
   * and `environment` (as the construct sets it), pointed at this php-fpm. Its status
   * server listens on `environment.NGINX_STATUS_PORT`, or a free port.
   */
  async startNginx(environment: Record<string, string> = {}, port?: number): Promise<Nginx> {
    const name = `nginx-${++this.nginxCount}`;
    const prefix = path.join(this.dir, name);
    fs.mkdirSync(path.join(prefix, 'conf.d'), { recursive: true });
    const listen = port ?? await freePort();
    const variables: Record<string, string> = {
      ...dockerfileDefaults('nginx'),
      NGINX_PAGE_CACHE_PATH: path.join(prefix, 'pages'),
      NGINX_STATUS_PORT: String(await freePort()),
      ...environment,
      // in the task, every address of the task (the load balancer reaches it); here loopback
      NGINX_PORT: `127.0.0.1:${listen}`,
      PHP_FPM_HOST: '127.0.0.1',
      PHP_FPM_PORT: String(this.fpmPort),
      PHP_FPM_STATUS_PORT: String(this.fpmStatusPort),
      NGINX_DOCUMENT_ROOT: this.options.webRoot,
    };
    const template = fs.readFileSync(path.join(ASSETS, 'nginx', 'default.conf.template'), 'utf-8');
    const used = [...new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]))];
    const rendered = spawnSync(binaries.envsubst!, [used.map((v) => `\${${v}}`).join(' ')], {
      input: template,
      env: { ...process.env, ...variables },
      encoding: 'utf-8',
    });
    fs.writeFileSync(path.join(prefix, 'conf.d', 'default.conf'), rendered.stdout);
    for (const file of ['fastcgi_params', 'mime.types']) {
      fs.copyFileSync(path.join('/etc/nginx', file), path.join(prefix, file));
    }
    const temps = ['client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi'];
    for (const dir of temps) {
      fs.mkdirSync(path.join(prefix, 'temp', dir), { recursive: true, mode: 0o777 });
      fs.chmodSync(path.join(prefix, 'temp', dir), 0o777);
    }
    const accessLog = path.join(prefix, 'access.log');
    // the nginx image's main configuration, reduced to what the servers need
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), [
      `worker_processes ${this.options.nginxWorkers ?? 1};`, `pid ${prefix}/nginx.pid;`, `error_log ${prefix}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  include mime.types;', '  default_type application/octet-stream;', `  access_log ${accessLog};`,
      '  sendfile on;', '  keepalive_timeout 65;',
      ...temps.map((d) => `  ${d}_temp_path ${prefix}/temp/${d};`),
      `  include ${prefix}/conf.d/*.conf;`,
      '}', '',
    ].join('\n'));
    const check = spawnSync(binaries.nginx!, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf-8' });
    if (check.status !== 0) {
      throw new Error(`nginx rejects the shipped configuration:\n${check.stderr}\n${rendered.stdout}`);
    }
    const child = this.spawn(binaries.nginx!, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {}, name);
    try {
      await waitFor('nginx', async () => (await request(listen, '/healthz')).status === 200);
    } catch (e) {
      throw new Error(`${e}\n${this.logs()}`);
    }
    const effectiveConfiguration = () =>
      spawnSync(binaries.nginx!, ['-T', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf-8' }).stdout;
    const stop = () => stopProcess(child);
    return { port: listen, statusPort: Number(variables.NGINX_STATUS_PORT), accessLog, pid: child.pid!, effectiveConfiguration, stop };
  }

  /**
   * Starts the metrics sidecar's script on busybox, as the nginx image runs it: busybox's
   * sh with only busybox's applets on PATH, the Dockerfile's defaults, then `environment`.
   * With `processOne`, it is the process 1 of a PID namespace of its own, as in its
   * container (where signals without a handler do not end it).
   */
  startMetrics(environment: Record<string, string>, options: { processOne?: boolean } = {}): Metrics {
    const bin = path.join(this.dir, 'busybox-bin');
    if (!fs.existsSync(bin)) {
      fs.mkdirSync(bin);
      const applets = spawnSync(busybox!, ['--list'], { encoding: 'utf-8' }).stdout.split('\n').filter((a) => a);
      for (const applet of applets) {
        fs.symlinkSync(busybox!, path.join(bin, applet));
      }
    }
    const command = [busybox!, 'sh', METRICS_SCRIPT];
    // --kill-child: the script goes when unshare goes (it may ignore SIGTERM there)
    const namespace = ['--pid', '--fork', '--kill-child', ...(asRoot ? [] : ['--user', '--map-root-user'])];
    const [program, ...args] = options.processOne ? [unshare!, ...namespace, ...command] : command;
    const child = spawn(program, args, {
      env: { ...dockerfileDefaults('nginx'), ...environment, PATH: bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.processes.push(child);
    return new Metrics(child, !!options.processOne);
  }

  /** The nginx error logs' lines of level error and above. */
  nginxErrors(): string[] {
    return fs.readdirSync(this.dir).filter((f) => f.startsWith('nginx-') && !f.endsWith('.out'))
      .flatMap((f) => fs.readFileSync(path.join(this.dir, f, 'error.log'), 'utf-8').split('\n'))
      .filter((l) => /\[(error|crit|alert|emerg)\]/.test(l));
  }

  /** Runs WordPress' installer through nginx (the form a first visitor fills in). */
  async installWordpress(port: number): Promise<void> {
    const form = new URLSearchParams({
      weblog_title: 'Registration',
      user_name: ADMIN.user,
      admin_password: ADMIN.password,
      admin_password2: ADMIN.password,
      admin_email: 'admin@example.com',
      blog_public: '0',
      language: '',
    });
    const response = await request(port, '/wp-admin/install.php?step=2', { method: 'POST', body: form });
    if (response.status !== 200 || !/<h1>Success!<\/h1>/.test(response.body)) {
      throw new Error(`installing WordPress failed (${response.status}): ${response.body.slice(0, 2000)}\n${this.logs()}`);
    }
  }

  /** Logs the administrator in; returns the Cookie header of the session. */
  async logIn(port: number): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${port}/wp-login.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
      body: new URLSearchParams({ 'log': ADMIN.user, 'pwd': ADMIN.password, 'wp-submit': 'Log In', 'testcookie': '1' }),
    });
    const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=deleted'));
    if (response.status !== 302 || !cookies.some((c) => c.startsWith('wordpress_logged_in_'))) {
      throw new Error(`logging in failed (${response.status}): ${cookies.join('; ')}`);
    }
    return cookies.join('; ');
  }

  /** Stops every process started, the database last. */
  async stop(): Promise<void> {
    const isDatabase = (p: ChildProcess) => p.spawnfile === binaries.mariadbd;
    await Promise.all(this.processes.filter((p) => !isDatabase(p)).map(stopProcess));
    await Promise.all(this.processes.filter(isDatabase).map(stopProcess));
  }
}

/** One line the metrics script printed, and when it arrived. */
export interface MetricsLine {
  readonly text: string;
  readonly receivedAt: number;
}

/** A running metrics script: what it printed to stdout, line by line, and to stderr. */
export class Metrics {
  readonly lines: MetricsLine[] = [];
  stderr = '';
  private partial = '';

  constructor(readonly child: ChildProcess, private readonly inNamespace = false) {
    child.stdout!.on('data', (d: Buffer) => {
      const text = this.partial + d.toString('utf-8');
      const lines = text.split('\n');
      this.partial = lines.pop()!;
      this.lines.push(...lines.map((l) => ({ text: l, receivedAt: Date.now() })));
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf-8')));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The script's process (in a PID namespace: unshare's child, there process 1); undefined once gone. */
  get scriptPid(): number | undefined {
    if (!this.inNamespace) {
      return this.child.pid;
    }
    try {
      const children = fs.readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf-8').trim();
      return children ? Number(children.split(' ')[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Output that is not a whole line yet (nothing, from a script that writes whole lines). */
  get unfinished(): string {
    return this.partial;
  }

  /** Waits until a line after the first `after` lines passes `check`; returns its index. */
  async waitForLine(what: string, check: (line: MetricsLine) => boolean, after = 0, timeoutMs = 10_000): Promise<number> {
    let found = -1;
    await waitFor(what, () => {
      found = this.lines.findIndex((l, i) => i >= after && check(l));
      return found >= 0;
    }, timeoutMs, 20);
    return found;
  }

  stop(): Promise<void> {
    return stopProcess(this.child);
  }
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
