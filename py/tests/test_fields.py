"""Each API field is declared once, in the core's table (``_native.<Request>._fields``): the request
classes' properties come from it at run time, and everything written by hand for type checkers —
the ``_native.pyi`` stubs and the annotations of the compat models — is checked against it here,
so a field added, renamed or retyped in the core fails this test until the stubs follow."""

from __future__ import annotations

import ast
import pathlib
import typing
from typing import Any, Dict, List, Tuple

import pytest

import smsauth
from smsauth import _native
from smsauth.compat import models

CLASSES = [_native.SendSmsVerifyCodeRequest, _native.CheckSmsVerifyCodeRequest]
STUB = ast.parse((pathlib.Path(smsauth.__file__).parent / "_native.pyi").read_text())

# The Python type of each core kind, as keyword argument (what is accepted) and as attribute.
ACCEPTED = {
    "text": "Optional[str]",
    "JSON object": "Optional[Union[str, Mapping[str, Any]]]",
    "unsigned integer": "Optional[int]",
    "integer": "Optional[int]",
    "enum number": "Optional[int]",
    "boolean": "Optional[bool]",
}
READ = dict(ACCEPTED, **{"JSON object": "Optional[str]"})


def _stub_class(name: str) -> ast.ClassDef:
    (node,) = [n for n in STUB.body if isinstance(n, ast.ClassDef) and n.name == name]
    return node


def _typed_dict(name: str) -> Dict[str, str]:
    return {
        n.target.id: ast.unparse(n.annotation)
        for n in _stub_class(name).body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def _properties(name: str) -> List[Tuple[str, str]]:
    return [
        (n.name, ast.unparse(n.returns) if n.returns else "")
        for n in _stub_class(name).body
        if isinstance(n, ast.FunctionDef) and any(ast.unparse(d) == "property" for d in n.decorator_list)
    ]


def test_the_table_is_the_core_one() -> None:
    send = {name: (wire, kind, required) for name, wire, kind, required in _native.SendSmsVerifyCodeRequest._fields}
    assert len(send) == 20 and send["sign_name"] == ("SignName", "text", False)
    assert send["template_param"][1] == "JSON object" and send["phone_number"][2] is True
    check = [name for name, _, _, required in _native.CheckSmsVerifyCodeRequest._fields if required]
    assert check == ["phone_number", "verify_code"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_properties_come_from_the_table(cls: type) -> None:
    for name, _, _, _ in cls._fields:  # type: ignore[attr-defined]
        prop = cls.__dict__[name]
        assert isinstance(prop, property) and prop.__doc__, name
    required = [name for name, _, _, req in cls._fields if req]  # type: ignore[attr-defined]
    request = cls(*["13800138000", "1234"][: len(required)])
    with pytest.raises(AttributeError):
        setattr(request, cls._fields[-1][0], 1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_stub_properties_match_the_table(cls: type) -> None:
    expected = [(name, "str" if req else READ[kind]) for name, _, kind, req in cls._fields]  # type: ignore[attr-defined]
    assert _properties(cls.__name__) == expected


@pytest.mark.parametrize(
    "cls, fields, replace",
    [
        (_native.SendSmsVerifyCodeRequest, "_SendFields", "_SendReplace"),
        (_native.CheckSmsVerifyCodeRequest, "_CheckFields", "_CheckReplace"),
    ],
    ids=["send", "check"],
)
def test_stub_keyword_arguments_match_the_table(cls: type, fields: str, replace: str) -> None:
    table = cls._fields  # type: ignore[attr-defined]
    assert _typed_dict(fields) == {name: ACCEPTED[kind] for name, _, kind, req in table if not req}
    assert _typed_dict(replace) == {name: "str" for name, _, _, req in table if req}
    # The client's request defaults are fields too, with the same types.
    options = _typed_dict("_ClientOptions")
    shared = {name: ACCEPTED[kind] for name, _, kind, req in table if name in options}
    assert shared and {name: options[name] for name in shared} == shared


@pytest.mark.parametrize(
    "model, cls",
    [
        (models.SendSmsVerifyCodeRequest, _native.SendSmsVerifyCodeRequest),
        (models.CheckSmsVerifyCodeRequest, _native.CheckSmsVerifyCodeRequest),
    ],
    ids=["send", "check"],
)
def test_compat_models_match_the_table(model: type, cls: type) -> None:
    hints = typing.get_type_hints(model)
    table = cls._fields  # type: ignore[attr-defined]
    annotated = {name: hints[name] for name in hints if not name.startswith("_")}
    assert annotated == {name: eval(READ[kind], vars(typing)) for name, _, kind, _ in table}
    assert [(name, wire) for name, wire, _ in model._fields] == sorted((n, w) for n, w, _, _ in table)  # type: ignore[attr-defined]


def test_required_fields_are_positional_and_replace_changes_them(smsauth_emulator: Any) -> None:
    client = smsauth_emulator.client()
    with pytest.raises(TypeError, match="unexpected keyword argument 'phone_number'"):
        client.send_code("13800138000", phone_number="13900139000")
    with pytest.raises(TypeError, match="unexpected keyword argument 'verify_code'"):
        client.check_code("13800138000", "1234", verify_code="5678")
    with pytest.raises(TypeError, match="unexpected keyword argument 'SignName'"):
        smsauth.SendSmsVerifyCodeRequest("13800138000", SignName="s")  # Python takes snake_case only
    req = smsauth.CheckSmsVerifyCodeRequest("13800138000", "1234", out_id="o")
    moved = req.replace(phone_number="13900139000", verify_code="5678")
    assert (moved.phone_number, moved.verify_code, moved.out_id) == ("13900139000", "5678", "o")
    with pytest.raises(smsauth.InvalidInputError) as info:
        req.replace(verify_code=None)
    assert info.value.field == "VerifyCode"
    assert "5678" not in repr(moved) and "verify_code='***'" in repr(moved)
