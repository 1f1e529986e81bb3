"""The report, read as HTML: built from stored results only, every section, escaping, statements tie out."""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import stats
from sim.experiment.stats import group_bands, mean_ci
from sim.report import sections, write_report
from sim.report.data import PointRuns, Results, load, read_runs
from sim.report.figures import kaplan_meier
from sim.report.headline import sentences
from sim.report.page import build_html
from sim.report.style import figure_json

from .conftest import HOSTILE

SECTIONS = ("headline", "over-time", "people", "money", "explain", "assumptions")


@pytest.fixture(scope="module")
def page(stored: Path) -> str:
    return build_html(stored)


def test_report_is_built_without_importing_the_model(stored: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(stored, out)
    code = ("import sys; from sim.report import write_report; write_report(sys.argv[1]); "
            "loaded = [m for m in ('simpy', 'sim.model') if m in sys.modules]; "
            "sys.exit(f'model imported: {loaded}' if loaded else 0)")
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").stat().st_size > 1_000_000   # plotly.js is inlined


def test_every_section_is_present_and_sweeps_only_when_stored(page: str) -> None:
    for ident in SECTIONS:
        assert f"<section id='{ident}'>" in page
    assert "<section id='sweeps'>" not in page


def test_hostile_scheme_name_never_appears_as_markup(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # Every <script> on the page is ours: plotly.js, one JSON block per figure, and the drawing script.
    figures = page.count("<script type='application/json'")
    assert page.count("<script") == figures + 2


def test_figure_json_cannot_close_its_script_element() -> None:
    text = figure_json({"data": [{"name": "</script><b>&"}], "layout": {"title": float("nan")}})
    assert "<" not in text and ">" not in text and "&" not in text
    assert '"title":null' in text


def test_every_person_statement_ties_to_pay_on_record(page: str) -> None:
    assert page.count("equals pay on record") >= 3 * 2   # at least two people per scheme
    assert "DOES NOT equal" not in page and "class='bad'" not in page


def test_firm_tie_out_is_exact_for_every_scheme(stored: Path) -> None:
    runs = pd.read_parquet(stored / "runs.parquet")
    st = pd.read_parquet(stored / "statements.parquet")
    for scheme, g in st.groupby("scheme"):
        r = runs[(runs["scheme"] == scheme) & (runs["replication"] == 0)].iloc[0]
        assert int(g["cents"].sum()) == round(r["commission_paid"] * 100) + round(r["base_pay"] * 100)


def test_sweep_section_shows_lines_heatmaps_and_indices_when_stored(swept: Path) -> None:
    html = build_html(swept)
    section = html[html.index("<section id='sweeps'>"):html.index("<section id='explain'>")]
    specs = re.findall(r"<script type='application/json' id='fig-\d+-data'>(.*?)</script>", section)
    kinds = [s.count('"type":"heatmap"') for s in specs]
    assert sum(kinds) == 2 * 3          # profit and turnover, one heatmap per scheme
    assert section.count("Sobol indices of profit") == 3 and section.count("Morris screening") == 3
    assert "against schemes.individual.rate" in section and "against firm.pods" in section
    assert "sweep point 0" in html      # sections 1-4 say which point they show


def test_bands_equal_the_experiment_layers_mean_ci() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"g": np.repeat(["a", "b", "c"], [5, 9, 1]), "x": rng.normal(size=15)})
    b = group_bands(df, ["g"], ["x"]).set_index("g")
    for g, sub in df.groupby("g"):
        mean, _sd, lo, hi = mean_ci(sub["x"].to_numpy())
        assert b.loc[g, "x"] == pytest.approx(mean)
        assert b.loc[g, "x_low"] == pytest.approx(lo) and b.loc[g, "x_high"] == pytest.approx(hi)


def test_kaplan_meier_matches_a_hand_computed_curve() -> None:
    # 4 people: quit after 1 and 2 months; one left for another reason at 2 (censored); one stayed 3.
    durations = np.array([1, 2, 2, 3])
    quit = np.array([True, True, False, False])
    curve = kaplan_meier(durations, quit, 3)
    assert curve.tolist() == pytest.approx([1.0, 3 / 4, 3 / 4 * 2 / 3, 3 / 4 * 2 / 3])


def test_headline_states_profit_relative_to_the_baseline_and_turnover_in_points() -> None:
    rows = [dict(scheme="base", metric="profit", mean=200.0, diff_mean=math.nan, diff_ci_low=math.nan,
                 diff_ci_high=math.nan),
            dict(scheme="team", metric="profit", mean=192.0, diff_mean=-8.0, diff_ci_low=-14.0, diff_ci_high=-2.0),
            dict(scheme="base", metric="turnover_rate_annual", mean=0.35, diff_mean=math.nan,
                 diff_ci_low=math.nan, diff_ci_high=math.nan),
            dict(scheme="team", metric="turnover_rate_annual", mean=0.26, diff_mean=-0.09, diff_ci_low=-0.12,
                 diff_ci_high=0.01)]
    text = sentences(pd.DataFrame(rows), ["base", "team"], "base")
    assert "profit -4% [-7%, -1%]" in text
    assert "voluntary turnover -9.0 points [-12.0, +1.0]" in text
    assert "<span class='clear'>profit" in text and "<span class='unclear'>voluntary" in text


def test_report_command_on_a_folder_without_results_says_so_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a stored batch (manifest.json or runs.parquet missing)" in err[0]


def test_rebuilt_report_is_written_atomically_in_place(stored: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    shutil.copytree(stored, out)
    path = write_report(out)
    assert path == out / "report.html" and not list(out.glob(".report.html.tmp-*"))


def test_a_key_sampled_at_many_values_is_drawn_at_eight_bin_means() -> None:
    from sim.report.sweep import drawn_levels

    x, note = drawn_levels(pd.Series(np.linspace(0.0, 1.0, 50)))
    assert x.nunique() == 8 and "8 bins" in note
    few, none = drawn_levels(pd.Series([0.1, 0.2, 0.1, 0.3]))
    assert few.tolist() == [0.1, 0.2, 0.1, 0.3] and none == ""


def _sections(res: Results) -> list[str]:
    figs = sections.Figures()
    built = [sections.headline_section(res), sections.people_section(res, figs), sections.money_section(res, figs),
             sections.explain_section(res)]
    return [s.body for s in built] + [figure_json(f) for f in figs.specs]


@pytest.mark.parametrize("name", ["stored", "swept"])
def test_sections_read_column_by_column_equal_those_of_the_whole_table(
        name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report reads the described point's runs a few columns at a time (:class:`PointRuns`), summarising one
    metric a pass as for a big batch: each section is the one made from that point's whole runs table in memory."""
    out = request.getfixturevalue(name)
    res = load(out)
    assert isinstance(res.runs, PointRuns) and (res.point is None) == (name == "stored")
    table = read_runs(out, res.point)
    assert len(res.runs) == len(table) > 0 and list(res.runs.columns) == list(table.columns)
    assert (len(table) < len(read_runs(out))) == (name == "swept")   # a sweep's sections see one point
    pd.testing.assert_frame_equal(res.runs[["scheme", "profit"]], table[["scheme", "profit"]])
    expected = _sections(dataclasses.replace(res, runs=table))
    monkeypatch.setattr(stats, "PASS_RUNS", 1)
    assert _sections(res) == expected
