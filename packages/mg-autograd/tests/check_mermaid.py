"""to_mermaid rendered for real: the mermaid npm package in headless Chromium.

Run by ``tox -e mermaid`` only (not in the default run: it needs npm, the npm registry and
Chromium - Debian's ``chromium`` at /usr/bin/chromium). The name does not match ``test_*.py`` on
purpose, as for `check_graphviz.py`.

The mermaid package is installed with npm into a fresh temporary folder; a local HTML page loads
its ``dist/mermaid.min.js`` and renders each diagram; Chromium prints the page after the
scripts ran (``--dump-dom``). The page reports the text of every node Mermaid drew and the
number of arrows, and each Value's node must read ``label | data | grad`` exactly (so every
entity code was decoded, nothing was cut off at a quote or bracket), each op node its op.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import mg_autograd as ag
import pytest
from mg_autograd import Value
from mg_autograd.visualize import numbered_nodes
from test_ag_mermaid import NASTY
from test_ag_trace import micrograd_readme_expression

MERMAID = "mermaid@12.3.0"
CHROMIUM = "/usr/bin/chromium"
RESULT = re.compile(r'<pre id="result">(.*?)</pre>', re.DOTALL)
NODE_ID = re.compile(r"^(?:diagram-)?flowchart-(v\d+(?:_op)?)-\d+$")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="node_modules/mermaid/dist/mermaid.min.js"></script>
</head><body><pre id="result">not rendered</pre><div id="out"></div>
<script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
mermaid.render("diagram", SOURCE).then(({svg}) => {
  const out = document.getElementById("out");
  out.innerHTML = svg;
  const nodes = {};
  for (const g of out.querySelectorAll("g.node")) { nodes[g.id] = g.textContent.trim(); }
  const arrows = out.querySelectorAll("path.flowchart-link").length;
  document.getElementById("result").textContent = JSON.stringify({nodes, arrows});
}, (error) => {
  document.getElementById("result").textContent = JSON.stringify({error: String(error)});
});
</script></body></html>
"""


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    npm = shutil.which("npm")
    assert npm is not None, "tox -e mermaid needs npm (Debian: apt-get install npm)"
    assert Path(CHROMIUM).exists(), "tox -e mermaid needs Chromium (apt-get install chromium)"
    with tempfile.TemporaryDirectory(prefix="mg-mermaid-") as folder:
        work = Path(folder)
        installed = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(work),
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--no-package-lock",
                MERMAID,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert installed.returncode == 0, f"npm install {MERMAID} failed:\n{installed.stderr}"
        assert (work / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").is_file()
        yield work


def render(work: Path, source: str) -> dict[str, object]:
    page = work / "page.html"
    page.write_text(PAGE.replace("SOURCE", json.dumps(source)), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="mg-chromium-") as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=30000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    match = RESULT.search(result.stdout)
    assert match is not None, f"no result in Chromium's page:\n{result.stdout[:2000]}"
    report = json.loads(html.unescape(match[1]))
    assert isinstance(report, dict)
    assert "error" not in report, report
    return report


def expected(root: Value) -> tuple[dict[str, str], int]:
    nodes = numbered_nodes(root)
    text: dict[str, str] = {}
    arrows = 0
    for n, node in enumerate(nodes):
        fields = [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        text[f"v{n}"] = " | ".join([node.label, *fields] if node.label else fields)
        if node.parents:
            text[f"v{n}_op"] = node.op
            arrows += 1 + len(node.parents)
    return text, arrows


def graphs() -> list[Value]:
    _, _, g = micrograd_readme_expression()
    g.backward()
    x = Value(-1.5, label=NASTY)
    odd = ag.make_node(
        2.0, [x, Value(0.5, label="\u03b1\u00b2 #quot; %% end")], [1.0, 3.0], op='"op|<b>"]'
    )
    odd.label = "{y} [z] (w) A-->B"
    odd.backward()
    return [g, odd]


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_mermaid_draws_every_label_data_and_grad(workdir: Path, index: int, rankdir: str) -> None:
    root = graphs()[index]
    report = render(workdir, ag.to_mermaid(root, rankdir=rankdir))
    nodes = report["nodes"]
    assert isinstance(nodes, dict)
    drawn = {}
    for element_id, text in nodes.items():
        match = NODE_ID.match(element_id)
        assert match is not None, element_id
        drawn[match[1]] = text
    text, arrows = expected(root)
    assert drawn == text
    assert report["arrows"] == arrows


def test_the_committed_diagram_renders(workdir: Path) -> None:
    committed = Path(__file__).parents[3] / "benchmarks" / "graph_picture" / "graph.mmd"
    report = render(workdir, committed.read_text(encoding="utf-8"))
    nodes = report["nodes"]
    assert isinstance(nodes, dict)
    texts = set(nodes.values())
    assert "a | data -4.0000 | grad 138.8338" in texts
    assert "b | data 2.0000 | grad 645.5773" in texts
    assert "g | data 24.7041 | grad 1.0000" in texts
