"""The notation page quotes the package's constructors with their defaults; keep them true."""
import ast
import inspect
import pathlib
import re

import pytest

import adaptive_lr as alr

PAGE = pathlib.Path(__file__).resolve().parents[1] / "chapters" / "notation.md"
CALLS = re.findall(r"`alr\.(\w+)\(([^`]*)\)`", PAGE.read_text())


def test_the_page_quotes_every_optimizer():
    assert {name for name, _ in CALLS} == {"SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam"}


@pytest.mark.parametrize("name, arguments", CALLS, ids=[c[0] for c in CALLS])
def test_quoted_call_lists_every_argument_with_its_default(name, arguments):
    call = ast.parse(f"f({arguments})", mode="eval").body
    quoted = [(a.id, inspect.Parameter.empty) for a in call.args]
    quoted += [(k.arg, ast.literal_eval(k.value)) for k in call.keywords]
    parameters = list(inspect.signature(getattr(alr, name)).parameters.values())
    assert [p for p, _ in quoted] == [p.name for p in parameters], "names or order differ"
    for (arg, value), parameter in zip(quoted, parameters):
        assert value == parameter.default, f"{name}({arg}=...): page {value!r}, code {parameter.default!r}"
