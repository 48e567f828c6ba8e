"""``ocop diagram``: the lifecycle drawn for officers, in their words and commands.

The mermaid text is checked always; when a mermaid build is on this machine (OCOP_MERMAID_JS,
the path of mermaid.min.js; nothing is fetched), it is also drawn in headless Chromium and
the drawing measured: the main path top to bottom, and the crossings between edges.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Cli
from parts import require

from ocop.states import TRANSITIONS, State, Trigger
from ocop.states.diagram import MAIN_PATH, officers_diagram

CHROMIUM = "/usr/bin/chromium"
EDGE = re.compile(r"^    (\w+) (==>|-->|-\.->)\|\"([^\"]*)\"\| (\w+)$")


def edges(text: str) -> list[tuple[str, str, str, str]]:
    return [m.groups() for line in text.splitlines() if (m := EDGE.match(line))]  # type: ignore[misc]


@pytest.fixture(scope="module")
def cli_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    cli = Cli(tmp_path_factory.mktemp("diagram"))
    return {"vi": cli.ok("diagram"), "en": cli.ok("diagram", "--lang", "en")}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_edges_carry_the_officer_s_words_and_commands(
    cli_texts: dict[str, str], lang: str
) -> None:
    text = cli_texts[lang]
    assert text.startswith("flowchart TD\n")
    found = edges(text)
    # Every edge of the lifecycle is drawn once (reapply's go to the new-cycle box).
    assert len(found) == 1 + sum(len(t.sources) * len(t.dests) for t in TRANSITIONS.values())
    labels = " ".join(label for _, _, label, _ in found)
    for code in ("return_dossier", "rate_central", "flag_recertification", "reapply|"):
        assert code not in labels
    assert "ocop return" in labels and "ocop rate-central" in labels
    assert Trigger.RETURN_DOSSIER.label(lang) + ": ocop return" in labels
    assert State.RATED.label(lang) in text
    if lang == "en":
        assert "Đã" not in text and "Return the dossier: ocop return" in labels
    else:
        assert "Trả lại hồ sơ: ocop return" in labels


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_automatic_steps_are_dotted_and_marked(lang: str) -> None:
    found = edges(officers_diagram(lang))
    mark = "(automatic)" if lang == "en" else "(tự động)"
    for source, arrow, label, dest in found:
        system = any(t.by_system and t.trigger.label(lang) in label for t in TRANSITIONS.values())
        assert (arrow == "-.->") == system == label.startswith("⚙"), (source, label, dest)
        assert (mark in label) == system


def test_the_three_outcomes_of_rate_are_labelled() -> None:
    found = {(s, d): label for s, _, label, d in edges(officers_diagram("vi"))}
    assert found[("submitted", "rated")].endswith("→ đạt 3–4★, cấp GCN")
    assert found[("submitted", "not_recognized")].endswith("→ dưới 3★")
    assert found[("submitted", "central_review")].endswith("→ đề nghị Trung ương xét 5★")
    en = {(s, d): label for s, _, label, d in edges(officers_diagram("en"))}
    assert len({en[("submitted", d)] for d in ("rated", "not_recognized", "central_review")}) == 3


def test_the_main_path_is_drawn_first_and_thick_and_new_cycles_go_to_the_foot() -> None:
    found = edges(officers_diagram("vi"))
    thick = [(s, d) for s, arrow, _, d in found if arrow == "==>"]
    assert thick == [("start", "registered")] + [
        (s.value, d.value) for s, _, d in MAIN_PATH if not TRANSITIONS[_].by_system
    ]
    assert [(s, d) for s, _, _, d in found[: len(MAIN_PATH) + 1]][1:] == [
        (s.value, d.value) for s, _, d in MAIN_PATH
    ]
    # No new cycle loops back to the top: they all end in the new-cycle box, drawn last.
    words = Trigger.REAPPLY.label("vi")
    reapply = [(s, d) for s, _, label, d in found if words in label]
    assert len(reapply) == 4 and {d for _, d in reapply} == {"new_cycle"}
    assert found[-4:] == [e for e in found if words in e[2]]


# -- drawn by mermaid in Chromium, when a mermaid build is here ------------------------------


def mermaid_js() -> Path | None:
    path = os.environ.get("OCOP_MERMAID_JS")
    return Path(path) if path and Path(path).exists() else None


@pytest.fixture(scope="module")
def drawn(cli_texts: dict[str, str]) -> Iterator[dict[str, Any]]:
    script = mermaid_js()
    require(Path(CHROMIUM).exists(), "chromium", "apt-get install chromium")
    require(
        script is not None,
        "a mermaid build",
        "npm install --prefix DIR mermaid@11, then "
        "OCOP_MERMAID_JS=DIR/node_modules/mermaid/dist/mermaid.min.js",
    )
    assert script is not None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        page = browser.new_page()
        # Nothing leaves the machine: every request but the page itself is refused.
        page.route("**/*", lambda route: route.abort())
        page.set_content("<!DOCTYPE html><html><body><div id='d'></div></body></html>")
        page.add_script_tag(content=script.read_text(encoding="utf-8"))
        out = {}
        for lang, text in cli_texts.items():
            out[lang] = page.evaluate(MEASURE, text)
        browser.close()
        yield out


# Node centres, and the crossings between edges that share no node, from the drawn SVG.
MEASURE = """async (text) => {
  mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
  const {svg} = await mermaid.render('g' + Math.random().toString(36).slice(2), text);
  const holder = document.getElementById('d');
  holder.innerHTML = svg;
  const nodes = {};
  for (const g of holder.querySelectorAll('g.node')) {
    const box = g.getBBox(); const m = g.getCTM();
    const name = g.id.replace(/^.*flowchart-/, '').replace(/-\\d+$/, '');
    nodes[name] = {x: m.e + box.x + box.width / 2, y: m.f + box.y + box.height / 2};
  }
  const nearest = (pt) => {
    let best = null, dist = Infinity;
    for (const [name, c] of Object.entries(nodes)) {
      const d = Math.hypot(c.x - pt[0], c.y - pt[1]);
      if (d < dist) { dist = d; best = name; }
    }
    return best;
  };
  const paths = [...holder.querySelectorAll('path.flowchart-link')].map(p => {
    const points = []; const length = p.getTotalLength(); const m = p.getCTM();
    for (let i = 0; i <= 40; i++) {
      const q = p.getPointAtLength(length * i / 40);
      points.push([m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]);
    }
    return {from: nearest(points[0]), to: nearest(points[40]), points};
  });
  const cross = (a, b, c, d) => {
    const o = (p, q, r) => Math.sign((q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0]));
    return o(a,b,c) * o(a,b,d) < 0 && o(c,d,a) * o(c,d,b) < 0;
  };
  let crossings = 0;
  for (let i = 0; i < paths.length; i++) for (let j = i + 1; j < paths.length; j++) {
    const P = paths[i], Q = paths[j];
    if ([P.from, P.to].some(n => n === Q.from || n === Q.to)) continue;
    let hit = false;
    for (let s = 0; s < 40 && !hit; s++) for (let t = 0; t < 40 && !hit; t++)
      hit = cross(P.points[s], P.points[s+1], Q.points[t], Q.points[t+1]);
    if (hit) crossings++;
  }
  const box = holder.querySelector('svg').getBBox();
  return {nodes, crossings, edges: paths.length, width: box.width, height: box.height};
}"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_mermaid_draws_the_main_path_top_to_bottom(drawn: dict[str, Any], lang: str) -> None:
    nodes = drawn[lang]["nodes"]
    path = ["start", *(s.value for s, _, _ in MAIN_PATH), MAIN_PATH[-1][2].value]
    ys = [nodes[name]["y"] for name in path]
    assert ys == sorted(ys) and len(set(ys)) == len(ys), dict(zip(path, ys, strict=True))
    # The new-cycle box sits below the states that lead to it.
    assert nodes["new_cycle"]["y"] > max(nodes[s]["y"] for s in ("rated", "not_recognized"))
    assert drawn[lang]["edges"] == len(edges(officers_diagram(lang)))
    print(f"{lang}: {drawn[lang]['crossings']} crossings, {drawn[lang]['width']:.0f} px wide")
    assert drawn[lang]["crossings"] <= 3
