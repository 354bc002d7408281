#!/usr/bin/env bash
# Install an official vosk speech model for a real kiosk: download (or take a local copy), check its SHA-256,
# unpack, check it looks like a vosk model, and move it into place atomically. Never run at kiosk start-up;
# the kiosk itself never downloads anything.
#
#   deploy/install-voice-model.sh [--dest DIR] [--sha256 HEX] [--from-file ZIP] LANG      (LANG: ja, en, ko)
#
# The model ends up in DIR/LANG (DIR defaults to $YORISOI_VOICE_MODEL_DIR, else /var/lib/yorisoi/vosk); point the
# kiosk at it with VOSK_MODEL_PATH=DIR/LANG. Offline, copy the zip onto the machine and pass --from-file.
#
# Exit codes: 0 installed, 2 usage / no checksum, 3 download failed (offline?), 4 checksum mismatch,
#             5 not a vosk model, 6 could not write the destination.
set -euo pipefail

BASE_URL="${YORISOI_VOICE_MODEL_BASE_URL:-https://alphacephei.com/vosk/models}"
DEST="${YORISOI_VOICE_MODEL_DIR:-/var/lib/yorisoi/vosk}"

# LANG -> archive name and its SHA-256. A checksum is pinned here only after someone has verified the archive
# from a trusted network; until then the installer refuses to run without --sha256 (our build machines cannot
# reach alphacephei.com, so none is pinned yet).
model_archive() {
    case "$1" in
        ja) echo "vosk-model-small-ja-0.22.zip" ;;
        en) echo "vosk-model-small-en-us-0.15.zip" ;;
        ko) echo "vosk-model-small-ko-0.22.zip" ;;
        *) return 1 ;;
    esac
}
pinned_sha256() {
    case "$1" in
        ja) echo "" ;;
        en) echo "" ;;
        ko) echo "" ;;
    esac
}

die() { echo "install-voice-model: $2" >&2; exit "$1"; }

SHA256="" FROM_FILE="" LANG_CODE=""
while (($#)); do
    case "$1" in
        --dest) DEST="${2:?--dest needs a folder}"; shift 2 ;;
        --sha256) SHA256="${2:?--sha256 needs a hex digest}"; shift 2 ;;
        --from-file) FROM_FILE="${2:?--from-file needs a zip}"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) die 2 "unknown option $1" ;;
        *) [[ -z "$LANG_CODE" ]] || die 2 "one LANG only"; LANG_CODE="$1"; shift ;;
    esac
done
[[ -n "$LANG_CODE" ]] || die 2 "usage: $0 [--dest DIR] [--sha256 HEX] [--from-file ZIP] LANG (ja, en, ko)"
ARCHIVE="$(model_archive "$LANG_CODE")" || die 2 "no model known for language '$LANG_CODE' (ja, en, ko)"
SHA256="${SHA256:-$(pinned_sha256 "$LANG_CODE")}"
[[ -n "$SHA256" ]] || die 2 "no SHA-256 pinned for $ARCHIVE; verify the archive on a trusted machine and pass --sha256"
[[ "$SHA256" =~ ^[0-9a-fA-F]{64}$ ]] || die 2 "--sha256 must be 64 hex digits"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/yorisoi-model.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [[ -n "$FROM_FILE" ]]; then
    [[ -f "$FROM_FILE" ]] || die 2 "no such file: $FROM_FILE"
    cp "$FROM_FILE" "$WORK/$ARCHIVE"
else
    echo "downloading $BASE_URL/$ARCHIVE"
    curl --fail --location --silent --show-error --connect-timeout 10 --max-time 1800 \
        --output "$WORK/$ARCHIVE" "$BASE_URL/$ARCHIVE" 2>"$WORK/curl.err" \
        || die 3 "could not download $BASE_URL/$ARCHIVE ($(tail -n1 "$WORK/curl.err")). Offline? Copy the zip here and use --from-file."
fi

echo "$SHA256  $WORK/$ARCHIVE" | sha256sum --check --status \
    || die 4 "SHA-256 mismatch for $ARCHIVE: got $(sha256sum "$WORK/$ARCHIVE" | cut -d' ' -f1), expected $SHA256"

mkdir -p "$WORK/unpacked"
python3 -m zipfile -e "$WORK/$ARCHIVE" "$WORK/unpacked" || die 5 "$ARCHIVE is not a readable zip"
# Official archives hold one top folder (vosk-model-small-ja-0.22/); accept a flat archive too.
MODEL="$WORK/unpacked"
mapfile -t TOP < <(find "$WORK/unpacked" -mindepth 1 -maxdepth 1)
if ((${#TOP[@]} == 1)) && [[ -d "${TOP[0]}" ]]; then MODEL="${TOP[0]}"; fi
for required in am/final.mdl conf/model.conf; do
    [[ -f "$MODEL/$required" ]] || die 5 "$ARCHIVE has no $required: not a vosk model"
done

TARGET="$DEST/$LANG_CODE"
mkdir -p "$DEST" || die 6 "cannot create $DEST"
rm -rf "$TARGET.new" "$TARGET.old"
mv "$MODEL" "$TARGET.new" || die 6 "cannot write $TARGET.new"
if [[ -e "$TARGET" ]]; then mv "$TARGET" "$TARGET.old"; fi
mv "$TARGET.new" "$TARGET"
rm -rf "$TARGET.old"
echo "installed $ARCHIVE into $TARGET"
echo "VOSK_MODEL_PATH=$TARGET"
