/**
 * Requests per second and p99 latency of the WordPress front page on the images' shipped
 * nginx and php-fpm configuration, with the page micro-cache on and off: Debian's nginx,
 * php-fpm, MariaDB and WordPress on loopback (test/support/wordpress-servers.ts), driven
 * by autocannon from this process. Everything binds to 127.0.0.1, every run is bounded
 * in requests and in time, and the servers stop at the end.
 *
 *   npx projen bench:wordpress [--php-workers 28] [--connections 32] [--seconds 10]
 *                              [--max-requests 100000] [--ttl 5]
 *
 * The defaults mirror the construct's default task (1 vCPU, 2 GiB): 28 php-fpm workers
 * ((2048 - 256) / 64, as the construct sizes pm.max_children) and one nginx worker.
 * Needs the Debian packages the real-server test needs (.ci/run installs them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import autocannon from 'autocannon';
import { makeCoreSource, missingBinaries, request, WordpressServers } from '../test/support/wordpress-servers';

const options = {
  phpWorkers: 28,
  connections: 32,
  seconds: 10,
  maxRequests: 100_000,
  ttl: 5,
};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof options;
  const value = Number(process.argv[i + 1]);
  if (!(key in options) || !Number.isInteger(value) || value < 0) {
    console.error(`unknown option or bad value: ${process.argv[i]} ${process.argv[i + 1] ?? ''}`);
    process.exit(2);
  }
  options[key] = value;
}

interface Result {
  readonly label: string;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** CPU milliseconds per request, by server: what a task (or the database) spends, whatever else the machine runs. */
  readonly cpuMs: Record<'nginx' | 'php-fpm' | 'MariaDB', number>;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds used so far by `pid` and its children alive now (php-fpm's and nginx's workers). */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // the fields after the command (which may hold spaces) start with state, ppid
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf-8').replace(/^.*\) /, '').split(' ');
      if (Number(entry) === pid || Number(fields[1]) === pid) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // gone meanwhile
    }
  }
  return ticks / TICKS;
}

/** One bounded run against the front page: at most `seconds` and `maxRequests`. */
async function drive(label: string, port: number, pids: Record<keyof Result['cpuMs'], number>): Promise<Result> {
  const servers = Object.keys(pids) as (keyof Result['cpuMs'])[];
  const cpuBefore = servers.map((s) => cpuSeconds(pids[s]));
  let watchdog: NodeJS.Timeout | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections: options.connections,
      duration: options.seconds,
      maxOverallRequests: options.maxRequests,
      timeout: 30,
    }, (error, done) => (error ? reject(error) : resolve(done)));
    // autocannon stops at the duration; this is the belt to its braces
    watchdog = setTimeout(() => instance.stop(), (options.seconds + 30) * 1000);
  });
  clearTimeout(watchdog);
  const cpuMs = Object.fromEntries(servers.map((s, i) => [s, ((cpuSeconds(pids[s]) - cpuBefore[i]) * 1000) / result.requests.total])) as Result['cpuMs'];
  return {
    cpuMs,
    label,
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || options.seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

/** Checks the page answers as the mode promises, then warms opcache (and the cache); returns the page's size in bytes. */
async function warmUp(port: number, expected: string[]): Promise<number> {
  let size = 0;
  for (let i = 0; i < 50; i++) {
    const response = await request(port, '/');
    if (response.status !== 200 || (i > 0 && !expected.includes(response.cache ?? ''))) {
      throw new Error(`front page: ${response.status}, X-Cache ${response.cache}; expected 200 and ${expected.join(' or ')}`);
    }
    size = Buffer.byteLength(response.body);
  }
  return size;
}

async function main(): Promise<void> {
  if (missingBinaries.length > 0) {
    console.error(`missing: ${missingBinaries.join(', ')} (Debian packages; .ci/run installs them)`);
    process.exit(1);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-bench-wordpress-'));
  fs.chmodSync(tmp, 0o755);
  const webRoot = path.join(tmp, 'html');
  fs.mkdirSync(webRoot);
  const coreSource = path.join(tmp, 'src');
  makeCoreSource(coreSource);
  const servers = await WordpressServers.prepare({ dir: tmp, webRoot, coreSource, phpWorkers: options.phpWorkers, nginxWorkers: 1 });
  try {
    await servers.startDatabase();
    // the first start: the entrypoint installs WordPress onto the empty web root
    const started = Date.now();
    await servers.startPhp();
    const firstStart = Date.now() - started;
    const files = fs.readdirSync(coreSource, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

    let nginx = await servers.startNginx({ NGINX_PAGE_CACHE_TTL: String(options.ttl) });
    const port = nginx.port;
    await servers.installWordpress(port);

    console.log(`WordPress front page (Debian's WordPress 6.1, theme Twenty Twenty-Three, ${files} files), node ${process.version}, `
      + `${os.cpus().length} cores shared by nginx, php-fpm, MariaDB and the load generator`);
    console.log(`php-fpm: ${options.phpWorkers} workers; nginx: 1 worker; ${options.connections} connections, `
      + `at most ${options.seconds} s and ${options.maxRequests} requests per run`);
    console.log(`first start on an empty web root (install WordPress, start php-fpm): ${firstStart} ms`);

    const pids = (server: { pid: number }) => ({ 'nginx': server.pid, 'php-fpm': servers.phpPid!, 'MariaDB': servers.databasePid! });
    const pageBytes = await warmUp(port, ['HIT']);
    console.log(`front page: ${(pageBytes / 1024).toFixed(0)} KiB of HTML, uncompressed`);
    const cached = await drive(`page cache on (TTL ${options.ttl} s)`, port, pids(nginx));
    await nginx.stop();

    nginx = await servers.startNginx({ NGINX_PAGE_CACHE_TTL: '0' }, port);
    await warmUp(port, ['BYPASS']);
    const uncached = await drive('page cache off (TTL 0)', port, pids(nginx));
    await nginx.stop();

    console.log('');
    console.log('| mode | requests | req/s | p50 ms | p99 ms | failed | CPU ms per request: nginx | php-fpm | MariaDB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of [cached, uncached]) {
      const cpu = [r.cpuMs.nginx, r.cpuMs['php-fpm'], r.cpuMs.MariaDB].map((ms) => ms.toFixed(ms < 1 ? 3 : 1));
      console.log(`| ${r.label} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.failures} | ${cpu.join(' | ')} |`);
    }
    if (cached.failures + uncached.failures > 0) {
      throw new Error('some requests failed: the figures are not a measurement');
    }
    console.log('');
    console.log(`page cache speed-up: ${(cached.perSecond / uncached.perSecond).toFixed(1)} x`);
  } finally {
    await servers.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
