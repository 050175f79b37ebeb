<?php
// Signs each vector of the fixture given with the SES mail plugin's signer; prints
// {name: Authorization} as JSON. Run by test/wordpress-mail.test.ts.
require $argv[1];
$suite = json_decode(file_get_contents($argv[2]), true);
$out = [];
foreach ($suite['vectors'] as $v) {
	$headers = [];
	foreach ($v['headers'] as [$name, $value]) {
		$headers[$name] = $value;
	}
	$signed = CfbSesMail\sign($v['method'], $v['url'], $headers, $v['body'], $suite['credentials'], $suite['region'], $suite['service'], $suite['amzDate']);
	$out[$v['name']] = $signed['Authorization'];
}
echo json_encode($out, JSON_UNESCAPED_SLASHES);
