"""The command line's and the portal's own texts, Vietnamese and English, in one place.

Issue messages (what is wrong in a workbook) live in ``toolkit.issues``; these are the
sentences around them: usage errors, summaries, progress, and the portal's headings, buttons,
statuses and error pages.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata

LANGS = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # roster
    "roster.unreadable": (
        "Không đọc được danh sách đơn vị {path}: {reason}.",
        "Cannot read the unit roster {path}: {reason}.",
    ),
    "roster.encoding": (
        "Danh sách đơn vị {path} không đọc được: không phải UTF-8, Windows-1258 hay UTF-16. Mở bằng Excel, "
        'chọn Lưu thành → "CSV UTF-8 (phân cách bằng dấu phẩy)", rồi chạy lại.',
        "The unit roster {path} cannot be read: it is not UTF-8, Windows-1258 or UTF-16. Open it in Excel, "
        'Save As → "CSV UTF-8 (Comma delimited)", and run again.',
    ),
    "roster.encoding_read": (
        "Lưu ý: danh sách đơn vị {path} được lưu theo bảng mã {encoding}; dv đã đọc được. Kiểm tra tên đơn vị "
        'trong biểu mẫu; lần sau nên lưu dạng "CSV UTF-8 (phân cách bằng dấu phẩy)".',
        "Note: the unit roster {path} is saved as {encoding}; dv read it. Check the unit names in the templates; "
        'next time save it as "CSV UTF-8 (Comma delimited)".',
    ),
    "roster.name_joined": (
        "Lưu ý: danh sách đơn vị, dòng {line}: tên có dấu {sep!r} không nằm trong ngoặc kép; dv đọc cả phần sau "
        'là tên: "{name}". Nếu sai, đặt tên trong ngoặc kép.',
        "Note: unit roster, line {line}: the name holds an unquoted {sep!r}; dv reads the rest of the line as the "
        'name: "{name}". If that is wrong, put the name in double quotes.',
    ),
    "roster.header": (
        "Danh sách đơn vị {path}: dòng đầu phải là tiêu đề có cột code và name "
        "(ví dụ: code,name,kind); đang có: {header}.",
        "Unit roster {path}: the first line must be a header with columns code and name "
        "(e.g. code,name,kind); found: {header}.",
    ),
    "roster.empty": (
        "Danh sách đơn vị {path} không có đơn vị nào.",
        "The unit roster {path} lists no unit.",
    ),
    "roster.problems": (
        "Danh sách đơn vị {path} có lỗi, chưa ghi tệp nào:\n{problems}",
        "The unit roster {path} has errors; nothing was written:\n{problems}",
    ),
    "roster.duplicate": (
        "dòng {line}: mã {code!r} đã có ở dòng {first}",
        "line {line}: code {code!r} already used on line {first}",
    ),
    "roster.extra_fields": (
        "dòng {line}: {fields} ô nhưng tiêu đề có {columns} cột ({text}); không rõ ô nào thừa. Đặt tên có dấu phẩy "
        "trong ngoặc kép, hoặc lưu lại bằng Excel",
        "line {line}: {fields} fields but the header has {columns} columns ({text}); which one is extra is unclear. "
        "Put a name with a comma in double quotes, or save the list again from Excel",
    ),
    "roster.no_code": ("dòng {line}: thiếu mã đơn vị", "line {line}: the code is empty"),
    "roster.bad_code": (
        "dòng {line}: mã {code!r} chỉ được có chữ không dấu, số, - và _",
        "line {line}: code {code!r} may only hold letters without accents, digits, - and _",
    ),
    "roster.no_name": ("dòng {line}: đơn vị {code} chưa có tên", "line {line}: unit {code} has no name"),
    "roster.bad_kind": (
        "dòng {line}: loại {kind!r} phải là sở (so) hoặc huyện (huyen, thị xã, thành phố)",
        "line {line}: kind {kind!r} must be sở (so) or huyện (huyen, thị xã, thành phố)",
    ),
    "roster.unknown_unit": (
        "Không có đơn vị mã {code!r} trong danh sách {path}. Các mã có: {codes}.",
        "No unit with code {code!r} in the roster {path}. Codes: {codes}.",
    ),
    "roster.needed": (
        "--unit cần --units (danh sách đơn vị) để biết tên đơn vị.",
        "--unit needs --units (the roster) to know the unit's name.",
    ),
    # outputs
    "output.exists": (
        "Đã có tệp {path}; không ghi đè. Thêm --force để ghi đè, hoặc chọn tên khác.",
        "{path} already exists; not overwritten. Add --force to overwrite, or pick another name.",
    ),
    "output.locked": (
        "Không ghi được {path}: tệp đang mở (có thể trong Excel) hoặc không có quyền ghi. "
        "Đóng tệp rồi chạy lại. ({reason})",
        "Cannot write {path}: the file is open (perhaps in Excel) or not writable. Close it and run again. ({reason})",
    ),
    "output.no_folder": (
        "Chưa có thư mục {path} để ghi kết quả; tạo thư mục trước hoặc chọn chỗ khác.",
        "The folder {path} for the output does not exist; create it first or pick another place.",
    ),
    "output.parent_is_file": (
        "Không ghi được vào {path}: đó là một tệp, không phải thư mục.",
        "Cannot write into {path}: it is a file, not a folder.",
    ),
    "output.is_folder": (
        "{path} là một thư mục, không ghi đè được bằng một tệp; chọn tên tệp.",
        "{path} is a folder and cannot be replaced by a file; give a file name.",
    ),
    "output.unwritable": (
        "Không ghi được vào thư mục {path}: {reason}.",
        "Cannot write into the folder {path}: {reason}.",
    ),
    "output.folder_suffix": (
        "Với --units (không có --unit), -o là một thư mục (mỗi đơn vị một tệp), không phải tệp {path}.",
        "With --units (and no --unit), -o is a folder (one file per unit), not the file {path}.",
    ),
    "output.not_folder": (
        "{path} phải là một thư mục (một tệp cho mỗi đơn vị).",
        "{path} must be a folder (one file per unit).",
    ),
    "output.suffix": (
        "Tên tệp kết quả {path} phải có đuôi {suffix}.",
        "The output {path} must end in {suffix}.",
    ),
    "output.twice": (
        "Cùng một tệp được chọn cho hai kết quả (-o, --json, --docx); chọn các tên khác nhau.",
        "The same file is named for two outputs (-o, --json, --docx); pick different names.",
    ),
    "output.is_input": (
        "Tệp kết quả {path} trùng với một tệp đầu vào (bài nộp của đơn vị); chọn tên khác bằng {option}.",
        "The output {path} is one of the input files (a unit's submission); pick another name with {option}.",
    ),
    "output.set_partial": (
        "Chỉ thay được một phần bộ kết quả: các tệp sau đã là bản mới:\n{written}\ncác tệp sau vẫn là bản cũ "
        "(hoặc chưa có):\n{kept}\nChạy lại lệnh với --force để có một bộ kết quả thống nhất.",
        "Only part of the outputs could be replaced: these files are new:\n{written}\nthese are still the old "
        "ones (or absent):\n{kept}\nRun the command again with --force for one consistent set.",
    ),
    "output.nothing_written": (
        "Không tệp kết quả nào được ghi; các tệp cũ (nếu có) vẫn giữ nguyên.",
        "No output was written; the old files (if any) are unchanged.",
    ),
    "output.stale_removed": (
        "Đã xóa {count} tệp tạm do một lần chạy dv bị dừng giữa chừng để lại: {paths}",
        "Removed {count} temporary file(s) left by a dv run that was stopped midway: {paths}",
    ),
    "interrupted": (
        "Đã dừng ({signal}). {written}",
        "Stopped ({signal}). {written}",
    ),
    "interrupted.nothing": (
        "Không tệp kết quả nào được ghi; các tệp cũ (nếu có) vẫn giữ nguyên.",
        "No output was written; the old files (if any) are unchanged.",
    ),
    "interrupted.written": (
        "Bộ kết quả đã được ghi đầy đủ trước khi dừng: {paths}",
        "The outputs had all been written before the stop: {paths}",
    ),
    "unexpected": (
        "dv gặp lỗi không mong đợi ({error}). Không tệp đầu vào nào bị sửa. Hãy gửi thông báo "
        "này cho người quản trị (chạy lại với DV_DEBUG=1 để xem chi tiết).",
        "dv hit an unexpected error ({error}). No input file was modified. Please send this "
        "message to your administrator (run again with DV_DEBUG=1 for details).",
    ),
    "form.error": ("Lỗi biểu mẫu: {reason}", "Form definition error: {reason}"),
    # -- fragments of issue messages (toolkit.issues fills its messages' placeholders with these)
    # what a file is, by its content (toolkit.intake.sniff)
    "kind.pdf": ("tệp PDF", "a PDF file"),
    "kind.docx": ("văn bản Word (.docx)", "a Word document (.docx)"),
    "kind.doc": ("văn bản Word cũ (.doc)", "an old Word document (.doc)"),
    "kind.pptx": ("bản trình chiếu PowerPoint", "a PowerPoint presentation"),
    "kind.odt": ("văn bản OpenDocument", "an OpenDocument text"),
    "kind.zip": ("tệp nén zip", "a zip archive"),
    "kind.rar": ("tệp nén RAR", "a RAR archive"),
    "kind.7z": ("tệp nén 7-Zip", "a 7-Zip archive"),
    "kind.html": ("trang web (HTML)", "a web page (HTML)"),
    "kind.xml": ("tệp XML", "an XML file"),
    "kind.rtf": ("văn bản RTF", "an RTF document"),
    "kind.image": ("ảnh", "an image"),
    "kind.text": ("tệp văn bản thường", "a plain text file"),
    "kind.ole": ("tệp Office không rõ loại", "an Office file of unknown kind"),
    "kind.unknown": ("dữ liệu không rõ loại", "data of unknown kind"),
    "kind.empty": ("tệp rỗng", "an empty file"),
    "kind.broken": ("tệp nén hỏng", "a damaged archive"),
    "kind.encrypted": ("tệp Office có mật khẩu", "a password-protected Office file"),
    "kind.xlsx": ("bảng tính Excel (.xlsx)", "an Excel workbook (.xlsx)"),
    "kind.xlsm": ("bảng tính Excel có macro (.xlsm)", "a macro-enabled Excel workbook (.xlsm)"),
    "kind.xls": ("bảng tính Excel cũ (.xls)", "an old Excel workbook (.xls)"),
    "kind.ods": ("bảng tính OpenDocument (.ods)", "an OpenDocument spreadsheet (.ods)"),
    "kind.xlsb": ("bảng tính Excel dạng nhị phân (.xlsb)", "an Excel binary workbook (.xlsb)"),
    "kind.fods": ("bảng tính OpenDocument dạng XML phẳng (.fods)", "a flat XML OpenDocument spreadsheet (.fods)"),
    "kind.csv": (
        "bảng dữ liệu CSV (chỉ có chữ, mất định dạng và thông tin biểu mẫu)",
        "a CSV table (text only: the form's layout and information are lost)",
    ),
    # why a file is not a submission at all (file-ignored)
    "ignored.lock": ("tệp khóa tạm của Excel (~$), không phải bài nộp", "an Excel lock file (~$), not a submission"),
    "ignored.mac": ("tệp phụ của macOS (._)", "a macOS resource file (._)"),
    "ignored.system": ("tệp hệ thống", "a system file"),
    "ignored.hidden": ("tệp ẩn", "a hidden file"),
    "ignored.annotated": (
        "bản có ghi chú do dv check --annotate tạo",
        "an annotated copy written by dv check --annotate",
    ),
    "ignored.not_spreadsheet": ("không phải bảng tính ({kind})", "not a spreadsheet ({kind})"),
    "ignored.other_csv": (
        "bảng CSV không mang nội dung của biểu mẫu, tên cũng không có mã đơn vị nào",
        "a CSV table holding nothing of the form, its name no unit's code",
    ),
    "ignored.summary": (
        "bảng tổng hợp do dv merge tạo, không phải bài nộp",
        "a summary written by dv merge, not a submission",
    ),
    "ignored.empty_archive": ("tệp nén không chứa tệp nào", "an archive holding no file"),
    # why a file could not be read
    "reason.out_of_memory": ("hết bộ nhớ", "out of memory"),
    "reason.timeout": ("quá {seconds} giây mà chưa kiểm tra xong", "checking took more than {seconds} seconds"),
    "reason.crashed": ("trình đọc bị dừng đột ngột khi mở tệp này", "the reader crashed on this file"),
    "reason.hidden_info": ("thông tin ẩn của biểu mẫu", "the form's hidden information"),
    "reason.sheet": ("trang {sheet}", "sheet {sheet}"),
    "word.file": ("tệp", "file"),
    "word.folder": ("thư mục", "folder"),
    "word.empty": ("trống", "empty"),
    "word.and_more": ("và {count} mục khác", "and {count} more"),
    # document numbers (doc-number-style, doc-number-type)
    "style.party": ("Đảng (18-KH/ĐU)", "Party (18-KH/ĐU)"),
    "style.state": ("chính quyền (545/KH-…)", "state (545/KH-…)"),
    "doc.abbr_expected": ("ký hiệu đúng: {abbr}", "expected {abbr}"),
    "doc.abbr_none": ("không có ký hiệu loại riêng", "no type abbreviation of its own"),
    # the formula of a count over a table (derived-mismatch): too long to quote, said in words
    "formula.count": (
        'đếm theo cột "{column}" ở trang {sheet} (chép lại ô này từ biểu mẫu gốc)',
        'counting the column "{column}" of sheet {sheet} (copy this cell from the original template)',
    ),
    # which file of a unit counts (merge-superseded, merge-tie, merge-rejected-date)
    "merge.reason.same_date": ("cùng ngày báo cáo; {file} {basis}", "same report date; {file} {basis}"),
    "merge.reason.older": ("ngày báo cáo {date} cũ hơn {other}", "report date {date} is older than {other}"),
    "merge.reason.bad_date": (
        "ngày báo cáo sai ({date}); bản lưu sau đã sửa và hợp lệ",
        "wrong report date ({date}); the file saved later is corrected and valid",
    ),
    "merge.reason.corrected": ("bản gửi sau đã sửa và hợp lệ", "the later submission is corrected and valid"),
    "merge.basis.saved": (
        "được chương trình bảng tính lưu sau (lúc {won}, tệp kia lúc {lost})",
        "saved later by the spreadsheet program (at {won}, the other at {lost})",
    ),
    "merge.basis.modified": (
        "được sửa sau trên máy này (lúc {won}, tệp kia lúc {lost}; tệp không ghi thời điểm lưu)",
        "modified later on this computer (at {won}, the other at {lost}; no save time in the files)",
    ),
    "merge.basis.unknown": (
        "không xác định được tệp nào lưu sau (cùng thời điểm lưu)",
        "it cannot be told which was saved later (same save time)",
    ),
    "merge.diff.field": ("{label}: {used} / {other}", "{label}: {used} / {other}"),
    "merge.diff.docs": ("danh sách văn bản: {used} / {other} dòng", "list of documents: {used} / {other} rows"),
    "merge.diff.docs_content": (
        "danh sách văn bản: {used} / {other} dòng (khác nội dung)",
        "list of documents: {used} / {other} rows (different content)",
    ),
    "merge.diff.none": ("không khác số liệu nào", "no figure differs"),
    "merge.value.empty": ("(trống)", "(empty)"),
    # usage errors (the command line's own parser, rendered by cli.py)
    "usage.lang": (
        "Ngôn ngữ {value!r} ({source}) không có; chọn vi (tiếng Việt) hoặc en (tiếng Anh).",
        "Unknown language {value!r} ({source}); choose vi (Vietnamese) or en (English).",
    ),
    "usage.usage": ("Cách dùng: {usage}", "Usage: {usage}"),
    "usage.try_help": ("Xem '{command} --help' để biết cách dùng.", "Try '{command} --help' for help."),
    "usage.error": ("Lỗi: {message}", "Error: {message}"),
    "usage.missing_argument": ("Thiếu đối số {name} ({help})", "Missing argument {name} ({help})"),
    "usage.missing_option": ("Thiếu tùy chọn {name}.", "Missing option {name}."),
    "usage.no_such_option": ("Không có tùy chọn {name}.", "No such option: {name}."),
    "usage.did_you_mean": ("Có phải ý là: {names}?", "Did you mean: {names}?"),
    "usage.option_needs_value": ("Tùy chọn {name} cần một giá trị.", "Option {name} requires a value."),
    "usage.option_takes_no_value": ("Tùy chọn {name} không nhận giá trị.", "Option {name} does not take a value."),
    "usage.bad_value": (
        "Giá trị {value!r} của {name} không hợp lệ: {reason}.",
        "Invalid value {value!r} for {name}: {reason}.",
    ),
    "usage.bad_value_plain": ("Giá trị của {name} không hợp lệ: {reason}.", "Invalid value for {name}: {reason}."),
    "usage.not_integer": ("phải là một số nguyên (ví dụ 2020)", "must be a whole number (e.g. 2020)"),
    "usage.not_number": ("phải là một số", "must be a number"),
    "usage.no_such_command": (
        "Không có lệnh {name!r}. Các lệnh: {commands}.",
        "No such command {name!r}. Commands: {commands}.",
    ),
    "usage.missing_command": ("Thiếu lệnh, một trong: {commands}.", "Missing command, one of: {commands}."),
    "usage.extra_arguments": ("Thừa đối số: {args}.", "Unexpected extra argument(s): {args}."),
    "usage.other": ("{message}", "{message}"),
    # make-template
    "template.written": ("Đã ghi biểu mẫu: {path}", "Template written: {path}"),
    "template.written_many": (
        "Đã ghi {count} biểu mẫu riêng cho từng đơn vị vào {path}",
        "Wrote {count} personalised templates into {path}",
    ),
    "template.timing": ("({seconds} giây)", "({seconds} s)"),
    # check
    "status.accepted": ("hợp lệ", "accepted"),
    "status.rejected": ("bị từ chối", "rejected"),
    "status.duplicate": ("trùng lặp", "duplicate"),
    "status.superseded": ("đã thay bằng bản mới hơn", "superseded"),
    "status.ignored": ("bỏ qua", "ignored"),
    "status.missing": ("chưa gửi", "not sent"),
    # the same statuses as the summary workbook writes them (a Vietnamese document)
    "summary.status.accepted": ("Đã nộp, hợp lệ", "Sent, accepted"),
    "summary.status.rejected": ("Bị từ chối", "Rejected"),
    "summary.status.duplicate": ("Trùng lặp", "Duplicate"),
    "summary.status.superseded": ("Đã thay bằng bản mới", "Superseded by a newer file"),
    "summary.status.ignored": ("Bỏ qua", "Ignored"),
    "summary.status.missing": ("Chưa gửi", "Not sent"),
    "check.counts": ("({errors} lỗi, {warnings} lưu ý)", "({errors} error(s), {warnings} warning(s))"),
    "check.summary": ("{files} tệp — {parts}", "{files} file(s) — {parts}"),
    "check.no_files": ("Không có tệp nào để kiểm tra.", "No file to check."),
    "check.missing_path": ("Không tìm thấy: {path}", "Not found: {path}"),
    "check.annotated": ("Đã ghi bản có ghi chú: {path}", "Annotated copy written: {path}"),
    "check.annotate_skipped": (
        "Không ghi chú được {path}: chỉ ghi chú được tệp .xlsx/.xlsm đọc được và có lỗi ở ô cụ thể.",
        "Cannot annotate {path}: only readable .xlsx/.xlsm files with cell-level issues are annotated.",
    ),
    "check.annotate_clash": (
        "Không ghi chú được {path}: bản có ghi chú của nó ({target}) trùng tên với bản của {other}, "
        "vừa ghi trong lần chạy này. Đổi tên một trong hai tệp (ví dụ thêm đuôi .xlsx) rồi chạy lại.",
        "Cannot annotate {path}: its annotated copy ({target}) has the name of {other}'s, written in this run. "
        "Rename one of the two files (for example add the .xlsx extension) and run again.",
    ),
    "check.annotate_failed": (
        "Không ghi được bản có ghi chú của {path} (openpyxl không mở được tệp: {reason}). Kết quả kiểm tra ở trên "
        "vẫn đúng; các tệp khác vẫn được ghi chú.",
        "Could not write the annotated copy of {path} (openpyxl cannot open it: {reason}). The check results above "
        "stand; the other files are still annotated.",
    ),
    "check.annotate_archive": (
        "Không ghi chú được {path}: tệp nằm trong tệp nén. Giải nén ra thư mục rồi chạy lại với --annotate.",
        "Cannot annotate {path}: it is inside an archive. Unpack it into a folder and run again with --annotate.",
    ),
    # merge
    "merge.reading": ("Đang đọc các tệp", "Reading files"),
    "merge.not_a_folder": (
        "{path} không phải là thư mục. dv merge đọc cả một thư mục tệp đơn vị gửi về; để kiểm tra một tệp, dùng dv check.",
        "{path} is not a folder. dv merge reads a whole folder of returned files; to check one file, use dv check.",
    ),
    "merge.nothing_readable": (
        "Trong {path} không có bảng tính nào đọc được (chỉ có tệp bị bỏ qua hoặc hỏng); chưa ghi tổng hợp.",
        "{path} holds no readable workbook (only skipped or broken files); no summary written.",
    ),
    "merge.text_too_long": (
        "Không ghi được tổng hợp: một nội dung dài quá giới hạn 32.767 ký tự của Excel ({where}).",
        "Summary not written: a text is longer than Excel's 32,767-character limit ({where}).",
    ),
    "merge.account": (
        "{files} tệp: {accepted} hợp lệ, {rejected} bị từ chối, {duplicate} trùng lặp, {superseded} đã thay, "
        "{ignored} bỏ qua. Đơn vị chưa có báo cáo hợp lệ: {missing}.",
        "{files} files: {accepted} accepted, {rejected} rejected, {duplicate} duplicates, {superseded} superseded, "
        "{ignored} ignored. Units without an accepted report: {missing}.",
    ),
    "merge.rejected_line": ("  ✗ {file} ({unit}): {reason}", "  ✗ {file} ({unit}): {reason}"),
    "merge.ignored_line": ("  – {reason}", "  – {reason}"),
    "merge.superseded_line": ("  ↻ {reason}", "  ↻ {reason}"),
    "merge.note_line": ("  ! {reason}", "  ! {reason}"),
    "merge.written": ("Đã ghi tổng hợp: {path}", "Summary written: {path}"),
    "merge.json_written": ("Đã ghi báo cáo JSON: {path}", "JSON report written: {path}"),
    "merge.totals": (
        "Toàn tỉnh:{line}",
        "Province:{line}",
    ),
    # merge --previous, --docx
    "previous.unreadable": (
        "Không đọc được tổng hợp năm trước {path}: {reason}.",
        "Cannot read last year's summary {path}: {reason}.",
    ),
    "previous.not_summary": (
        "{path} không phải là tệp tổng hợp do dv merge tạo (cần trang “Tổng hợp” có dòng mã chỉ tiêu "
        "dưới tiêu đề cột). Chọn tệp tong-hop-<năm>.xlsx của năm trước.",
        "{path} is not a summary written by dv merge (it needs a “Tổng hợp” sheet with the field codes "
        "under the column headings). Pick last year's tong-hop-<year>.xlsx.",
    ),
    "previous.other_form": (
        "{path} là tổng hợp của biểu mẫu {found}, không phải {form}: không so sánh được.",
        "{path} is a summary of the form {found}, not {form}: it cannot be compared.",
    ),
    "previous.no_year": (
        "Không rõ {path} là tổng hợp năm nào (thiếu trang ẩn và dòng tiêu đề “… năm …”).",
        "Cannot tell which year {path} summarises (no hidden sheet, no “… năm …” title line).",
    ),
    "previous.not_earlier": (
        "{path} là tổng hợp năm {found}, không phải của một năm trước {year}. Chọn tổng hợp năm trước.",
        "{path} summarises {found}, not a year before {year}. Pick last year's summary.",
    ),
    "previous.compared": (
        "So sánh với năm {year} ({path}): {units} đơn vị có số liệu cả hai năm.",
        "Compared with {year} ({path}): {units} units have figures for both years.",
    ),
    "previous.version": (
        "Tổng hợp năm {year} theo biểu mẫu phiên bản {found}, năm nay {version}: các chỉ tiêu được so theo mã.",
        "The {year} summary is of form version {found}, this year's is {version}: fields are matched by code.",
    ),
    "previous.new_fields": (
        "  Chỉ tiêu mới năm nay, chưa so sánh được: {fields}.",
        "  Fields new this year, not compared: {fields}.",
    ),
    "previous.dropped_fields": (
        "  Chỉ tiêu năm trước không còn trong biểu mẫu năm nay: {fields}.",
        "  Last year's fields no longer in this year's form: {fields}.",
    ),
    "previous.units_new": (
        "  Đơn vị chưa có trong tổng hợp năm {year}: {units}.",
        "  Units not in the {year} summary: {units}.",
    ),
    "previous.units_silent": (
        "  Đơn vị năm {year} chưa gửi báo cáo: {units}.",
        "  Units that did not report in {year}: {units}.",
    ),
    "docx.written": ("Đã ghi phụ lục Word: {path}", "Word appendix written: {path}"),
    "docx.no_report": (
        "Biểu mẫu {form} không có mục [report] (lời văn của phụ lục Word): không tạo được --docx.",
        "The form {form} has no [report] section (the Word appendix's wording): --docx cannot be written.",
    ),
    "none": ("không", "none"),
    "col.severity": ("Mức độ", "Severity"),
    "col.cell": ("Ô", "Cell"),
    "col.code": ("Mã lỗi", "Code"),
    "col.message": ("Nội dung", "Message"),
    "severity.error": ("Lỗi", "Error"),
    "severity.warning": ("Lưu ý", "Warning"),
    # -- the portal (dv serve): its pages (web.*) and its terminal lines (serve.*)
    "web.portal": ("Cổng nộp phụ lục số liệu", "Appendix submission portal"),
    "web.deadline": ("Hạn nộp", "Deadline"),
    "web.no_deadline": ("chưa đặt hạn nộp", "no deadline set"),
    "web.status": ("Tình trạng", "Status"),
    "web.history": ("Các lần nộp", "Uploads"),
    "web.no_uploads": ("Chưa nộp lần nào.", "Nothing uploaded yet."),
    "web.time": ("Thời điểm", "Time"),
    "web.file": ("Tệp", "File"),
    "web.errors": ("Lỗi", "Errors"),
    "web.warnings": ("Lưu ý", "Warnings"),
    "web.template": ("Tải biểu mẫu của đơn vị", "Download the unit's template"),
    "web.upload": ("Nộp tệp đã điền", "Upload the filled workbook"),
    "web.upload_hint": (
        "Một tệp .xlsx, .xls, .ods hoặc .xlsm, tối đa {cap}. Mỗi lần nộp được giữ lại, không ghi đè lần trước.",
        "One .xlsx, .xls, .ods or .xlsm file, at most {cap}. Every upload is kept; none overwrites another.",
    ),
    "web.send": ("Nộp và kiểm tra", "Upload and check"),
    "web.result": ("Kết quả kiểm tra", "Check result"),
    "web.received": ("Đã nhận", "Received"),
    "web.back": ("Về trang đơn vị", "Back to the unit's page"),
    "web.dl_annotated": ("Tải bản có ghi chú ở ô lỗi", "Download the annotated copy"),
    "web.dl_issues": ("Tải danh sách lỗi (Excel)", "Download the list of issues (Excel)"),
    "web.dl_original": ("Tải đúng tệp đã nhận", "Download the exact file received"),
    "web.no_issues": ("Không có lỗi hay lưu ý nào.", "No errors or warnings."),
    "web.in_summary": ("Trong tổng hợp", "In the summary"),
    "web.where": ("Vị trí", "Where"),
    "web.message": ("Nội dung và cách sửa", "What is wrong and how to fix it"),
    "web.severity": ("Mức", "Severity"),
    "web.code": ("Mã lỗi", "Code"),
    # an upload that counts (its status otherwise: status.*)
    "web.counts_now": ("hợp lệ — đang dùng cho tổng hợp", "valid — counts for the summary"),
    # statuses of a unit on the board
    "web.unit.missing": ("chưa nộp", "not sent"),
    "web.unit.rejected": ("bị từ chối", "rejected"),
    "web.unit.valid": ("hợp lệ", "valid"),
    "web.unit.late": ("nộp muộn", "late"),
    # the officer
    "web.login": ("Đăng nhập (Sở Nội vụ)", "Log in (Home Affairs)"),
    "web.password": ("Mật khẩu", "Password"),
    "web.login_button": ("Đăng nhập", "Log in"),
    "web.logout": ("Đăng xuất", "Log out"),
    "web.login_failed": ("Sai mật khẩu.", "Wrong password."),
    "web.no_password": (
        "Chưa đặt mật khẩu cán bộ. Trên máy chủ, chạy: dv serve --data {data} --set-password",
        "No officer password is set. On the server, run: dv serve --data {data} --set-password",
    ),
    "web.board": ("Tình hình nộp", "Submissions board"),
    "web.units": ("Đơn vị", "Units"),
    "web.unit": ("Đơn vị", "Unit"),
    "web.latest": ("Lần nộp gần nhất", "Latest upload"),
    "web.counts": ("Tệp dùng cho tổng hợp", "File that counts"),
    "web.downloads": ("Tải về", "Downloads"),
    "web.dl_summary": ("Bảng tổng hợp (.xlsx)", "Summary workbook (.xlsx)"),
    "web.dl_json": ("Báo cáo JSON", "JSON report"),
    "web.dl_docx": ("Phụ lục Word (.docx)", "Word appendix (.docx)"),
    "web.dl_zip": ("Các tệp dùng cho tổng hợp (.zip)", "The files that count (.zip)"),
    "web.dl_log": ("Nhật ký (CSV)", "Event log (CSV)"),
    "web.export": ("Xuất các tệp dùng cho tổng hợp ra thư mục", "Export the files that count to a folder"),
    "web.exported": (
        "Đã xuất {count} tệp vào thư mục {path}. Đối chiếu: {command}",
        "Exported {count} files to {path}. Cross-check: {command}",
    ),
    "web.missing_list": ("Danh sách đơn vị chưa nộp (để nhắc)", "Units still missing (for a reminder)"),
    "web.missing_text": (
        "Các đơn vị sau chưa gửi phụ lục số liệu năm {year} hợp lệ:",
        "These units have not sent a valid {year} appendix:",
    ),
    "web.recheck": ("Kiểm tra lại mọi tệp đã nhận", "Re-check every stored file"),
    "web.rechecked": ("Đã kiểm tra lại {count} tệp.", "Re-checked {count} files."),
    "web.new_link": ("Cấp đường dẫn mới", "Issue a new link"),
    "web.new_link_done": (
        "Đường dẫn mới của {unit} (đường dẫn cũ không dùng được nữa; đã ghi vào {path}):",
        "New link of {unit} (the old one no longer works; written to {path}):",
    ),
    "web.confirm": ("Đồng ý: đường dẫn cũ sẽ không dùng được", "Confirm: the old link stops working"),
    "web.nothing_counts": ("Chưa có tệp hợp lệ nào để tổng hợp.", "No valid file to merge yet."),
    # error pages
    "web.e404": (
        "Không tìm thấy trang. Đường dẫn sai, hoặc đã được thay bằng đường dẫn mới: hỏi Sở Nội vụ.",
        "Page not found. The link is wrong or has been replaced by a new one: ask Home Affairs.",
    ),
    "web.e413": (
        "Tệp quá lớn (tối đa {cap}). Phụ lục số liệu thường dưới 1 MB: kiểm tra lại đã chọn đúng tệp chưa.",
        "The file is too large (at most {cap}). An appendix is usually under 1 MB: check the file chosen.",
    ),
    "web.e403": (
        "Biểu mẫu gửi lên không hợp lệ (đã quá cũ hoặc không phải từ trang này). Tải lại trang rồi nộp lại.",
        "The form sent is not valid (too old, or not from this page). Reload the page and send again.",
    ),
    "web.e429": (
        "Quá nhiều yêu cầu trong thời gian ngắn. Đợi một phút rồi thử lại.",
        "Too many requests in a short time. Wait a minute and try again.",
    ),
    "web.e400": ("Yêu cầu không hợp lệ: {reason}", "Bad request: {reason}"),
    "web.e400_nofile": ("chưa chọn tệp, hoặc có nhiều hơn một tệp", "no file chosen, or more than one file"),
    "web.e507": (
        "Máy chủ hết chỗ lưu: tệp chưa được nhận (không có gì ghi dở). Báo cho Sở Nội vụ rồi nộp lại sau.",
        "The server's disk is full: the file was not received (nothing half-written). Tell Home Affairs and send it later.",
    ),
    "web.e500": (
        "Máy chủ gặp lỗi không mong đợi. Báo cho Sở Nội vụ.",
        "The server hit an unexpected error. Tell Home Affairs.",
    ),
    # the terminal (dv serve)
    "serve.listening": (
        "Cổng nộp đang chạy tại {url} (Ctrl+C để dừng). Dữ liệu: {data}",
        "The portal is running at {url} (Ctrl+C to stop). Data: {data}",
    ),
    "serve.links": (
        "Đã ghi đường dẫn riêng của {count} đơn vị vào {path} (để gửi kèm công văn; giữ kín).",
        "Wrote the private links of {count} units to {path} (for the request letters; keep it private).",
    ),
    "serve.no_password": (
        "Chưa đặt mật khẩu cán bộ: chạy dv serve --data {data} --set-password",
        "No officer password yet: run dv serve --data {data} --set-password",
    ),
    "serve.password_set": ("Đã đặt mật khẩu cán bộ.", "The officer password is set."),
    "serve.password_short": ("Mật khẩu cần ít nhất {n} ký tự.", "The password needs at least {n} characters."),
    "serve.password_prompt": ("Mật khẩu cán bộ", "Officer password"),
    "serve.needs_units": ("Cần --units ROSTER.csv (danh sách đơn vị).", "--units ROSTER.csv (the roster) is needed."),
    "serve.needs_web": (
        "Cổng nộp cần thêm thư viện web: pip install 'dv[web]'",
        "The portal needs the web libraries: pip install 'dv[web]'",
    ),
    "serve.bad_size": ("--max-upload không hợp lệ: {value} (ví dụ 10MB)", "Invalid --max-upload: {value} (e.g. 10MB)"),
    "serve.bad_deadline": (
        "--deadline không hợp lệ: {value} (dạng YYYY-MM-DD)",
        "Invalid --deadline: {value} (YYYY-MM-DD)",
    ),
    "serve.tls_pair": ("--tls-cert và --tls-key phải đi cùng nhau.", "--tls-cert and --tls-key go together."),
}


_LANG = re.compile(r"^(vi|en)(?:[_.-].*)?$", re.IGNORECASE)  # vi, en, vi_VN, en_US.UTF-8


class UnknownLang(ValueError):
    """``--lang`` or ``DV_LANG`` names a language dv does not speak."""

    def __init__(self, value: str, source: str) -> None:
        super().__init__(value)
        self.value, self.source = value, source

    def render(self, lang: str = "vi") -> str:
        return t("usage.lang", lang, value=self.value, source=self.source)


def lang_from(value: str | None) -> str:
    """The language asked for by ``--lang`` or ``DV_LANG``; Vietnamese by default. An unknown
    value raises :class:`UnknownLang` (a usage error: the user asked for something)."""
    source = "--lang" if value else "DV_LANG"
    raw = value if value else os.environ.get("DV_LANG", "")
    if not raw.strip():
        return "vi"
    m = _LANG.match(raw.strip())
    if m is None:
        raise UnknownLang(raw, source)
    return m.group(1).lower()


class Localized:
    """A text in both languages, rendered later in either: the one way dv says a thing in two
    languages (a parameter of a message, an error, a status word)."""

    __slots__ = ("vi", "en")

    def __init__(self, vi: str, en: str | None = None) -> None:
        self.vi, self.en = vi, vi if en is None else en

    def render(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi

    def __str__(self) -> str:
        return self.vi

    def __repr__(self) -> str:
        return f"Localized({self.vi!r}, {self.en!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and (self.vi, self.en) == (other.vi, other.en)

    def __hash__(self) -> int:
        return hash((self.vi, self.en))


class Phrase(Localized):
    """An entry of :data:`MESSAGES` with its parameters, rendered in either language on demand
    (its parameters too, when they are :class:`Localized`)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object) -> None:
        if key not in MESSAGES:
            raise KeyError(key)
        self.key, self.params = key, params

    @property  # type: ignore[override]
    def vi(self) -> str:
        return self.render("vi")

    @property  # type: ignore[override]
    def en(self) -> str:
        return self.render("en")

    def render(self, lang: str = "vi") -> str:
        return t(self.key, lang, **self.params)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.params!r})"


def phrase(key: str, **params: object) -> Phrase:
    """The catalogue's sentence or fragment ``key``, to be rendered later in either language."""
    return Phrase(key, **params)


def said(value: object, lang: str = "vi") -> object:
    """``value`` in ``lang`` when it is :class:`Localized` (or a :class:`DvError`); anything else
    as it is."""
    return value.render(lang) if isinstance(value, Localized | DvError) else value


# What an operating-system error means, in the officer's words (one place, used wherever an
# OSError is shown: reading inputs, writing outputs, the roster, the forms).
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("không có tệp hoặc thư mục này", "no such file or folder"),
    errno.EACCES: ("không có quyền truy cập trên máy tính này", "permission denied on this computer"),
    errno.EPERM: ("không được phép thao tác trên máy tính này", "operation not permitted on this computer"),
    errno.ENOSPC: ("ổ đĩa đã hết chỗ trống", "the disk is full"),
    errno.EDQUOT: ("đã hết hạn mức dung lượng của tài khoản", "the account's disk quota is used up"),
    errno.EROFS: ("ổ đĩa chỉ cho phép đọc, không ghi được", "the disk is read-only"),
    errno.EISDIR: ("đó là một thư mục, không phải tệp", "it is a folder, not a file"),
    errno.ENOTDIR: ("một phần của đường dẫn không phải là thư mục", "part of the path is not a folder"),
    errno.EEXIST: ("đã có tệp trùng tên", "a file of that name already exists"),
    errno.EIO: ("lỗi đọc/ghi của ổ đĩa", "a disk input/output error"),
    errno.EBUSY: ("đang bị chương trình khác sử dụng", "in use by another program"),
    errno.ENAMETOOLONG: ("tên tệp hoặc đường dẫn quá dài", "the file name or path is too long"),
    errno.ELOOP: ("lối tắt (liên kết) trỏ vòng quanh", "the links loop back on themselves"),
    errno.EMFILE: ("mở quá nhiều tệp cùng lúc", "too many open files"),
    errno.EXDEV: ("không chuyển được sang ổ đĩa khác", "cannot move across disks"),
    errno.ETXTBSY: ("tệp đang được dùng", "the file is in use"),
    errno.EINVAL: ("tên hoặc thao tác không hợp lệ", "an invalid name or operation"),
}


def os_error_text(exc: OSError) -> Localized:
    """An OSError as a phrase in both languages (never the C library's English alone)."""
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known is not None:
        return Localized(*known)
    detail = exc.strerror or type(exc).__name__
    return Localized(f"lỗi hệ điều hành: {detail}", f"operating-system error: {detail}")


def t(key: str, lang: str = "vi", **params: object) -> str:
    """The catalogue's ``key`` in ``lang``, its :class:`Localized` parameters rendered in it too."""
    vi, en = MESSAGES[key]
    text = (en if lang == "en" else vi).format(**{k: said(v, lang) for k, v in params.items()})
    return unicodedata.normalize("NFC", text)


class DvError(Exception):
    """An error the user can act on, said in their language: every error dv raises for its user
    (a form definition, a roster, an output, last year's summary) is one of these. Built from a
    catalogue key and its parameters, or from a :class:`Localized` text."""

    exit_code = 2

    def __init__(self, key: str | Localized, **params: object) -> None:
        self.key = key if isinstance(key, str) else ""
        self.params = params
        self.message: Localized = Phrase(key, **params) if isinstance(key, str) else key
        super().__init__(self.key or self.message.vi)

    def render(self, lang: str = "vi") -> str:
        if not self.key:
            return self.message.render(lang)
        params = {
            k: "\n".join(f"  - {said(p, lang)}" for p in v) if isinstance(v, list) else v
            for k, v in self.params.items()
        }
        return t(self.key, lang, **params)

    def __str__(self) -> str:
        return self.render("vi")
