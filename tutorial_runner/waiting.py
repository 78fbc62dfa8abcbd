"""Is the terminal's foreground waiting for input that only the keyboard can give?

A command that stops printing is either busy (``kubectl wait``, a download, a sleep) or
waiting at a prompt that the transcript does not answer (``cat``, ``kubectl apply -f -``,
a program's own prompt). The kernel knows which: every thread of the terminal's
foreground process group is asleep, at least one in a ``read`` of the terminal (or a
``poll``/``select`` on the terminal alone, without a time limit), the others only waiting
for one another (a pipe, a child, a futex). Anything else (a sleep, a socket, a timer,
a running thread) counts as busy, so a slow command is never taken for a waiting one.

Linux only (``/proc/PID/syscall``, readable for the processes the runner started); where
it cannot tell, it says "busy", and the command's timeout applies as before.
"""

from __future__ import annotations

import os
import platform
import stat
import struct

# system call numbers: (reads, polls, selects, idle waits)
_X86_64 = {
    "read": {0, 17, 19, 295},            # read, pread64, readv, preadv
    "poll": {7, 271},                    # poll, ppoll
    "select": {23, 270},                 # select, pselect6
    "idle": {61, 247, 202},              # wait4, waitid, futex
    "futex": {202},
}
_AARCH64 = {
    "read": {63, 65, 67, 69},            # read, readv, pread64, preadv
    "poll": {73},                        # ppoll
    "select": {72},                      # pselect6
    "idle": {260, 95, 98},               # wait4, waitid, futex
    "futex": {98},
}
_FUTEX_WAITS = {0, 9, 11}                # FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI
_CALLS = {"x86_64": _X86_64, "aarch64": _AARCH64}.get(platform.machine())
_DEV_TTY = os.makedev(5, 0)              # /dev/tty: the process's controlling terminal


def terminal_device(pid: int) -> int | None:
    """The device number of the terminal that process ``pid`` has as its stdin."""
    try:
        st = os.stat(f"/proc/{pid}/fd/0")
    except OSError:
        return None
    return st.st_rdev if stat.S_ISCHR(st.st_mode) else None


def _group(pgrp: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[-1].split()
        except OSError:
            continue
        if len(fields) > 2 and int(fields[2]) == pgrp and fields[0] not in (b"Z", b"X"):
            members.append(int(entry))
    return members


def _is_terminal(pid: int, fd: int, device: int) -> bool:
    try:
        st = os.stat(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and st.st_rdev in (device, _DEV_TTY)


def _is_pipe(pid: int, fd: int) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(f"/proc/{pid}/fd/{fd}").st_mode)
    except OSError:
        return False


def _memory(pid: int, address: int, size: int) -> bytes | None:
    if not address or size <= 0 or size > 1 << 16:
        return None
    try:
        with open(f"/proc/{pid}/mem", "rb", buffering=0) as handle:
            handle.seek(address)
            data = handle.read(size)
    except (OSError, ValueError, OverflowError):
        return None
    return data if len(data) == size else None


def _polls_terminal_only(pid: int, number: int, args: list[int], device: int) -> bool:
    """poll/ppoll without a time limit on terminal descriptors only."""
    assert _CALLS is not None
    fds, count = args[0], args[1]
    if _CALLS is _X86_64 and number == 7:              # poll(fds, n, int timeout_ms)
        timeout = args[2] & 0xFFFFFFFF
        if timeout < 1 << 31:                          # not negative: a time limit
            return False
    elif args[2] != 0:                                 # ppoll(fds, n, timeout*, sigmask*)
        return False
    data = _memory(pid, fds, 8 * count)
    if data is None or count == 0:
        return False
    wanted = [fd for fd, events, _ in struct.iter_unpack("ihh", data) if fd >= 0 and events]
    return bool(wanted) and all(_is_terminal(pid, fd, device) for fd in wanted)


def _selects_terminal_only(pid: int, args: list[int], device: int) -> bool:
    """select/pselect6 without a time limit, reading terminal descriptors only."""
    nfds, readfds, writefds, exceptfds, timeout = args[:5]
    if timeout or writefds or exceptfds or not 0 < nfds <= 1024:
        return False
    data = _memory(pid, readfds, (nfds + 63) // 64 * 8)
    if data is None:
        return False
    bits = int.from_bytes(data, "little")
    wanted = [fd for fd in range(nfds) if bits >> fd & 1]
    return bool(wanted) and all(_is_terminal(pid, fd, device) for fd in wanted)


def _thread_state(pid: int, tid: int, device: int) -> str:
    """"terminal" (waits for the keyboard), "idle" (waits for others of the group) or
    "busy" (anything else, or unknown)."""
    assert _CALLS is not None
    try:
        with open(f"/proc/{pid}/task/{tid}/syscall") as handle:
            fields = handle.read().split()
    except OSError:
        return "busy"
    if not fields or fields[0] in ("running", "-1"):
        return "busy"
    try:
        number = int(fields[0])
        args = [int(value, 16) for value in fields[1:7]]
    except ValueError:
        return "busy"
    if number in _CALLS["read"]:
        if _is_terminal(pid, args[0], device):
            return "terminal"
        return "idle" if _is_pipe(pid, args[0]) else "busy"
    if number in _CALLS["poll"]:
        return "terminal" if _polls_terminal_only(pid, number, args, device) else "busy"
    if number in _CALLS["select"]:
        return "terminal" if _selects_terminal_only(pid, args, device) else "busy"
    if number in _CALLS["futex"] and args[1] & 0x7F in _FUTEX_WAITS and args[3]:
        return "busy"                    # a wait with a time limit: a timer, a timeout
    if number in _CALLS["idle"]:
        return "idle"
    return "busy"


def waiting_for_input(master_fd: int, device: int | None) -> str | None:
    """Who waits for the keyboard (the program's name), when the whole foreground of the
    terminal does; None when anything in it may still be working, or when it cannot tell."""
    if _CALLS is None or device is None:
        return None
    try:
        pgrp = os.tcgetpgrp(master_fd)
    except OSError:
        return None
    if pgrp <= 0:
        return None
    reader = None
    members = _group(pgrp)
    if not members:
        return None
    for pid in members:
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            return None
        for tid in threads:
            state = _thread_state(pid, tid, device)
            if state == "busy":
                return None
            if state == "terminal" and reader is None:
                reader = pid
    if reader is None:
        return None
    try:
        with open(f"/proc/{reader}/comm") as handle:
            name = handle.read().strip()
    except OSError:
        name = "a program"
    return name
