"""Issue 17 finding 8 (paths): no absolute machine path in the provenance files or the book's run facts."""

from pathlib import Path

import yaml

from analysis.provenance import config_as_run, provenance, public_path, public_text


def test_public_path_by_hand(tmp_path):
    project = tmp_path / "clone"
    (project / "data").mkdir(parents=True)
    assert public_path("data/x.csv", project) == "data/x.csv"
    assert public_path(project / "data" / "x.csv", project) == "data/x.csv"
    assert public_path(project, project) == "."
    assert public_path("/home/ann/private/corpus/x.csv", project) == "…/corpus/x.csv"


def test_provenance_files_name_no_absolute_path(tmp_path):
    project, outside = tmp_path / "clone", tmp_path / "home" / "ann" / "secret-project"
    (project / "data").mkdir(parents=True)
    outside.mkdir(parents=True)
    inside_file, outside_file = project / "data" / "a.csv", outside / "b.csv"
    inside_file.write_text("x\n")
    outside_file.write_text("y\n")
    inputs, _, summary = provenance({"sources": [str(inside_file), str(outside_file)]},
                                    config_file=str(project / "results" / "provenance" / "config.yaml"),
                                    root=project)
    assert list(inputs["path"]) == ["data/a.csv", "…/secret-project/b.csv"]
    assert summary["config_file"] == "results/provenance/config.yaml"
    text = config_as_run({"results": str(project / "results"), "sources": [{"path": str(outside_file)}],
                          "lexicons": ["data/lexicons/x.yaml"]}, root=project)
    assert str(tmp_path) not in text and "/home/ann" not in text
    shown = yaml.safe_load(text)
    assert shown["results"] == "results" and shown["sources"][0]["path"] == "…/secret-project/b.csv"
    assert shown["lexicons"] == ["data/lexicons/x.yaml"]
    assert all(not Path(p).is_absolute() for p in inputs["path"])


def test_tool_output_in_a_log_names_no_machine_folder(tmp_path):
    # what jupyter-book prints (colour codes included) goes into the book rule's log through public_text
    project, outside = tmp_path / "clone", tmp_path / "home" / "ann" / "results"
    project.mkdir()
    printed = (f"\x1b[01mcopying downloadable files... \x1b[39;49;00m[  3%] "
               f"\x1b[33m{project}/_generated/a.png\x1b[39m\n"
               f"Output Path: {outside}/book/_build/html (see https://jupyterbook.org/x, 1/2 done, ./rel)\n"
               f"open file://{outside}/book/index.html or ../home/ann/results/book/index.html")
    shown = public_text(printed, root=project)
    assert str(tmp_path) not in shown and "\x1b" not in shown
    assert shown == ("copying downloadable files... [  3%] _generated/a.png\n"
                     "Output Path: …/_build/html (see https://jupyterbook.org/x, 1/2 done, ./rel)\n"
                     "open file://…/book/index.html or …/book/index.html")
