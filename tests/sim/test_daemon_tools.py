"""Tools the daemon tests register through SIM_TOOLS_EXTRA (no tests here)."""


def echo(cluster, argv, io):
    """argv: echo [stdin|lines|edit TEXT|exec PROG...|exit N|count|now] - a small ToolIO exerciser."""
    action = argv[1] if len(argv) > 1 else ""
    if action == "stdin":
        data = io.read_stdin()
        io.write_out(b"got:" + data)
        return 0
    if action == "lines":
        n = 0
        while True:
            line = io.read_line()
            if line is None:
                break
            n += 1
            io.write_out(f"{n}:{line.decode()}")
        io.write_err(f"{n} lines\n")
        return 0
    if action == "edit":
        edited = io.edit(argv[2], ".txt")
        io.write_out(f"edited:{edited}")
        return 0
    if action == "exec":
        io.exec_local(argv[2:])
    if action == "exit":
        io.write_err("leaving\n")
        return int(argv[2])
    if action == "count":
        with cluster.lock:
            n = len(cluster.store.list("namespaces"))
        io.write_out(f"{n} namespaces cwd={io.cwd} tty={io.stdin_is_tty}\n")
        return 0
    if action == "raw":
        io.set_raw(True)
        io.write_out(f"raw tty={io.stdin_is_tty} size={io.columns}x{io.rows}\r\n")
        chunk = io.read_chunk()
        io.set_raw(False)
        io.write_out(f"key={chunk!r}\n")
        return 0
    if action == "now":
        with cluster.lock:
            io.write_out(cluster.clock.now().isoformat() + "\n")
        return 0
    if action == "block":
        io.write_out("waiting\n")
        io.wait_closed()
        return 0
    io.write_out(" ".join(argv) + "\n")
    return 0
