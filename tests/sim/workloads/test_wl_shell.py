"""The shell and programs inside containers: busybox, dash and bash wording, pipes,
redirections, interactive prompts, and the runtime's refusal of unknown programs."""

import pytest

from simkit import FakeIO, create, deployment, get, new_cluster, pod, pods, run, sh


@pytest.fixture(scope="module")
def cluster():
    made = new_cluster()
    create(made, deployment("web", {"app": "web"}),
           pod("box", "busybox", container={"command": ["sh", "-c", "while true; do sleep 1; done"]}),
           pod("plus", "radial/busyboxplus:curl", container={"stdin": True, "tty": True}),
           pod("centos", "centos:6", container={"command": ["sleep", "infinity"]}), settle=8)
    return made


def test_pipes_redirections_and_lists(cluster):
    web = pods(cluster, "app=web")[0]
    code, out, err = sh(cluster, web, "echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f | wc -l; "
                                      "grep -c o /tmp/f && echo yes || echo no; false || echo fallback")
    assert (code, out, err) == (0, "2\n2\nyes\nfallback\n", "")
    code, out, _ = sh(cluster, web, "ls /nope 2>&1 | head -1; echo \"$HOSTNAME\" '$HOSTNAME'")
    assert out == f"ls: cannot access '/nope': No such file or directory\n{web['metadata']['name']} $HOSTNAME\n"
    code, out, _ = sh(cluster, web, "for i in 1 2 3; do echo -n $i; done; echo; x=$(hostname); echo ${x}")
    assert out == f"123\n{web['metadata']['name']}\n"


def test_unknown_commands_fail_as_each_shell_says(cluster):
    web = pods(cluster, "app=web")[0]
    assert sh(cluster, web, "nosuch") == (127, "", "sh: 1: nosuch: not found\n")
    assert sh(cluster, get(cluster, "pods", "box"), "nosuch") == (127, "", "sh: nosuch: not found\n")
    assert run(cluster, get(cluster, "pods", "centos"), ["bash", "-c", "nosuch"]) == \
        (127, "", "bash: nosuch: command not found\n")


def test_exec_of_a_missing_program_is_the_runtimes_error(cluster):
    from sim.workloads.exec import ExecStartError

    with pytest.raises(ExecStartError) as failure:
        run(cluster, pods(cluster, "app=web")[0], ["nosuch"])
    assert failure.value.kubectl_text().endswith(
        'exec: "nosuch": executable file not found in $PATH: unknown')
    with pytest.raises(ExecStartError):
        run(cluster, get(cluster, "pods", "box"), ["curl", "http://web"])


def test_copying_a_file_changes_what_nginx_serves(cluster):
    web = pods(cluster, "app=web")[0]
    assert run(cluster, web, ["cp", "/etc/hostname", "/usr/share/nginx/html/index.html"])[0] == 0
    code, out, _ = run(cluster, get(cluster, "pods", "plus"), ["curl", "-s", f"http://{web['status']['podIP']}/"])
    assert out == web["metadata"]["name"] + "\n"


def test_interactive_shell_prints_the_images_prompt_and_echoes_input(cluster):
    from sim.workloads import exec as wexec

    plus = get(cluster, "pods", "plus")
    io = FakeIO(lines=["hostname", "exit 3"], tty=True)
    with cluster.lock:
        code = wexec.run(cluster, plus, "plus", ["sh"], io, tty=True)
    prompt = f"[ root@plus:/ ]$ "
    assert code == 3
    assert io.text == f"{prompt}hostname\r\nplus\r\n{prompt}exit 3\r\n"
    io = FakeIO(lines=["cd /tmp", "pwd"], tty=True)
    with cluster.lock:
        wexec.run(cluster, get(cluster, "pods", "centos"), "centos", ["bash"], io, tty=True)
    assert io.text.startswith("[root@centos /]# cd /tmp\r\n[root@centos tmp]# pwd\r\n/tmp\r\n")


def test_main_process_that_ends_reports_its_exit_and_output():
    from sim.workloads import runtime

    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}), settle=5)
    web = pods(cluster, "app=web")[0]
    sh(cluster, web, "hostname > /usr/share/nginx/html/index.html")
    create(cluster, pod("testpod", "centos:6", restartPolicy="Never",
                        container={"args": ["curl", "-s", f"http://{web['status']['podIP']}"]}), settle=5)
    testpod = get(cluster, "pods", "testpod")
    assert testpod["status"]["phase"] == "Succeeded"
    assert runtime.logs(cluster, testpod, "testpod") == web["metadata"]["name"] + "\n"
    assert runtime.main_exit_code(cluster, testpod, "testpod") == 0


def test_nginx_logs_requests_in_combined_format(cluster):
    from sim.workloads import runtime

    web = pods(cluster, "app=web")[0]
    run(cluster, get(cluster, "pods", "plus"), ["curl", "-s", f"http://{web['status']['podIP']}/missing"])
    with cluster.lock:
        text = runtime.logs(cluster, get(cluster, "pods", web["metadata"]["name"]), "web")
    plus_ip = get(cluster, "pods", "plus")["status"]["podIP"]
    last = text.splitlines()[-1]
    assert last.startswith(f'{plus_ip} - - [')
    assert last.endswith('"GET /missing HTTP/1.1" 404 153 "-" "curl/7.37.1" "-"')


def test_programs_that_are_also_builtins_run_directly(cluster):
    web = pods(cluster, "app=web")[0]
    assert run(cluster, web, ["echo", "hello", "world"]) == (0, "hello world\n", "")
    assert run(cluster, web, ["/bin/true"])[0] == 0
    assert run(cluster, get(cluster, "pods", "box"), ["test", "-d", "/etc"])[0] == 0
