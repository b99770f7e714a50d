# Shared helpers for scripts/run and scripts/test. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One target directory reused across checkouts and runs (builds are slow on small machines).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tend-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian/Ubuntu packages given that are missing (apt-get update once, only if needed).
ensure_packages() {
    command -v dpkg-query >/dev/null || { log "not a Debian/Ubuntu system: install the packages listed in README.md yourself"; return 0; }
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
    build-essential pkg-config libssl-dev libdbus-1-dev libxdo-dev file)
# postgresql: the sync tests start throwaway clusters of it (initdb, pg_ctl, psql) for tend-server;
# gnome-keyring: the keychain (Secret Service) the sync e2e's two apps keep their tokens in
TEST_PACKAGES=(curl python3 xvfb xauth webkit2gtk-driver imagemagick fonts-dejavu-core fonts-noto-core
    dbus dunst sudo postgresql gnome-keyring)

ensure_node_modules() {
    if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]; then
        log "installing npm packages (ui/)"
        # `npm install` on the committed lock file, not `npm ci`: registry mirrors that carry only
        # this platform's optional packages (rollup's native builds) leave lock entries that
        # `npm ci` rejects as out of sync, while `npm install` resolves the same versions.
        (cd "$ROOT/ui" && npm install --no-audit --no-fund)
    fi
}

build_ui() {
    log "building the UI"
    (cd "$ROOT/ui" && npm run build)
}

build_desktop() {
    log "building the desktop app"
    # tend-server (the sync e2e's server) is built by the core tests' run, beside these
    (cd "$ROOT" && cargo build -p tend-desktop -p tend --bins)
}
