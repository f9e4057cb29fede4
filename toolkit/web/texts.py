"""The portal's own words (pages and the ``dv serve`` terminal lines), Vietnamese and English.

Issue messages come from the catalogue (``toolkit.issues``) like everywhere else; these are the
words around them: headings, buttons, statuses, error pages.
"""

from __future__ import annotations

import unicodedata

TEXTS: dict[str, tuple[str, str]] = {
    "portal": ("Cổng nộp phụ lục số liệu", "Appendix submission portal"),
    "deadline": ("Hạn nộp", "Deadline"),
    "no_deadline": ("chưa đặt hạn nộp", "no deadline set"),
    "status": ("Tình trạng", "Status"),
    "history": ("Các lần nộp", "Uploads"),
    "no_uploads": ("Chưa nộp lần nào.", "Nothing uploaded yet."),
    "time": ("Thời điểm", "Time"),
    "file": ("Tệp", "File"),
    "errors": ("Lỗi", "Errors"),
    "warnings": ("Lưu ý", "Warnings"),
    "template": ("Tải biểu mẫu của đơn vị", "Download the unit's template"),
    "upload": ("Nộp tệp đã điền", "Upload the filled workbook"),
    "upload_hint": (
        "Một tệp .xlsx, .xls, .ods hoặc .xlsm, tối đa {cap}. Mỗi lần nộp được giữ lại, không ghi đè lần trước.",
        "One .xlsx, .xls, .ods or .xlsm file, at most {cap}. Every upload is kept; none overwrites another.",
    ),
    "send": ("Nộp và kiểm tra", "Upload and check"),
    "result": ("Kết quả kiểm tra", "Check result"),
    "received": ("Đã nhận", "Received"),
    "back": ("Về trang đơn vị", "Back to the unit's page"),
    "dl_annotated": ("Tải bản có ghi chú ở ô lỗi", "Download the annotated copy"),
    "dl_issues": ("Tải danh sách lỗi (Excel)", "Download the list of issues (Excel)"),
    "dl_original": ("Tải đúng tệp đã nhận", "Download the exact file received"),
    "no_issues": ("Không có lỗi hay lưu ý nào.", "No errors or warnings."),
    "in_summary": ("Trong tổng hợp", "In the summary"),
    "where": ("Vị trí", "Where"),
    "message": ("Nội dung và cách sửa", "What is wrong and how to fix it"),
    "severity": ("Mức", "Severity"),
    "code": ("Mã lỗi", "Code"),
    "error": ("Lỗi", "Error"),
    "warning": ("Lưu ý", "Warning"),
    # statuses of one upload
    "st_accepted": ("hợp lệ", "valid"),
    "st_counts": ("hợp lệ — đang dùng cho tổng hợp", "valid — counts for the summary"),
    "st_rejected": ("bị từ chối", "rejected"),
    "st_superseded": ("đã được thay bằng bản khác", "superseded by another upload"),
    "st_duplicate": ("trùng với bản đã nộp", "same as an earlier upload"),
    "st_ignored": ("không phải bài nộp", "not a submission"),
    # statuses of a unit on the board
    "unit_missing": ("chưa nộp", "not sent"),
    "unit_rejected": ("bị từ chối", "rejected"),
    "unit_valid": ("hợp lệ", "valid"),
    "unit_late": ("nộp muộn", "late"),
    # the officer
    "login": ("Đăng nhập (Sở Nội vụ)", "Log in (Home Affairs)"),
    "password": ("Mật khẩu", "Password"),
    "login_button": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "login_failed": ("Sai mật khẩu.", "Wrong password."),
    "no_password": (
        "Chưa đặt mật khẩu cán bộ. Trên máy chủ, chạy: dv serve --data {data} --set-password",
        "No officer password is set. On the server, run: dv serve --data {data} --set-password",
    ),
    "board": ("Tình hình nộp", "Submissions board"),
    "units": ("Đơn vị", "Units"),
    "unit": ("Đơn vị", "Unit"),
    "latest": ("Lần nộp gần nhất", "Latest upload"),
    "counts": ("Tệp dùng cho tổng hợp", "File that counts"),
    "downloads": ("Tải về", "Downloads"),
    "dl_summary": ("Bảng tổng hợp (.xlsx)", "Summary workbook (.xlsx)"),
    "dl_json": ("Báo cáo JSON", "JSON report"),
    "dl_docx": ("Phụ lục Word (.docx)", "Word appendix (.docx)"),
    "dl_zip": ("Các tệp dùng cho tổng hợp (.zip)", "The files that count (.zip)"),
    "dl_log": ("Nhật ký (CSV)", "Event log (CSV)"),
    "export": ("Xuất các tệp dùng cho tổng hợp ra thư mục", "Export the files that count to a folder"),
    "exported": (
        "Đã xuất {count} tệp vào thư mục {path}. Đối chiếu: {command}",
        "Exported {count} files to {path}. Cross-check: {command}",
    ),
    "missing_list": ("Danh sách đơn vị chưa nộp (để nhắc)", "Units still missing (for a reminder)"),
    "missing_text": (
        "Các đơn vị sau chưa gửi phụ lục số liệu năm {year} hợp lệ:",
        "These units have not sent a valid {year} appendix:",
    ),
    "recheck": ("Kiểm tra lại mọi tệp đã nhận", "Re-check every stored file"),
    "rechecked": ("Đã kiểm tra lại {count} tệp.", "Re-checked {count} files."),
    "new_link": ("Cấp đường dẫn mới", "Issue a new link"),
    "new_link_done": (
        "Đường dẫn mới của {unit} (đường dẫn cũ không dùng được nữa; đã ghi vào {path}):",
        "New link of {unit} (the old one no longer works; written to {path}):",
    ),
    "confirm": ("Đồng ý: đường dẫn cũ sẽ không dùng được", "Confirm: the old link stops working"),
    "nothing_counts": ("Chưa có tệp hợp lệ nào để tổng hợp.", "No valid file to merge yet."),
    # error pages
    "e404": (
        "Không tìm thấy trang. Đường dẫn sai, hoặc đã được thay bằng đường dẫn mới: hỏi Sở Nội vụ.",
        "Page not found. The link is wrong or has been replaced by a new one: ask Home Affairs.",
    ),
    "e413": (
        "Tệp quá lớn (tối đa {cap}). Phụ lục số liệu thường dưới 1 MB: kiểm tra lại đã chọn đúng tệp chưa.",
        "The file is too large (at most {cap}). An appendix is usually under 1 MB: check the file chosen.",
    ),
    "e403": (
        "Biểu mẫu gửi lên không hợp lệ (đã quá cũ hoặc không phải từ trang này). Tải lại trang rồi nộp lại.",
        "The form sent is not valid (too old, or not from this page). Reload the page and send again.",
    ),
    "e429": (
        "Quá nhiều yêu cầu trong thời gian ngắn. Đợi một phút rồi thử lại.",
        "Too many requests in a short time. Wait a minute and try again.",
    ),
    "e400": ("Yêu cầu không hợp lệ: {reason}", "Bad request: {reason}"),
    "e400_nofile": ("chưa chọn tệp, hoặc có nhiều hơn một tệp", "no file chosen, or more than one file"),
    "e507": (
        "Máy chủ hết chỗ lưu: tệp chưa được nhận (không có gì ghi dở). Báo cho Sở Nội vụ rồi nộp lại sau.",
        "The server's disk is full: the file was not received (nothing half-written). Tell Home Affairs and send it later.",
    ),
    "e500": (
        "Máy chủ gặp lỗi không mong đợi. Báo cho Sở Nội vụ.",
        "The server hit an unexpected error. Tell Home Affairs.",
    ),
    "timeout": ("quá {seconds} giây mà chưa kiểm tra xong", "checking took more than {seconds} seconds"),
    "crashed": ("trình đọc bị dừng đột ngột khi mở tệp này", "the reader crashed on this file"),
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


def say(key: str, lang: str = "vi", **params: object) -> str:
    vi, en = TEXTS[key]
    return unicodedata.normalize("NFC", (en if lang == "en" else vi).format(**params))
