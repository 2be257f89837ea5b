# SPDX-License-Identifier: GPL-2.0-or-later
#
# A private apt configuration for the lab scripts that fetch packages apt
# on this machine does not serve as it is configured (unstable's kernel
# sources, another architecture's libraries), sourced by
# scripts/upstream-kernel.sh and scripts/arm64-sysroot.sh. The archive is
# the one this machine's apt uses (scripts/apt-archive-uri.sh), so no host
# name is written into the repo; lists, cache and downloads stay in the
# caller's directory and the machine's apt state is never touched.

# apt_private_init DIR SUITE [ARCH]: DIR's lists, cache and a deb822
# source for SUITE (main), ARCH's packages only if given. Returns non-zero
# with the reason in $apt_error when DIR cannot be made or apt names no
# archive. Not in a subshell: it sets what apt_priv uses.
apt_private_init() {
	apt_dir=$1
	apt_arch_opts=""
	mkdir -p "$1/lists/partial" "$1/cache/archives/partial" "$1/parts" || {
		apt_error="cannot create '$1'"
		return 1
	}
	apt_uri=$("$(dirname "$0")/apt-archive-uri.sh") || {
		apt_error="no archive URI in apt's sources (/etc/apt/sources.list*)"
		return 1
	}
	{
		echo "Types: deb"
		echo "URIs: $apt_uri"
		echo "Suites: $2"
		echo "Components: main"
		[ -z "${3:-}" ] || echo "Architectures: $3"
		echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	} >"$1/parts/$2.sources"
	[ -z "${3:-}" ] || apt_arch_opts="-o APT::Architecture=$3 -o APT::Architectures=$3"
}

# apt-get and apt-cache on that configuration alone.
apt_priv() {
	# shellcheck disable=SC2086
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/parts" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::State::status=/dev/null $apt_arch_opts \
		-o APT::Get::List-Cleanup=0 "$@"
}
apt_cache_priv() {
	apt-cache -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/parts" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::State::status=/dev/null "$@"
}
