import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { WordpressFargateSite } from '../src';
import { synth, testApp } from './support';
import { dockerfileDefaults } from './support/wordpress-servers';

/**
 * The files in assets/wordpress agree with each other and with the construct: every
 * ${VARIABLE} of a configuration file has a default in its Dockerfile, the construct sets
 * the ones that depend on its props, every file a Dockerfile copies exists, base images
 * are pinned, and the docker compose file wires the services the way the task does.
 */

const ASSETS = path.join(__dirname, '..', 'assets', 'wordpress');
const read = (...parts: string[]) => fs.readFileSync(path.join(ASSETS, ...parts), 'utf-8');
const variablesIn = (text: string) => [...new Set([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]))].sort();
const envDefaultsOf = (dockerfile: string) => [...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=/gm)].map((m) => m[1]);
/** The ${NAME:-default} variables of the metrics script, with the defaults it falls back to. */
const scriptDefaults = () => Object.fromEntries([...read('nginx', 'cfb-metrics').matchAll(/\$\{(CFB_[A-Z_]+):-([^}]*)\}/g)].map((m) => [m[1], m[2]]));

let containers: Record<string, any>;
let template: any;
beforeAll(() => {
  const app = testApp();
  const stack = new Stack(app, 'Site', { env: { region: 'eu-west-1' } });
  new WordpressFargateSite(stack, 'Blog');
  template = synth(app).json(stack);
  const definition = Object.values(Template.fromJSON(template).findResources('AWS::ECS::TaskDefinition'))[0];
  containers = Object.fromEntries(definition.Properties.ContainerDefinitions.map((c: any) => [c.Name, c]));
});

const environmentOf = (name: string) => (containers[name].Environment ?? []).map((e: any) => e.Name);

test.each([
  ['nginx', ['default.conf.template']],
  ['php', ['zz-cfb-wordpress.ini', 'zz-cfb-opcache.ini', 'zz-cfb-pool.conf']],
])('every variable of the %s configuration has a default in its Dockerfile', (image, files) => {
  const dockerfile = read(image, 'Dockerfile');
  const used = variablesIn(files.map((f) => read(image, f)).join('\n'));
  expect(used.length).toBeGreaterThan(0);
  expect(used.filter((v) => !envDefaultsOf(dockerfile).includes(v))).toEqual([]);
});

test('the construct sets the variables that follow its props', () => {
  expect(environmentOf('nginx')).toEqual(expect.arrayContaining(['NGINX_CLIENT_MAX_BODY_SIZE', 'NGINX_REAL_IP_FROM', 'NGINX_PAGE_CACHE_TTL', 'NGINX_BEHIND_CDN']));
  expect(environmentOf('metrics')).toEqual(['CFB_METRICS_SITE', 'CFB_METRICS_INTERVAL']);
  expect(environmentOf('wordpress')).toEqual(expect.arrayContaining(['PHP_UPLOAD_MAX_FILESIZE', 'PHP_POST_MAX_SIZE', 'PHP_FPM_MAX_CHILDREN']));
  // and everything else it sets is known to the images or to the official entrypoint
  const known = [...variablesIn(read('nginx', 'default.conf.template')), ...variablesIn(read('php', 'zz-cfb-wordpress.ini')),
    ...variablesIn(read('php', 'zz-cfb-pool.conf')), ...Object.keys(scriptDefaults()),
    'WORDPRESS_DB_HOST', 'WORDPRESS_TABLE_PREFIX', 'WORDPRESS_CONFIG_EXTRA'];
  expect([...environmentOf('nginx'), ...environmentOf('wordpress'), ...environmentOf('metrics')].filter((v: string) => !known.includes(v))).toEqual([]);
  expect(containers.wordpress.Secrets.map((s: any) => s.Name)).toContain('WORDPRESS_KEYS_AND_SALTS');
  expect(read('php', 'cfb-entrypoint.sh')).toContain('WORDPRESS_KEYS_AND_SALTS');
});

test.each(['nginx', 'php'])('every file the %s Dockerfile copies is in its build context', (image) => {
  const copied = [...read(image, 'Dockerfile').matchAll(/^COPY\s+(.+?)\s+\S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  expect(copied.length).toBeGreaterThan(0);
  expect(copied.filter((f) => !fs.existsSync(path.join(ASSETS, image, f)))).toEqual([]);
});

test('base images are pinned to maintained versions, never latest', () => {
  const bases = ['nginx', 'php'].map((image) => read(image, 'Dockerfile').match(/^FROM\s+(\S+)/m)![1]);
  expect(bases).toEqual(['nginx:1.30-alpine', 'wordpress:7.1-php8.3-fpm']);
});

test('the metrics script\'s variables have the Dockerfile\'s defaults, the ones it falls back to itself', () => {
  const defaults = dockerfileDefaults('nginx');
  const fallbacks = scriptDefaults();
  expect(Object.keys(fallbacks).sort()).toEqual(['CFB_METRICS_INTERVAL', 'CFB_METRICS_NAMESPACE', 'CFB_METRICS_SAMPLE_INTERVAL',
    'CFB_METRICS_SITE', 'CFB_NGINX_STATUS_URL', 'CFB_PHP_STATUS_URL']);
  expect(Object.fromEntries(Object.keys(fallbacks).map((name) => [name, defaults[name]]))).toEqual(fallbacks);
  // and it reads no other variable of the environment
  const used = [...read('nginx', 'cfb-metrics').matchAll(/\$\{?([A-Z][A-Z_]+)/g)].map((m) => m[1]);
  expect([...new Set(used)].filter((v) => !(v in fallbacks))).toEqual([]);
});

test('the metrics script is a busybox sh script, executable, installed by the nginx image', () => {
  expect(() => fs.accessSync(path.join(ASSETS, 'nginx', 'cfb-metrics'), fs.constants.X_OK)).not.toThrow();
  expect(read('nginx', 'cfb-metrics')).toMatch(/^#!\/bin\/sh\n/);
  expect(read('nginx', 'Dockerfile')).toMatch(/^COPY cfb-metrics \/usr\/local\/bin\/cfb-metrics$/m);
  expect(read('nginx', 'Dockerfile')).toMatch(/^RUN chmod 0755 \/usr\/local\/bin\/cfb-metrics$/m);
});

test('the entrypoint is executable and runs the official one', () => {
  expect(() => fs.accessSync(path.join(ASSETS, 'php', 'cfb-entrypoint.sh'), fs.constants.X_OK)).not.toThrow();
  expect(read('php', 'Dockerfile')).toMatch(/^ENTRYPOINT \["cfb-entrypoint.sh"\]$/m);
  expect(read('php', 'cfb-entrypoint.sh')).toMatch(/exec docker-entrypoint.sh "\$@"/);
});

describe('the nginx image\'s defaults', () => {
  const defaults = dockerfileDefaults('nginx');

  test('php-fpm is reached at 127.0.0.1, an address: localhost may resolve to ::1, where php-fpm does not listen', () => {
    expect(read('nginx', 'Dockerfile')).toMatch(/^ARG PHP_UPSTREAM_HOST=127\.0\.0\.1$/m);
    expect(defaults.PHP_FPM_HOST).toBe('${PHP_UPSTREAM_HOST}');
  });

  test('X-Forwarded-For is believed from loopback only, until the construct names its proxies', () => {
    expect(defaults.NGINX_REAL_IP_FROM).toBe('127.0.0.1/32');
  });

  test('CloudFront-Forwarded-Proto is ignored until the construct says CloudFront is the only way in', () => {
    expect(defaults.NGINX_BEHIND_CDN).toBe('0');
  });

  test('the metrics script reads the status pages where the status server and php-fpm\'s status listener are', () => {
    expect(defaults.CFB_NGINX_STATUS_URL).toBe(`http://127.0.0.1:${defaults.NGINX_STATUS_PORT}/nginx-status`);
    expect(defaults.CFB_PHP_STATUS_URL).toBe(`http://127.0.0.1:${defaults.NGINX_STATUS_PORT}/fpm-status`);
    expect(dockerfileDefaults('php').PHP_FPM_STATUS_LISTEN).toBe(`127.0.0.1:${defaults.PHP_FPM_STATUS_PORT}`);
    // on loopback only, and neither on nginx's port nor php-fpm's
    expect(read('nginx', 'default.conf.template')).toMatch(/^ {4}listen 127\.0\.0\.1:\$\{NGINX_STATUS_PORT\};$/m);
    expect(new Set([defaults.NGINX_PORT, defaults.NGINX_STATUS_PORT, defaults.PHP_FPM_PORT, defaults.PHP_FPM_STATUS_PORT]).size).toBe(4);
  });

  test('the metrics are CloudWatch high-resolution metrics, a line every 10 s from samples every 2 s', () => {
    expect([defaults.CFB_METRICS_NAMESPACE, defaults.CFB_METRICS_INTERVAL, defaults.CFB_METRICS_SAMPLE_INTERVAL])
      .toEqual(['CdkFargateBlueprints/WordPress', '10', '2']);
  });

  test('the page cache keeps pages a few seconds, on the container\'s own disk, in a folder of the workers', () => {
    expect(defaults.NGINX_PAGE_CACHE_TTL).toBe('5');
    expect(defaults.NGINX_PAGE_CACHE_PATH).toBe('/var/cache/nginx/pages');
    expect(defaults.NGINX_PAGE_CACHE_PATH.startsWith(defaults.NGINX_DOCUMENT_ROOT)).toBe(false);
    expect(read('nginx', 'Dockerfile')).toMatch(/install -d -o nginx -g nginx -m 0700 \/var\/cache\/nginx\/pages/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'));
  const services = compose.services;

  test('builds both images from their Dockerfiles, with a database beside them', () => {
    expect(Object.keys(services).sort()).toEqual(['db', 'metrics', 'nginx', 'wordpress']);
    expect(services.nginx.build.context).toBe('./nginx');
    expect(services.wordpress.build.context).toBe('./php');
    expect(services.db.image).toBe('mysql:8.4');
  });

  test('nginx reaches php-fpm by the name of its service', () => {
    const host = services.nginx.build.args.PHP_UPSTREAM_HOST;
    expect(services[host]).toBe(services.wordpress);
  });

  test('both share the web root, read-only for nginx, as in the task', () => {
    expect(services.nginx.volumes).toEqual(['wordpress:/var/www/html:ro']);
    expect(services.wordpress.volumes).toEqual(['wordpress:/var/www/html']);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['wordpress', 'db']));
  });

  test('the metrics sidecar runs the script of the nginx image in nginx\'s network, as in the task', () => {
    expect(services.metrics.build).toEqual(services.nginx.build);
    expect(services.metrics.command).toEqual(['/usr/local/bin/cfb-metrics']);
    expect(services.metrics.network_mode).toBe('service:nginx');
  });

  test('nginx reaches php-fpm\'s status listener, which listens beyond its own container', () => {
    expect(services.wordpress.environment.PHP_FPM_STATUS_LISTEN).toBe(dockerfileDefaults('nginx').PHP_FPM_STATUS_PORT);
  });

  test('WordPress reaches the database service with its credentials', () => {
    const wordpress = services.wordpress.environment;
    const db = services.db.environment;
    expect(wordpress.WORDPRESS_DB_HOST).toBe('db:3306');
    expect([wordpress.WORDPRESS_DB_USER, wordpress.WORDPRESS_DB_PASSWORD, wordpress.WORDPRESS_DB_NAME])
      .toEqual([db.MYSQL_USER, db.MYSQL_PASSWORD, db.MYSQL_DATABASE]);
  });

  test('the upload limits agree: nginx and post_max_size allow 1 MiB more than a file', () => {
    const upload = parseInt(services.wordpress.environment.PHP_UPLOAD_MAX_FILESIZE, 10);
    expect(parseInt(services.wordpress.environment.PHP_POST_MAX_SIZE, 10)).toBe(upload + 1);
    expect(parseInt(services.nginx.environment.NGINX_CLIENT_MAX_BODY_SIZE, 10)).toBe(upload + 1);
  });
});

test('the construct publishes the load signal where the script writes it, every period the script counts over', () => {
  const defaults = scriptDefaults();
  const alarm = Object.values(Template.fromJSON(template).findResources('AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties).find((p) => p.MetricName === 'PhpBusyPercent');
  expect(alarm).toMatchObject({ Namespace: defaults.CFB_METRICS_NAMESPACE, Period: 10 });
  const environment = Object.fromEntries(containers.metrics.Environment.map((e: any) => [e.Name, e.Value]));
  expect(alarm.Dimensions).toEqual([{ Name: 'Site', Value: environment.CFB_METRICS_SITE }]);
  expect(environment.CFB_METRICS_INTERVAL).toBe(String(alarm.Period));
  expect(read('nginx', 'cfb-metrics')).toContain('PhpBusyPercent');
});
