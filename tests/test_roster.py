"""The roster: how Home Affairs' list of units arrives (Excel's CSV exports, Vietnamese
headers) and the clear refusals for a list that cannot be used (docs/spec.md §3)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.roster import RosterError, parse_roster, read_roster

UNITS = [
    ("STTTT", "Sở Thông tin và Truyền thông", "so"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "so"),
    ("HCK", "Huyện Cầu Kè", "huyen"),
]


def write(tmp_path: Path, data: bytes | str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def csv_text(sep: str = ",", header: str = "code,name,kind", newline: str = "\n") -> str:
    def quote(v: str) -> str:
        return f'"{v}"' if sep in v else v

    lines = [header.replace(",", sep)] + [sep.join(quote(v) for v in unit) for unit in UNITS]
    return newline.join(lines) + newline


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese the way Windows-1258 (old Excel "CSV") stores it: base letter + tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in marks if m in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in TONE_MARKS))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def as_tuples(roster) -> list[tuple[str, str, str]]:
    return [(u.code, u.name, u.kind) for u in roster.units]


def problem(path: Path) -> RosterError:
    with pytest.raises(RosterError) as info:
        read_roster(path)
    return info.value


# -- the sample province -------------------------------------------------------------------------


def test_sample_roster_is_tra_vinh(roster):
    assert len(roster.units) == 28
    assert roster.units[0].name == "Văn phòng UBND tỉnh"
    assert roster.require("STTTT").name == "Sở Thông tin và Truyền thông"
    assert roster.require("SVHTTDL").name == "Sở Văn hóa, Thể thao và Du lịch"  # a quoted comma
    assert {u.kind for u in roster.units} == {"so", "huyen"}
    assert sum(u.kind == "huyen" for u in roster.units) == 9
    assert len(set(roster.codes)) == len(roster.codes)


def test_lookup_ignores_case_and_spaces(roster):
    assert roster.get(" stttt ").code == "STTTT"
    assert roster.get("NOPE") is None
    with pytest.raises(RosterError) as info:
        roster.require("NOPE")
    assert info.value.key == "roster.unknown_unit"
    assert "STTTT" in str(info.value)


# -- what Excel and clerks produce ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        csv_text(),
        "\ufeff" + csv_text(),  # Excel's "CSV UTF-8"
        csv_text(newline="\r\n"),  # Windows line ends
        "\ufeff" + csv_text(sep=";", newline="\r\n"),  # Excel with a Vietnamese/European list separator
        csv_text(sep=";"),
        csv_text(header="Mã,Tên,Loại"),
        csv_text(header="mã đơn vị;tên đơn vị;loại", sep=";"),
        csv_text(header="ma,ten,loai"),
        csv_text(header=" CODE , Name , Kind "),
        unicodedata.normalize("NFD", csv_text(header="Mã,Tên,Loại")),  # decomposed accents (macOS)
        csv_text() + "\n\n",  # trailing blank lines
    ],
    ids=[
        "utf8",
        "bom",
        "crlf",
        "bom-semicolon-crlf",
        "semicolon",
        "vi-header",
        "vi-header-long",
        "vi-header-ascii",
        "spaced-header",
        "nfd",
        "blank-lines",
    ],
)
def test_roster_formats(tmp_path, data):
    roster = read_roster(write(tmp_path, data))
    assert as_tuples(roster) == UNITS


def test_columns_in_any_order_and_kind_optional(tmp_path):
    roster = read_roster(write(tmp_path, "name,code\nSở Y tế,SYT\nHuyện Trà Cú,HTCU\n"))
    assert as_tuples(roster) == [("SYT", "Sở Y tế", ""), ("HTCU", "Huyện Trà Cú", "")]


def test_non_breaking_spaces_are_cleaned(tmp_path):
    roster = read_roster(write(tmp_path, "code,name\nSYT,\u00a0Sở\u00a0Y tế \n"))
    assert roster.units[0].name == "Sở Y tế"


def test_parse_roster_from_text():
    assert parse_roster(csv_text()).codes == ("STTTT", "SVHTTDL", "HCK")


# -- refusals ------------------------------------------------------------------------------------


def test_duplicate_codes_name_both_lines(tmp_path):
    path = write(tmp_path, "code,name\nSNV,Sở Nội vụ\nSYT,Sở Y tế\nsnv,Sở Nội vụ (trùng)\n")
    err = problem(path)
    text = err.render("vi")
    assert str(path) in text
    assert "dòng 4" in text and "dòng 2" in text and "'snv'" in text
    english = err.render("en")
    assert "line 4" in english and "line 2" in english


def test_empty_name(tmp_path):
    text = str(problem(write(tmp_path, "code,name\nSNV,Sở Nội vụ\nSYT,\n")))
    assert "dòng 3" in text and "SYT" in text and "chưa có tên" in text


def test_empty_code(tmp_path):
    assert "dòng 2: thiếu mã đơn vị" in str(problem(write(tmp_path, "code,name\n,Sở Y tế\n")))


def test_code_with_accents_is_refused(tmp_path):
    text = str(problem(write(tmp_path, "code,name\nSỞYT,Sở Y tế\n")))
    assert "dòng 2" in text and "SỞYT" in text


def test_bad_kind(tmp_path):
    text = str(problem(write(tmp_path, "code,name,kind\nSYT,Sở Y tế,so\nHCK,Huyện Cầu Kè,ấp\n")))
    assert "dòng 3" in text and "'ấp'" in text


def test_every_level_has_its_kind(tmp_path):
    # The levels of docs/spec.md §9: a district's offices and communes, the ministry's provinces.
    roster = read_roster(
        write(
            tmp_path,
            "code,name,kind\nPNV,Phòng Nội vụ,phòng\nX01,Xã Đa Lộc,xã\nP01,Phường 1,phường\n"
            "TT,Thị trấn Châu Thành,thị trấn\nTVH,Tỉnh Trà Vinh,tỉnh\nHN,Hà Nội,thành phố trực thuộc trung ương\n",
        )
    )
    assert [u.kind for u in roster.units] == ["so", "xa", "xa", "xa", "tinh", "tinh"]


def test_every_problem_is_listed_at_once(tmp_path):
    err = problem(write(tmp_path, "code,name,kind\nSYT,,so\nSYT,Sở Y tế,ấp\n"))
    assert err.key == "roster.problems"
    assert [p.key for p in err.params["problems"]] == [
        "roster.no_name",
        "roster.duplicate",
        "roster.bad_kind",
    ]


def test_bytes_no_encoding_explains_are_refused(tmp_path):
    # Spanish in Latin-1: read as Windows-1258 it holds "ñ", which Vietnamese has not.
    data = "code,name\nSYT,Año\n".encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test's own premise
    err = problem(write(tmp_path, data))
    assert err.key == "roster.encoding"
    assert "CSV UTF-8" in err.render("vi") and "CSV UTF-8" in err.render("en")
    assert "Windows-1258" in err.render("vi")


@pytest.mark.parametrize("data", ["", "\ufeff", "\n\n", "code,name\n", "code;name;kind\r\n\r\n"])
def test_empty_roster(tmp_path, data):
    assert problem(write(tmp_path, data)).key == "roster.empty"


@pytest.mark.parametrize(
    "data",
    ["STTTT,Sở Thông tin và Truyền thông\n", "code,ten_goi\nSYT,Sở Y tế\n", "ma_so,name\nSYT,Sở Y tế\n"],
    ids=["no header", "no name column", "no code column"],
)
def test_missing_header_columns(tmp_path, data):
    err = problem(write(tmp_path, data))
    assert err.key == "roster.header"
    assert "code" in str(err) and "name" in str(err)


def test_unreadable_roster(tmp_path):
    err = problem(tmp_path / "khong-co.csv")
    assert err.key == "roster.unreadable" and "khong-co.csv" in str(err)


# -- through the command line: exit 2, nothing written --------------------------------------------

BAD_ROSTERS = {
    "duplicate": "code,name\nSNV,Sở Nội vụ\nSNV,Sở Nội vụ\n".encode(),
    "empty name": b"code,name\nSNV,\n",
    "bad kind": "code,name,kind\nSNV,Sở Nội vụ,ap\n".encode(),
    "not an encoding dv knows": "code,name\nBDT,Año\n".encode("latin-1"),
    "empty": b"",
    "no header": "SNV,Sở Nội vụ\n".encode(),
}


@pytest.mark.parametrize("with_unit", [False, True], ids=["per unit", "one unit"])
@pytest.mark.parametrize("case", list(BAD_ROSTERS), ids=list(BAD_ROSTERS))
def test_cli_refuses_a_bad_roster(tmp_path, monkeypatch, case, with_unit):
    monkeypatch.delenv("DV_LANG", raising=False)
    roster = write(tmp_path, BAD_ROSTERS[case])
    out = tmp_path / "out"
    out.mkdir()
    args = ["make-template", "--units", str(roster), "-o", str(out / "bieu-mau")]
    if with_unit:
        args += ["--unit", "SNV"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(roster) in result.output
    assert list(out.iterdir()) == []


def test_cli_missing_roster_file(tmp_path):
    args = ["--lang", "en", "make-template", "--units", str(tmp_path / "x.csv"), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "Cannot read the unit roster" in result.output
    assert not (tmp_path / "out").exists()
