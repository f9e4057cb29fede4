"""``dv``: the command line. It parses, calls the library, renders; nothing else.

Heavy modules (openpyxl, xlsxwriter, pandas) are imported inside the commands so that
``dv --help`` answers at once. Unlike dv's other modules, no ``from __future__ import
annotations``: typer reads every option's annotation at each run, and annotations kept as
text cost it ~5 ms of evaluating them (``dv --help``, ``dv check``…).
"""

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TextIO

import typer
from typer.core import TyperCommand, TyperGroup

from .messages import DvError, UnknownLang, lang_from, t

if TYPE_CHECKING:  # imported for the annotations of helpers only: `dv --help` imports none of them
    from rich.console import Console
    from typer._click.core import Context
    from typer._click.exceptions import UsageError

    from .form import Form
    from .merger import MergeResult
    from .previous import Comparison, PreviousSummary
    from .roster import Roster


class _Group(TyperGroup):
    """The command group, with the parser's own errors (a missing argument, a bad option
    value; English only in typer) said in the user's language."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        argv = list(sys.argv[1:] if args is None else args)
        try:
            lang = _lang_of(argv)
        except UnknownLang as exc:
            if not standalone_mode:
                raise
            typer.echo(f"{exc.render('vi')}\n{exc.render('en')}", err=True)
            sys.exit(2)
        state.lang = lang
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as exc:
            if not standalone_mode:
                raise
            if isinstance(exc, NoArgsIsHelpError):
                exc.show()
            else:
                typer.echo(_usage_error_text(exc, lang), err=True)
            sys.exit(exc.exit_code)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def get_help(self, ctx: "Context") -> str:
        return _help_in(super().get_help(ctx), state.lang)


class _Command(TyperCommand):
    def get_help(self, ctx: "Context") -> str:
        return _help_in(super().get_help(ctx), state.lang)


class _SubGroup(TyperGroup):
    """A group of commands under dv (``dv form …``), its help in the user's language."""

    def get_help(self, ctx: "Context") -> str:
        return _help_in(super().get_help(ctx), state.lang)


_HELP_VI = (
    (r"^Usage: ", "Cách dùng: "),
    (r"^Arguments:$", "Đối số:"),
    (r"^Options:$", "Tùy chọn:"),
    (r"^Commands:$", "Lệnh:"),
    (r"Show this message and exit\.", "Xem hướng dẫn này."),
    (r"\[required\]", "[bắt buộc]"),
    (r"\[OPTIONS\]", "[TÙY CHỌN]"),
    (r"COMMAND \[ARGS\]\.\.\.", "LỆNH [ĐỐI SỐ]..."),
    # Value placeholders, padded to their English width: the option column stays aligned.
    (r"<str>", "<chữ>"),
    (r"<path>", "<tệp> "),
    (r"<int>", "<số> "),
)


def _help_in(text: str, lang: str) -> str:
    """typer's own words in the help (headings, the --help option) in the user's language."""
    import re

    if lang == "en":
        return text
    for pattern, vi in _HELP_VI:
        text = re.sub(pattern, vi, text, flags=re.M)
    return text


def _lang_of(argv: list[str]) -> str:
    """The language of the run, before the parser has read ``--lang`` (its errors need it)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return lang_from(argv[i + 1])
        if arg.startswith("--lang="):
            return lang_from(arg.split("=", 1)[1])
    return lang_from(None)


def _commands(ctx: "Context | None") -> str:
    """The group's commands, as registered: a message that lists them by hand misses new ones."""
    group = ctx.find_root().command if ctx is not None else typer.main.get_command(app)
    return ", ".join(group.list_commands(ctx))


def _usage_error_text(exc: "UsageError", lang: str) -> str:
    """A usage error in the user's language: the usage line, where to find help, what is wrong."""
    import re

    from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption

    say = lambda key, **kw: t(key, lang, **kw)  # noqa: E731
    if isinstance(exc, MissingParameter) and exc.param is not None:
        param = exc.param
        if param.param_type_name == "argument":
            message = say(
                "usage.missing_argument", name=param.name, help=(getattr(param, "help", "") or "").rstrip(".")
            )
        else:
            message = say("usage.missing_option", name=" / ".join(param.opts))
    elif isinstance(exc, BadParameter):
        name = exc.param.get_error_hint(exc.ctx) if exc.param is not None else "?"
        message = _bad_value(exc, name, lang)
    elif isinstance(exc, NoSuchOption):
        message = say("usage.no_such_option", name=exc.option_name)
        if exc.possibilities:
            message += " " + say("usage.did_you_mean", names=", ".join(sorted(exc.possibilities)))
    elif isinstance(exc, BadOptionUsage):
        key = "usage.option_takes_no_value" if "does not take" in exc.message else "usage.option_needs_value"
        message = say(key, name=exc.option_name)
    elif m := re.match(r"No such command '(.*?)'", exc.message):
        message = say("usage.no_such_command", name=m.group(1), commands=_commands(exc.ctx))
    elif exc.message.startswith("Missing command"):
        message = say("usage.missing_command", commands=_commands(exc.ctx))
    elif m := re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", exc.message):
        message = say("usage.extra_arguments", args=m.group(1))
    else:
        message = say("usage.other", message=exc.message)
    lines = []
    if exc.ctx is not None:
        usage = exc.ctx.get_usage().removeprefix("Usage:").strip()
        lines += [say("usage.usage", usage=usage), say("usage.try_help", command=exc.ctx.command_path), ""]
    return "\n".join([*lines, say("usage.error", message=message)])


def _bad_value(exc: "UsageError", name: str, lang: str) -> str:
    """Which kind of value was wanted, from the type that refused it (click's number types,
    pinned typer) or from pydantic's error (typer ≥ 0.29 checks values with pydantic)."""
    import ast
    import re

    errors = exc.__cause__.errors() if hasattr(exc.__cause__, "errors") else []
    if errors:
        kind = errors[0].get("type", "")
        reason_key = {
            "int_parsing": "usage.not_integer",
            "int_from_float": "usage.not_integer",
            "int_type": "usage.not_integer",
            "float_parsing": "usage.not_number",
        }.get(kind)
        if reason_key is not None:
            return t("usage.bad_value", lang, value=errors[0].get("input"), name=name, reason=t(reason_key, lang))
    elif m := re.match(r"(.+) is not a valid (int|float)\.$", exc.message):
        reason_key = "usage.not_integer" if m.group(2) == "int" else "usage.not_number"
        try:
            value = ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            value = m.group(1)
        return t("usage.bad_value", lang, value=value, name=name, reason=t(reason_key, lang))
    return t("usage.bad_value_plain", lang, name=name, reason=exc.message.rstrip("."))


app = typer.Typer(
    cls=_Group,
    name="dv",
    help=(
        "dv: biểu mẫu Excel cho phụ lục số liệu báo cáo công tác dân vận chính quyền — "
        "tạo biểu mẫu, kiểm tra tệp đã điền, tổng hợp cả tỉnh.\n\n"
        "dv: Excel forms for the government mass-mobilisation report's statistical appendix — "
        "make templates, check filled workbooks, merge a province."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Options shared by several commands: declared once.
FormOpt = Annotated[
    Optional[str],
    typer.Option(
        "--form",
        help="Mã biểu mẫu, hoặc tệp biểu mẫu: .toml, hay bảng tính .xlsx/.ods của dv form export "
        "(mặc định: dan-van-chinh-quyen).",
    ),
]
UnitsOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--units",
        help="Danh sách đơn vị (CSV: code,name[,kind]; UTF-8, Windows-1258 hoặc UTF-16; phẩy, chấm phẩy, tab).",
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Ghi đè tệp kết quả đã có.")]
LangOpt = Annotated[
    Optional[str],
    typer.Option("--lang", help="Ngôn ngữ thông báo: vi (mặc định) hoặc en. Cũng đặt được bằng DV_LANG."),
]


class _State:
    lang = "vi"
    stopped_by: int | None = None  # the signal that stopped the run (SIGINT, SIGTERM, SIGHUP)


state = _State()


@app.callback()
def main(lang: LangOpt = None) -> None:
    """Công cụ dv."""
    # Without a group-level --lang, keep what _Group.main read from the whole command line:
    # "dv check --lang en --help" prints its help before the command's --lang is parsed.
    if lang:
        state.lang = lang_from(lang)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _load_form(form: str | None, year: int | None = None) -> "Form":
    from .form import FormError, load_form

    try:
        return load_form(form, year)
    except FormError as exc:
        _fail(t("form.error", state.lang, reason=exc.render(state.lang)))


@app.command("make-template", cls=_Command)
def make_template(
    output: Annotated[
        Optional[str],
        typer.Option(
            "-o",
            "--output",
            help="Tệp .xlsx, hoặc thư mục (có sẵn, hoặc kết thúc bằng /) hay khi tạo cho cả danh sách.",
        ),
    ] = None,
    form: FormOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Năm của biểu mẫu (mặc định: năm mới nhất).")] = None,
    units: UnitsOpt = None,
    unit: Annotated[
        Optional[str], typer.Option("--unit", help="Mã một đơn vị: tạo biểu mẫu riêng cho đơn vị đó.")
    ] = None,
    generic: Annotated[
        bool,
        typer.Option(
            "--generic",
            help="Với --units: chỉ một biểu mẫu chung, chọn đơn vị từ danh sách thả xuống của danh sách đơn vị.",
        ),
    ] = False,
    force: ForceOpt = False,
    lang: LangOpt = None,
) -> None:
    """Tạo biểu mẫu Excel để các đơn vị điền (Make the Excel template units fill).

    Không có --units/--unit: một biểu mẫu chung. --units R --unit C: biểu mẫu riêng cho đơn vị C.
    --units R: mỗi đơn vị một biểu mẫu riêng, OUT là thư mục.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    from .make import make_templates

    started = time.perf_counter()
    try:
        result = make_templates(
            _load_form(form, year),
            output=Path(output) if output else None,
            output_is_folder=bool(output) and output.endswith(("/", os.sep)),
            roster_path=units,
            unit_code=unit,
            force=force,
            generic_only=generic,
        )
    except DvError as exc:
        said = exc.render(lang)
        if exc.key.startswith("output.") and exc.key != "output.set_partial":
            said += "\n" + t("output.nothing_written", lang)
        _fail(said)
    _roster_warnings(result.warnings)
    if result.removed:
        paths = ", ".join(str(p) for p in result.removed)
        typer.echo(t("output.stale_removed", lang, count=len(result.removed), paths=paths), err=True)
    from .numbers import format_number

    elapsed = t("template.timing", lang, seconds=format_number(round(time.perf_counter() - started, 2), lang=lang))
    if len(result.paths) == 1 and not result.folder:
        typer.echo(f"{t('template.written', lang, path=result.paths[0])} {elapsed}")
    else:
        # One personalised file per unit of the roster, and the generic one with its dropdown.
        personal = len(result.paths) - result.generic
        said = t("template.written_many", lang, count=personal, generic=result.generic, path=result.folder)
        typer.echo(f"{said} {elapsed}")


def _load_roster(units: Path | None) -> "Roster | None":
    if units is None:
        return None
    from .roster import read_roster

    try:
        roster = read_roster(units)
    except DvError as exc:
        _fail(exc.render(state.lang))
    _roster_warnings(roster.warnings)
    return roster


def _roster_warnings(warnings: Sequence[DvError]) -> None:
    for warning in warnings:
        typer.echo(warning.render(state.lang), err=True)


@app.command("check", cls=_Command)
def check(
    files: Annotated[list[Path], typer.Argument(help="Các tệp (hoặc thư mục) cần kiểm tra.", show_default=False)],
    form: FormOpt = None,
    units: UnitsOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (docs/spec.md §5.11).")] = False,
    annotate: Annotated[
        bool,
        typer.Option("--annotate", help="Ghi bản sao có tô màu và ghi chú ở ô lỗi, cạnh tệp gốc (*.kiem-tra.xlsx)."),
    ] = False,
    force: ForceOpt = False,
    lang: LangOpt = None,
) -> None:
    """Kiểm tra tệp đã điền (Check filled workbooks).

    Thoát 0: không có lỗi (có thể có lưu ý); 1: có lỗi; 2: sai cách dùng hoặc không đọc được tệp nào.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    import json

    from .intake import check_files
    from .intake.folder import expand_paths
    from .intake.readers import assert_defused
    from .issues import reports_json

    assert_defused()
    the_form = _load_form(form)
    roster = _load_roster(units)
    paths, missing = expand_paths(files)
    for path in missing:
        typer.echo(t("check.missing_path", lang, path=path), err=True)
    if not paths:
        _fail(t("check.no_files", lang))
    # One folder: its files are named relative to it (two STTTT.xlsx of two sub-folders differ).
    root = files[0] if len(files) == 1 and files[0].is_dir() else None
    reports = check_files(paths, the_form, roster, root=root)
    if json_out:
        typer.echo(json.dumps(reports_json(the_form, reports, lang), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        from .render import render_reports, render_summary

        # markup and emoji off: "[/b]" or ":smile:" in a file name or a cell is text, not a Rich
        # style tag or an emoji (and Rich's emoji table is not loaded).
        console = Console(soft_wrap=False, markup=False, emoji=False)
        render_reports(console, reports, lang)
        render_summary(console, reports, lang)
    if annotate:
        from .annotate import annotate as write_annotated
        from .annotate import annotated_path

        # Two inputs whose copies share a name ("seed" and "seed.xlsx"): the second would
        # overwrite the first with --force, or be refused as if an old copy were there.
        targets: dict[Path, str] = {}
        for report in reports:
            if not report.issues or report.status == "ignored":
                continue
            if not Path(report.path).is_file():  # inside an archive: there is no "next to it" to write to
                typer.echo(t("check.annotate_archive", lang, path=report.name), err=True)
                continue
            target = annotated_path(Path(report.path)).resolve()
            if (other := targets.get(target, report.path)) != report.path:
                typer.echo(t("check.annotate_clash", lang, path=report.path, target=target.name, other=other), err=True)
                continue
            try:
                written = write_annotated(report, force=force, lang=lang)
            except DvError as exc:
                typer.echo(exc.render(lang), err=True)
                continue
            except Exception as exc:  # noqa: BLE001 - openpyxl's own failure on one file: the copy is a courtesy, the others go on
                typer.echo(t("check.annotate_failed", lang, path=report.path, reason=str(exc)[:200]), err=True)
                continue
            if written:
                targets[target] = report.path
            key, path = ("check.annotated", written) if written else ("check.annotate_skipped", report.path)
            typer.echo(t(key, lang, path=path), err=True)
    # Readable: got past the file-level checks (not broken, unsafe, encrypted or ignored).
    readable = [r for r in reports if r.readable and r.status != "ignored"]
    if missing or not readable:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(r.errors for r in reports if r.status != "ignored") else 0)


@app.command("merge", cls=_Command)
def merge(
    folder: Annotated[Path, typer.Argument(help="Thư mục chứa các tệp đơn vị gửi về (đọc cả thư mục con).")],
    output: Annotated[
        Optional[Path], typer.Option("-o", "--output", help="Tệp tổng hợp .xlsx (mặc định: tong-hop-<năm>.xlsx).")
    ] = None,
    form: FormOpt = None,
    units: UnitsOpt = None,
    json_path: Annotated[
        Optional[Path], typer.Option("--json", help="Ghi báo cáo JSON (docs/spec.md §5.11) vào tệp này.")
    ] = None,
    docx_path: Annotated[
        Optional[Path],
        typer.Option(
            "--docx",
            help="Ghi thêm phụ lục số liệu của tỉnh dạng Word (.docx, thể thức Nghị định 30/2020/NĐ-CP), "
            "để dán vào báo cáo; một thư mục: phu-luc-<năm>.docx trong đó.",
        ),
    ] = None,
    previous: Annotated[
        Optional[Path],
        typer.Option(
            "--previous",
            help="Tổng hợp năm trước (tệp .xlsx do dv merge tạo): thêm so sánh với năm trước vào tổng hợp, "
            "JSON và phụ lục Word.",
        ),
    ] = None,
    use: Annotated[
        Optional[list[str]],
        typer.Option(
            "--use",
            help="Cán bộ chọn tệp dùng cho đơn vị của nó (đường dẫn như dv in ra, hoặc mã SHA-256): khi dv không "
            "xác định được tệp nào là bản sau cùng (xung đột) hoặc tệp đơn vị nào (xung đột đơn vị). Dùng nhiều "
            "lần cho nhiều đơn vị.",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help="In từng tệp đã thay, trùng lặp và từng lưu ý (mặc định: một dòng cho mỗi đơn vị)."
        ),
    ] = False,
    force: ForceOpt = False,
    lang: LangOpt = None,
) -> None:
    """Tổng hợp các tệp đã điền thành bảng tổng hợp của tỉnh (Merge into the provincial summary).

    Thoát 0: đã ghi tổng hợp, mọi tệp hợp lệ; 1: đã ghi, có tệp bị từ chối hoặc chờ cán bộ chọn (xung đột);
    2: sai cách dùng, không ghi được.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    from .intake.readers import assert_defused
    from .outputs import merge_outputs, plan_merge, write_outputs

    assert_defused()
    the_form = _load_form(form)
    roster = _load_roster(units)
    last_year = _load_previous(previous, the_form) if previous is not None else None
    try:
        plan = plan_merge(folder, the_form, output=output, json=json_path, docx=docx_path, force=force, use=use or ())
    except DvError as exc:
        _fail(exc.render(lang))
    result = _read_round(plan, the_form, roster, lang, folder, use)
    from rich.console import Console

    comparison = None
    if last_year is not None:
        from .previous import compare

        comparison = compare(result, last_year)
    try:
        built = merge_outputs(result, comparison, json=plan.json is not None, docx=plan.docx is not None, lang=lang)
        write_outputs(plan, built, force=force)
    except DvError as exc:
        said = exc.render(lang)
        if exc.key != "output.set_partial":
            said += "\n" + t("output.nothing_written", lang)
        _fail(said)
    from .render import render_merge

    # markup and emoji off: "[/b]" or ":smile:" in a cell or a file name is text, not a Rich
    # style tag or an emoji.
    console = Console(soft_wrap=True, markup=False, emoji=False)
    render_merge(console, result, plan.summary, plan.json, lang, verbose=verbose)
    if comparison is not None:
        _render_comparison(console, comparison, the_form, lang)
    if plan.docx is not None:
        console.print(t("docx.written", lang, path=plan.docx), style="green", highlight=False)
    raise typer.Exit(0 if result.ok else 1)


@app.command("roll-up", cls=_Command)
def roll_up(
    folder: Annotated[
        Path, typer.Argument(help="Thư mục các tệp đơn vị cấp dưới gửi về (như dv merge), đọc cả thư mục con.")
    ],
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            help="Biểu mẫu cấp trên gửi (tệp .xlsx trống do dv make-template của cấp trên tạo, chung hoặc riêng "
            "cho đơn vị này): dv điền số liệu tổng hợp vào đó.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[Path],
        typer.Option(
            "-o",
            "--output",
            help="Tệp .xlsx ghi ra (mặc định: tên biểu mẫu cấp trên thêm -gui-len); một thư mục: tệp đó trong nó. "
            "Không ghi vào thư mục đang tổng hợp.",
        ),
    ] = None,
    form: FormOpt = None,
    units: UnitsOpt = None,
    to_form: Annotated[
        Optional[str],
        typer.Option(
            "--to-form",
            help="Biểu mẫu của cấp trên (mã, tệp .toml hay bảng tính biểu mẫu) khi dv chưa có sẵn mẫu đó "
            "(mặc định: theo thông tin trong biểu mẫu --to).",
        ),
    ] = None,
    use: Annotated[
        Optional[list[str]],
        typer.Option(
            "--use",
            help="Như dv merge --use: cán bộ chọn tệp dùng cho đơn vị của nó khi dv không tự xác định được.",
            show_default=False,
        ),
    ] = None,
    set_values: Annotated[
        Optional[list[str]],
        typer.Option(
            "--set",
            help="MÃ=GIÁ_TRỊ: điền sẵn một ô cán bộ gõ (số báo cáo, ngày báo cáo, người ký…), đọc như ô gõ tay, ví "
            "dụ --set report_date=05/12/2020. Lặp lại cho nhiều ô. Không dùng thì cán bộ gõ trong Excel.",
            show_default=False,
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Vẫn lập báo cáo khi vòng tổng hợp chưa chốt (tệp bị từ chối, xung đột, đơn vị chưa gửi); cấp trên "
            "sẽ thấy báo cáo chưa đủ.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Như dv merge --verbose: in từng tệp đã thay, trùng lặp và từng lưu ý.")
    ] = False,
    force: ForceOpt = False,
    lang: LangOpt = None,
) -> None:
    """Lập báo cáo gửi cấp trên từ vòng tổng hợp của cấp mình (Roll the round up into the report for the level above).

    Đọc các tệp như dv merge, rồi điền tổng số liệu vào biểu mẫu của cấp trên (cộng các số, tính lại tỷ lệ từ
    các tổng, kèm văn bản và nguồn gốc từng tệp). Thoát 0: đã ghi; 1: đã ghi với --partial khi vòng chưa chốt;
    2: chưa ghi gì (vòng chưa chốt, biểu mẫu không dùng được, thiếu chỉ tiêu, sai cách dùng).
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    from .intake.readers import assert_defused
    from .outputs import plan_rollup

    assert_defused()
    lower = _load_form(form)
    upper = _load_form(to_form) if to_form else None
    roster = _load_roster(units)
    typed: dict[str, str] = {}
    for item in set_values or []:
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            _fail(t("rollup.set", lang, value=item))
        typed[code.strip()] = value
    try:
        plan = plan_rollup(folder, to, output=output, force=force, use=use or ())
    except DvError as exc:
        _fail(exc.render(lang))
    result = _read_round(plan, lower, roster, lang, folder, use)
    from rich.console import Console

    from .render import render_merge, render_rollup

    console = Console(soft_wrap=True, markup=False, emoji=False)
    render_merge(console, result, None, None, lang, verbose=verbose)
    from .fsutil import atomic_write
    from .rollup import roll_up as make_rollup

    try:
        made = make_rollup(result, plan.template, upper=upper, typed=typed, partial=partial)
        written = atomic_write(plan.output, made.data, force=force)
    except DvError as exc:
        said = exc.render(lang)
        if exc.key != "output.set_partial":
            said += "\n" + t("output.nothing_written", lang)
        _fail(said)
    render_rollup(console, made, written, lang)
    raise typer.Exit(1 if made.open else 0)


def _load_previous(path: Path, the_form: "Form") -> "PreviousSummary":
    from .previous import read_previous

    try:
        return read_previous(path, the_form)
    except DvError as exc:
        _fail(exc.render(state.lang))


def _render_comparison(console: "Console", comparison: "Comparison", the_form: "Form", lang: str) -> None:
    """What could and could not be compared with last year, said once after the merge."""
    comp = comparison
    say = lambda key, **kw: console.print(t(key, lang, **kw), highlight=False)  # noqa: E731
    say("previous.compared", year=comp.previous_year, path=comp.path, units=len(comp.units_with("compared")))
    if comp.form_version and not comp.same_version:
        say("previous.version", year=comp.previous_year, found=comp.form_version, version=the_form.version)
    if comp.new_fields:
        say("previous.new_fields", fields=", ".join(f"{the_form.field(c).text(lang)} ({c})" for c in comp.new_fields))
    if comp.dropped_fields:
        say("previous.dropped_fields", fields=", ".join(comp.dropped_fields))
    if comp.units_with("not_in_previous"):
        say("previous.units_new", year=comp.previous_year, units=", ".join(comp.units_with("not_in_previous")))
    if comp.units_with("not_sent_previous"):
        say("previous.units_silent", year=comp.previous_year, units=", ".join(comp.units_with("not_sent_previous")))
    if comp.dropped_units:
        named = (
            f"{code} ({comp.previous_names[code]})" if comp.previous_names.get(code) else code
            for code in comp.dropped_units
        )
        say("previous.units_dropped", year=comp.previous_year, units=", ".join(named))


def _read_round(plan: Any, the_form: Any, roster: Any, lang: str, folder: Path, use: list[str] | None) -> Any:
    """The round of ``dv merge`` and ``dv roll-up``: the stale outputs removed are said, every
    file is read (with a progress bar), and a folder with nothing readable stops here (exit 2)."""
    if plan.removed:
        paths = ", ".join(str(p) for p in plan.removed)
        typer.echo(t("output.stale_removed", lang, count=len(plan.removed), paths=paths), err=True)
    result = _merge_with_progress(list(plan.inputs), the_form, roster, lang, root=folder, use=use or ())
    if not any(f.fmt and f.status != "ignored" for f in result.files):
        # Nothing but lock files, stray documents and the like: nothing to write.
        from rich.console import Console

        from .render import render_reports

        render_reports(Console(stderr=True, markup=False, emoji=False), result.files, lang)
        _fail(t("merge.nothing_readable", lang, path=folder))
    return result


def _merge_with_progress(
    inputs: list[Path], the_form: "Form", roster: "Roster | None", lang: str, *, root: Path, use: Sequence[str]
) -> "MergeResult":
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .merger import merge

    console = Console(stderr=True, markup=False, emoji=False)
    if len(inputs) < 20 or not console.is_terminal:
        return merge(inputs, the_form, roster, root=root, use=use)
    columns = (TextColumn(t("merge.reading", lang)), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("read", total=len(inputs))
        return merge(inputs, the_form, roster, progress=lambda _r: bar.advance(task), root=root, use=use)


@app.command("serve", cls=_Command)
def serve(
    data: Annotated[
        Path, typer.Option("--data", help="Thư mục lưu mọi thứ của cổng nộp (tệp nhận được, cơ sở dữ liệu).")
    ],
    units: UnitsOpt = None,
    form: FormOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Địa chỉ lắng nghe (mặc định chỉ máy này: 127.0.0.1).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng.")] = 8080,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="Hạn nộp, dạng YYYY-MM-DD.")] = None,
    max_upload: Annotated[str, typer.Option("--max-upload", help="Cỡ tệp tối đa mỗi lần nộp.")] = "10MB",
    tls_cert: Annotated[Optional[Path], typer.Option("--tls-cert", help="Chứng chỉ TLS (HTTPS).")] = None,
    tls_key: Annotated[Optional[Path], typer.Option("--tls-key", help="Khóa riêng TLS.")] = None,
    base_url: Annotated[
        Optional[str],
        typer.Option(
            "--base-url",
            help="Địa chỉ các đơn vị dùng để mở cổng (ghi vào links.csv; chỉ nhận biểu mẫu gửi từ trang có địa chỉ này).",
        ),
    ] = None,
    trusted_proxy: Annotated[
        Optional[list[str]],
        typer.Option(
            "--trusted-proxy",
            help="Địa chỉ (hoặc mạng) của máy chủ trung gian (nginx, Caddy) được tin khi báo địa chỉ thật của "
            "người dùng (X-Forwarded-For); lặp lại cho nhiều máy. Mặc định: không tin ai.",
        ),
    ] = None,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone", help="Múi giờ của tỉnh: hạn nộp là hết ngày theo giờ này; mọi thời điểm ghi kèm múi giờ."
        ),
    ] = "Asia/Ho_Chi_Minh",
    set_password: Annotated[
        bool,
        typer.Option("--set-password", help="Đặt mật khẩu cán bộ Sở Nội vụ (hỏi trên màn hình, hoặc DV_PASSWORD)."),
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Chạy cổng nộp báo cáo qua mạng nội bộ (Run the submission portal).

    Mỗi đơn vị nộp qua đường dẫn riêng (ghi trong DATA/links.csv), thấy ngay kết quả kiểm tra; cán bộ
    Sở Nội vụ đăng nhập để xem tình hình nộp và tải bảng tổng hợp.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    try:
        # toolkit.web's own modules import no web library: the app module (Starlette, Jinja2)
        # and uvicorn are what the [web] extra brings, so they are what must import here.
        import uvicorn  # noqa: F401

        from .web import ServeOptions, parse_size
        from .web import app as _web_app  # noqa: F401
        from .web import serve as run_portal
        from .web.clock import load_zone
        from .web.serve import parse_proxy
    except ImportError:
        _fail(t("serve.needs_web", lang))
    if set_password:
        from .web.store import Store

        password = os.environ.get("DV_PASSWORD") or typer.prompt(
            t("serve.password_prompt", lang), hide_input=True, confirmation_prompt=True
        )
        if len(password) < 8:
            _fail(t("serve.password_short", lang, n=8))
        Store(data).set_password(password)
        typer.echo(t("serve.password_set", lang))
        return
    if units is None:
        _fail(t("serve.needs_units", lang))
    if (tls_cert is None) != (tls_key is None):
        _fail(t("serve.tls_pair", lang))
    cap = parse_size(max_upload)
    if not cap:
        _fail(t("serve.bad_size", lang, value=max_upload))
    import datetime as dt

    try:
        due = dt.date.fromisoformat(deadline) if deadline else None
    except ValueError:
        _fail(t("serve.bad_deadline", lang, value=deadline))
    if load_zone(timezone) is None:
        _fail(t("serve.bad_timezone", lang, value=timezone))
    proxies = []
    for value in trusted_proxy or []:
        parsed = parse_proxy(value)
        if parsed is None:
            _fail(t("serve.bad_proxy", lang, value=value))
        proxies.append(parsed)
    from .intake.readers import assert_defused

    assert_defused()
    options = ServeOptions(
        data=data,
        form=_load_form(form),
        roster=_load_roster(units),
        host=host,
        port=port,
        deadline=due,
        max_upload=cap,
        tls_cert=tls_cert,
        tls_key=tls_key,
        base_url=base_url,
        trusted_proxies=tuple(proxies),
        timezone=timezone,
        lang=lang,
    )
    run_portal(options, lambda key, params: typer.echo(t(key, lang, **params)))


form_app = typer.Typer(
    cls=_SubGroup,
    help=(
        "Biểu mẫu năm sau: xuất ra bảng tính để soạn trong Excel, LibreOffice, rồi kiểm tra "
        "(The form definition: export it to edit in Excel, check it)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(form_app, name="form")


@form_app.command("export", cls=_Command)
def form_export(
    output: Annotated[
        Optional[Path],
        typer.Option(
            "-o", "--output", help="Tệp ghi ra (mặc định: bieu-mau-<năm>.xlsx); một thư mục: tệp đó trong nó."
        ),
    ] = None,
    form: FormOpt = None,
    to: Annotated[
        Optional[str],
        typer.Option("--to", help="xlsx (mặc định: bảng tính để soạn) hoặc toml (văn bản); theo đuôi của -o nếu có."),
    ] = None,
    force: ForceOpt = False,
    lang: LangOpt = None,
) -> None:
    """Ghi biểu mẫu ra bảng tính để soạn trong Excel, LibreOffice (Export the form to edit it).

    Mỗi phần của biểu mẫu một trang (thông tin, chỉ tiêu, quy tắc, danh mục, đơn vị…), tiêu đề tiếng Việt,
    danh sách chọn, trang Hướng dẫn. --to toml: văn bản TOML.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    from .form.export import EXPORT_FORMATS, export_filename, export_form
    from .fsutil import atomic_write, check_creatable

    fmt = (to or (output.suffix.lstrip(".").lower() if output and output.suffix else "xlsx")).lower()
    if fmt == "ods":
        fmt = "xlsx"
    if fmt not in EXPORT_FORMATS:
        _fail(t("form.bad_to", lang, value=to or fmt))
    the_form = _load_form(form)
    target = output or Path(export_filename(the_form, fmt))
    if target.is_dir() or str(target).endswith(("/", os.sep)):
        target = target / export_filename(the_form, fmt)
    try:
        check_creatable(target, force=force)
        written = atomic_write(target, export_form(the_form, fmt), force=force)
    except DvError as exc:
        _fail(exc.render(lang) + "\n" + t("output.nothing_written", lang))
    typer.echo(t("form.exported", lang, what=t(f"form.exported.{fmt}", lang), path=written))


@form_app.command("check", cls=_Command)
def form_check(
    file: Annotated[Path, typer.Argument(help="Tệp biểu mẫu: bảng tính .xlsx/.ods, hoặc .toml.", show_default=False)],
    json_out: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
    lang: LangOpt = None,
) -> None:
    """Kiểm tra biểu mẫu: mọi lỗi, ở ô của nó, kèm cách sửa (Check a form definition).

    Thoát 0: không có lỗi; 1: có lỗi; 2: sai cách dùng hoặc không đọc được tệp.
    """
    lang = state.lang = lang_from(lang) if lang else state.lang
    import json

    from .form import FormError
    from .form.loader import check_form_file

    try:
        checked = check_form_file(file)
    except FormError as exc:
        _fail(exc.render(lang))
    if json_out:
        typer.echo(json.dumps(checked.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        from .render import render_form_check

        render_form_check(Console(soft_wrap=True, markup=False, emoji=False), checked, lang)
    raise typer.Exit(0 if checked.ok else 1)


class _PipeSafe:
    """A standard stream that a closed pipe (``dv merge … | head -1``) turns into silence: the
    command goes on, writes its outputs and exits with the code README gives, whoever reads
    (or stops reading) what it prints."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        self._closed = True
        # Python flushes the stream at exit: let that flush (and any later write) go nowhere.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:  # everything else is the stream's
        return getattr(self._stream, name)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal, a service stopping): the same clean stop as Ctrl+C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals() -> None:
    import signal

    def stop(signum: int, _frame: object) -> None:
        state.stopped_by = signum  # typer turns the exception into its exit code 130
        raise Stopped(signum)

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def _say_stopped(signum: int) -> None:
    import signal

    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = str(signum)
    fsutil = sys.modules.get("toolkit.fsutil")
    done = fsutil.committed() if fsutil is not None else []
    if done:
        written = t("interrupted.written", state.lang, paths=", ".join(str(p) for p in done))
    else:
        written = t("interrupted.nothing", state.lang)
    typer.echo(t("interrupted", state.lang, signal=name, written=written), err=True)


def run() -> None:
    """Entry point: never a traceback for the user (``DV_DEBUG=1`` shows it)."""
    import os

    sys.stdout = _PipeSafe(sys.stdout)  # type: ignore[assignment]
    sys.stderr = _PipeSafe(sys.stderr)  # type: ignore[assignment]
    _stop_on_signals()
    try:
        app()
    except SystemExit:
        if state.stopped_by is None:
            raise
    except KeyboardInterrupt as exc:
        state.stopped_by = getattr(exc, "signum", state.stopped_by or 2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("DV_DEBUG"):
            raise
        if isinstance(exc, OSError):  # a file this computer would not let dv use: said in the user's words
            from .messages import os_error_text

            error = f"{exc.filename or ''}: {os_error_text(exc).render(state.lang)}".lstrip(": ")
        else:
            error = f"{type(exc).__name__}: {exc}"
        typer.echo(t("unexpected", state.lang, error=error), err=True)
        sys.exit(2)
    if state.stopped_by is not None:  # Ctrl+C, SIGTERM, SIGHUP: said, and exit 128 + the signal
        _say_stopped(state.stopped_by)
        sys.exit(128 + state.stopped_by)


if __name__ == "__main__":  # pragma: no cover
    run()
