#!/bin/sh
# Entrypoint of the WordPress (php-fpm) image of WordpressFargateSite, in front of the
# official image's docker-entrypoint.sh.
#
# 1. WORDPRESS_KEYS_AND_SALTS, one secret of 512 characters generated once per site,
#    becomes the eight WORDPRESS_*_KEY and *_SALT variables of the official image:
#    every task has the same keys, so visitors stay logged in whichever task answers.
#
# 2. WordPress is installed onto the shared web root (EFS) atomically, before the
#    official entrypoint runs. The official entrypoint copies the core straight into the
#    web root and writes wp-config.php in place: a task killed half-way leaves index.php
#    beside a partial core (every later task then believes WordPress is installed), or a
#    truncated wp-config.php (never rewritten because it is not empty). Here:
#    - the core is copied into a temporary folder of this task (.cfb-tmp.*), then each
#      top-level entry is moved into place with one rename: a rename is atomic, so an
#      entry of the web root is either absent or complete. A directory that is already
#      there (another task was faster) is kept and ours discarded; so are the plugins and
#      themes already in wp-content (a docker volume seeded from the image has
#      wp-content, and content restored before the first start must not be replaced);
#    - wp-config.php (the official wp-config-docker.php) is written under a temporary
#      name and renamed, when it is missing or empty;
#    - index.php comes last, then the marker .cfb-core-installed (holding the version):
#      index.php means everything else is in place, the marker that there is nothing
#      left to do. Every later start only looks for the marker.
#    Correctness needs no lock: tasks that start together may all copy, and the web root
#    ends up complete whichever of them dies. A lock on the web root only saves the
#    duplicate work; a task waits for it at most CFB_SETUP_LOCK_TIMEOUT seconds (60: a
#    copy onto EFS takes well under that, and a holder whose machine vanished keeps its
#    EFS lock until the lease expires), then goes ahead.
#    Temporaries of killed tasks are removed once they are 30 minutes old: no copy takes
#    that long, so a younger one may still belong to a running task.
#    The official entrypoint then finds index.php and a wp-config.php that is not empty,
#    and copies and writes nothing.
#
# 3. The image's must-use plugins (/usr/src/cfb-mu-plugins) are put into the web root's
#    wp-content/mu-plugins on every start, so that a site installed by an earlier image
#    gets them too, and a new image's version replaces the old one. Each file that
#    differs is copied under a temporary name and renamed into place (a PHP request never
#    reads half a file); the plugin's own folder first, its loader last.
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

# The web root, and the WordPress the official image ships (overridable for tests)
web_root="${CFB_WEB_ROOT:-/var/www/html}"
core="${CFB_CORE_SOURCE:-/usr/src/wordpress}"
mu_plugins="${CFB_MU_PLUGINS_SOURCE:-/usr/src/cfb-mu-plugins}"
lock_timeout="${CFB_SETUP_LOCK_TIMEOUT:-60}"
marker="$web_root/.cfb-core-installed"
# unique per task and process: hostnames differ between tasks, and the entrypoint is
# process 1 in every container
id="$(uname -n).$$.$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
tmp="$web_root/.cfb-tmp.$id"

say() {
  echo "cfb-entrypoint: $*" >&2
}

remove_stale_temporaries() {
  for entry in "$web_root"/.cfb-tmp.*; do
    if [ -e "$entry" ] && [ -n "$(find "$entry" -maxdepth 0 -mmin +30 2>/dev/null)" ]; then
      say "removing $entry, left behind by a task that stopped while installing WordPress"
      rm -rf "$entry" || true
    fi
  done
}

# php-fpm runs as www-data; files a root process copies onto a local volume must be
# www-data's (through the EFS access point, every file already is, and nothing changes)
give_to_www_data() {
  if [ "$(id -u)" = 0 ] && www_data=$(id -u www-data 2>/dev/null) && [ "$(stat -c %u "$1")" != "$www_data" ]; then
    chown -R www-data:www-data "$1"
  fi
}

# Moves $tmp/$1 to $web_root/$1 with one rename. A directory already in place is kept
# (rename refuses to replace a directory that is not empty); a file is replaced, by an
# identical one from the same image.
place() {
  if ! mv -T "$tmp/$1" "$web_root/$1" 2>/dev/null; then
    if [ ! -e "$web_root/$1" ]; then
      say "cannot move $1 into $web_root"
      exit 1
    fi
  fi
}

copy_core() {
  mkdir "$tmp"
  # directories first, then the files, eight cp at a time: on EFS every small file
  # costs several network round trips, which parallel copies overlap
  (cd "$core" && find . -mindepth 1 -type d -print0 | (cd "$tmp" && xargs -0 -r mkdir -p))
  (cd "$core" && find . ! -type d -print0 | xargs -0 -r -P 8 -n 64 cp -P --preserve=mode,timestamps --parents -t "$tmp")
  give_to_www_data "$tmp"
  for path in "$tmp"/* "$tmp"/.[!.]*; do
    name="${path##*/}"
    case "$name" in
      '*' | '.[!.]*' | index.php | wp-content) ;;
      *) place "$name" ;;
    esac
  done
  # wp-content moves in whole where the web root has none; otherwise what the web root
  # has stays, and each plugin or theme it lacks moves in by itself
  if [ -d "$tmp/wp-content" ]; then
    place wp-content
    for path in "$tmp"/wp-content/* "$tmp"/wp-content/*/*; do
      if [ -e "$path" ] || [ -L "$path" ]; then
        place "${path#"$tmp/"}"
      fi
    done
  fi
}

place_config() {
  if [ ! -s "$web_root/wp-config.php" ] && [ -s "$core/wp-config-docker.php" ]; then
    # the official template as it is: its placeholder keys are never used, because
    # WordPress replaces such keys with random ones kept in the database (and the
    # construct gives every task the real keys anyway)
    cp "$core/wp-config-docker.php" "$tmp.wp-config.php"
    give_to_www_data "$tmp.wp-config.php"
    mv -f "$tmp.wp-config.php" "$web_root/wp-config.php"
  fi
}

install_wordpress() {
  started=$(date +%s)
  copied=""
  if [ ! -e "$web_root/index.php" ]; then
    say "installing WordPress from $core into $web_root"
    copy_core
    copied=yes
  fi
  place_config
  if [ -n "$copied" ]; then
    place index.php
    rm -rf "$tmp"
  fi
  version=$(sed -n "s/^\$wp_version = '\([^']*\)';.*/\1/p" "$web_root/wp-includes/version.php" 2>/dev/null || true)
  printf '%s\n' "${version:-unknown}" > "$tmp.marker"
  mv -f "$tmp.marker" "$marker"
  say "WordPress ${version:-unknown} is in place ($(($(date +%s) - started)) s)"
}

refresh_mu_plugins() {
  [ -d "$mu_plugins" ] || return 0
  target="$web_root/wp-content/mu-plugins"
  # deepest files first: the loader at the top comes after what it includes
  (cd "$mu_plugins" && find . -type f | awk -F/ '{ print NF "\t" $0 }' | sort -rn | cut -f2-) | while IFS= read -r file; do
    file="${file#./}"
    if ! cmp -s "$mu_plugins/$file" "$target/$file"; then
      mkdir -p "$(dirname "$target/$file")"
      cp "$mu_plugins/$file" "$target/$file.cfb-new.$id"
      give_to_www_data "$target/$file.cfb-new.$id"
      mv -f "$target/$file.cfb-new.$id" "$target/$file"
      say "must-use plugin $file is in place"
    fi
  done
  give_to_www_data "$target"
}

# the official entrypoint sets WordPress up only for php-fpm (and Apache), so do we
if [ "${1:-}" = php-fpm ]; then
  remove_stale_temporaries
  if [ ! -e "$marker" ]; then
    lock="$web_root/.cfb-setup.lock"
    if touch "$lock" 2>/dev/null; then
      exec 9>>"$lock"
      if ! flock -w "$lock_timeout" 9; then
        say "no lock on $lock after $lock_timeout s: installing anyway"
      fi
    fi
    # whoever held the lock may have finished meanwhile
    if [ ! -e "$marker" ]; then
      install_wordpress
    fi
    # php-fpm must not keep the lock
    exec 9>&-
  fi
  refresh_mu_plugins
fi
exec docker-entrypoint.sh "$@"
