"""Each run's packets: a pcap file per run that tcpdump reads, and the packet ladder in the Report.

Real scripts, real runs, real captures; the pcap files are read back by Debian's tcpdump (which
``.ci/run`` installs), never by the grader's own parser alone.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

from grader.api import Grader, pcap_name
from grader.cli import main
from grader.errors import BadInput
from grader.observe.packets import MAX_BYTES, MAX_FRAMES
from grader.queue.job import BadJob, make_job, parse_job
from grader.render import json_format, text_format
from grader.report import Report
from tests.machine import need

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "grader" / "schema" / "report.schema.json"
# tcpdump -nr: "12:00:00.000001 IP 127.0.0.1.40656 > 127.0.0.1.9090: Flags [S], seq ..., length 0"
LINE = re.compile(
    r"IP6? (?P<src>[\w.:]+)\.(?P<sport>\d+) > (?P<dst>[\w.:]+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\].*length (?P<length>\d+)"
)
LINGER_0 = """
    import socket, struct

    message = input()
    s = socket.socket()
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024).decode())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
"""


def tcpdump() -> str:
    found = shutil.which("tcpdump") or shutil.which("tcpdump", path="/usr/sbin:/sbin")
    if found is None:
        pytest.skip("tcpdump is not installed (.ci/run installs Debian's)")
    return found


def read_back(path: Path) -> list[dict[str, str]]:
    """The packets of ``path`` as tcpdump reads them, one dict per packet."""
    done = subprocess.run(
        [tcpdump(), "-nr", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.splitlines()
    packets = [m.groupdict() for m in map(LINE.search, lines) if m]
    assert len(packets) == len(lines), done.stdout  # every packet is TCP on the run's loopback
    return packets


@pytest.fixture(scope="module")
def capturing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grader]:
    need("namespaces")
    folder = tmp_path_factory.mktemp("pcaps")
    with Grader.create(pcap_dir=folder) as grader:
        yield grader


def pcap_of(grader: Grader, report: Report, run: str) -> Path:
    assert grader.pcap_dir is not None
    path = grader.pcap_dir / pcap_name(report.submission, run)
    ladder = report.ladder(run)
    assert ladder is not None and ladder.pcap.endswith(path.name)
    return path


def test_a_passing_run_reads_back_as_the_whole_conversation(capturing: Grader) -> None:
    report = capturing.grade(EXAMPLES / "problem3_question.py", 3)
    assert report.verdict == "pass"
    assert [ladder.run for ladder in report.ladders] == list(report.runs)
    packets = read_back(pcap_of(capturing, report, "Latin text"))
    client = packets[0]["sport"]
    assert [(p["flags"], p["sport"] == client) for p in packets[:3]] == [
        ("S", True),
        ("S.", False),
        (".", True),
    ]
    assert all("9090" in (p["sport"], p["dport"]) for p in packets)
    sent = [p for p in packets if p["sport"] == client and int(p["length"]) > 0]
    replied = [p for p in packets if p["sport"] != client and int(p["length"]) > 0]
    assert [int(p["length"]) for p in sent] == [len(b"Hello, server, it's me")]
    assert replied and int(replied[0]["length"]) > 0
    fins = [p for p in packets if "F" in p["flags"]]
    assert [p["sport"] == client for p in fins] == [True, False]  # the client's FIN first
    assert packets.index(fins[0]) > packets.index(replied[0])  # after the reply arrived
    assert not any("R" in p["flags"] for p in packets)


def test_the_ladder_says_what_tcpdump_says(capturing: Grader) -> None:
    report = capturing.grade(EXAMPLES / "problem3_question.py", 3)
    ladder = report.ladder("Latin text")
    assert ladder is not None and ladder.seen == len(ladder.packets)
    assert [(p.who, p.flags, p.seq, p.ack) for p in ladder.packets[:3]] == [
        ("client", "SYN", 0, None),
        ("server", "SYN ACK", 0, 1),
        ("client", "ACK", 1, 1),
    ]
    data = next(p for p in ladder.packets if p.length)
    assert (data.who, data.flags, data.length) == ("client", "PSH ACK", 22)
    assert data.payload == "b'Hello, server, i'"
    assert len(read_back(pcap_of(capturing, report, "Latin text"))) == len(ladder.packets)


def test_a_linger_0_close_shows_the_clients_rst(
    capturing: Grader, script: Callable[[str], Path]
) -> None:
    report = capturing.grade(script(LINGER_0, "linger.py"), 3)
    packets = read_back(pcap_of(capturing, report, "Latin text"))
    client = packets[0]["sport"]
    assert [p["flags"] for p in packets if p["sport"] == client and "R" in p["flags"]] == ["R."]
    assert not any("F" in p["flags"] for p in packets if p["sport"] == client)
    ladder = report.ladder("Latin text")
    assert ladder is not None and ladder.marked is not None
    assert (ladder.packets[ladder.marked].who, ladder.packets[ladder.marked].flags) == (
        "client",
        "RST ACK",
    )
    text = text_format.render_one(report)
    assert (
        f"  The packet that shows it: #{ladder.marked + 1} client → RST ACK, the client's RST: "
        "the connection was reset, not\n    closed with a FIN (" in text
    )
    assert "↑ the client's RST" in text_format.render_one(report, verbose=True)
    from grader.i18n import catalogue
    from grader.render import html_format

    number = ladder.marked + 1
    russian = text_format.render_one(report, verbose=True, words=catalogue("ru"))
    assert f"№{number} клиент → RST ACK" in text_format.render_one(report, words=catalogue("ru"))
    assert re.search(r"\n +1 +0\.\d{4} s  клиент → SYN +seq 0\s", russian), russian
    assert (
        f'<p class="packet">The packet that shows it: #<a href="#report-1-packets-0-{number}">'
        f"{number}</a> client → RST ACK, the client&#39;s RST: "
    ) in html_format.render([report])


def test_problem_5s_refused_run_shows_a_syn_answered_by_rst(
    capturing: Grader, script: Callable[[str], Path]
) -> None:
    report = capturing.grade(EXAMPLES / "problem5_nobody_home.py", 5)
    packets = read_back(pcap_of(capturing, report, "server down"))
    assert [(p["flags"], p["dport"] == "9090") for p in packets] == [("S", True), ("R.", False)]
    unhandled = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'Wake up, Neo')
            print(s.recv(1024).decode())
        """
    )
    failed = capturing.grade(unhandled, 5)
    root = failed.diagnosed
    assert root is not None and root.run == "server down"
    ladder = failed.ladder("server down")
    assert ladder is not None and ladder.marked == 1
    assert ladder.mark == "the SYN answered by RST: nothing listened, the connection was refused"


def test_floods_stay_within_the_bounds(capturing: Grader, script: Callable[[str], Path]) -> None:
    connections = script(
        """
        import socket
        for _ in range(400):
            s = socket.socket()
            try:
                s.connect(('127.0.0.1', 9090))
            except OSError:
                pass
            s.close()
        """
    )
    megabytes = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.sendall(b'x' * 8_000_000)
        """
    )
    for flood in (connections, megabytes):
        report = capturing.grade(flood, 3)
        for ladder in report.ladders:
            assert len(ladder.packets) <= MAX_FRAMES
            assert ladder.seen > len(ladder.packets)  # counted, not kept
            path = pcap_of(capturing, report, ladder.run)
            assert path.stat().st_size <= 24 + MAX_FRAMES * 16 + MAX_BYTES
            assert len(read_back(path)) == len(ladder.packets)


def test_nothing_of_another_run_or_of_the_host_is_captured(capturing: Grader) -> None:
    # The host's loopback is busy meanwhile; the three runs of the problem run side by side.
    host = socket.create_server(("127.0.0.1", 0))
    port = host.getsockname()[1]
    stop = threading.Event()

    def chatter() -> None:
        while not stop.is_set():
            with socket.create_connection(("127.0.0.1", port)) as c, host.accept()[0] as s:
                c.sendall(b"host traffic")
                s.recv(64)

    talker = threading.Thread(target=chatter)
    talker.start()
    try:
        report = capturing.grade(EXAMPLES / "problem3_question.py", 3)
    finally:
        stop.set()
        talker.join(timeout=30)
        host.close()
    messages = {  # whole: the server's greetings may share a word with them
        "Latin text": b"Hello, server, it's me",
        "non-ASCII letters": "Привет, сервер! Ça va, Jürgen?".encode(),
        "an emoji": "Ping 🏓 from the client".encode(),
    }
    for run, own in messages.items():
        path = pcap_of(capturing, report, run)
        packets = read_back(path)
        assert {p["src"] for p in packets} | {p["dst"] for p in packets} == {"127.0.0.1"}
        assert all("9090" in (p["sport"], p["dport"]) for p in packets)
        assert str(port) not in {p["sport"] for p in packets} | {p["dport"] for p in packets}
        assert sum(p["flags"] == "S" for p in packets) == 1  # its own connection only
        data = path.read_bytes()
        assert own in data and b"host traffic" not in data
        assert not any(other in data for name, other in messages.items() if name != run)


def test_json_carries_the_ladder_in_the_schema(capturing: Grader) -> None:
    report = capturing.grade(EXAMPLES / "problem5_nobody_home.py", 5)
    data = json_format.as_dict(report)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text("utf-8"))).validate(data)
    down = next(ladder for ladder in data["packets"] if ladder["run"] == "server down")
    assert [(p["who"], p["flags"]) for p in down["packets"]] == [
        ("client", "SYN"),
        ("server", "RST ACK"),
    ]
    assert down["pcap"].endswith("problem5_nobody_home.py.server-down.pcap")


def test_html_folds_the_ladder_beside_the_sequence_diagram(capturing: Grader) -> None:
    from grader.render import html_format

    page = html_format.render([capturing.grade(EXAMPLES / "problem5_nobody_home.py", 5)])
    assert page.count('<details class="packets"') == 2
    assert "<td>SYN</td>" in page and "<td>RST ACK</td>" in page
    assert page.index("</figure>") < page.index('<details class="packets"')


def test_without_pcap_nothing_is_captured(grader: Grader) -> None:
    report = grader.grade(EXAMPLES / "problem5_nobody_home.py", 5)
    assert report.ladders == ()
    assert json_format.as_dict(report)["packets"] == []


def test_the_cli_writes_one_file_per_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need("namespaces")
    out = tmp_path / "pcaps"
    out.mkdir()
    code = main([str(EXAMPLES / "problem5_nobody_home.py"), "-p", "5", "--pcap", str(out), "-v"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "problem5_nobody_home.py.server-down.pcap",
        "problem5_nobody_home.py.server-up.pcap",
    ]
    text = capsys.readouterr().out
    assert "  Packets of run “server down” (2 of 2; the file: " in text
    assert re.search(r"\n      2 +0\.\d{4} s  server ← RST ACK  seq 0 +ack 1 +len 0\n", text)


def test_routed_mode_refuses_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "grader.toml"
    config.write_text('[isolation]\nmode = "routed"\n', encoding="utf-8")
    out = tmp_path / "pcaps"
    out.mkdir()
    argv = [str(EXAMPLES / "problem3_question.py"), "-p", "3", "--config", str(config)]
    code = main([*argv, "--pcap", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"grade: --pcap {out}: packets are captured only in namespace isolation, and this "
        "machine routes runs; grade without --pcap\n"
    )
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    code = main([str(EXAMPLES / "problem3_question.py"), "-p", "3", "--pcap", str(missing)])
    assert code == 2
    assert capsys.readouterr().err == f"grade: --pcap {missing}: no such folder; create it first\n"
    with pytest.raises(BadInput):
        Grader.create(pcap_dir=missing)


def test_a_queue_job_carries_its_pcap_folder() -> None:
    job = make_job(b"print(1)\n", 3, pcap_dir="/srv/pcaps")
    assert parse_job(job).pcap_dir == "/srv/pcaps"
    assert job["job_id"] != make_job(b"print(1)\n", 3)["job_id"]
    with pytest.raises(BadJob, match="pcap_dir"):
        parse_job({**job, "pcap_dir": "relative/folder"})
