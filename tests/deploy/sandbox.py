"""Start a program under the same kernel-enforced limits systemd applies for a unit's NoNewPrivileges=,
MemoryDenyWriteExecute= and SystemCallFilter= (+ SystemCallErrorNumber=), without systemd.

    python sandbox.py UNIT_FILE -- PROGRAM ARGS...

The syscall allow-list is computed the way systemd does: every `SystemCallFilter=` line of the unit in order,
`@group`s expanded with `systemd-analyze syscall-filter`, a `~` line removing from the list. Denied calls fail
with the unit's errno. MemoryDenyWriteExecute= uses the kernel's PR_SET_MDWE (what systemd ≥ 255 uses too).
Namespaces (ProtectSystem=, PrivateTmp=, ...) are not reproduced here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import subprocess
import sys
from pathlib import Path

PR_SET_NO_NEW_PRIVS = 38
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
SCMP_ACT_ALLOW = 0x7FFF0000
# systemd always lets these through, whatever the filter says (see systemd.exec(5), SystemCallFilter=).
ALWAYS_ALLOWED = {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}


def scmp_act_errno(number: int) -> int:
    """libseccomp's SCMP_ACT_ERRNO(number)."""
    return 0x00050000 | (number & 0x0000FFFF)


@functools.cache
def expand(group: str) -> frozenset[str]:
    """The syscalls of a systemd `@group`, nested groups included."""
    listing = subprocess.run(
        ["systemd-analyze", "syscall-filter", group], capture_output=True, text=True, check=True
    ).stdout
    names: set[str] = set()
    for line in listing.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        names |= expand(item) if item.startswith("@") else {item}
    return frozenset(names)


def unit_settings(unit: Path) -> tuple[set[str], int, bool, bool]:
    """(allowed syscalls, errno for the rest, MemoryDenyWriteExecute, NoNewPrivileges) from a unit file."""
    allowed: set[str] = set()
    error = errno.EPERM
    mdwe = nnp = False
    for raw in unit.read_text().splitlines():
        key, sep, value = raw.strip().partition("=")
        if not sep:
            continue
        if key == "SystemCallFilter":
            deny = value.startswith("~")
            items = set()
            for item in value.lstrip("~").split():
                items |= expand(item) if item.startswith("@") else {item}
            allowed = allowed - items if deny else allowed | items
        elif key == "SystemCallErrorNumber":
            error = getattr(errno, value)
        elif key == "MemoryDenyWriteExecute":
            mdwe = value == "yes"
        elif key == "NoNewPrivileges":
            nnp = value == "yes"
    return allowed | ALWAYS_ALLOWED, error, mdwe, nnp


def apply(allowed: set[str], error: int, mdwe: bool, nnp: bool) -> None:
    """Put this process (and what it executes) under the limits."""
    libc = ctypes.CDLL(None, use_errno=True)
    if nnp and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if mdwe and libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_MDWE (kernel 6.3 or newer)")
    seccomp = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    seccomp.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    context = seccomp.seccomp_init(scmp_act_errno(error))
    if not context:
        raise OSError("seccomp_init failed")
    for name in sorted(allowed):
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            continue  # not a syscall of this architecture
        if seccomp.seccomp_rule_add(context, SCMP_ACT_ALLOW, number, 0) != 0:
            raise OSError(f"seccomp_rule_add({name}) failed")
    if seccomp.seccomp_load(context) != 0:
        raise OSError("seccomp_load failed")


def main(argv: list[str]) -> None:
    """`sandbox.py UNIT -- PROGRAM ARGS...`: apply the unit's limits, then become PROGRAM."""
    split = argv.index("--")
    allowed, error, mdwe, nnp = unit_settings(Path(argv[split - 1]))
    apply(allowed, error, mdwe, nnp)
    command = argv[split + 1 :]
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
