"""Start a program under the same kernel-enforced limits systemd applies for a unit's NoNewPrivileges=,
MemoryDenyWriteExecute=, SystemCallFilter= (+ SystemCallErrorNumber=) and RestrictAddressFamilies=, without
systemd.

    python sandbox.py UNIT_FILE -- PROGRAM ARGS...

The syscall allow-list is computed the way systemd does: every `SystemCallFilter=` line of the unit in order,
`@group`s expanded with `systemd-analyze syscall-filter`, a `~` line removing from the list. Denied calls fail
with the unit's errno; socket() with a family the unit does not allow fails (EPERM here, EAFNOSUPPORT under
systemd). MemoryDenyWriteExecute= uses the kernel's PR_SET_MDWE (what systemd ≥ 255 uses too).
Namespaces (ProtectSystem=, PrivateTmp=, ...) are not reproduced here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import socket
import subprocess
import sys
from pathlib import Path

PR_SET_NO_NEW_PRIVS = 38
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4
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


class Limits:
    """What a unit file asks for."""

    def __init__(self) -> None:
        self.allowed: set[str] = set(ALWAYS_ALLOWED)
        self.error = errno.EPERM
        self.mdwe = False
        self.nnp = False
        self.families: set[int] | None = None  # None: any address family


def unit_settings(unit: Path) -> Limits:
    """The limits of a unit file: syscall allow-list and errno, MemoryDenyWriteExecute, NoNewPrivileges and
    RestrictAddressFamilies."""
    limits = Limits()
    allowed: set[str] = set()
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
            limits.error = getattr(errno, value)
        elif key == "MemoryDenyWriteExecute":
            limits.mdwe = value == "yes"
        elif key == "NoNewPrivileges":
            limits.nnp = value == "yes"
        elif key == "RestrictAddressFamilies":
            limits.families = {int(getattr(socket, name)) for name in value.split()}
    limits.allowed |= allowed
    return limits


class ArgCompare(ctypes.Structure):
    """libseccomp's struct scmp_arg_cmp."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def apply(limits: Limits) -> None:
    """Put this process (and what it executes) under the limits."""
    libc = ctypes.CDLL(None, use_errno=True)
    if limits.nnp and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if limits.mdwe and libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_MDWE (kernel 6.3 or newer)")
    seccomp = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    seccomp.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    seccomp.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(ArgCompare),
    ]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    context = seccomp.seccomp_init(scmp_act_errno(limits.error))
    if not context:
        raise OSError("seccomp_init failed")
    for name in sorted(limits.allowed):
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            continue  # not a syscall of this architecture
        if name == "socket" and limits.families is not None:
            for family in sorted(limits.families):  # socket() only for these families; others are refused
                compare = ArgCompare(0, SCMP_CMP_EQ, family, 0)
                if seccomp.seccomp_rule_add_array(context, SCMP_ACT_ALLOW, number, 1, ctypes.byref(compare)) != 0:
                    raise OSError("seccomp_rule_add_array(socket) failed")
            continue
        if seccomp.seccomp_rule_add(context, SCMP_ACT_ALLOW, number, 0) != 0:
            raise OSError(f"seccomp_rule_add({name}) failed")
    if seccomp.seccomp_load(context) != 0:
        raise OSError("seccomp_load failed")


def main(argv: list[str]) -> None:
    """`sandbox.py UNIT -- PROGRAM ARGS...`: apply the unit's limits, then become PROGRAM."""
    split = argv.index("--")
    apply(unit_settings(Path(argv[split - 1])))
    command = argv[split + 1 :]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
