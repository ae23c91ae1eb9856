"""The file layer: reading simlib's YAML files once, telling their kinds apart, and
loading each kind with errors that name the file, the line and the path inside it.

Loaders: :func:`load_scenario` (applies the file's ``reforms:``), :func:`load_study`,
:func:`load_sweep`, :func:`load_reforms` / :func:`apply_reform_file` (reform files).
Optimisation files (top-level key ``optimize``) are recognised here; their loader lives
with the optimiser and registers itself with :func:`register_loader`.
"""

from simlib.files.kinds import KEYS, LOADERS, expect_kind, file_kind, register_loader
from simlib.files.located import file_error, located, reported, validated
from simlib.files.reforms import apply_reform_file, load_reforms
from simlib.files.scenario import load_scenario, scenario_from_dict
from simlib.files.study import Study, StudyFile, load_study
from simlib.files.sweep import Sweep, SweepFile, load_sweep, sweep_from_dict
from simlib.files.yaml_io import YamlDocument, line_for_path, parse_yaml, read_text, read_yaml

__all__ = [
    "KEYS",
    "LOADERS",
    "Study",
    "StudyFile",
    "Sweep",
    "SweepFile",
    "YamlDocument",
    "apply_reform_file",
    "expect_kind",
    "file_error",
    "file_kind",
    "line_for_path",
    "load_reforms",
    "load_scenario",
    "load_study",
    "load_sweep",
    "located",
    "parse_yaml",
    "read_text",
    "read_yaml",
    "register_loader",
    "reported",
    "scenario_from_dict",
    "sweep_from_dict",
    "validated",
]
