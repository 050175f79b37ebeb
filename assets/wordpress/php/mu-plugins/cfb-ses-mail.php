<?php
/**
 * Plugin Name: SES mail (cdk-fargate-blueprints)
 * Description: Sends wp_mail() through Amazon SES (v2 SendEmail, raw MIME) with the ECS task role's credentials: no SMTP user, no access key.
 *
 * A must-use plugin of the WordPress image of WordpressFargateSite; the image's entrypoint
 * puts it into wp-content/mu-plugins on every start. It does nothing unless
 * CFB_MAIL_FROM is set (the construct sets it with its `mail` prop):
 *
 *   CFB_MAIL_FROM               the From address of every message
 *   CFB_MAIL_FROM_NAME          the name beside it, in place of WordPress' default "WordPress"
 *   CFB_MAIL_CONFIGURATION_SET  the SES configuration set (bounces, complaints, reputation)
 *   CFB_MAIL_REGION             the SES region
 *   CFB_MAIL_SES_ENDPOINT       for tests only: the SES endpoint (a fake SES on loopback)
 *
 * wp_mail() builds the message with PHPMailer as always (headers, HTML, attachments);
 * this plugin only replaces the transport: the whole MIME message goes to SES as raw
 * content, with every To, Cc and Bcc recipient. A message SES refuses makes wp_mail()
 * return false and fire wp_mail_failed, and SES's error is logged.
 */

defined('ABSPATH') || exit;

if ((string) getenv('CFB_MAIL_FROM') === '') {
	return;
}

require_once __DIR__ . '/cfb-ses-mail/aws.php';

// every message from the identity's address (SES and the task role allow no other); the
// name a plugin sets stays, WordPress' default gives way to CFB_MAIL_FROM_NAME
add_filter('wp_mail_from', static fn() => getenv('CFB_MAIL_FROM'), PHP_INT_MAX);
add_filter('wp_mail_from_name', static function ($name) {
	$ours = (string) getenv('CFB_MAIL_FROM_NAME');
	return ($ours !== '' && $name === 'WordPress') ? $ours : $name;
}, 1);

// pre_wp_mail runs first in wp_mail(), before it creates its PHPMailer: give it ours
add_filter('pre_wp_mail', static function ($pre) {
	global $phpmailer;
	if (!($phpmailer instanceof CfbSesMail\Mailer)) {
		cfb_ses_mail_load_mailer();
		$phpmailer = new CfbSesMail\Mailer(true);
		// as wp_mail() sets it on its own PHPMailer
		$phpmailer::$validator = static fn($email) => (bool) is_email($email);
	}
	return $pre;
}, PHP_INT_MAX);

// WordPress' failures (ours among them) into the PHP error log, which the task sends to CloudWatch Logs
add_action('wp_mail_failed', static function ($error) {
	if ($error instanceof WP_Error) {
		error_log('cfb-ses-mail: wp_mail() failed: ' . $error->get_error_message());
	}
});

function cfb_ses_mail_load_mailer(): void {
	if (class_exists('CfbSesMail\\Mailer', false)) {
		return;
	}
	require_once ABSPATH . WPINC . '/PHPMailer/PHPMailer.php';
	require_once ABSPATH . WPINC . '/PHPMailer/SMTP.php';
	require_once ABSPATH . WPINC . '/PHPMailer/Exception.php';
	if (file_exists(ABSPATH . WPINC . '/class-wp-phpmailer.php')) {
		// WordPress 6.8 and later: its PHPMailer with translated messages
		require_once ABSPATH . WPINC . '/class-wp-phpmailer.php';
	}
	require_once __DIR__ . '/cfb-ses-mail/mailer.php';
}
