#!/bin/sh
# Entrypoint of the WordPress (php-fpm) image of WordpressFargateSite, in front of the
# official image's docker-entrypoint.sh.
#
# 1. WORDPRESS_KEYS_AND_SALTS, one secret of 512 characters generated once per site,
#    becomes the eight WORDPRESS_*_KEY and *_SALT variables of the official image:
#    every task has the same keys, so visitors stay logged in whichever task answers.
# 2. On the first start, the official entrypoint copies WordPress onto the empty, shared
#    web root and writes wp-config.php. Tasks that start together would all do it at
#    once; a lock on the shared file system lets one do it while the others wait, and
#    then find it done.
set -eu

if [ -n "${WORDPRESS_KEYS_AND_SALTS:-}" ]; then
  i=0
  for name in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    value=$(printf '%s' "$WORDPRESS_KEYS_AND_SALTS" | cut -c"$((i * 64 + 1))"-"$(((i + 1) * 64))")
    if [ "${#value}" -ne 64 ]; then
      echo "cfb-entrypoint: WORDPRESS_KEYS_AND_SALTS must hold 512 characters" >&2
      exit 1
    fi
    export "WORDPRESS_$name=$value"
    i=$((i + 1))
  done
  unset WORDPRESS_KEYS_AND_SALTS
fi

web_root="${WORDPRESS_WEB_ROOT:-/var/www/html}"
if [ "${1:-}" = php-fpm ]; then
  # the official entrypoint sets WordPress up when its command is php-fpm; with -t
  # (test the configuration) php-fpm exits right after, releasing the lock
  flock --timeout 900 "$web_root/.cfb-setup.lock" docker-entrypoint.sh php-fpm -t
fi
exec docker-entrypoint.sh "$@"
