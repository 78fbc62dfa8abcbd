"""Small programs about the process and its surroundings: shells, environment, names, time."""

from __future__ import annotations

from sim.net import addresses as addr
from sim.workloads.fs import FsError
from sim.workloads.proc import Forever, Proc


def shell(proc: Proc, argv: list[str]) -> int:
    """sh / bash: ``-c SCRIPT [NAME ARGS…]``, a script file, or commands on standard input."""
    from sim.workloads.shell import Shell, ShellExit

    flavor = proc.image.shell
    name = argv[0].rsplit("/", 1)[-1]
    if name == "bash" and "bash" in proc.image.programs:
        flavor = "bash"
    args = argv[1:]
    while args and args[0] in {"-e", "-x", "-l", "-i", "-s", "--login"}:
        args = args[1:]
    sh = Shell(flavor)
    child = proc.child(shell=argv[0] if flavor != "busybox" else name)
    try:
        if args and args[0] == "-c":
            if len(args) < 2:
                child.error(f"{child.shell}: -c: option requires an argument\n")
                return 2
            child.positional = args[3:]
            if len(args) > 2:
                child.shell = args[2]
            return sh.run_text(args[1], child)
        if args:
            try:
                text = proc.fs.read(proc.path(args[0])).decode("utf-8", "replace")
            except FsError:
                proc.error(f"{child.shell}: can't open '{args[0]}': No such file or directory\n"
                           if flavor == "busybox" else f"{child.shell}: 0: cannot open {args[0]}: No such file\n"
                           if flavor == "dash" else f"{child.shell}: {args[0]}: No such file or directory\n")
                return 127 if flavor == "bash" else 2
            child.positional = args[1:]
            return sh.run_text(text, child)
        return sh.run_text(proc.stdin().decode("utf-8", "replace"), child)
    except ShellExit as exc:
        return exc.code


def printenv(proc: Proc, argv: list[str]) -> int:
    names = argv[1:]
    if not names:
        for name, value in proc.env.items():
            proc.write(f"{name}={value}\n")
        return 0
    status = 0
    for name in names:
        if name in proc.env:
            proc.write(proc.env[name] + "\n")
        else:
            status = 1
    return status


def env(proc: Proc, argv: list[str]) -> int:
    from sim.workloads import commands
    from sim.workloads.shell import Shell

    args = argv[1:]
    child = proc.child()
    if args and args[0] in {"-i", "-"}:
        child.env = {}
        args = args[1:]
    while args and "=" in args[0]:
        name, value = args[0].split("=", 1)
        child.env[name] = value
        args = args[1:]
    if not args:
        for name, value in child.env.items():
            proc.write(f"{name}={value}\n")
        return 0
    return commands.run(Shell(proc.image.shell), child, args)


def hostname(proc: Proc, argv: list[str]) -> int:
    if "-i" in argv:
        proc.write((addr.pod_ip(proc.pod) or "") + "\n")
        return 0
    name = addr.pod_kernel_hostname(proc.cluster, proc.pod)
    if "-f" in argv:
        name = addr.pod_fqdn(proc.cluster, proc.pod) or name
    proc.write(name + "\n")
    return 0


def _seconds(text: str) -> float | None:
    if text == "infinity":
        return float("inf")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        return float(number) * factor
    except ValueError:
        return None


def sleep(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error("sleep: missing operand\n" if proc.image.shell != "busybox" else
                   "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sleep [N]...\n")
        return 1
    total = 0.0
    for arg in argv[1:]:
        seconds = _seconds(arg)
        if seconds is None:
            proc.error(f"sleep: invalid number '{arg}'\n" if proc.image.shell == "busybox" else
                       f"sleep: invalid time interval '{arg}'\n")
            return 1
        total += seconds
    if proc.sleeps is not None and total != float("inf"):
        proc.sleeps.append(total)
        return 0
    if total >= 30 and proc.main or total == float("inf"):
        raise Forever()
    if not proc.main:
        # the cluster's time passes (at once, or in real time when a reader follows)
        from sim import pace

        if not pace.let_pass(proc.cluster, total, getattr(proc.io, "closed", None)):
            return 130
    return 0


def tail_follow(proc: Proc) -> int:
    raise Forever()


def date(proc: Proc, argv: list[str]) -> int:
    now = proc.now()
    if len(argv) > 1 and argv[1].startswith("+"):
        proc.write(now.strftime(argv[1][1:]) + "\n")
    else:
        proc.write(now.strftime("%a %b %e %H:%M:%S UTC %Y") + "\n")
    return 0


def id_(proc: Proc, argv: list[str]) -> int:
    user = proc.image.user
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and not a.startswith("--"))
    if "u" in flags:
        proc.write(f"{user.name if 'n' in flags else user.uid}\n")
    elif "g" in flags:
        proc.write(f"{user.group_name if 'n' in flags else user.gid}\n")
    elif user.uid == 0:
        proc.write("uid=0(root) gid=0(root) groups=0(root)\n" if proc.image.shell != "busybox" else
                   "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n")
    else:
        group = f"{user.gid}({user.group_name})"
        proc.write(f"uid={user.uid}({user.name}) gid={group} groups={group}\n")
    return 0


def whoami(proc: Proc, argv: list[str]) -> int:
    proc.write(f"{proc.image.user.name}\n")
    return 0


def uname(proc: Proc, argv: list[str]) -> int:
    node = addr.pod_kernel_hostname(proc.cluster, proc.pod)
    fields = {"-s": "Linux", "-n": node, "-r": "6.1.0-27-cloud-amd64", "-m": "x86_64"}
    if "-a" in argv:
        proc.write(f"Linux {node} 6.1.0-27-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 "
                   "(2024-11-01) x86_64 GNU/Linux\n")
        return 0
    chosen = [fields[a] for a in argv[1:] if a in fields] or ["Linux"]
    proc.write(" ".join(chosen) + "\n")
    return 0


def nginx(proc: Proc, argv: list[str]) -> int:
    version = proc.env.get("NGINX_VERSION", dict(proc.image.env).get("NGINX_VERSION", "")).split("-")[0]
    if "-v" in argv or "-V" in argv:
        proc.error(f"nginx version: nginx/{version}\n")
        return 0
    if "-t" in argv:
        proc.error("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                   "nginx: configuration file /etc/nginx/nginx.conf test is successful\n")
        return 0
    if "-s" in argv:
        stamp = proc.now().strftime("%Y/%m/%d %H:%M:%S")
        proc.error(f"{stamp} [notice] 30#30: signal process started\n")
        return 0
    stamp = proc.now().strftime("%Y/%m/%d %H:%M:%S")
    proc.error(f"{stamp} [emerg] 30#30: bind() to 0.0.0.0:80 failed (98: Address already in use)\n")
    return 1


def seq(proc: Proc, argv: list[str]) -> int:
    numbers = [int(a) for a in argv[1:] if a.lstrip("-").isdigit()]
    first, step, last = 1, 1, 1
    if len(numbers) == 1:
        last = numbers[0]
    elif len(numbers) == 2:
        first, last = numbers
    elif len(numbers) >= 3:
        first, step, last = numbers[:3]
    proc.write("".join(f"{n}\n" for n in range(first, last + (1 if step > 0 else -1), step)))
    return 0


def basename(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        return 1
    name = argv[1].rstrip("/").rsplit("/", 1)[-1] or "/"
    if len(argv) > 2 and name.endswith(argv[2]) and name != argv[2]:
        name = name[: -len(argv[2])]
    proc.write(name + "\n")
    return 0


def dirname(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        return 1
    path = argv[1].rstrip("/")
    proc.write((path.rsplit("/", 1)[0] or "/" if "/" in path else ".") + "\n")
    return 0


def which(proc: Proc, argv: list[str]) -> int:
    from sim.workloads import commands

    status = 0
    for name in argv[1:]:
        if commands.lookup(proc, name) is not None or name in proc.image.programs:
            directory = "/bin" if proc.image.shell == "busybox" else "/usr/bin"
            proc.write(f"{directory}/{name}\n")
        else:
            status = 1
    return status


def ps(proc: Proc, argv: list[str]) -> int:
    """busybox ps: the main process as PID 1, then ps itself."""
    main = " ".join(proc.container.argv) or "sh"
    proc.write("PID   USER     TIME  COMMAND\n")
    proc.write(f"    1 root      0:00 {main}\n")
    proc.write(f"{proc.container.new_pid():5d} root      0:00 {' '.join(argv)}\n")
    return 0


PROGRAMS = {
    "sh": shell, "bash": shell, "ash": shell, "dash": shell, "printenv": printenv, "env": env,
    "hostname": hostname, "sleep": sleep, "date": date, "id": id_, "whoami": whoami,
    "uname": uname, "nginx": nginx, "seq": seq, "basename": basename, "dirname": dirname,
    "which": which, "ps": ps,
}
