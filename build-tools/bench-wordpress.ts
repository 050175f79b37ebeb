/**
 * Requests per second and p99 latency of the WordPress front page on the images' shipped
 * nginx and php-fpm configuration, with the page micro-cache on and off: Debian's nginx,
 * php-fpm, MariaDB and WordPress on loopback (test/support/wordpress-servers.ts), driven
 * by autocannon from this process. Everything binds to 127.0.0.1, every run is bounded
 * in requests and in time, and the servers stop at the end.
 *
 *   npx projen bench:wordpress [--php-workers 12] [--connections 32] [--seconds 10]
 *                              [--max-requests 100000] [--ttl 5] [--gzip 0|1]
 *                              [--signal-trials 3]
 *
 * The defaults mirror the construct's default task (0.5 vCPU, 1 GiB): 12 php-fpm workers
 * ((1024 - 256) / 64, as the construct sizes pm.max_children) and one nginx worker. The
 * bench does not limit CPU: it measures CPU time per request, which the README turns into
 * requests per task (`--php-workers 28` for a 1 vCPU / 2 GiB task).
 * `--gzip 1` asks for compressed pages as browsers and CloudFront do (Accept-Encoding:
 * gzip, deflate, br); bytes per response are what went over the wire, headers included.
 *
 * The last line is `page cache speed-up: R x` (cached over uncached requests per second).
 *
 * Before it, the load signal: the metrics sidecar's script (on busybox, with the image's
 * defaults: a line every 10 s, php-fpm sampled every 2 s) watches while an unannounced
 * spike of uncached requests starts at a random moment, `--signal-trials` times; it
 * reports how long after the spike's start the first line showing it was printed, and
 * what the script itself costs in CPU.
 *
 * Needs the Debian packages the real-server test needs (.ci/run installs them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import autocannon from 'autocannon';
import { busybox, dockerfileDefaults, makeCoreSource, Metrics, missingBinaries, rawRequest, WordpressServers } from '../test/support/wordpress-servers';

const options = {
  phpWorkers: 12,
  connections: 32,
  seconds: 10,
  maxRequests: 100_000,
  ttl: 5,
  gzip: 0,
  signalTrials: 3,
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
if (options.gzip > 1) {
  console.error('--gzip is 0 or 1');
  process.exit(2);
}
/** What the load generator asks for, beyond the URL. */
const requestHeaders: Record<string, string> = options.gzip ? { 'accept-encoding': 'gzip, deflate, br' } : {};

interface Result {
  readonly label: string;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** Bytes per response over the wire, headers included. */
  readonly bytesPerResponse: number;
  /** CPU milliseconds per request, by server: what a task (or the database) spends, whatever else the machine runs. */
  readonly cpuMs: Record<'nginx' | 'php-fpm' | 'MariaDB', number>;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds used so far by `pid` and its children alive now (php-fpm's and nginx's
 * workers); with `reaped`, also by the children it has waited for (the commands a shell
 * script ran).
 */
function cpuSeconds(pid: number, reaped = false): number {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // the fields after the command (which may hold spaces) start with state, ppid
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf-8').replace(/^.*\) /, '').split(' ');
      if (Number(entry) === pid || Number(fields[1]) === pid) {
        ticks += Number(fields[11]) + Number(fields[12]);
        if (reaped && Number(entry) === pid) {
          ticks += Number(fields[13]) + Number(fields[14]);
        }
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
  const result = await startLoad(port, '/', options.connections, options.seconds).done;
  const cpuMs = Object.fromEntries(servers.map((s, i) => [s, ((cpuSeconds(pids[s]) - cpuBefore[i]) * 1000) / result.requests.total])) as Result['cpuMs'];
  return {
    cpuMs,
    label,
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || options.seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
    bytesPerResponse: result.throughput.total / result.requests.total,
  };
}

interface Load {
  readonly done: Promise<autocannon.Result>;
  stop(): void;
}

/** autocannon against `urlPath`, bounded by `seconds` and `options.maxRequests`. */
function startLoad(port: number, urlPath: string, connections: number, seconds: number): Load {
  let instance: autocannon.Instance | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
      url: `http://127.0.0.1:${port}${urlPath}`,
      headers: requestHeaders,
      connections,
      duration: seconds,
      maxOverallRequests: options.maxRequests,
      timeout: 30,
    }, (error, result) => (error ? reject(error) : resolve(result)));
    // autocannon stops at the duration; this is the belt to its braces
    watchdog = setTimeout(() => instance!.stop(), (seconds + 30) * 1000);
  }).finally(() => clearTimeout(watchdog));
  return { done, stop: () => instance!.stop() };
}

/**
 * Checks the page answers as the mode promises (cache status, compressed or not), then
 * warms opcache (and the cache); returns the page's body size in bytes, as sent.
 */
async function warmUp(port: number, expected: string[]): Promise<number> {
  let size = 0;
  for (let i = 0; i < 50; i++) {
    const response = await rawRequest(port, '/', requestHeaders);
    const cache = String(response.headers['x-cache'] ?? '');
    const encoding = response.headers['content-encoding'] ?? 'identity';
    if (response.status !== 200 || (i > 0 && !expected.includes(cache)) || encoding !== (options.gzip ? 'gzip' : 'identity')) {
      throw new Error(`front page: ${response.status}, X-Cache ${cache}, Content-Encoding ${encoding}; expected 200, ${expected.join(' or ')}, `
        + `${options.gzip ? 'gzip' : 'identity'}`);
    }
    size = response.body.length;
  }
  return size;
}

interface SignalTrial {
  /** From the spike's start to the first line with PhpBusyPercent above 0, and at 50 or more. */
  readonly firstBusyMs: number;
  readonly halfBusyMs: number;
  /** Where in the window the spike started (0 to the interval). */
  readonly offsetInWindowMs: number;
}

const busyOf = (line: { text: string }): number => JSON.parse(line.text).PhpBusyPercent ?? -1;

/**
 * One unannounced spike: uncached requests from a random moment of a window on, until a
 * line shows php-fpm at least half busy (or 40 s).
 */
async function signalTrial(metrics: Metrics, port: number, interval: number): Promise<SignalTrial> {
  // idle first, then a random moment
  await metrics.waitForLine('an idle line', (l) => busyOf(l) === 0, metrics.lines.length, 60_000);
  await new Promise((r) => setTimeout(r, Math.random() * interval * 1000));
  const start = Date.now();
  const seen = metrics.lines.length;
  const spike = startLoad(port, '/', options.connections, 40);
  try {
    await metrics.waitForLine('a line showing the spike', (l) => busyOf(l) >= 50, seen, 45_000);
  } finally {
    spike.stop();
    await spike.done;
  }
  const first = metrics.lines.findIndex((l, i) => i >= seen && busyOf(l) > 0);
  const half = metrics.lines.findIndex((l, i) => i >= seen && busyOf(l) >= 50);
  return {
    firstBusyMs: metrics.lines[first].receivedAt - start,
    halfBusyMs: metrics.lines[half].receivedAt - start,
    offsetInWindowMs: start % (interval * 1000),
  };
}

/** The load signal: spikes of uncached requests, watched by the metrics script with the image's defaults. */
async function measureSignal(servers: WordpressServers, statusPort: number, port: number): Promise<void> {
  const defaults = dockerfileDefaults('nginx');
  const interval = Number(defaults.CFB_METRICS_INTERVAL);
  const metrics = servers.startMetrics({
    CFB_NGINX_STATUS_URL: `http://127.0.0.1:${statusPort}/nginx-status`,
    CFB_PHP_STATUS_URL: `http://127.0.0.1:${statusPort}/fpm-status`,
  });
  const started = Date.now();
  const cpuBefore = cpuSeconds(metrics.child.pid!, true);
  const trials: SignalTrial[] = [];
  try {
    for (let i = 0; i < options.signalTrials; i++) {
      trials.push(await signalTrial(metrics, port, interval));
    }
  } finally {
    const cpuMsPerSecond = ((cpuSeconds(metrics.child.pid!, true) - cpuBefore) * 1000) / ((Date.now() - started) / 1000);
    await metrics.stop();
    console.log('');
    console.log(`load signal: a line every ${interval} s, php-fpm sampled every ${defaults.CFB_METRICS_SAMPLE_INTERVAL} s (the image's defaults); `
      + `spikes of ${options.connections} connections of uncached requests, each from a random moment of a window`);
    console.log('');
    console.log('| spike | started in the window at | first line with PhpBusyPercent > 0 | first line with PhpBusyPercent >= 50 |');
    console.log('|---:|---:|---:|---:|');
    trials.forEach((t, i) => console.log(`| ${i + 1} | ${(t.offsetInWindowMs / 1000).toFixed(1)} s | ${(t.firstBusyMs / 1000).toFixed(1)} s `
      + `| ${(t.halfBusyMs / 1000).toFixed(1)} s |`));
    console.log('');
    console.log(`the script's CPU: ${cpuMsPerSecond.toFixed(2)} ms per second (${(cpuMsPerSecond / 10).toFixed(2)}% of a vCPU); `
      + `its lines: ${metrics.lines.length}, every one of them EMF: ${metrics.lines.every((l) => isEmf(l.text))}`);
  }
}

function isEmf(text: string): boolean {
  try {
    const document = JSON.parse(text);
    return Array.isArray(document._aws?.CloudWatchMetrics) && typeof document._aws.Timestamp === 'number';
  } catch {
    return false;
  }
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
    const plainBytes = (await rawRequest(port, '/')).body.length;
    console.log(`front page: ${(plainBytes / 1024).toFixed(0)} KiB of HTML, `
      + (options.gzip ? `${(pageBytes / 1024).toFixed(1)} KiB compressed (Accept-Encoding: ${requestHeaders['accept-encoding']})` : 'sent uncompressed (no Accept-Encoding)'));
    const cached = await drive(`page cache on (TTL ${options.ttl} s)`, port, pids(nginx));
    await nginx.stop();

    nginx = await servers.startNginx({ NGINX_PAGE_CACHE_TTL: '0' }, port);
    await warmUp(port, ['BYPASS']);
    const uncached = await drive('page cache off (TTL 0)', port, pids(nginx));

    console.log('');
    console.log('| mode | requests | req/s | p50 ms | p99 ms | failed | bytes per response | Mbit/s | CPU ms per request: nginx | php-fpm | MariaDB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of [cached, uncached]) {
      const cpu = [r.cpuMs.nginx, r.cpuMs['php-fpm'], r.cpuMs.MariaDB].map((ms) => ms.toFixed(ms < 1 ? 3 : 1));
      const mbits = (r.bytesPerResponse * r.perSecond * 8) / 1e6;
      console.log(`| ${r.label} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.failures} | ${r.bytesPerResponse.toFixed(0)} `
        + `| ${mbits.toFixed(0)} | ${cpu.join(' | ')} |`);
    }
    if (cached.failures + uncached.failures > 0) {
      throw new Error('some requests failed: the figures are not a measurement');
    }
    if (options.signalTrials > 0 && !busybox) {
      console.log('\nno busybox: the load signal is not measured (Debian package busybox)');
    } else if (options.signalTrials > 0) {
      console.log('');
      await measureSignal(servers, nginx.statusPort, port);
    }
    await nginx.stop();
    // the figure the README's capacity table starts from, last, where scripts find it
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
