"""``kubectl apply -f URL`` without a network: the copy a page provides under the URL's
host and path, else kubectl's error for a URL that cannot be read."""

from __future__ import annotations

from tests.sim.kubectl.conftest import run_sim

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
"""


def _place(root, relative, name):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SERVICE.format(name=name))


def test_a_url_reads_the_file_named_by_its_host_and_path(cluster, tmp_path):
    _place(tmp_path, "k8s.io/examples/service/networking/run-my-nginx.yaml", "my-nginx")
    url = "https://k8s.io/examples/service/networking/run-my-nginx.yaml"
    out = run_sim(cluster, ["apply", "-f", url], str(tmp_path))
    assert (out.code, out.stdout, out.stderr) == (0, "service/my-nginx created\n", "")
    assert cluster.store.get("services", "default", "my-nginx")["spec"]["selector"] == {"app": "my-nginx"}
    # k8s.io redirects to kubernetes.io: either name finds the copy
    again = run_sim(cluster, ["delete", "-f", url.replace("k8s.io", "kubernetes.io")], str(tmp_path))
    assert again.code == 0 and again.stdout.startswith('service "my-nginx" deleted')


def test_a_folder_in_sim_url_dirs_and_other_hosts(cluster, tmp_path):
    mirror = tmp_path / "mirror"
    _place(mirror, "raw.githubusercontent.com/example/repo/main/web.yaml", "web")
    work = tmp_path / "work"
    work.mkdir()
    url = "https://raw.githubusercontent.com/example/repo/main/web.yaml"
    out = run_sim(cluster, ["create", "-f", url], str(work), env={"SIM_URL_DIRS": str(mirror)})
    assert (out.code, out.stdout) == (0, "service/web created\n")
    missing = run_sim(cluster, ["create", "-f", url], str(work))
    assert missing.code == 1
    assert missing.stderr == (f'error: unable to read URL "{url}", server reported 404 Not Found, '
                              "status code=404\n")


def test_a_url_without_a_copy_fails_as_kubectl_does(cluster, tmp_path):
    url = "https://k8s.io/examples/service/nothing-here.yaml"
    out = run_sim(cluster, ["apply", "-f", url], str(tmp_path))
    assert out.code == 1 and out.stdout == ""
    assert out.stderr == (f'error: unable to read URL "{url}", server reported 404 Not Found, '
                          "status code=404\n")
    # a path that climbs out of the folder is never read
    (tmp_path / "secret.yaml").write_text(SERVICE.format(name="nope"))
    climb = run_sim(cluster, ["apply", "-f", "https://k8s.io/../secret.yaml"], str(tmp_path / "k8s.io"))
    assert climb.code == 1 and "unable to read URL" in climb.stderr
