"""The file layer: one parse, duplicate keys, alias bombs, non-finite numbers, file kinds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from simlib.files import file_kind, parse_yaml, read_yaml
from simlib.files.yaml_io import _Loader
from simlib.scenario import ScenarioError


def test_the_c_loader_is_used_where_installed() -> None:
    if yaml.__with_libyaml__:
        assert issubclass(_Loader, yaml.CSafeLoader)


def test_duplicate_keys_name_both_lines() -> None:
    with pytest.raises(ScenarioError, match=r"key 'a' is given twice .*lines 2 and 4"):
        parse_yaml("x: 1\na: 1\nb: 2\na: 3\n")


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 10)}]")
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="expands to more than"):
        parse_yaml("\n".join(lines))
    assert time.perf_counter() - started < 1


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(ScenarioError, match="refers to itself"):
        parse_yaml("a: &a [1, *a]\n")


def test_shared_aliases_within_the_limit_are_fine() -> None:
    doc = parse_yaml("t: &t {dist: constant, value: 1}\nu: *t\n")
    assert doc.data["u"] == {"dist": "constant", "value": 1}


def test_a_file_is_parsed_once_for_kind_and_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("study: x\n")
    assert read_yaml(path) is read_yaml(path)
    path.write_text("sweep: y\n")  # a changed file is read again
    assert file_kind(read_yaml(path).data) == "sweep"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"name": "x"}, "scenario"),
        ({"study": "x", "sweep": "y"}, "study"),
        ({"sweep": "y"}, "sweep"),
        ({"optimize": "z", "study": "s"}, "optimize"),
        ([{"type": "online"}], "reforms"),
        ({"reforms": []}, "reforms"),
    ],
)
def test_file_kinds(data: object, kind: str) -> None:
    assert file_kind(data) == kind


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="speed of the C parser")
def test_a_big_file_of_comments_is_parsed_once_and_fast(tmp_path: Path) -> None:
    # The probe's 50 MB scenario took 72 s (two parses with the pure-Python loader).
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + ("# " + "x" * 98 + "\n") * 100_000)  # 10 MB
    started = time.perf_counter()
    assert read_yaml(path).data == {"name": "x"}
    assert time.perf_counter() - started < 3


def test_file_size_is_bounded_and_the_limit_can_be_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: x\n" + "# padding\n" * 200_000)  # 2 MB
    monkeypatch.setenv("SIMLIB_MAX_FILE_MB", "1")
    with pytest.raises(ScenarioError, match=r"the limit is 1 MB .*SIMLIB_MAX_FILE_MB"):
        read_yaml(path)
    monkeypatch.setenv("SIMLIB_MAX_FILE_MB", "3")
    assert read_yaml(path).data == {"name": "x"}
