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
        "dòng {line}: loại {kind!r} phải là sở (so, phòng), huyện (huyen, thị xã, thành phố), xã (xa, phường, "
        "thị trấn) hoặc tỉnh (tinh)",
        "line {line}: kind {kind!r} must be sở (so, phòng), huyện (huyen, thị xã, thành phố), xã (xa, phường, "
        "thị trấn) or tỉnh (tinh)",
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
    "form.wrong_year": (
        "{form}: biểu mẫu của năm {found}, không phải {year}",
        "{form}: a form for {found}, not {year}",
    ),
    "form.no_such_form": ("không có biểu mẫu '{form}' (có: {known})", "no form '{form}' (known: {known})"),
    "form.no_such_year": (
        "biểu mẫu '{form}' không có năm {year} (có: {known})",
        "form '{form}' has no year {year} (known: {known})",
    ),
    # -- a form definition (toolkit.form: the loader, the form workbook, dv form)
    "def.problems": (
        "{path}: biểu mẫu có {count} lỗi, chưa dùng được:\n{problems}\nXem chi tiết: dv form check {path}",
        "{path}: the form has {count} error(s) and cannot be used yet:\n{problems}\nDetails: dv form check {path}",
    ),
    "def.unreadable": (
        "Không đọc được tệp biểu mẫu {path} ({reason}).",
        "Cannot read the form file {path} ({reason}).",
    ),
    "def.not_text": (
        "{path} không phải tệp TOML (văn bản UTF-8) cũng không phải bảng tính biểu mẫu (.xlsx, .ods).",
        "{path} is neither a TOML text (UTF-8) nor a form workbook (.xlsx, .ods).",
    ),
    "def.not_book": (
        "{path} là một bảng tính nhưng không phải biểu mẫu soạn bằng dv form export (không có trang {sheets}…). "
        "Xuất biểu mẫu bằng dv form export rồi sửa tệp đó.",
        "{path} is a workbook but not a form written by dv form export (no sheet {sheets}…). Export the form "
        "with dv form export and edit that file.",
    ),
    "def.not_toml": ("{path}: không phải TOML hợp lệ: {reason}", "{path}: not valid TOML: {reason}"),
    "def.old_excel": (
        "{path} là bảng tính Excel cũ (.xls): mở bằng Excel hoặc LibreOffice rồi lưu dạng .xlsx hoặc .ods.",
        "{path} is an old Excel workbook (.xls): open it in Excel or LibreOffice and save it as .xlsx or .ods.",
    ),
    "def.close": ("; các mã gần giống: {names}", "; close matches: {names}"),
    "def.close_key": ("; có phải ý là: {names}", "; did you mean: {names}"),
    "def.hint.code": ("; có thể dùng {code}", "; {code} would do"),
    "def.what.key": ('mục "{name}"', 'the entry "{name}"'),
    "def.what.column": ('cột "{heading}" ở trang {sheet}', 'the column "{heading}" of the sheet {sheet}'),
    "def.what.cell": ('giá trị ở cột "{heading}"', 'a value in the column "{heading}"'),
    "def.what.row": ('dòng "{label}" ({entry}) ở trang {sheet}', 'the row "{label}" ({entry}) of the sheet {sheet}'),
    "def.what.row_value": (
        'giá trị ở dòng "{label}" ({entry}) của trang {sheet}',
        'the value of the row "{label}" ({entry}) of the sheet {sheet}',
    ),
    "def.what.sheet": ("trang {sheet}", "the sheet {sheet}"),
    "def.fix.fill": ("Điền vào rồi kiểm tra lại (dv form check).", "Fill it in and check again (dv form check)."),
    "def.fix.sheet": (
        "Chép lại trang này từ một tệp dv form export viết ra, rồi kiểm tra lại (dv form check).",
        "Copy the sheet back from a workbook dv form export writes, and check again (dv form check).",
    ),
    "def.fix.sections": (
        "Biểu mẫu cần ít nhất một mục có chỉ tiêu.",
        "A form needs at least one section with fields.",
    ),
    "def.fix.expr": (
        "Chỉ tiêu tự tính cần công thức (ví dụ a + b); hoặc đổi nguồn thành nhập.",
        "A derived field needs a formula (e.g. a + b); or make its source an input.",
    ),
    "def.fix.value": (
        "Chỉ tiêu cố định cần giá trị (ví dụ {{year}} cho năm của biểu mẫu).",
        "A fixed field needs its value (e.g. {{year}} for the form's year).",
    ),
    "def.fix.choices": (
        "Chỉ tiêu kiểu danh mục cần tên danh mục các giá trị được chọn.",
        "A choice field or column needs the name of its list of values.",
    ),
    "def.fix.columns": ("Bảng cần ít nhất một cột.", "A table needs at least one column."),
    "def.fix.anchor": (
        "Ghi mã chỉ tiêu nhập có ô hiện kết quả kiểm tra của quy tắc này.",
        "Give the code of the input field whose row shows this rule's check.",
    ),
    "def.fix.rollup_from": (
        "Ghi mã các chỉ tiêu cấp dưới được cộng, cách nhau dấu phẩy; để trống thì lấy chỉ tiêu cùng mã.",
        "Give the codes of the lower-level fields added, separated by commas; empty: the field of the same code.",
    ),
    "def.kind.field": ("mã chỉ tiêu", "field code"),
    "def.kind.field_or_column": ("mã chỉ tiêu hay mã cột của bảng", "field or column code"),
    "def.kind.numeric_field": ("mã chỉ tiêu kiểu số (số nguyên, tỷ lệ)", "numeric field code"),
    "def.kind.list": ("danh mục", "choice list"),
    "def.kind.table": ("bảng", "table"),
    "def.kind.column": ("cột của bảng", "table column"),
    "def.kind.choice_column": ("cột danh mục của bảng", "choice column of the table"),
    "def.reason.table": ("cần một nhóm mục (bảng TOML)", "a group of entries (a TOML table) is needed"),
    "def.reason.list": ("cần một danh sách", "a list is needed"),
    "def.reason.text": ("cần chữ", "text is needed"),
    "def.reason.plain": (
        "trong chữ chỉ dùng được {{year}} và {{previous_year}} ({detail})",
        "only {{year}} and {{previous_year}} may be used in the text ({detail})",
    ),
    "def.reason.integer": ("cần một số nguyên từ {low} đến {high}", "a whole number from {low} to {high} is needed"),
    "def.reason.number": ("cần một số", "a number is needed"),
    "def.reason.boolean": ("chọn có hoặc không", "choose yes or no"),
    "def.reason.code": (
        "mã chỉ gồm chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ, và không giống địa chỉ ô "
        "(như ab12, r1c1){hint}",
        "a code holds only lower-case letters without accents, digits and _, starts with a letter, and does not "
        "look like a cell address (like ab12, r1c1){hint}",
    ),
    "def.reason.column": ("cần chữ cái của một cột, ví dụ D", "a column letter is needed, e.g. D"),
    "def.reason.cell": ("cần địa chỉ một ô, ví dụ A1", "a cell address is needed, e.g. A1"),
    "def.reason.sheet": (
        "tên trang cần từ 1 đến 31 ký tự, không có [ ] : * ? / \\",
        "a sheet name has 1 to 31 characters, none of [ ] : * ? / \\",
    ),
    "def.reason.form_id": (
        "mã biểu mẫu chỉ gồm chữ thường không dấu, chữ số và dấu -, ví dụ dan-van-chinh-quyen",
        "a form id holds only lower-case letters without accents, digits and -, e.g. dan-van-chinh-quyen",
    ),
    "def.reason.attachment": (
        'dòng "Kèm theo" chỉ dùng được {names}',
        'the "attached to" line may only use {names}',
    ),
    "def.reason.report_field": (
        '"{code}" phải là một chỉ tiêu nhập kiểu {type}',
        '"{code}" must be an input field of type {type}',
    ),
    "def.reason.roster": (
        "{code} không phải là một chỉ tiêu nhập: mã và tên đơn vị phải là chỉ tiêu đơn vị tự điền",
        "{code} is not an input field: the unit's code and name must be fields the unit fills",
    ),
    "def.reason.signature": (
        "khối chữ ký gồm tối đa 3 dòng chữ (ví dụ THỦ TRƯỞNG ĐƠN VỊ, (Ký tên, đóng dấu))",
        "a signature block is at most 3 lines of text",
    ),
    "def.reason.style": ("kiểu số hiệu là một trong: {styles}", "the numbering style is one of: {styles}"),
    "def.reason.source": ("nguồn là một trong: {sources}", "the source is one of: {sources}"),
    "def.reason.expr_not_derived": (
        "chỉ chỉ tiêu tự tính (nguồn: tính) mới có công thức; đổi nguồn thành tính, hoặc xóa công thức",
        "only a derived field (source: derived) has a formula; make its source derived, or remove the formula",
    ),
    "def.reason.value_not_fixed": (
        "chỉ chỉ tiêu cố định (nguồn: cố định) mới có giá trị sẵn; đổi nguồn thành cố định, hoặc xóa giá trị",
        "only a fixed field (source: fixed) has a value; make its source fixed, or remove the value",
    ),
    "def.reason.fixed_integer": (
        "giá trị của chỉ tiêu số nguyên phải là số nguyên",
        "an integer field's value must be a whole number",
    ),
    "def.reason.choices_not_choice": (
        "chỉ chỉ tiêu hay cột kiểu danh mục mới có danh mục; đổi kiểu, hoặc xóa tên danh mục",
        "only a choice field or column has a list; change its type, or remove the list",
    ),
    "def.reason.bounds_type": (
        "giới hạn nhỏ nhất, lớn nhất chỉ dùng cho số nguyên và tỷ lệ",
        "a smallest or largest value is for integers and rates only",
    ),
    "def.reason.bounds_order": (
        "giá trị nhỏ nhất {low} lớn hơn giá trị lớn nhất {high}",
        "the smallest value {low} is above the largest {high}",
    ),
    "def.reason.bounds_range": (
        "giới hạn không được âm, và với tỷ lệ không quá 100% (ghi 0,2 hay 20%)",
        "a bound cannot be negative, nor above 100 % for a rate (write 0.2 or 20 %)",
    ),
    "def.reason.rollup_kind": ("cách cộng lên cấp trên là một trong: {kinds}", "the roll-up is one of: {kinds}"),
    "def.reason.rollup_not_input": (
        "chỉ chỉ tiêu nhập mới khai cách cộng lên cấp trên (chỉ tiêu cố định, tự tính thì biểu mẫu tự điền); "
        "để trống ô này",
        "only an input field declares its roll-up (the template fills fixed and derived fields); leave it empty",
    ),
    "def.reason.rollup_sum_type": (
        "chỉ cộng được chỉ tiêu số nguyên; tỷ lệ thì chọn tính lại (từ các tổng, không lấy trung bình), "
        "chữ, ngày thì chọn người nhập",
        "only an integer field is summed; a rate is recomputed (from the sums, never averaged), a text or "
        "a date is typed",
    ),
    "def.reason.rollup_recompute": (
        "tính lại cần công thức ở cột Tổng toàn tỉnh (ví dụ da_giam / (hien_co + da_giam))",
        "recompute needs the field's total expression (e.g. cut / (staff + cut))",
    ),
    "def.reason.rollup_from": (
        "chỉ chỉ tiêu cộng mới lấy từ chỉ tiêu cấp dưới; để trống ô này, hoặc chọn cộng",
        "only a summed field names the lower-level fields it adds; leave it empty, or choose sum",
    ),
    "def.reason.adjacent": (
        "các cột của bảng phải liền nhau và theo thứ tự (B, C, D…)",
        "a table's columns must be adjacent, in order (B, C, D…)",
    ),
    "def.reason.note": ("dòng ghi chú chỉ dùng được {{rows}}", "the note may only use {{rows}}"),
    "def.reason.identity": (
        "chỉ ghi mã các cột của bảng: {columns}",
        "only the table's column codes may be listed: {columns}",
    ),
    "def.reason.role": ("vai trò là một trong: {roles}", "the role is one of: {roles}"),
    "def.reason.role_number": (
        "cột số ký hiệu phải có kiểu chữ hoặc mã",
        "the document-number column must be of type text or code",
    ),
    "def.reason.role_choice": (
        "cột cơ quan ban hành và cột loại văn bản phải có kiểu danh mục",
        "the issuer and document-type columns must be choice columns",
    ),
    "def.reason.role_style": (
        "danh mục {list} chưa ghi kiểu số hiệu (Đảng/chính quyền) của giá trị nào",
        "the list {list} gives no value a numbering style (party/state)",
    ),
    "def.reason.role_without_number": (
        "vai trò cơ quan ban hành, loại văn bản cần một cột có vai trò số ký hiệu",
        "the issuer and type roles need a column with the document-number role",
    ),
    "def.reason.rule_id": (
        "mã quy tắc trùng với một mã lỗi của dv; chọn mã khác",
        "the rule id is one of dv's issue codes; choose another",
    ),
    "def.reason.severity": ("mức độ là một trong: {severities}", "the severity is one of: {severities}"),
    "def.reason.anchor_derived": (
        "quy tắc phải gắn với một chỉ tiêu nhập, không gắn với chỉ tiêu tự tính {code}",
        "a rule is anchored on an input field, not on the derived field {code}",
    ),
    "def.reason.anchor_table": (
        "quy tắc của bảng kiểm tra từng dòng, không gắn với chỉ tiêu nào; để trống ô chỉ tiêu gắn",
        "a table rule checks each row and has no anchor; leave the anchor empty",
    ),
    "def.reason.not_numeric": ("{code} không phải chỉ tiêu kiểu số", "{code} is not a numeric field"),
    "def.reason.no_documents": (
        "phụ lục Word chưa có phần bảng văn bản (report.documents)",
        "the Word appendix has no documents table (report.documents)",
    ),
    "def.reason.one_table": (
        "biểu mẫu chỉ có được một bảng kê; gộp các cột vào một bảng, hoặc bỏ bảng này",
        "a form has at most one table; put the columns into one table, or remove this one",
    ),
    "def.reason.headers": ("cần đúng {count} tiêu đề cột", "exactly {count} column headings are needed"),
    "def.changes.added": ("thêm {codes}", "added {codes}"),
    "def.changes.dropped": ("bỏ {codes}", "dropped {codes}"),
    "def.changes.relabelled": ("đổi tên {codes}", "relabelled {codes}"),
    "def.changes.moved": ("đổi vị trí hay kiểu {codes}", "moved or retyped {codes}"),
    "def.changes.labels": ("tiêu đề hay bố cục", "titles or layout"),
    # dv form export, dv form check
    "form.toml_header": (
        "Biểu mẫu {id}, phiên bản {version}, năm {year}, do dv form export ghi.\n"
        "Sửa rồi kiểm tra: dv form check <tệp>. Đổi chỉ tiêu thì đổi phiên bản.",
        "The form {id}, version {version}, year {year}, written by dv form export.\n"
        "Edit, then check: dv form check <file>. Changed fields need a new version.",
    ),
    "form.exported": ("Đã ghi biểu mẫu ({what}): {path}", "Form written ({what}): {path}"),
    "form.exported.xlsx": ("bảng tính để soạn trong Excel, LibreOffice", "a workbook to edit in Excel, LibreOffice"),
    "form.exported.toml": ("văn bản TOML", "TOML text"),
    "form.bad_to": ("--to phải là xlsx hoặc toml, không phải {value}.", "--to must be xlsx or toml, not {value}."),
    "form.check.ok": (
        "✓ {path}: biểu mẫu {id}, phiên bản {version}, năm {year}: không có lỗi ({fields} chỉ tiêu, {rules} quy tắc).",
        "✓ {path}: form {id}, version {version}, year {year}: no error ({fields} fields, {rules} rules).",
    ),
    "form.check.problems": ("✗ {path}: {count} lỗi cần sửa.", "✗ {path}: {count} error(s) to correct."),
    "form.check.next": (
        "Dùng biểu mẫu: dv make-template --form {path}; dv merge THƯ_MỤC --form {path}",
        "Use it: dv make-template --form {path}; dv merge FOLDER --form {path}",
    ),
    # the words of the form workbook's closed columns (its dropdowns), and its own problems
    "book.type.text": ("chữ", "text"),
    "book.type.code": ("mã", "code"),
    "book.type.integer": ("số nguyên", "integer"),
    "book.type.date": ("ngày", "date"),
    "book.type.percent": ("tỷ lệ", "percent"),
    "book.type.choice": ("danh mục", "choice"),
    "book.bool.yes": ("có", "yes"),
    "book.bool.no": ("không", "no"),
    "book.source.input": ("nhập", "input"),
    "book.source.fixed": ("cố định", "fixed"),
    "book.source.derived": ("tính", "derived"),
    "book.severity.error": ("lỗi", "error"),
    "book.severity.warning": ("lưu ý", "warning"),
    "book.style.party": ("Đảng", "party"),
    "book.style.state": ("chính quyền", "state"),
    "book.role.doc-number": ("số ký hiệu", "document number"),
    "book.role.doc-issuer": ("cơ quan ban hành", "issuing body"),
    "book.role.doc-type": ("loại văn bản", "document type"),
    "book.rollup.sum": ("cộng", "sum"),
    "book.rollup.recompute": ("tính lại", "recompute"),
    "book.rollup.person": ("người nhập", "typed"),
    "book.table_rollup.all": ("của các đơn vị", "all units'"),
    "book.table_rollup.own": ("của cấp này", "this level's own"),
    "book.kind.section": ("mục", "section"),
    "book.kind.sentence": ("câu", "sentence"),
    "book.kind.compare": ("so sánh", "comparison"),
    "book.kind.units-column": ("cột đơn vị", "units column"),
    "def.reason.enum": ("chọn một trong: {values}", "pick one of: {values}"),
    "def.reason.heading": (
        "tiêu đề cột này không có trong biểu mẫu; các cột có: {headings} (một cột ghi chú thì đặt tiêu đề bắt đầu "
        'bằng "Ghi chú")',
        "this column heading is not one of the form's; the columns are: {headings} (for a notes column, start its "
        'heading with "Ghi chú")',
    ),
    "def.reason.field_before_section": (
        'chỉ tiêu phải nằm dưới một dòng mục (dòng có số mục ở cột "Mục")',
        'a field must come under a section row (a row with its number in the column "Mục")',
    ),
    "def.reason.section_and_field": (
        "một dòng là mục (ghi số mục) hoặc chỉ tiêu (ghi mã chỉ tiêu), không phải cả hai",
        "a row is a section (with its number) or a field (with its code), not both",
    ),
    "def.reason.row_without_key": (
        'dòng có giá trị nhưng không có mã mục ở cột "Mã mục"',
        'the row has a value but no key in the column "Mã mục"',
    ),
    "def.reason.row_without_list": (
        'giá trị chưa có tên danh mục ở cột "Danh mục"',
        'the value has no list name in the column "Danh mục"',
    ),
    "def.reason.row_without_table": (
        'cột chưa có mã bảng ở cột "Bảng"',
        'the column has no table code in the column "Bảng"',
    ),
    "def.reason.sentence_before_section": (
        "dòng câu, so sánh phải nằm dưới một dòng mục",
        "a sentence or comparison row must come under a section row",
    ),
    # the rule language (toolkit.form.rules): why an expression or a message is refused
    "rule.refused": (
        '"{text}" sai ở ký tự {position}: {reason}',
        '"{text}" goes wrong at character {position}: {reason}',
    ),
    "rule.empty": (
        "còn trống; viết một biểu thức, ví dụ a == b + c",
        "it is empty; write an expression, e.g. a == b + c",
    ),
    "rule.single_equals": (
        "để so sánh bằng, viết hai dấu bằng == (ví dụ a == b + c)",
        "to compare, write two equal signs == (e.g. a == b + c)",
    ),
    "rule.unclosed": ('dấu "(" ở đây chưa có dấu ")" đóng lại', 'this "(" is never closed by a ")"'),
    "rule.unopened": ('dấu ")" ở đây không có dấu "(" mở trước', 'this ")" has no "(" before it'),
    "rule.unclosed_quote": ("chữ mở bằng dấu nháy ở đây chưa có dấu nháy đóng", "the quoted text here is never closed"),
    "rule.bad_symbol": (
        "ký hiệu này không dùng được; dùng + - * /, so sánh == != < <= > >=, and, or, not",
        "this symbol is not allowed; use + - * /, comparisons == != < <= > >=, and, or, not",
    ),
    "rule.syntax": (
        "cú pháp không đúng; biểu thức gồm mã chỉ tiêu, số, chữ trong dấu nháy, + - * /, so sánh "
        "== != < <= > >=, and, or, not và các hàm abs, min, max, round, year, month, countif",
        "not valid syntax; an expression holds field codes, numbers, quoted text, + - * /, comparisons "
        "== != < <= > >=, and, or, not and the functions abs, min, max, round, year, month, countif",
    ),
    "rule.constant": (
        "hằng số {value} không dùng được (chỉ dùng số, và chữ trong dấu nháy)",
        "the constant {value} is not allowed (numbers and quoted text only)",
    ),
    "rule.operator": (
        "phép toán này không dùng được; chỉ dùng + - * / và not",
        "this operator is not allowed; only + - * / and not",
    ),
    "rule.comparison": (
        "phép so sánh này không dùng được; chỉ dùng == != < <= > >=",
        "this comparison is not allowed; only == != < <= > >=",
    ),
    "rule.function": (
        'hàm "{name}" không dùng được; các hàm có: {known}',
        'the function "{name}" is not allowed; the functions are: {known}',
    ),
    "rule.arity": ("hàm {name} cần đúng {count} đối số", "the function {name} takes exactly {count} argument(s)"),
    "rule.no_arguments": ("hàm {name} cần ít nhất một đối số", "the function {name} needs at least one argument"),
    "rule.countif": (
        "countif cần một cột của bảng, dạng ma_bang.ma_cot, rồi giá trị cần đếm",
        "countif needs a table's column, written table_code.column_code, then the value to count",
    ),
    "rule.attribute": (
        "dấu chấm chỉ dùng trong countif(ma_bang.ma_cot, …)",
        "a dot is only allowed in countif(table_code.column_code, …)",
    ),
    "rule.syntax_kind": ("cú pháp không được phép ({kind})", "syntax not allowed ({kind})"),
    "rule.no_table": ("không có bảng cho {ref}", "no table for {ref}"),
    "rule.live_spec": (
        "ô kiểm tra không hiển thị được {spec} (chỉ thông báo của dv hiển thị được)",
        "a live check cannot show {spec} (only dv's messages can)",
    ),
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
        "bản có ghi chú do dv tạo (dv check --annotate, hoặc tải từ cổng nộp) từ tệp có SHA-256 {sha}…, số liệu "
        "chưa sửa gì nên không phải bài nộp mới; sửa các ô tô màu rồi gửi lại",
        "an annotated copy made by dv (dv check --annotate, or the portal's download) of the file with SHA-256 "
        "{sha}…, its figures unchanged, so not a new submission; correct the coloured cells and send it again",
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
    "bounds.between": ("từ {low} đến {high}", "from {low} to {high}"),
    "bounds.low": ("ít nhất {low}", "at least {low}"),
    "bounds.high": ("không quá {high}", "at most {high}"),
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
    "merge.reason.chosen": ("cán bộ đã chọn tệp {file}", "the officer chose {file}"),
    "merge.reason.arrival": (
        "{file} được đơn vị nộp sau, qua đường dẫn của đơn vị",
        "{file} was uploaded later, through the unit's own link",
    ),
    "merge.how.use": ("dv merge --use", "dv merge --use"),
    "merge.how.portal": ("nút chọn tệp trên cổng nộp", "the portal's choice button"),
    "merge.basis.saved": (
        "được chương trình bảng tính lưu sau (lúc {won}, tệp kia lúc {lost})",
        "saved later by the spreadsheet program (at {won}, the other at {lost})",
    ),
    "merge.basis.modified": (
        "được sửa sau trên máy này (lúc {won}, tệp kia lúc {lost}; {why})",
        "modified later on this computer (at {won}, the other at {lost}; {why})",
    ),
    "merge.basis.no_save_time": ("tệp {files} không ghi thời điểm lưu", "{files} records no save time"),
    "merge.basis.same_save_time": (
        "hai tệp ghi cùng thời điểm lưu {saved}",
        "both files record the same save time {saved}",
    ),
    # a unit dv cannot decide (merge-conflict)
    "merge.facts.saved": ("ngày báo cáo {date}, lưu lúc {saved}", "report date {date}, saved at {saved}"),
    "merge.facts.unsaved": (
        "ngày báo cáo {date}, không ghi thời điểm lưu",
        "report date {date}, no save time recorded",
    ),
    "merge.why.disagree": (
        "ngày báo cáo cho thấy {dated} là bản sau, nhưng thời điểm lưu cho thấy {saved} được lưu sau",
        "the report dates say {dated} is the later, but the save times say {saved} was saved later",
    ),
    "merge.why.no_time": (
        "cùng ngày báo cáo {date} và không có thời điểm lưu hay sửa nào cho biết tệp nào sau",
        "the same report date {date}, and no save or modification time tells which is the later",
    ),
    # the officer's choice (dv merge --use)
    "merge.use.unknown": (
        "--use {value}: không có tệp nào có đường dẫn hay mã SHA-256 này trong thư mục; chưa áp dụng lựa chọn này.",
        "--use {value}: no file of the folder has this path or SHA-256; this choice is not applied.",
    ),
    "merge.use.not_usable": (
        "--use {file}: tệp {status}, có lỗi của chính nó nên không dùng được; đề nghị đơn vị sửa và gửi lại.",
        "--use {file}: the file is {status}, with errors of its own, so it cannot be used; ask the unit to fix it "
        "and send it again.",
    ),
    # other evidence of a file's unit (unit-conflict)
    "evidence.report_number": ('số báo cáo "{value}"', 'the report number "{value}"'),
    "evidence.file_name": ('tên tệp "{value}"', 'the file name "{value}"'),
    "evidence.path": ('đường dẫn "{value}"', 'the path "{value}"'),
    "evidence.signer": ('dòng người ký "{value}"', 'the signer line "{value}"'),
    "evidence.and": (" và ", " and "),
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
        "Đã ghi {count} biểu mẫu riêng và {generic} biểu mẫu chung vào {path}",
        "Wrote {count} personalised templates and {generic} generic template into {path}",
    ),
    "template.timing": ("({seconds} giây)", "({seconds} s)"),
    # check
    "status.accepted": ("hợp lệ", "accepted"),
    "status.rejected": ("bị từ chối", "rejected"),
    "status.duplicate": ("trùng lặp", "duplicate"),
    "status.superseded": ("đã thay bằng bản mới hơn", "superseded"),
    "status.ignored": ("bỏ qua", "ignored"),
    "status.conflict": ("xung đột", "in conflict"),
    "status.unit-conflict": ("xung đột đơn vị", "unit conflict"),
    "status.missing": ("chưa gửi", "not sent"),
    # the same statuses as the summary workbook writes them (a Vietnamese document)
    "summary.status.accepted": ("Đã nộp, hợp lệ", "Sent, accepted"),
    "summary.status.rejected": ("Bị từ chối", "Rejected"),
    "summary.status.duplicate": ("Trùng lặp", "Duplicate"),
    "summary.status.superseded": ("Đã thay bằng bản mới", "Superseded by a newer file"),
    "summary.status.ignored": ("Bỏ qua", "Ignored"),
    "summary.status.conflict": ("Xung đột, chờ chọn tệp", "In conflict, awaiting a choice"),
    "summary.status.unit-conflict": ("Xung đột đơn vị", "Unit conflict"),
    "summary.status.missing": ("Chưa gửi", "Not sent"),
    "summary.form_year": ("(gửi mẫu năm {year})", "(sent the {year} template)"),
    "summary.rollup_of": ("(tổng hợp {units} đơn vị)", "(roll-up of {units} units)"),
    "summary.rollup_partial": ("(tổng hợp {units} đơn vị, chưa đủ)", "(roll-up of {units} units, short)"),
    "merge.rollup_line": (
        "  ⊕ {file} ({unit}): bản tổng hợp của {units} đơn vị ({leaves} tệp gốc; lập bằng {generator}){partial}",
        "  ⊕ {file} ({unit}): a roll-up of {units} units ({leaves} original files; made by {generator}){partial}",
    ),
    "merge.rollup_partial": ("; chưa chốt, chưa đủ số liệu", "; not settled, figures short"),
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
        "{ignored} bỏ qua{extra}. Đơn vị chưa có báo cáo hợp lệ: {missing}.",
        "{files} files: {accepted} accepted, {rejected} rejected, {duplicate} duplicates, {superseded} superseded, "
        "{ignored} ignored{extra}. Units without an accepted report: {missing}.",
    ),
    "merge.account_extra": (", {count} {status}", ", {count} {status}"),
    "merge.rejected_line": ("  ✗ {file} ({unit}): {reason}", "  ✗ {file} ({unit}): {reason}"),
    "merge.conflict_unit": (
        "  ⚠ Đơn vị {unit}: {count} tệp hợp lệ khác nhau, chưa xác định được tệp dùng để tổng hợp; cần cán bộ chọn:",
        "  ⚠ Unit {unit}: {count} different valid files and which counts cannot be told; the officer must choose:",
    ),
    "merge.conflict_line": ("  ⚠ {reason}", "  ⚠ {reason}"),
    "merge.ignored_line": ("  – {reason}", "  – {reason}"),
    "merge.superseded_line": ("  ↻ {reason}", "  ↻ {reason}"),
    "merge.replaced_unit": (
        "  ↻ Đơn vị {unit}: {superseded} tệp đã được thay bằng tệp mới hơn, {duplicate} tệp trùng lặp; tệp dùng: "
        "{used}. Danh sách đầy đủ: thêm --verbose, hoặc xem báo cáo JSON, trang Tình hình nộp.",
        "  ↻ Unit {unit}: {superseded} files superseded by a newer one, {duplicate} duplicates; the file used: "
        "{used}. The full list: add --verbose, or see the JSON report, the Tình hình nộp sheet.",
    ),
    "merge.note_line": ("  ! {reason}", "  ! {reason}"),
    "merge.notes_more": (
        "  ! … và {count} lưu ý khác như vậy của đơn vị {unit} (thêm --verbose để xem hết).",
        "  ! … and {count} more such notes of unit {unit} (add --verbose to see them all).",
    ),
    # dv roll-up (docs/spec.md §9)
    "rollup.open.rejected": ("{count} tệp bị từ chối: {names}", "{count} file(s) rejected: {names}"),
    "rollup.open.conflict": (
        "đơn vị chờ cán bộ chọn tệp (xung đột): {units}",
        "units waiting for the officer's choice (conflict): {units}",
    ),
    "rollup.open.unit_conflict": (
        "{count} tệp xung đột đơn vị: {names}",
        "{count} file(s) in unit conflict: {names}",
    ),
    "rollup.open.missing": ("{count} đơn vị chưa gửi: {units}", "{count} unit(s) sent nothing: {units}"),
    "rollup.unsettled": (
        "Vòng tổng hợp chưa chốt, chưa lập báo cáo gửi cấp trên (không gửi lên số liệu chưa chắc chắn):\n"
        "{problems}\nGiải quyết rồi chạy lại; hoặc, nếu cần gửi số liệu chưa đủ, thêm --partial (cấp trên sẽ "
        "thấy báo cáo chưa đủ).",
        "The round is not settled; no report for the level above was made (an uncertain figure is never sent "
        "up):\n{problems}\nSettle them and run again; or, to send figures that are short, add --partial (the "
        "level above will see that they are).",
    ),
    "rollup.template_missing": (
        "Không có biểu mẫu cấp trên {path}. --to là biểu mẫu cấp trên gửi cho đơn vị (tệp .xlsx).",
        "No template of the level above at {path}. --to is the template the level above sent (an .xlsx file).",
    ),
    "rollup.template_not_xlsx": (
        "{path} không phải tệp .xlsx: --to là biểu mẫu .xlsx do dv make-template của cấp trên tạo.",
        "{path} is not an .xlsx file: --to is the .xlsx template the level above made with dv make-template.",
    ),
    "rollup.template_unreadable": (
        "Không đọc được biểu mẫu cấp trên {path}: {reason}.",
        "Cannot read the template {path}: {reason}.",
    ),
    "rollup.not_template": (
        "{path} không phải biểu mẫu do dv make-template tạo (không có thông tin biểu mẫu, hoặc là bảng tổng hợp). "
        "Dùng biểu mẫu cấp trên gửi cho đơn vị.",
        "{path} is not a template made by dv make-template (no form information, or a summary). Use the template "
        "the level above sent.",
    ),
    "rollup.form_unknown": (
        "Biểu mẫu {path} theo mẫu {form} năm {year}, dv chưa có mẫu này. Cho biết tệp biểu mẫu bằng --to-form "
        "(tệp .toml hay bảng tính biểu mẫu cấp trên gửi).",
        "The template {path} is of the form {form} {year}, which dv does not have. Give its definition with "
        "--to-form (the .toml or form workbook the level above sent).",
    ),
    "rollup.template_other_form": (
        "Biểu mẫu {path} theo mẫu {found}, không phải {form} (--to-form).",
        "The template {path} is of the form {found}, not {form} (--to-form).",
    ),
    "rollup.template_other_version": (
        "Biểu mẫu {path} là phiên bản {found}, khác phiên bản {version} của mẫu dv có, hoặc đã bị sửa. Xin cấp "
        "trên biểu mẫu mới, hoặc cho biết đúng tệp biểu mẫu bằng --to-form.",
        "The template {path} is version {found}, not the form's {version}, or it was edited. Ask the level above "
        "for a new template, or give its definition with --to-form.",
    ),
    "rollup.template_bad": (
        "Biểu mẫu cấp trên {path} không dùng được: {reason}",
        "The template {path} cannot be used: {reason}",
    ),
    "rollup.template_filled": (
        "{path} đã có số liệu: dv roll-up điền vào biểu mẫu trống của cấp trên (tệp dv make-template tạo), "
        "không điền đè lên tệp đã điền.",
        "{path} already holds figures: dv roll-up fills the empty template of the level above (as dv "
        "make-template wrote it), never over a filled file.",
    ),
    "rollup.template_names": (
        "Biểu mẫu cấp trên thiếu tên ô {name}: có thể đã bị sửa. Xin cấp trên biểu mẫu mới.",
        "The template lacks the defined name {name}: it may have been edited. Ask the level above for a new one.",
    ),
    "rollup.form_no_rollup": (
        'Biểu mẫu {form} chưa khai cách cộng lên cấp trên (cột "Cộng lên cấp trên" ở trang Chỉ tiêu, khóa '
        "rollup trong TOML): không lập được báo cáo tổng hợp theo mẫu này.",
        'The form {form} declares no roll-up (the "Cộng lên cấp trên" column of its fields sheet, the rollup '
        "key in TOML): no roll-up can be made on it.",
    ),
    "rollup.mapping": (
        "Chưa lập được báo cáo theo mẫu {form} từ vòng tổng hợp mẫu {lower}; chưa ghi gì:\n{problems}",
        "Cannot roll the round of form {lower} up into the form {form}; nothing written:\n{problems}",
    ),
    "rollup.map.undeclared": (
        "chỉ tiêu {code} ({label}) chưa khai cách cộng lên cấp trên ({kinds})",
        "field {code} ({label}) declares no roll-up ({kinds})",
    ),
    "rollup.map.table_undeclared": (
        "bảng {table} chưa khai văn bản khi cộng lên cấp trên (của các đơn vị, hay của cấp này)",
        "table {table} declares no roll-up of its documents (all units', or this level's own)",
    ),
    "rollup.map.missing": (
        "chỉ tiêu {code} ({label}) cần tổng của {source}, nhưng mẫu {form} của vòng này không có chỉ tiêu số "
        "nguyên {source}",
        "field {code} ({label}) needs the total of {source}, which the round's form {form} has no integer field of",
    ),
    "rollup.map.rate": (
        "tỷ lệ {code} được tính lại từ {names}, nhưng các chỉ tiêu đó không được cộng",
        "rate {code} is recomputed from {names}, which are not summed",
    ),
    "rollup.map.no_table": (
        "bảng {table} nhận văn bản của các đơn vị, nhưng mẫu {form} của vòng này không có bảng đó",
        "table {table} takes every unit's documents, but the round's form {form} has no such table",
    ),
    "rollup.map.column": (
        "cột {column} của bảng {table} không có (cùng kiểu) trong mẫu {form} của vòng này",
        "column {column} of table {table} is not in the round's form {form} (with that type)",
    ),
    "rollup.no_figure": (
        "Chỉ tiêu {code} ({label}) bắt buộc nhưng chưa đơn vị nào của vòng này có số liệu: chưa lập được báo cáo.",
        "Field {code} ({label}) is required but no unit of the round gave a figure: no report was made.",
    ),
    "rollup.set": (
        "--set phải dạng MÃ=GIÁ_TRỊ, ví dụ --set report_date=05/12/2020, không phải {value!r}.",
        "--set takes CODE=VALUE, e.g. --set report_date=05/12/2020, not {value!r}.",
    ),
    "rollup.set_unknown": (
        "--set {code}: biểu mẫu cấp trên không có chỉ tiêu này. Các chỉ tiêu: {codes}.",
        "--set {code}: the template's form has no such field. Fields: {codes}.",
    ),
    "rollup.set_not_person": (
        "--set {code}: {label} do dv roll-up điền từ số liệu các đơn vị, cán bộ không gõ.",
        "--set {code}: {label} is filled by dv roll-up from the units' figures, not typed.",
    ),
    "rollup.set_locked": (
        "--set {code}: biểu mẫu riêng của đơn vị đã ghi sẵn và khóa {label} ({value}).",
        "--set {code}: the unit's own template holds {label} already, locked ({value}).",
    ),
    "rollup.set_formula": (
        "--set {code}: ô {label} của biểu mẫu tự tính (chọn tên đơn vị thì có mã); không gõ vào ô này.",
        "--set {code}: the template computes {label} (choose the unit's name and the code follows); do not type it.",
    ),
    "rollup.set_bad": ("--set {code}={value}: {reason}", "--set {code}={value}: {reason}"),
    "rollup.table_full": (
        '{count} văn bản của các đơn vị nhưng bảng "{table}" của biểu mẫu cấp trên có {rows} dòng: chưa ghi gì. '
        "Đề nghị cấp trên làm biểu mẫu có nhiều dòng hơn (rows ở phần bảng của biểu mẫu).",
        'The units list {count} documents but the template\'s table "{table}" has {rows} rows: nothing written. '
        "Ask the level above for a template with more rows (the table's rows).",
    ),
    "rollup.self_check": (
        "Báo cáo tổng hợp sẽ không qua được kiểm tra của cấp trên, chưa ghi gì:\n{problems}",
        "The roll-up would not pass the level above's checks; nothing written:\n{problems}",
    ),
    "rollup.no_provenance": ("không đọc lại được phần nguồn gốc", "its provenance does not read back"),
    "rollup.written": (
        "Đã ghi báo cáo gửi cấp trên: {path} (mẫu {form} {version}{unit}; tổng hợp từ {units} đơn vị{documents})",
        "Report for the level above written: {path} (form {form} {version}{unit}; rolled up from {units} units"
        "{documents})",
    ),
    "rollup.documents": (", kèm {count} văn bản của các đơn vị", ", with the units' {count} documents"),
    "rollup.unit": (", đơn vị {unit}", ", unit {unit}"),
    "rollup.figures": ("Số liệu đã điền:", "Figures filled in:"),
    "rollup.typed": ("Đã điền theo --set:", "Filled from --set:"),
    "rollup.left": (
        "Cán bộ gõ trước khi gửi (mở tệp bằng Excel hay LibreOffice, ô nền vàng): {fields}",
        "For the officer to type before sending (open it in Excel or LibreOffice, the yellow cells): {fields}",
    ),
    "rollup.ready": (
        "Tệp đã qua kiểm tra của cấp trên (dv check): có thể gửi.",
        "The file passes the level above's checks (dv check): it can be sent.",
    ),
    "rollup.partial": (
        "Lưu ý: vòng tổng hợp chưa chốt (--partial); cấp trên sẽ thấy báo cáo chưa đủ:\n{problems}",
        "Note: the round is not settled (--partial); the level above will see the report is short:\n{problems}",
    ),
    "rollup.output_is_input": (
        "{path} nằm trong thư mục đang tổng hợp: ghi báo cáo gửi cấp trên ra chỗ khác (-o), kẻo lần sau nó bị "
        "đọc như một bài nộp.",
        "{path} is inside the folder being merged: write the report for the level above elsewhere (-o), or it "
        "would be read as a submission next time.",
    ),
    "levels.what.file": ("tệp có SHA-256 {sha}…", "the file with SHA-256 {sha}…"),
    "levels.what.unit": ("đơn vị {unit} ({name})", "unit {unit} ({name})"),
    "merge.no_data": ("chưa có số liệu", "no data yet"),
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
    "previous.units_dropped": (
        "  Đơn vị có số liệu năm {year} nhưng không còn trong danh sách đơn vị năm nay (không so sánh): {units}.",
        "  Units with figures in {year} that are no longer in this year's roster (not compared): {units}.",
    ),
    "previous.units_silent": (
        "  Đơn vị năm {year} chưa gửi báo cáo: {units}.",
        "  Units that did not report in {year}: {units}.",
    ),
    "merge.use_missing": (
        "--use {value}: không có tệp này (và đây không phải mã SHA-256). Dùng đường dẫn như dv merge in ra, "
        "hoặc mã SHA-256 trong báo cáo JSON.",
        "--use {value}: no such file (and not a SHA-256). Give the path as dv merge prints it, or the SHA-256 "
        "from the JSON report.",
    ),
    "docx.no_data": ("Chưa có số liệu.", "No data yet."),
    "docx.pending": (
        "Các đơn vị đã gửi nhưng chưa xác định được tệp hay đơn vị của số liệu, chưa đưa vào tổng hợp ({count} "
        "đơn vị): {names}.",
        "Units that sent files whose file or unit is still to be decided, not merged ({count} units): {names}.",
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
    "web.deadline_end": ("{date} (đến hết 23:59:59 ngày đó, giờ {zone})", "{date} (until 23:59:59 that day, {zone})"),
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
    "web.unit.conflict": ("chờ cán bộ quyết định", "awaiting the officer's decision"),
    # which upload counts, and the officer's choice (docs/spec.md §8.4)
    "web.intent": (
        "Bản nộp hợp lệ sau cùng qua đường dẫn này là bản được dùng cho tổng hợp, dù ngày báo cáo hay thời điểm "
        "lưu ghi trong tệp thế nào: muốn thay, nộp lại bản đúng. Sở Nội vụ có thể chọn một bản nộp khác; lần nộp "
        "sau đó của đơn vị lại là bản được dùng.",
        "The unit's latest valid upload through this link is the one that counts, whatever report date or save "
        "time the file records: to replace it, upload the right file again. Home Affairs may choose another "
        "upload; the unit's next upload after that counts again.",
    ),
    "web.board_rule": (
        "Bản nộp hợp lệ sau cùng qua đường dẫn riêng của đơn vị là ý muốn của đơn vị và được dùng cho tổng hợp. "
        'Khi cần dùng bản khác (đơn vị báo nộp nhầm, hoặc tệp ghi đơn vị khác cần xác nhận), bấm "Chọn tệp dùng '
        'cho tổng hợp" ở dòng của đơn vị; lựa chọn được ghi vào nhật ký và giữ đến khi đơn vị nộp lần sau.',
        "A unit's latest valid upload through its own link is its intent and counts. To use another (the unit "
        'says it uploaded the wrong file, or a file naming another unit needs confirming), use "Choose the file '
        "that counts\" on the unit's row; the choice is logged and holds until the unit's next upload.",
    ),
    "web.choose": ("Chọn tệp dùng cho tổng hợp", "Choose the file that counts"),
    "web.use_this": ("Dùng tệp này", "Use this file"),
    "web.unchoose": (
        "Bỏ chọn: dùng lại bản nộp sau cùng của đơn vị",
        "Clear the choice: the unit's latest upload counts again",
    ),
    "web.by_officer": ("cán bộ chọn", "chosen by the officer"),
    "web.chosen": (
        "Đã chọn {file} làm tệp dùng cho tổng hợp của {unit} (đã ghi vào nhật ký).",
        "{file} now counts for {unit} (logged).",
    ),
    "web.unchosen": (
        "Đã bỏ lựa chọn của cán bộ: bản nộp hợp lệ sau cùng của {unit} được dùng cho tổng hợp.",
        "The officer's choice is cleared: {unit}'s latest valid upload counts.",
    ),
    # the officer
    "web.login": ("Đăng nhập (Sở Nội vụ)", "Log in (Home Affairs)"),
    "web.password": ("Mật khẩu", "Password"),
    "web.login_button": ("Đăng nhập", "Log in"),
    "web.logout": ("Đăng xuất", "Log out"),
    "web.logout_everywhere": ("Đăng xuất mọi nơi", "Log out everywhere"),
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
    "web.rollup": ("Lập báo cáo gửi cấp trên", "Make the report for the level above"),
    "web.rollup_hint": (
        "Chọn biểu mẫu cấp trên gửi (tệp .xlsx trống, chung hoặc riêng cho đơn vị mình): dv điền tổng số liệu "
        "của các tệp đang dùng cho tổng hợp (cộng các số, tính lại tỷ lệ từ các tổng, kèm văn bản và nguồn gốc "
        "từng tệp), như lệnh dv roll-up. Tải về, gõ số, ngày báo cáo và người ký rồi gửi cấp trên. Khi còn đơn "
        "vị chưa nộp, bị từ chối hay chờ quyết định, dv không lập trừ khi chọn gửi số liệu chưa đủ.",
        "Choose the template the level above sent (an empty .xlsx, generic or your unit's own): dv fills it with "
        "the totals of the files that count (counts summed, rates recomputed from the sums, the documents and "
        "each file's provenance), as the dv roll-up command does. Download it, type the report's number, date "
        "and signer, and send it up. While units have sent nothing, been rejected or wait for a decision, dv "
        "makes none unless you choose to send figures that are short.",
    ),
    "web.rollup_template": ("Biểu mẫu cấp trên (.xlsx)", "Template of the level above (.xlsx)"),
    "web.rollup_partial": (
        "Vẫn lập khi chưa chốt (cấp trên sẽ thấy báo cáo chưa đủ)",
        "Make it though the round is not settled (the level above will see it is short)",
    ),
    "web.rollup_submit": ("Lập và tải về", "Make and download"),
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
    "web.e403_origin": (
        "Biểu mẫu được gửi từ một trang không phải của cổng nộp. Mở cổng đúng địa chỉ {url} rồi gửi lại.",
        "The form was sent from a page that is not the portal's. Open the portal at {url} and send again.",
    ),
    "web.e503_busy": (
        "Máy chủ đang bận tạo các tệp tải về khác. Đợi một phút rồi thử lại; việc nộp báo cáo không bị ảnh hưởng.",
        "The server is busy making other downloads. Wait a minute and try again; uploads are not affected.",
    ),
    "web.annotate_failed": (
        "Chưa tạo được bản có ghi chú của tệp này (tệp quá lớn, hoặc việc tạo bị dừng). Dùng danh sách lỗi "
        "(Excel) ở trang kết quả, hoặc thử lại sau 10 phút.",
        "The annotated copy of this file could not be made (the file is too large, or making it was stopped). Use "
        "the list of issues (Excel) on the result page, or try again in 10 minutes.",
    ),
    "web.summary_failed": (
        "Chưa tạo được bảng tổng hợp lúc này (quá lâu, hoặc bị dừng). Thử lại sau một phút; nếu vẫn vậy, chạy "
        "dv merge trên thư mục xuất ra (nút Xuất).",
        "The summary could not be made now (too slow, or stopped). Try again in a minute; if it persists, run dv "
        "merge on the exported folder (the Export button).",
    ),
    "web.disk_full": (
        "Ổ đĩa của máy chủ đã đầy (lần gần nhất lúc {at}): các đơn vị không nộp được, không có gì ghi dở. Còn trống "
        "{free}. Giải phóng chỗ trên ổ chứa {data}.",
        "The server's disk is full (last at {at}): units cannot upload; nothing was half-written. {free} free. "
        "Free some space on the disk of {data}.",
    ),
    "web.disk_low": (
        "Ổ đĩa của máy chủ sắp đầy: còn trống {free}. Giải phóng chỗ trên ổ chứa {data} để các đơn vị nộp được.",
        "The server's disk is nearly full: {free} free. Free some space on the disk of {data} so units can upload.",
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
    "serve.base_url_guess": (
        "Đường dẫn của các đơn vị dùng tên máy này ({url}). Nếu máy các đơn vị mở cổng bằng địa chỉ khác (địa chỉ "
        "IP, tên miền), chạy lại với --base-url địa chỉ đó: trang mở bằng địa chỉ khác không gửi được bài.",
        "The units' links use this machine's name ({url}). If the units' computers reach the portal by another "
        "address (an IP address, a domain name), start again with --base-url that address: a page opened at "
        "another address cannot send.",
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
    "serve.bad_timezone": (
        "--timezone không hợp lệ: {value} (tên múi giờ như Asia/Ho_Chi_Minh)",
        "Invalid --timezone: {value} (a time zone name such as Asia/Ho_Chi_Minh)",
    ),
    "serve.bad_proxy": (
        "--trusted-proxy không hợp lệ: {value} (một địa chỉ IP như 127.0.0.1, hoặc một mạng như 10.0.0.0/8)",
        "Invalid --trusted-proxy: {value} (an IP address such as 127.0.0.1, or a network such as 10.0.0.0/8)",
    ),
    "serve.abandoned": (
        "Một lần gửi bị bỏ dở: {path}, đơn vị {unit}, địa chỉ {address}, đã nhận {size} (trình duyệt đóng, mất mạng, "
        "hoặc ngừng gửi quá lâu). Không có gì được ghi.",
        "A request was abandoned: {path}, unit {unit}, address {address}, {size} received (the browser closed, the "
        "network dropped, or it stopped sending for too long). Nothing was kept.",
    ),
    "serve.guarded": (
        "Đã từ chối {limited} kết nối vượt giới hạn và đóng {slow} kết nối gửi quá chậm (nhiều nhất từ {address}).",
        "Refused {limited} connections over the limits and closed {slow} that sent too slowly (most from {address}).",
    ),
    "serve.busy": (
        "Máy chủ đang quá tải: quá nhiều kết nối từ địa chỉ này. Đợi một phút rồi thử lại.",
        "The server is overloaded: too many connections from this address. Wait a minute and try again.",
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
