"""One issue type and one catalogue of messages.

Every problem found in a submitted file is an :class:`Issue`: a stable code from
:data:`CATALOGUE` (or the id of a form rule), a severity, where it is (field, sheet, cell),
the value seen, and the message in Vietnamese and English. Each message says where, what,
and how to fix; tests build expected messages from here instead of retyping them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .messages import said, t

__all__ = ["Issue", "IssueType", "CATALOGUE", "make_issue", "quote", "FileReport", "Status", "STATUSES", "reports_json"]

ERROR = "error"
WARNING = "warning"


class Status(StrEnum):
    """A file's status: what ``dv check`` says of it (accepted, rejected, ignored, and
    unit-conflict: its template names one unit, its other evidence another), and what a merge
    decides of it among the other files of its unit (duplicate, superseded, and conflict: one
    of the unit's valid files between which dv cannot decide). Never a guess: a file in
    conflict or unit-conflict is not merged until the officer decides (docs/spec.md §8). The
    words are the catalogue's ``status.<value>`` (:meth:`text`)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    CONFLICT = "conflict"
    UNIT_CONFLICT = "unit-conflict"
    IGNORED = "ignored"

    def text(self, lang: str = "vi") -> str:
        return t(f"status.{self.value}", lang)


STATUSES = tuple(Status)


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: str
    vi: str
    en: str
    title: str  # one line for the README's table: what it means


def _t(code: str, severity: str, title: str, vi: str, en: str) -> IssueType:
    return IssueType(code, severity, vi, en, title)


# Placeholders: {where} is "sheet!cell" (or the file), {label} the field's label, {value} the
# value seen, plus per-code ones.
_TYPES = [
    # -- the file itself ---------------------------------------------------------------------
    _t(
        "file-empty",
        ERROR,
        "The file is empty (0 bytes).",
        "Tệp {file} rỗng (0 byte). Đề nghị đơn vị gửi lại tệp Excel đã điền.",
        "{file} is empty (0 bytes). Ask the unit to send the filled Excel file again.",
    ),
    _t(
        "file-not-workbook",
        ERROR,
        "Not a spreadsheet (a PDF, Word file or other content, whatever its name).",
        "Tệp {file} không phải bảng tính Excel mà là {kind}. Đề nghị đơn vị gửi tệp .xlsx của biểu mẫu.",
        "{file} is not an Excel workbook but {kind}. Ask the unit for the form's .xlsx file.",
    ),
    _t(
        "file-format",
        ERROR,
        "A spreadsheet saved in a format dv does not read (.xlsb, .fods, .csv): the unit's file, not read.",
        "Tệp {file} là {kind}, dv chỉ đọc bảng tính .xlsx, .xlsm, .xls, .ods nên chưa đọc số liệu. Đề nghị đơn vị mở "
        'tệp trong Excel hoặc LibreOffice, chọn Tệp → Lưu thành → Sổ làm việc Excel (.xlsx) (LibreOffice: "Excel '
        '2007-365"), rồi gửi lại tệp .xlsx.',
        "{file} is {kind}; dv reads only .xlsx, .xlsm, .xls and .ods workbooks, so no figure was read. Ask the unit "
        'to open it in Excel or LibreOffice, choose File → Save As → Excel Workbook (.xlsx) (LibreOffice: "Excel '
        '2007-365"), and send the .xlsx file again.',
    ),
    _t(
        "file-broken",
        ERROR,
        "A damaged or truncated workbook.",
        "Tệp {file} bị hỏng hoặc không trọn vẹn ({reason}). Đề nghị đơn vị mở lại trong Excel, lưu và gửi lại.",
        "{file} is damaged or incomplete ({reason}). Ask the unit to open it in Excel, save and send again.",
    ),
    _t(
        "file-encrypted",
        ERROR,
        "The workbook is protected by a password to open.",
        "Tệp {file} có mật khẩu mở tệp nên không đọc được. Đề nghị đơn vị bỏ mật khẩu (Tệp → Thông tin → "
        "Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu → để trống) rồi gửi lại.",
        "{file} is protected by an open password and cannot be read. Ask the unit to remove it (File → Info → "
        "Protect Workbook → Encrypt with Password → empty) and send again.",
    ),
    _t(
        "file-unsafe",
        ERROR,
        "The workbook contains unsafe content (XML with a DTD/entities, a zip bomb).",
        "Tệp {file} bị từ chối vì nội dung không an toàn: {reason}. Không mở tệp này; đề nghị đơn vị lưu lại từ biểu mẫu gốc.",
        "{file} was refused as unsafe: {reason}. Do not open it; ask the unit to save it again from the original form.",
    ),
    _t(
        "file-too-large",
        ERROR,
        "A sheet declares or holds far more cells than the form has.",
        "Tệp {file}: trang {sheet} khai báo vùng dữ liệu quá lớn ({reason}). Có thể đã gõ nhầm vào ô rất xa; "
        "xóa các dòng, cột thừa rồi lưu lại.",
        "{file}: sheet {sheet} declares a far too large data area ({reason}). Something was typed far away; "
        "delete the extra rows and columns and save again.",
    ),
    _t(
        "file-unreadable",
        ERROR,
        "The reader failed on this file (it crashed or ran out of memory).",
        "Không đọc được tệp {file} ({reason}). Đề nghị đơn vị mở trong Excel, lưu lại dạng .xlsx và gửi lại.",
        "Cannot read {file} ({reason}). Ask the unit to open it in Excel, save as .xlsx and send again.",
    ),
    _t(
        "file-permission",
        ERROR,
        "A file or sub-folder this computer does not let dv read (not the unit's fault).",
        "Không mở được {what} {file} trên máy tính này: {reason}. Đây là vấn đề quyền truy cập trên máy này, không phải "
        "lỗi của đơn vị: cấp quyền đọc cho tài khoản đang chạy dv (hoặc chép {what} sang thư mục khác) rồi chạy lại.",
        "Cannot open the {what} {file} on this computer: {reason}. This is an access problem on this computer, not the "
        "unit's fault: give the account running dv read access (or copy the {what} elsewhere) and run again.",
    ),
    _t(
        "file-os-error",
        ERROR,
        "The operating system could not read the file (a disk or network error).",
        "Không đọc được {file} trên máy tính này: {reason}. Kiểm tra ổ đĩa hoặc thư mục mạng, hoặc chép tệp sang chỗ "
        "khác rồi chạy lại.",
        "Cannot read {file} on this computer: {reason}. Check the disk or network folder, or copy the file elsewhere "
        "and run again.",
    ),
    _t(
        "file-link-broken",
        ERROR,
        "A shortcut (symbolic link) whose file is gone.",
        "{file} là lối tắt (liên kết) tới {target}, nhưng tệp đó không còn ở đó nên không đọc được. Chép chính tệp bài "
        "nộp vào thư mục (thay cho lối tắt) rồi chạy lại.",
        "{file} is a shortcut (link) to {target}, which no longer exists, so nothing was read. Copy the submitted file "
        "itself into the folder (instead of the shortcut) and run again.",
    ),
    _t(
        "archive-broken",
        ERROR,
        "A damaged .zip archive, or a member that cannot be unpacked.",
        "Tệp nén {file} bị hỏng, không giải nén được ({reason}). Tải lại tệp nén, hoặc giải nén bằng công cụ khác và "
        "đặt các tệp vào thư mục nộp, rồi chạy lại.",
        "The archive {file} is damaged and cannot be unpacked ({reason}). Download it again, or unpack it with another "
        "tool into the submissions folder, and run again.",
    ),
    _t(
        "archive-encrypted",
        ERROR,
        "A .zip archive protected by a password.",
        "Tệp nén {file} có mật khẩu nên dv không đọc các tệp bên trong. Giải nén bằng mật khẩu vào thư mục nộp rồi chạy lại.",
        "The archive {file} is password-protected, so dv does not read the files inside. Unpack it with the password "
        "into the submissions folder and run again.",
    ),
    _t(
        "archive-unsafe",
        ERROR,
        "A .zip archive beyond the limits any zip gets (a zip bomb, too many parts).",
        "Tệp nén {file} bị từ chối vì không an toàn: {reason}. Không giải nén tệp này; đề nghị gửi lại từng tệp.",
        "The archive {file} was refused as unsafe: {reason}. Do not unpack it; ask for the files one by one.",
    ),
    _t(
        "archive-nested",
        ERROR,
        "An archive inside a .zip archive: dv reads one level only.",
        "{file} là tệp nén nằm trong một tệp nén khác; dv chỉ đọc một cấp nên chưa đọc các tệp bên trong. Giải nén nó "
        "vào thư mục nộp rồi chạy lại.",
        "{file} is an archive inside another archive; dv reads one level only, so the files inside were not read. "
        "Unpack it into the submissions folder and run again.",
    ),
    _t(
        "archive-unsupported",
        ERROR,
        "A RAR or 7-Zip archive: dv reads only .zip.",
        "{file} là {kind}; dv chỉ đọc được tệp nén .zip nên chưa đọc các tệp bên trong. Giải nén vào thư mục nộp rồi "
        "chạy lại.",
        "{file} is {kind}; dv only reads .zip archives, so the files inside were not read. Unpack it into the "
        "submissions folder and run again.",
    ),
    _t(
        "file-macro",
        WARNING,
        "A macro-enabled workbook (.xlsm): values are read, macros never run.",
        "Tệp {file} có macro (.xlsm). Chỉ đọc số liệu, không chạy macro. Lần sau hãy lưu dạng .xlsx.",
        "{file} is macro-enabled (.xlsm). Only values are read; macros never run. Save as .xlsx next time.",
    ),
    _t(
        "file-extension",
        WARNING,
        "The file's name does not match its content.",
        "Tên tệp {file} không khớp nội dung (thực chất là {kind}); vẫn đọc theo nội dung.",
        "{file}'s name does not match its content (it is {kind}); read by content.",
    ),
    # -- which form --------------------------------------------------------------------------
    _t(
        "form-unknown",
        ERROR,
        "Not a workbook made from this form (no dv metadata, sheets missing).",
        'Tệp {file} không phải biểu mẫu "{form}" (không có {reason}). Đề nghị đơn vị điền vào biểu mẫu do Sở Nội vụ gửi.',
        '{file} is not made from the form "{form}" (no {reason}). Ask the unit to fill the template sent by Home Affairs.',
    ),
    _t(
        "form-copied",
        ERROR,
        "The form's sheets were copied into a new workbook: the form's information is lost.",
        "Tệp {file}: các trang của biểu mẫu đã được chép sang tệp khác, mất thông tin biểu mẫu (năm, phiên bản, đơn vị) "
        "nên không kiểm tra được. Đề nghị đơn vị điền và gửi chính tệp biểu mẫu do Sở Nội vụ gửi (không chép trang sang "
        "tệp mới).",
        "{file}: the form's sheets were copied into another workbook, losing the form's information (year, version, "
        "unit), so it cannot be checked. Ask the unit to fill and send the template file itself (not sheets copied "
        "into a new file).",
    ),
    _t(
        "form-sheet-renamed",
        ERROR,
        "A sheet of the form was renamed.",
        'Tệp {file}: trang {expected} đã bị đổi tên thành "{found}". Đề nghị đơn vị đổi lại tên trang thành "{expected}" '
        "(nhấp đúp vào tên trang ở dưới cùng), lưu và gửi lại.",
        '{file}: the sheet {expected} was renamed to "{found}". Ask the unit to rename it back to "{expected}" '
        "(double-click the sheet tab), save and send again.",
    ),
    _t(
        "form-other",
        ERROR,
        "A workbook of another form.",
        'Tệp {file} là biểu mẫu "{found}", không phải "{form}". Đề nghị đơn vị dùng đúng biểu mẫu.',
        '{file} is the form "{found}", not "{form}". Ask the unit to use the right form.',
    ),
    _t(
        "form-year",
        ERROR,
        "A template of another year.",
        "Tệp {file} là biểu mẫu năm {found}, không phải năm {year}. Đề nghị đơn vị điền lại vào biểu mẫu năm {year}.",
        "{file} is the {found} template, not {year}. Ask the unit to fill the {year} template.",
    ),
    _t(
        "form-version",
        WARNING,
        "An older or newer version of the same form and year, with the same layout.",
        "Tệp {file} là phiên bản {found} của biểu mẫu (hiện hành: {version}); bố cục giống nhau nên vẫn đọc.",
        "{file} is version {found} of the form (current: {version}); the layout is the same, so it is read.",
    ),
    _t(
        "form-tampered",
        ERROR,
        "The form's fixed content (labels, layout) was changed.",
        'Tệp {file}: nội dung cố định của biểu mẫu đã bị sửa ({where}: "{value}", đúng ra là "{expected}"). '
        "Số liệu có thể nằm sai chỗ; đề nghị đơn vị điền lại vào biểu mẫu gốc, không chèn/xóa dòng, cột.",
        '{file}: the form\'s fixed content was changed ({where}: "{value}", expected "{expected}"). Figures may be '
        "misplaced; ask the unit to fill the original template without inserting or deleting rows or columns.",
    ),
    _t(
        "form-names",
        WARNING,
        "A defined name no longer points where the form says.",
        "Tệp {file}: tên {field} trỏ tới {value}, không phải {where}. Đọc theo vị trí của biểu mẫu.",
        "{file}: the name {field} points to {value}, not {where}. Read by the form's layout.",
    ),
    _t(
        "template-unfilled",
        ERROR,
        "The template came back without any figure.",
        "Tệp {file} chưa điền số liệu (biểu mẫu trống). Đề nghị đơn vị điền rồi gửi lại.",
        "{file} has no figures filled in (an empty template). Ask the unit to fill it and send again.",
    ),
    # -- values ------------------------------------------------------------------------------
    _t(
        "value-required",
        ERROR,
        "A required cell is empty.",
        "{label} ({where}) chưa nhập. Điền số liệu vào ô {cell}.",
        "{label} ({where}) is empty. Fill in cell {cell}.",
    ),
    _t(
        "value-not-number",
        ERROR,
        "A number cell holds text that is not a number.",
        '{label} ({where}) là "{value}", không phải là số. Gõ lại số vào ô {cell} (ví dụ 37).',
        '{label} ({where}) is "{value}", not a number. Type a number into {cell} (e.g. 37).',
    ),
    _t(
        "value-ambiguous-number",
        ERROR,
        "A count typed as text with one separator before three digits (1,000): 1 or 1000?",
        '{label} ({where}) là chữ "{value}": dấu chấm, dấu phẩy ở đây là dấu phân cách hàng nghìn hay dấu thập phân tùy '
        "máy tính (máy đặt tiếng Anh đọc 1000, máy đặt tiếng Việt đọc 1), nên không đọc số này. Gõ số không có dấu "
        "phân cách vào ô {cell}: {digits}.",
        '{label} ({where}) is the text "{value}": whether the comma or dot separates thousands or decimals depends on '
        "the computer (English reads 1000, Vietnamese reads 1), so this number is not read. Type the number without "
        "separators into {cell}: {digits}.",
    ),
    _t(
        "value-not-integer",
        ERROR,
        "A count is not a whole number.",
        "{label} ({where}) là {value}, nhưng phải là số nguyên. Sửa ô {cell}.",
        "{label} ({where}) is {value} but must be a whole number. Correct {cell}.",
    ),
    _t(
        "value-negative",
        ERROR,
        "A count or rate is negative.",
        "{label} ({where}) là {value}, không được âm. Sửa ô {cell}.",
        "{label} ({where}) is {value}; it cannot be negative. Correct {cell}.",
    ),
    _t(
        "value-percent-range",
        ERROR,
        "A rate above 100 %.",
        "{label} ({where}) là {value}, lớn hơn 100%. Nhập tỷ lệ dạng 12,5% vào ô {cell}.",
        "{label} ({where}) is {value}, above 100 %. Enter the rate as 12.5 % in {cell}.",
    ),
    _t(
        "value-out-of-range",
        ERROR,
        "A number outside the smallest and largest values the form allows for the field.",
        "{label} ({where}) là {value}, ngoài giới hạn của biểu mẫu ({bounds}). Kiểm tra lại số liệu rồi sửa ô {cell}.",
        "{label} ({where}) is {value}, outside the form's limits ({bounds}). Check the figure and correct {cell}.",
    ),
    _t(
        "value-not-date",
        ERROR,
        "A date cell holds something that is not a date.",
        '{label} ({where}) là "{value}", không phải ngày. Gõ ngày dạng ngày/tháng/năm (ví dụ 16/11/2020) vào ô {cell}.',
        '{label} ({where}) is "{value}", not a date. Type a day/month/year date (e.g. 16/11/2020) into {cell}.',
    ),
    _t(
        "value-date-year",
        ERROR,
        "A bare year (2016) typed or pasted into a date cell, which reads as a day of 1905.",
        "{label} ({where}) là {value}: có vẻ chỉ gõ năm {year} vào ô ngày. "
        "Gõ đầy đủ ngày/tháng/năm, ví dụ 15/04/{year}, vào ô {cell}.",
        "{label} ({where}) is {value}: it looks like just the year {year} typed into a date cell. "
        "Type the full day/month/year, e.g. 15/04/{year}, into {cell}.",
    ),
    _t(
        "value-date-early",
        ERROR,
        "A date before 1945: a typing slip, not a date of this report.",
        "{label} ({where}) là {value}, trước năm 1945: không thể là ngày của báo cáo hay văn bản này. "
        "Gõ đầy đủ ngày/tháng/năm, ví dụ 15/04/2016, vào ô {cell}.",
        "{label} ({where}) is {value}, before 1945: it cannot be a date of this report or document. "
        "Type the full day/month/year, e.g. 15/04/2016, into {cell}.",
    ),
    _t(
        "value-text-cut",
        WARNING,
        "A text longer than an Excel cell holds (32,767 characters); cut with a mark.",
        "{label} ({where}) dài {length} ký tự, quá giới hạn {limit} ký tự của một ô Excel; phần cuối đã bị cắt "
        '(đánh dấu "…[đã cắt]") trong tổng hợp: "{value}". Đề nghị đơn vị rút gọn nội dung ở ô {cell}.',
        "{label} ({where}) is {length} characters long, over Excel's {limit}-character cell limit; its end was cut "
        '(marked "…[đã cắt]") in the summary: "{value}". Ask the unit to shorten {cell}.',
    ),
    _t(
        "value-not-choice",
        ERROR,
        "A value outside its dropdown list.",
        '{label} ({where}) là "{value}", không có trong danh sách ({choices}). Chọn lại từ danh sách ở ô {cell}.',
        '{label} ({where}) is "{value}", not in the list ({choices}). Pick from the dropdown in {cell}.',
    ),
    _t(
        "value-text-number",
        WARNING,
        "A number typed or pasted as text; read as a number.",
        '{label} ({where}) là chữ "{value}", đã đọc thành số {read}. Lần sau gõ số trực tiếp vào ô {cell}.',
        '{label} ({where}) is the text "{value}", read as the number {read}. Next time type the number into {cell}.',
    ),
    _t(
        "value-text-date",
        WARNING,
        "A date typed as text; read day first.",
        '{label} ({where}) là chữ "{value}", đã đọc thành ngày {read} (ngày/tháng/năm). Kiểm tra lại ô {cell}.',
        '{label} ({where}) is the text "{value}", read as the date {read} (day/month/year). Check {cell}.',
    ),
    _t(
        "value-percent-number",
        WARNING,
        "A rate typed as 12.5 instead of 12.5 %; read as a percentage.",
        "{label} ({where}) là {value}, đã hiểu là {read}. Nhập tỷ lệ kèm dấu % (ví dụ 12,5%) vào ô {cell}.",
        "{label} ({where}) is {value}, read as {read}. Enter rates with a % sign (e.g. 12.5 %) in {cell}.",
    ),
    _t(
        "value-spaces",
        WARNING,
        "Stray or non-breaking spaces removed.",
        '{label} ({where}) có khoảng trắng thừa, đã bỏ: "{read}".',
        '{label} ({where}) had stray spaces, removed: "{read}".',
    ),
    _t(
        "value-unicode-nfd",
        WARNING,
        "Text in decomposed Unicode (NFD), normalised to NFC.",
        "{label} ({where}) gõ bằng Unicode tổ hợp, đã chuẩn hóa sang Unicode dựng sẵn.",
        "{label} ({where}) was typed in decomposed Unicode and normalised to precomposed (NFC).",
    ),
    _t(
        "value-legacy-encoding",
        WARNING,
        "Text typed in the old TCVN3 (ABC) or VNI encodings; converted.",
        '{label} ({where}) gõ bằng bảng mã cũ {encoding} (phông .Vn/VNI): "{value}". Đã chuyển sang Unicode: '
        '"{read}". Lần sau gõ bằng Unicode (Unikey: bảng mã Unicode, phông Times New Roman).',
        '{label} ({where}) is in the old {encoding} encoding: "{value}". Converted to Unicode: "{read}". '
        "Next time type in Unicode.",
    ),
    _t(
        "value-formula",
        WARNING,
        "A formula typed into an input cell; its cached value is used.",
        "{label} ({where}) chứa công thức {formula}; đã dùng giá trị {read}. Ô nhập chỉ nên chứa số.",
        "{label} ({where}) holds the formula {formula}; its value {read} is used. Input cells should hold values.",
    ),
    _t(
        "value-xls-text-formula",
        WARNING,
        "A formula giving a text in an .xls input cell: read as the sheet read it.",
        "{label} ({where}) chứa công thức cho ra chữ, mà tệp .xls không lưu giá trị này để dv đọc; đã dùng {read} như "
        "bảng tính đọc ô này. Gõ số trực tiếp vào ô {cell}, hoặc lưu tệp dạng .xlsx.",
        "{label} ({where}) holds a formula giving a text, whose value an .xls file does not keep for dv; {read} is "
        "used, as the sheet read the cell. Type the number into {cell}, or save the file as .xlsx.",
    ),
    _t(
        "value-formula-no-value",
        ERROR,
        "A formula in an input cell without a computed value.",
        "{label} ({where}) chứa công thức {formula} nhưng chưa có giá trị tính sẵn. Gõ giá trị thay cho công thức ở ô {cell}.",
        "{label} ({where}) holds the formula {formula} with no computed value. Type the value instead in {cell}.",
    ),
    _t(
        "derived-mismatch",
        ERROR,
        "A computed cell (a count) holds another value than its formula gives: typed over.",
        "{label} ({where}) ghi {value}, nhưng tính từ số liệu trong tệp thì phải là {expected}: trang in ra khác "
        "số được tổng hợp. Ô này tự tính bằng công thức, có lẽ đã bị gõ đè. Xóa số đã gõ, khôi phục công thức "
        "{formula} ở ô {cell} (hoặc điền lại vào biểu mẫu gốc) rồi gửi lại.",
        "{label} ({where}) shows {value}, but the file's own data give {expected}: the printed page differs from the "
        "merged figure. The cell is computed by a formula, probably typed over. Restore the formula {formula} in "
        "{cell} (or fill the original template again) and send the file again.",
    ),
    _t(
        "derived-not-counted",
        ERROR,
        "A count the sheet made without some rows: their choice is not written as the list has it.",
        "{label} ({where}) ghi {value}, nhưng có {expected} dòng ở trang {sheet_rows}: bảng tính không đếm dòng {rows} vì "
        '"{found}" viết khác danh sách (khoảng trắng thừa, hoặc Unicode tổ hợp). Chọn lại giá trị từ danh sách ở ô '
        "{first}, lưu để ô {cell} tự đếm lại, rồi gửi lại.",
        "{label} ({where}) shows {value}, but sheet {sheet_rows} lists {expected}: the sheet did not count row {rows} "
        'because "{found}" is not written as in the list (stray spaces, or decomposed Unicode). Pick the value from '
        "the list in {first}, save so that {cell} counts again, and send the file again.",
    ),
    _t(
        "value-fixed-changed",
        ERROR,
        "A locked cell of the template holds another value.",
        "{label} ({where}) là {value}, nhưng biểu mẫu ghi {expected}. Không sửa ô đã khóa; điền lại vào biểu mẫu gốc.",
        "{label} ({where}) is {value} but the template says {expected}. Do not edit locked cells.",
    ),
    # -- the unit ----------------------------------------------------------------------------
    _t(
        "unit-unknown",
        ERROR,
        "The unit code is not in the roster.",
        "Mã đơn vị {value} ({where}) không có trong danh sách đơn vị. Kiểm tra mã, hoặc thêm đơn vị vào danh sách.",
        "Unit code {value} ({where}) is not in the roster. Check the code, or add the unit to the roster.",
    ),
    _t(
        "unit-mismatch",
        ERROR,
        "The unit in the cell differs from the unit the template was made for.",
        "Mã đơn vị ({where}) là {value}, nhưng biểu mẫu này làm riêng cho {expected}. Dùng đúng biểu mẫu của đơn vị.",
        "The unit code ({where}) is {value}, but this template was made for {expected}. Use the unit's own template.",
    ),
    _t(
        "unit-wrong-link",
        ERROR,
        "A file sent through one unit's portal link is another unit's report (dv serve).",
        "Tệp {file} là báo cáo của đơn vị {value} ({where}), nhưng được nộp qua đường dẫn của đơn vị {expected}. "
        "Nộp tệp này qua đường dẫn của đơn vị {value}; nếu mã đơn vị ghi nhầm, sửa ô {cell} thành {expected} rồi nộp lại.",
        "{file} is unit {value}'s report ({where}) but was sent through the link of unit {expected}. Send it through "
        "unit {value}'s link; if the unit code is a mistake, correct {cell} to {expected} and send it again.",
    ),
    _t(
        "unit-name-not-in-list",
        ERROR,
        "The unit name chosen in a dropdown template is not in the roster.",
        'Tên đơn vị ({where}) là "{value}", không có trong danh sách đơn vị nên không xác định được mã đơn vị. '
        "Chọn tên đơn vị từ danh sách thả xuống ở ô {cell}.",
        'The unit name ({where}) "{value}" is not in the roster, so the unit code cannot be found. '
        "Pick the unit's name from the dropdown in {cell}.",
    ),
    _t(
        "unit-code-not-name",
        WARNING,
        "A dropdown template's stored unit code names another unit than the chosen name.",
        'Mã đơn vị ({where}) ghi {value}, nhưng tên đơn vị đã chọn "{name}" có mã {expected} trong danh sách; '
        "dùng mã {expected}. Kiểm tra lại tên đơn vị.",
        'The unit code ({where}) says {value}, but the chosen unit name "{name}" has the code {expected} in the '
        "roster; {expected} is used. Check the unit name.",
    ),
    _t(
        "unit-name-differs",
        WARNING,
        "The unit name differs from the roster's.",
        'Tên đơn vị ({where}) là "{value}", danh sách ghi "{expected}".',
        'The unit name ({where}) is "{value}"; the roster says "{expected}".',
    ),
    _t(
        "unit-conflict",
        ERROR,
        "The template names one roster unit, other evidence in the file (report number, file name or folder, signer) another: whose figures?",
        "Tệp {file} làm từ biểu mẫu của đơn vị {unit} ({unit_name}), nhưng {evidence} lại ghi đơn vị {other} "
        "({other_name}). Không rõ đây là số liệu của đơn vị nào nên chưa tổng hợp. Hỏi đơn vị gửi: nếu đúng là số liệu "
        'của {unit}, chọn tệp này (dv merge … --use "{path}"; trên cổng nộp: nút "Dùng tệp này" ở dòng của đơn vị); '
        "nếu là của {other}, đề nghị {other} điền vào biểu mẫu của mình rồi gửi lại.",
        "{file} is made from the template of unit {unit} ({unit_name}), but {evidence} names unit {other} "
        "({other_name}). Whose figures these are is unclear, so they are not merged. Ask the sender: if they are "
        '{unit}\'s, choose the file (dv merge … --use "{path}"; in the portal: the "Use this file" button on the '
        "unit's row); if they are {other}'s, ask {other} to fill its own template and send it again.",
    ),
    _t(
        "unit-ambiguous",
        ERROR,
        "The unit code is one roster unit and the unit name another: whose figures?",
        'Mã đơn vị là {unit} ({unit_name}) nhưng tên đơn vị ({where}) "{value}" là của {other} trong danh sách. '
        "Không rõ số liệu của đơn vị nào; hỏi đơn vị gửi rồi sửa mã hoặc tên cho khớp.",
        'The unit code is {unit} ({unit_name}) but the unit name ({where}) "{value}" is {other}\'s in the roster. '
        "Whose figures these are is unclear; ask the sender and correct the code or the name.",
    ),
    # -- documents ---------------------------------------------------------------------------
    _t(
        "doc-incomplete",
        ERROR,
        "A document row is half filled.",
        "Văn bản dòng {row} ({where}) còn thiếu: {missing}. Điền đủ hoặc xóa cả dòng.",
        "Document row {row} ({where}) is missing: {missing}. Fill it in or clear the whole row.",
    ),
    _t(
        "doc-outside-table",
        ERROR,
        "Documents typed outside the documents table: the sheet does not count them.",
        "Trang {sheet}: {count} dòng có văn bản nằm ngoài bảng kê khai (dòng {rows}; bảng gồm dòng {first} đến "
        "{last}). Các văn bản này không được đếm ở trang Phụ lục và không được tổng hợp. Để kê thêm văn bản, chèn "
        "thêm dòng vào giữa bảng (chọn một dòng trong bảng, Chèn dòng) rồi chuyển các văn bản này vào đó.",
        "Sheet {sheet}: {count} rows hold documents outside the table (rows {rows}; the table is rows {first} to "
        "{last}). The sheet does not count them and they are not merged. To list more documents, insert rows inside "
        "the table (select a row in it, Insert rows) and move these documents there.",
    ),
    _t(
        "doc-duplicate-row",
        ERROR,
        "A document row repeated cell for cell (a row pasted twice): counted twice.",
        "Văn bản dòng {row} ({where}) giống hệt dòng {others} (cùng {columns}): có lẽ dán hai lần, nên bị đếm hai "
        "lần. Xóa dòng thừa, chỉ giữ một dòng cho mỗi văn bản.",
        "Document row {row} ({where}) repeats row {others} cell for cell ({columns}): probably pasted twice, so it "
        "is counted twice. Delete the extra row; keep one row per document.",
    ),
    _t(
        "doc-number-style",
        WARNING,
        "A document number in the other issuer's style (Party 18-KH/ĐU vs state 545/KH-…).",
        'Văn bản {value} (dòng {row}, {where}): cơ quan ban hành là "{issued_by}" nhưng số ký hiệu theo kiểu {style}. '
        "Kiểm tra lại cơ quan ban hành hoặc số ký hiệu.",
        'Document {value} (row {row}, {where}): issued by "{issued_by}" but numbered in {style} style. '
        "Check the issuer or the number.",
    ),
    _t(
        "doc-number-type",
        WARNING,
        "The type abbreviation in a number disagrees with the document type.",
        'Văn bản {value} (dòng {row}, {where}) có ký hiệu {abbr} nhưng loại văn bản là "{kind}" ({expected}). '
        "Kiểm tra lại loại văn bản.",
        'Document {value} (row {row}, {where}) carries {abbr} but its type is "{kind}" ({expected}). Check the type.',
    ),
    _t(
        "doc-number-duplicate",
        WARNING,
        "The same document number twice in one unit.",
        "Văn bản số {value} kê khai hai lần (dòng {row} và dòng {first}). Bỏ dòng trùng.",
        "Document number {value} is listed twice (rows {first} and {row}). Remove the duplicate.",
    ),
    _t(
        "doc-shared-number",
        WARNING,
        "The same document number reported by several units (merge).",
        "Văn bản số {value} có ở nhiều đơn vị: {units}.",
        "Document number {value} is reported by several units: {units}.",
    ),
    # -- merge -------------------------------------------------------------------------------
    _t(
        "merge-duplicate",
        WARNING,
        "A byte-identical copy of another file.",
        "Tệp {file} giống hệt tệp {other}; chỉ tính một lần.",
        "{file} is byte-identical to {other}; counted once.",
    ),
    _t(
        "merge-superseded",
        WARNING,
        "An older submission of a unit that sent a newer one.",
        "Tệp {file} của đơn vị {unit} đã được thay bằng tệp {other} ({reason}).",
        "{file} of unit {unit} was superseded by {other} ({reason}).",
    ),
    _t(
        "merge-tie",
        WARNING,
        "Two different files of one unit with the same report date: the one saved later is used (said with the figures that differ).",
        "Đơn vị {unit} gửi hai tệp khác nhau cùng ngày báo cáo {value}: dùng {file}, {basis}; không dùng {other}. "
        "Khác nhau (tệp dùng / tệp không dùng): {diffs}. Kiểm tra với đơn vị.",
        "Unit {unit} sent two different files with the same report date {value}: using {file}, {basis}; not {other}. "
        "Differences (used / not used): {diffs}. Check with the unit.",
    ),
    _t(
        "merge-conflict",
        ERROR,
        "Two different valid files of one unit, and the files' dates and save times do not tell which is the later: neither is merged until the officer chooses.",
        "Đơn vị {unit} gửi hai tệp hợp lệ có số liệu khác nhau mà không xác định được tệp nào là bản sau cùng: {file} "
        "({facts}) và {other} ({other_facts}); {why}. Khác nhau ({file} / {other}): {diffs}. Chưa tổng hợp số liệu của "
        'đơn vị này. Hỏi đơn vị rồi chọn tệp đúng: dv merge … --use "{path}" hoặc --use "{other_path}" (hoặc xóa '
        "tệp sai khỏi thư mục).",
        "Unit {unit} sent two valid files with different figures, and which is the later cannot be told: {file} "
        "({facts}) and {other} ({other_facts}); {why}. Differences ({file} / {other}): {diffs}. This unit's figures "
        'are not merged. Ask the unit, then choose the right file: dv merge … --use "{path}" or --use '
        '"{other_path}" (or remove the wrong file from the folder).',
    ),
    _t(
        "merge-chosen",
        WARNING,
        "The officer chose which file of a unit counts (dv merge --use, the portal's button).",
        "Tệp {file} được dùng cho đơn vị {unit} theo lựa chọn của cán bộ ({how}).",
        "{file} counts for unit {unit} by the officer's choice ({how}).",
    ),
    _t(
        "merge-newer-rejected",
        WARNING,
        "A unit's newer file was rejected; its older valid file is merged.",
        "Đơn vị {unit} có bản gửi sau ({other}, ngày {value}) bị từ chối; tổng hợp đang dùng bản trước {file}. "
        "Đề nghị đơn vị sửa bản mới và gửi lại.",
        "Unit {unit} sent a newer file ({other}, dated {value}) that was rejected; the older {file} is merged. "
        "Ask the unit to correct the new file and send it again.",
    ),
    _t(
        "merge-rejected-date",
        WARNING,
        "A unit's other file was rejected for its report date, and was saved later.",
        "Đơn vị {unit}: tệp {other} bị từ chối vì ngày báo cáo sai ({value}) nhưng được lưu sau {file}; tổng hợp "
        "đang dùng {file}. Nếu {other} là bản sửa, đề nghị đơn vị sửa ngày báo cáo và gửi lại.",
        "Unit {unit}: {other} was rejected for its report date ({value}) but was saved after {file}; the summary "
        "uses {file}. If {other} is the correction, ask the unit to fix its report date and send it again.",
    ),
    _t(
        "merge-counted-twice",
        ERROR,
        "A unit's figures would be counted twice: its file arrived on its own and inside a roll-up, or inside two roll-ups (same SHA-256, or same unit code and name).",
        "Số liệu của {what} có hai lần trong vòng tổng hợp này: ở {file} và ở {other}. Không tổng hợp cả hai tệp "
        "cho đến khi bỏ một nơi: xóa tệp gửi trùng khỏi thư mục, hoặc đề nghị đơn vị cấp dưới tổng hợp lại "
        "(dv roll-up) không có đơn vị này.",
        "The figures of {what} are in this round twice: in {file} and in {other}. Neither file is merged until one "
        "is removed: delete the file sent twice from the folder, or ask the lower level to roll up again (dv "
        "roll-up) without this unit.",
    ),
    _t(
        "rollup-mismatch",
        ERROR,
        "A roll-up's figure differs from the sum of the units its provenance lists (typed over after dv roll-up).",
        "{label} ({where}) là {value}, nhưng tổng của {units} đơn vị mà bản tổng hợp này ghi trong phần nguồn gốc "
        "là {expected}. Số liệu tổng hợp đã bị sửa tay sau khi dv roll-up điền. Đề nghị đơn vị tổng hợp lại "
        "(dv roll-up), không sửa tay số liệu tổng hợp.",
        "{label} ({where}) is {value}, but the {units} units this roll-up lists in its provenance add up to "
        "{expected}. The figure was typed over after dv roll-up filled it. Ask the unit to roll up again "
        "(dv roll-up), never to type over a rolled-up figure.",
    ),
    _t(
        "rollup-partial",
        WARNING,
        "A roll-up made with --partial from a round that was not settled: its figures are short of some units.",
        "Tệp {file} là bản tổng hợp của {units} đơn vị, lập khi vòng tổng hợp của đơn vị chưa chốt (--partial): "
        "{open}. Số liệu chưa đủ; hỏi đơn vị khi nào có bản tổng hợp đủ.",
        "{file} rolls up {units} units, made while the unit's round was not settled (--partial): {open}. Its "
        "figures are short; ask the unit when the full roll-up will come.",
    ),
    _t(
        "rollup-unreadable",
        ERROR,
        "The roll-up rows of the hidden metadata sheet cannot be read (edited by hand).",
        "Tệp {file} có phần nguồn gốc của bản tổng hợp (trang ẩn) không đọc được ({reason}): không biết số liệu "
        "được tổng hợp từ những tệp nào, nên không kiểm tra được tính trùng. Đề nghị đơn vị tổng hợp lại bằng "
        "dv roll-up.",
        "{file}'s roll-up provenance (a hidden sheet) cannot be read ({reason}): which files its figures come from "
        "is unknown, so counting twice cannot be ruled out. Ask the unit to roll up again with dv roll-up.",
    ),
    _t(
        "file-ignored",
        WARNING,
        "Not a workbook to read: an Excel lock file, a hidden file or another kind of file.",
        "Bỏ qua {file}: {reason}.",
        "Skipped {file}: {reason}.",
    ),
    # -- the form definition (dv form check, and every --form): {where} is a sheet!cell of the
    # form workbook or an entry of the TOML text ------------------------------------------
    _t(
        "def-missing",
        ERROR,
        "The form definition lacks a sheet, a column, an entry or a value it needs.",
        "{where}: thiếu {what}. {fix}",
        "{where}: {what} is missing. {fix}",
    ),
    _t(
        "def-unknown-key",
        ERROR,
        "An entry, heading or key dv does not know (often a misspelling).",
        '{where}: không có mục "{key}"{close}. Sửa lại cho đúng tên, hoặc xóa nó.',
        '{where}: there is no entry "{key}"{close}. Correct the name, or remove it.',
    ),
    _t(
        "def-bad-value",
        ERROR,
        "A value of the wrong kind: a code, a year, a column letter, a row number, a yes/no…",
        '{where}: "{value}" không dùng được: {reason}.',
        '{where}: "{value}" cannot be used: {reason}.',
    ),
    _t(
        "def-duplicate",
        ERROR,
        "The same code (field, rule, column, list, list value) used twice.",
        '{where}: "{value}" đã dùng ở {first}; mỗi mã, mỗi giá trị của một danh mục chỉ dùng một lần. '
        "Đổi một trong hai.",
        '{where}: "{value}" is already used at {first}; each code, and each value of a list, is used once. '
        "Change one of them.",
    ),
    _t(
        "def-unknown-type",
        ERROR,
        "A field or column type that does not exist.",
        '{where}: kiểu "{value}" không có. Chọn một trong: {types}.',
        '{where}: there is no type "{value}". Pick one of: {types}.',
    ),
    _t(
        "def-unknown-name",
        ERROR,
        "A rule, formula, message or reference naming a field, column, list or table that does not exist.",
        '{where}: "{value}" không phải {kind} nào{close}. Sửa lại mã, hoặc thêm {kind} đó vào biểu mẫu.',
        '{where}: "{value}" is not any {kind}{close}. Correct the code, or add that {kind} to the form.',
    ),
    _t(
        "def-rule-syntax",
        ERROR,
        "A rule, formula or message that the rule language cannot read (with the position).",
        "{where}: {reason}.",
        "{where}: {reason}.",
    ),
    _t(
        "def-choices-empty",
        ERROR,
        "A choice list without any value.",
        '{where}: danh mục "{value}" không có giá trị nào. Thêm các giá trị của danh mục (mỗi giá trị một dòng), '
        "hoặc bỏ danh mục này.",
        '{where}: the list "{value}" has no value. Add its values (one per row), or remove the list.',
    ),
    _t(
        "def-year-version",
        ERROR,
        "The form's version does not begin with its year.",
        '{where}: biểu mẫu năm {year} nhưng phiên bản là "{value}". Phiên bản bắt đầu bằng năm của biểu mẫu, '
        "ví dụ {example}: sửa năm hoặc phiên bản cho khớp.",
        '{where}: a form for {year} but its version is "{value}". A version begins with the form\'s year, e.g. '
        "{example}: make the year and the version agree.",
    ),
    _t(
        "def-version-unchanged",
        ERROR,
        "The fields or layout changed but the version is that of the form dv ships.",
        '{where}: phiên bản "{value}" đã là phiên bản của biểu mẫu "{form}" có sẵn trong dv, nhưng nội dung đã '
        "khác ({changes}). Tệp điền theo hai biểu mẫu khác nhau sẽ mang cùng một phiên bản: đổi phiên bản, ví dụ "
        "{example}.",
        '{where}: version "{value}" is already the version of the form "{form}" that dv ships, but the content '
        "differs ({changes}). Files filled from two different forms would carry the same version: change the "
        "version, e.g. {example}.",
    ),
    _t(
        "def-invalid",
        ERROR,
        "An entry that contradicts another (a computed field without a formula, a rule on a computed cell…).",
        "{where}: {reason}.",
        "{where}: {reason}.",
    ),
]

CATALOGUE: dict[str, IssueType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    message: str
    message_en: str
    field: str = ""
    sheet: str = ""
    cell: str = ""
    value: Any = None

    def text(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet or self.cell

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.text(lang),
        }


# A value from a file is quoted in a message up to this many characters: one pasted 30,000-
# character title must not make every message (and the summary cell holding it) that long.
QUOTE_MAX = 80
_QUOTED = ("value", "read", "expected", "formula", "found", "unit")


def quote(value: Any, limit: int = QUOTE_MAX) -> Any:
    """``value`` cut to ``limit`` characters with "…" when it is a longer text."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1].rstrip() + "…"
    return value


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(template: str, params: dict[str, Any], lang: str) -> str:
    """``template`` filled in ``lang``: a :class:`~toolkit.messages.Localized` parameter in that
    language, a value from the file quoted at most :data:`QUOTE_MAX` characters."""
    filled = _Missing()
    for key, value in params.items():
        value = said(value, lang)
        filled[key] = quote(value) if key in _QUOTED else value
    return unicodedata.normalize("NFC", template.format_map(filled))


def make_issue(
    code: str,
    *,
    field: str = "",
    sheet: str = "",
    cell: str = "",
    value: Any = None,
    severity: str | None = None,
    **params: Any,
) -> Issue:
    """An issue of a catalogued type; ``params`` fill the message's placeholders, each a value
    or a :class:`~toolkit.messages.Localized` text (said in each language)."""
    kind = CATALOGUE[code]
    where = f"{sheet}!{cell}" if sheet and cell else sheet or cell
    base = {"where": where, "cell": cell, "sheet": sheet, "value": "" if value is None else value, "field": field}
    base.update(params)
    return Issue(
        code=code,
        severity=severity or kind.severity,
        message=_fmt(kind.vi, base, "vi"),
        message_en=_fmt(kind.en, base, "en"),
        field=field,
        sheet=sheet,
        cell=cell,
        value=said(value, "vi"),
    )


@dataclass
class FileReport:
    """What one file says, as :func:`~toolkit.intake.check_file` read it: its values, its
    issues and its own status (accepted, rejected or ignored). A merge never changes it: what a
    round decides of the file is its :class:`~toolkit.merger.Verdict`."""

    path: str
    sha256: str = ""
    unit_code: str = ""
    status: Status = Status.REJECTED
    readable: bool = False  # it got past the file-level checks: opened, safe, read as a workbook
    issues: list[Issue] = field(default_factory=list)
    fmt: str = ""  # xlsx, xlsm, xls, ods
    values: dict[str, Any] = field(default_factory=dict)  # typed values by field code
    docs: list[dict[str, Any]] = field(default_factory=list)  # typed document rows
    meta: dict[str, str] = field(default_factory=dict)
    report_date: Any = None  # the form's date_field: between two valid files of a unit, the later wins
    # On the same report date, the file saved later wins: the workbook's own last-saved time
    # (UTC; None for .xls or when the file does not say), then the file's modification time.
    saved_at: dt.datetime | None = None
    mtime: float | None = None
    # How messages name the file: a member of an archive ("archive.zip/inner.xlsx"), a file in
    # a sub-folder of the folder merged ("email-1/STTTT.xlsx"), an upload's own name.
    shown_name: str = ""
    # unit-conflict: the other roster unit that the file's evidence names (unit_code stays the
    # unit its template names: the unit the file is for).
    other_unit: str = ""
    # A roll-up (docs/spec.md §9): what the file was built from (a toolkit.provenance.Provenance).
    rollup: Any = None

    @property
    def name(self) -> str:
        """The file's name as the officer finds it: ``a.xlsx``, or ``archive.zip/a.xlsx``."""
        return self.shown_name or Path(self.path).name

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted_issues(self) -> list[Issue]:
        order = {ERROR: 0, WARNING: 1}
        return sorted(self.issues, key=lambda i: order.get(i.severity, 2))

    def content_digest(self) -> str:
        """A digest of what the file says (its values and documents, not where they sit): an
        annotated copy records its source's, so that a copy that came back unchanged is told
        from one the clerk corrected (docs/spec.md §8.2)."""
        import hashlib
        import json

        docs = [{k: v for k, v in d.items() if k != "_row"} for d in self.docs]
        text = json.dumps([self.values, docs], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "unit_code": self.unit_code,
            "status": self.status,
            "saved_at": self.saved_at.isoformat() if self.saved_at else None,
            "other_unit": self.other_unit,
            "rollup": self.rollup.to_dict() if self.rollup is not None else None,
            "issues": [i.to_dict(lang) for i in self.sorted_issues()],
        }


def reports_json(form: Any, reports: Sequence[FileReport], lang: str = "vi") -> dict[str, Any]:
    """The JSON of ``dv check --json`` (docs/spec.md §5.11): the form, and each file's report."""
    return {
        "form": {"id": form.id, "version": form.version, "year": form.year},
        "files": [r.to_dict(lang) for r in reports],
    }
