#!/usr/bin/env bash
# Python tools the tests start as real servers: moto's S3-compatible server (tests/e2e/config-sync/s3-store).
# Installed into a virtual environment of its own, outside the work tree, pinned.
set -euo pipefail
venv="${MSGW_PYTHON_VENV:-/opt/msgw-python}"
want="moto[server]==5.2.5"
if [[ ! -x "$venv/bin/moto_server" ]] || ! "$venv/bin/python" -m pip show moto 2>/dev/null | grep -q '^Version: 5.2.5$'; then
  # Debian's python3 (python3-venv in .ci/apt-packages.txt) when it is there, else the python3 on PATH.
  py=python3
  [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null && py=/usr/bin/python3
  # --clear: a venv left by another Python (or a broken one) is rebuilt rather than patched.
  "$py" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$want"
fi
echo "moto_server: $("$venv/bin/python" -m pip show moto | sed -n 's/^Version: //p') in $venv"
