<?php
/**
 * What the SES mail plugin needs of AWS, without an SDK: credentials from the ECS
 * container credentials endpoint, Signature Version 4, and SES v2 SendEmail. Plain PHP
 * (streams, hash, json), no WordPress: the tests load this file by itself.
 *
 * Signature Version 4: "Create a signed AWS API request", IAM User Guide
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 * Container credentials: "Container credential provider", AWS SDKs and Tools Reference
 * Guide (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html).
 * SendEmail: SES API v2 Reference (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html).
 */

namespace CfbSesMail;

/** Refresh credentials this long before they expire, as the AWS SDKs do. */
const REFRESH_BEFORE_EXPIRY_SECONDS = 300;
/** The ECS agent's credentials endpoint, for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
const ECS_CREDENTIALS_HOST = 'http://169.254.170.2';

/** A percent-encoding of every byte but the unreserved characters (RFC 3986), as SigV4 wants. */
function uri_encode(string $value): string {
	return str_replace('%7E', '~', rawurlencode($value));
}

/**
 * Signs a request with Signature Version 4. `$headers` are name => value (Host among
 * them); returns them with X-Amz-Date, X-Amz-Security-Token (with a session token) and
 * Authorization added. `$amz_date` is the time of signing, as 20150830T123600Z.
 */
function sign(string $method, string $url, array $headers, string $body, array $credentials, string $region, string $service, string $amz_date): array {
	$parts = parse_url($url);
	$headers['X-Amz-Date'] = $amz_date;
	if (!empty($credentials['token'])) {
		$headers['X-Amz-Security-Token'] = $credentials['token'];
	}
	// headers: lower-case names, sorted; values trimmed, inner runs of spaces made one
	$canonical_headers = [];
	foreach ($headers as $name => $value) {
		$canonical_headers[strtolower($name)] = preg_replace('/\s+/', ' ', trim((string) $value));
	}
	ksort($canonical_headers, SORT_STRING);
	$signed_headers = implode(';', array_keys($canonical_headers));
	$header_block = '';
	foreach ($canonical_headers as $name => $value) {
		$header_block .= "$name:$value\n";
	}
	// path: each segment encoded once (every service but S3 normalizes; SES paths need none)
	$path = $parts['path'] ?? '/';
	$canonical_path = implode('/', array_map(fn($segment) => uri_encode(rawurldecode($segment)), explode('/', $path)));
	// query: each name and value encoded, sorted by name, then value
	$pairs = [];
	if (isset($parts['query']) && $parts['query'] !== '') {
		foreach (explode('&', $parts['query']) as $pair) {
			[$name, $value] = array_pad(explode('=', $pair, 2), 2, '');
			$pairs[] = [uri_encode(rawurldecode($name)), uri_encode(rawurldecode($value))];
		}
	}
	usort($pairs, fn($a, $b) => strcmp($a[0], $b[0]) ?: strcmp($a[1], $b[1]));
	$canonical_query = implode('&', array_map(fn($p) => "$p[0]=$p[1]", $pairs));
	$canonical_request = implode("\n", [strtoupper($method), $canonical_path, $canonical_query, $header_block, $signed_headers, hash('sha256', $body)]);

	$date = substr($amz_date, 0, 8);
	$scope = "$date/$region/$service/aws4_request";
	$string_to_sign = implode("\n", ['AWS4-HMAC-SHA256', $amz_date, $scope, hash('sha256', $canonical_request)]);
	$key = 'AWS4' . $credentials['secret'];
	foreach ([$date, $region, $service, 'aws4_request'] as $part) {
		$key = hash_hmac('sha256', $part, $key, true);
	}
	$signature = hash_hmac('sha256', $string_to_sign, $key);
	$headers['Authorization'] = "AWS4-HMAC-SHA256 Credential={$credentials['key']}/$scope, SignedHeaders=$signed_headers, Signature=$signature";
	return $headers;
}

/** One HTTP request through PHP's stream wrapper: [status, body, lower-case headers], status 0 and an error message when there was no answer. */
function http(string $method, string $url, array $headers, string $body = '', int $timeout = 10): array {
	$lines = [];
	foreach ($headers as $name => $value) {
		$lines[] = "$name: $value";
	}
	$context = stream_context_create(['http' => [
		'method' => $method,
		'header' => implode("\r\n", $lines),
		'content' => $body,
		'timeout' => $timeout,
		'ignore_errors' => true,
		'follow_location' => 0,
		'protocol_version' => 1.1,
	]]);
	$response = @file_get_contents($url, false, $context);
	if ($response === false) {
		$error = error_get_last();
		return [0, $error['message'] ?? "no answer from $url", []];
	}
	$status = 0;
	$response_headers = [];
	foreach ($http_response_header ?? [] as $line) {
		if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m)) {
			$status = (int) $m[1];
		} elseif (str_contains($line, ':')) {
			[$name, $value] = explode(':', $line, 2);
			$response_headers[strtolower(trim($name))] = trim($value);
		}
	}
	return [$status, $response, $response_headers];
}

/**
 * Where the container credentials come from: the ECS agent's endpoint with
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, or AWS_CONTAINER_CREDENTIALS_FULL_URI with the
 * authorization token of AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE). As in the SDKs, a
 * full URI over plain HTTP must be a loopback or an ECS/EKS agent address.
 */
function credentials_request(): array {
	$relative = getenv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
	if ($relative !== false && $relative !== '') {
		return [ECS_CREDENTIALS_HOST . $relative, []];
	}
	$full = getenv('AWS_CONTAINER_CREDENTIALS_FULL_URI');
	if ($full === false || $full === '') {
		throw new \RuntimeException('no container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set');
	}
	$parts = parse_url($full);
	$host = trim($parts['host'] ?? '', '[]');
	$scheme = $parts['scheme'] ?? '';
	$allowed_http = str_starts_with($host, '127.') || $host === '::1' || $host === 'localhost' || $host === '169.254.170.2' || $host === '169.254.170.23' || $host === 'fd00:ec2::23';
	if ($scheme !== 'https' && !($scheme === 'http' && $allowed_http)) {
		throw new \RuntimeException("AWS_CONTAINER_CREDENTIALS_FULL_URI $full is neither HTTPS nor a loopback or ECS/EKS agent address");
	}
	$headers = [];
	$token_file = getenv('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
	$token = ($token_file !== false && $token_file !== '') ? @file_get_contents($token_file) : getenv('AWS_CONTAINER_AUTHORIZATION_TOKEN');
	if ($token !== false && $token !== '') {
		$headers['Authorization'] = trim($token);
	}
	return [$full, $headers];
}

/**
 * The task role's credentials: ['key', 'secret', 'token', 'expires' (Unix time)].
 * Kept for the rest of the request in memory and, for later requests of any php-fpm
 * worker of this container, in a file only this user can read, in the container's own
 * temporary folder (never the shared web root); fetched again from the endpoint
 * REFRESH_BEFORE_EXPIRY_SECONDS before they expire.
 */
function credentials(?int $now = null): array {
	static $memory = null;
	$now ??= time();
	$fresh = fn($c) => is_array($c) && isset($c['key'], $c['secret'], $c['expires']) && $c['expires'] - REFRESH_BEFORE_EXPIRY_SECONDS > $now;
	if ($fresh($memory)) {
		return $memory;
	}
	$cache = sys_get_temp_dir() . '/cfb-ses-mail-credentials-' . (function_exists('posix_geteuid') ? posix_geteuid() : getmyuid()) . '.json';
	$cached = is_readable($cache) ? json_decode((string) @file_get_contents($cache), true) : null;
	if ($fresh($cached)) {
		return $memory = $cached;
	}
	[$url, $headers] = credentials_request();
	[$status, $body] = http('GET', $url, $headers, '', 5);
	$answer = json_decode($body, true);
	if ($status !== 200 || !is_array($answer) || empty($answer['AccessKeyId']) || empty($answer['SecretAccessKey'])) {
		throw new \RuntimeException("the container credentials endpoint answered $status: " . substr($body, 0, 300));
	}
	$expires = isset($answer['Expiration']) ? strtotime($answer['Expiration']) : false;
	$memory = [
		'key' => $answer['AccessKeyId'],
		'secret' => $answer['SecretAccessKey'],
		'token' => $answer['Token'] ?? '',
		// without an expiry, keep them for this request only
		'expires' => $expires !== false ? $expires : $now + REFRESH_BEFORE_EXPIRY_SECONDS,
	];
	if ($expires !== false) {
		$tmp = $cache . '.' . getmypid();
		$old = umask(0077);
		if (@file_put_contents($tmp, json_encode($memory)) !== false) {
			@rename($tmp, $cache);
		}
		umask($old);
	}
	return $memory;
}

/**
 * The SES endpoint: https://email.REGION.amazonaws.com, or CFB_MAIL_SES_ENDPOINT, which
 * exists for tests only (a fake SES on loopback).
 */
function ses_endpoint(string $region): string {
	$override = getenv('CFB_MAIL_SES_ENDPOINT');
	return ($override !== false && $override !== '') ? rtrim($override, '/') : "https://email.$region.amazonaws.com";
}

/**
 * Sends a raw MIME message with SES v2 SendEmail; returns SES's MessageId. Throws with
 * SES's error (its code and message) when SES refuses it.
 *
 * @param array $destination ['ToAddresses' => [...], 'CcAddresses' => [...], 'BccAddresses' => [...]]
 */
function send_raw_email(string $raw, string $from, array $destination, string $region, string $configuration_set = ''): string {
	$request = [
		'FromEmailAddress' => $from,
		'Destination' => array_filter($destination),
		'Content' => ['Raw' => ['Data' => base64_encode($raw)]],
	];
	if ($configuration_set !== '') {
		$request['ConfigurationSetName'] = $configuration_set;
	}
	$body = json_encode($request, JSON_UNESCAPED_SLASHES);
	$url = ses_endpoint($region) . '/v2/email/outbound-emails';
	$host = parse_url($url, PHP_URL_HOST) . (parse_url($url, PHP_URL_PORT) ? ':' . parse_url($url, PHP_URL_PORT) : '');
	$headers = sign('POST', $url, ['Host' => $host, 'Content-Type' => 'application/json'], $body, credentials(), $region, 'ses', gmdate('Ymd\THis\Z'));
	[$status, $answer, $response_headers] = http('POST', $url, $headers, $body, 30);
	$decoded = json_decode($answer, true);
	if ($status === 200 && is_array($decoded) && isset($decoded['MessageId'])) {
		return $decoded['MessageId'];
	}
	// REST-JSON errors: the type in x-amzn-ErrorType ("MessageRejected:http://..."), the text in "message"
	$code = explode(':', $response_headers['x-amzn-errortype'] ?? (is_array($decoded) ? ($decoded['__type'] ?? '') : ''))[0];
	$message = is_array($decoded) ? ($decoded['message'] ?? $decoded['Message'] ?? '') : substr((string) $answer, 0, 300);
	throw new \RuntimeException(trim("SES SendEmail failed ($status) $code: $message"));
}
