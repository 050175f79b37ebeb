<?php
/**
 * The PHPMailer of the SES mail plugin: WordPress' own (WP_PHPMailer where WordPress has
 * it), with SES as its transport. PHPMailer sends through `<Mailer>Send()` for a
 * Mailer it does not know (PHPMailer::postSend), so wp_mail()'s isMail() selects "ses"
 * here; a plugin that picks SMTP in phpmailer_init still gets SMTP.
 */

namespace CfbSesMail;

defined('ABSPATH') || exit;

if (class_exists('WP_PHPMailer', false)) {
	abstract class BaseMailer extends \WP_PHPMailer {}
} else {
	abstract class BaseMailer extends \PHPMailer\PHPMailer\PHPMailer {}
}

class Mailer extends BaseMailer {
	public function isMail() {
		$this->Mailer = 'ses';
	}

	/**
	 * The message PHPMailer built (To and Subject in the header, as for SMTP; Bcc only in
	 * the destination), with CRLF line ends, to SES.
	 */
	protected function sesSend($header, $body) {
		$raw = preg_replace('/\r?\n/', "\r\n", rtrim($header) . "\n\n" . $body);
		$addresses = static fn(array $list) => array_values(array_map(static fn($entry) => $entry[0], $list));
		try {
			send_raw_email($raw, $this->From, [
				'ToAddresses' => $addresses($this->getToAddresses()),
				'CcAddresses' => $addresses($this->getCcAddresses()),
				'BccAddresses' => $addresses($this->getBccAddresses()),
			], (string) getenv('CFB_MAIL_REGION'), (string) getenv('CFB_MAIL_CONFIGURATION_SET'));
		} catch (\RuntimeException $e) {
			// wp_mail() turns it into false and wp_mail_failed, which the plugin logs
			throw new \PHPMailer\PHPMailer\Exception($e->getMessage());
		}
		return true;
	}
}
