"""The sheets of the form workbook (docs/spec.md §10.2), as data: each sheet's name and purpose,
its columns (list sheets) or its settings (entries sheets), what each holds, how its cells read,
and the explanation and example the "Hướng dẫn" sheet gives. ``toolkit.form.book`` writes and
reads the workbook from these; the workbook is a Vietnamese document, as the template is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Col", "Entry", "Sheet", "SHEETS", "BY_NAME", "LIST_KEYS", "LIST_PATHS", "entry_of"]

# -- the sheets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column of a list sheet: the entry it fills, its heading, how it reads."""

    key: str
    heading: str
    width: float
    kind: str = "text"  # text, code, int, number, bool, codes (a list), or enum:<name>
    explain: str = ""
    example: str = ""


@dataclass(frozen=True)
class Entry:
    """One row of an entries sheet: a setting's key (form.year), its name, how it reads."""

    key: str
    label: str
    kind: str = "text"  # text, code, int, number, list
    explain: str = ""
    example: str = ""


INFO, FIELDS, RULES, CHOICES, ROSTER = "Thông tin", "Chỉ tiêu", "Quy tắc", "Danh mục", "Đơn vị"
TABLES, CHARTS, REPORT, REPORT_TEXT, GUIDE, LAYOUT, HELP = (
    "Bảng kê",
    "Biểu đồ",
    "Phụ lục Word",
    "Lời văn Word",
    "Hướng dẫn điền",
    "Bố cục",
    "Hướng dẫn",
)
NOTES_PREFIX = "ghi chú"  # a column whose heading starts so is the officer's own, never read

ENTRY_HEADINGS = ("Mã mục", "Mục", "Giá trị")

INFO_ENTRIES = (
    Entry(
        "form.id",
        "Mã biểu mẫu",
        "code",
        "Mã cố định của biểu mẫu, giữ nguyên qua các năm: tệp điền mang mã này.",
        "dan-van-chinh-quyen",
    ),
    Entry("form.year", "Năm", "int", "Năm của số liệu.", "2021"),
    Entry(
        "form.version",
        "Phiên bản",
        "text",
        "Bắt đầu bằng năm; đổi mỗi khi đổi chỉ tiêu hay bố cục, để không lẫn tệp của hai biểu mẫu.",
        "2021.1",
    ),
    Entry("form.title", "Tiêu đề", "text", "Dòng đầu của trang Phụ lục.", "PHỤ LỤC SỐ LIỆU"),
    Entry(
        "form.title_en",
        "Tiêu đề (tiếng Anh)",
        "text",
        "Dùng với --lang en; để trống thì dùng tiêu đề tiếng Việt.",
        "STATISTICAL APPENDIX",
    ),
    Entry(
        "form.subtitle",
        "Tiêu đề phụ",
        "text",
        "Dòng thứ hai; {year} là năm của biểu mẫu.",
        "Kết quả thực hiện công tác dân vận của chính quyền năm {year}",
    ),
    Entry(
        "form.subtitle_en",
        "Tiêu đề phụ (tiếng Anh)",
        "text",
        "Dùng với --lang en.",
        "Results of government mass-mobilisation work, {year}",
    ),
    Entry(
        "form.attachment",
        "Dòng kèm theo",
        "text",
        "Dòng thứ ba, tự điền từ số, ngày báo cáo và tên đơn vị: {number}, {date}, {unit}.",
        "(Kèm theo Báo cáo số {number} ngày {date} của {unit})",
    ),
    Entry(
        "guide.title",
        "Tiêu đề trang hướng dẫn",
        "text",
        'Tiêu đề trang "Hướng dẫn" của biểu mẫu đơn vị điền; các dòng ở trang Hướng dẫn điền.',
        "HƯỚNG DẪN ĐIỀN BIỂU MẪU",
    ),
)
ROSTER_ENTRIES = (
    Entry(
        "roster.code",
        "Chỉ tiêu mã đơn vị",
        "code",
        "Chỉ tiêu nhận mã đơn vị từ danh sách đơn vị (biểu mẫu riêng của từng đơn vị).",
        "unit_code",
    ),
    Entry("roster.name", "Chỉ tiêu tên đơn vị", "code", "Chỉ tiêu nhận tên đơn vị từ danh sách đơn vị.", "unit_name"),
    Entry(
        "form.number_field",
        "Chỉ tiêu số báo cáo",
        "code",
        "Chỉ tiêu (kiểu chữ) ghi số của báo cáo kèm theo; để trống nếu không có.",
        "so_bao_cao",
    ),
    Entry(
        "form.date_field",
        "Chỉ tiêu ngày báo cáo",
        "code",
        "Chỉ tiêu (kiểu ngày) ghi ngày báo cáo: hai tệp của một đơn vị thì tệp ngày sau được dùng.",
        "ngay_bao_cao",
    ),
)
LAYOUT_ENTRIES = (
    Entry("layout.sheet", "Tên trang phụ lục", "text", "Trang đơn vị điền các chỉ tiêu.", "Phụ lục"),
    Entry("layout.title_row", "Dòng tiêu đề", "int", "", "1"),
    Entry("layout.subtitle_row", "Dòng tiêu đề phụ", "int", "", "2"),
    Entry("layout.attachment_row", "Dòng kèm theo", "int", "", "3"),
    Entry("layout.status_row", "Dòng kết quả kiểm tra", "int", "", "4"),
    Entry("layout.header_row", "Dòng tiêu đề cột", "int", "Các mục, chỉ tiêu bắt đầu ở dòng sau.", "6"),
    Entry("layout.number_column", "Cột STT", "code", "", "A"),
    Entry("layout.label_column", "Cột tên chỉ tiêu", "code", "", "B"),
    Entry("layout.unit_column", "Cột đơn vị tính", "code", "", "C"),
    Entry("layout.value_column", "Cột số liệu", "code", "", "D"),
    Entry("layout.check_column", "Cột kiểm tra", "code", "", "E"),
    Entry("layout.lists_sheet", "Tên trang danh mục (ẩn)", "text", "", "Danh mục"),
    Entry("layout.meta_sheet", "Tên trang thông tin ẩn", "text", "", "_dv"),
    Entry("layout.guide_sheet", "Tên trang hướng dẫn", "text", "", "Hướng dẫn"),
    Entry(
        "layout.signature_left",
        "Chữ ký bên trái",
        "list",
        "Các dòng của khối chữ ký bên trái, mỗi dòng một ô.",
        "NGƯỜI LẬP BIỂU | (Ký, ghi rõ họ tên)",
    ),
    Entry("layout.signature_right", "Chữ ký bên phải", "list", "", "THỦ TRƯỞNG ĐƠN VỊ | (Ký tên, đóng dấu)"),
)
# Mappings column letter → value, one row per letter: layout.headers.A …
LAYOUT_MAPS = {
    "layout.headers": ("Tiêu đề cột", "text"),
    "layout.headers_en": ("Tiêu đề cột (tiếng Anh)", "text"),
    "layout.widths": ("Độ rộng cột", "number"),
}
TABLE_ENTRIES = (
    Entry("sheet", "tên trang", "text", "Trang của bảng trong biểu mẫu đơn vị điền.", "Văn bản"),
    Entry(
        "title",
        "tiêu đề",
        "text",
        "{year} là năm của biểu mẫu.",
        "1. Văn bản lãnh đạo, chỉ đạo đã ban hành trong năm {year}",
    ),
    Entry("title_en", "tiêu đề (tiếng Anh)", "text", "", ""),
    Entry("note", "ghi chú dưới tiêu đề", "text", "Cách điền bảng; {rows} là số dòng có sẵn.", ""),
    Entry("header_row", "dòng tiêu đề cột", "int", "", "4"),
    Entry("rows", "số dòng có sẵn", "int", "Ít nhất 200.", "300"),
    Entry("number_column", "cột STT", "code", "", "A"),
    Entry("check_column", "cột kiểm tra", "code", "", "G"),
    Entry("earlier_title_cell", "ô tiêu đề ở mẫu cũ", "code", "Nếu tiêu đề đã chuyển chỗ trong cùng phiên bản.", "A1"),
    Entry(
        "identity",
        "cột nhận diện một văn bản",
        "list",
        "Mã các cột, mỗi mã một ô: hai dòng giống nhau ở các cột này là một văn bản kê hai lần (lỗi). Để trống: "
        "không kiểm tra.",
        "co_quan | loai | so_hieu | ngay | trich_yeu",
    ),
    Entry(
        "rollup",
        "cộng lên cấp trên",
        "enum:table_rollup",
        "Khi cấp dưới tổng hợp thành báo cáo theo biểu mẫu này: của các đơn vị (mọi dòng của các đơn vị, các ô "
        "tự đếm thành tổng của các đơn vị), hay của cấp này (bảng để trống, cán bộ gõ văn bản của cấp mình).",
        "của các đơn vị",
    ),
)
REPORT_ENTRIES = (
    Entry("report.agency_parent", "Cơ quan chủ quản", "text", "", "UBND TỈNH TRÀ VINH"),
    Entry("report.agency", "Cơ quan ban hành", "text", "", "SỞ NỘI VỤ"),
    Entry("report.nation", "Quốc hiệu", "text", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    Entry("report.motto", "Tiêu ngữ", "text", "", "Độc lập - Tự do - Hạnh phúc"),
    Entry("report.date_line", "Địa danh, ngày", "text", "", "Trà Vinh, ngày …… tháng …… năm {year}"),
    Entry("report.title", "Tiêu đề phụ lục", "text", "", "PHỤ LỤC SỐ LIỆU"),
    Entry("report.attachment", "Dòng kèm theo", "text", "", "(Kèm theo Báo cáo số …/BC-SNV ngày … của Sở Nội vụ)"),
    Entry("report.province", "Tên dòng toàn tỉnh", "text", "", "Toàn tỉnh"),
    Entry("report.compare_intro", "Mở đầu câu so sánh", "text", "", "So với năm {previous_year:d}: "),
    Entry("report.documents.table", "Bảng kê văn bản", "code", "Mã bảng kê các văn bản của từng đơn vị.", "hoi_nghi"),
    Entry(
        "report.documents.group",
        "Cột chia nhóm văn bản",
        "code",
        "Cột danh mục chia văn bản của mỗi đơn vị thành nhóm.",
        "hinh_thuc",
    ),
    Entry(
        "report.documents.item",
        "Cách ghi một văn bản",
        "text",
        "",
        "{hinh_thuc}, ngày {ngay:dmy}: {noi_dung:clause}",
    ),
    Entry(
        "report.documents.headers",
        "Tiêu đề bảng văn bản",
        "list",
        "Đúng 5 tiêu đề, mỗi tiêu đề một ô.",
        "STT | Đơn vị | …",
    ),
    Entry("report.units.title", "Tiêu đề bảng đơn vị", "text", "", "SỐ LIỆU CHỦ YẾU CỦA TỪNG ĐƠN VỊ"),
    Entry("report.units.headers", "Hai cột đầu bảng đơn vị", "list", "", "STT | Đơn vị"),
    Entry("report.units.no_previous", "Ô chưa so sánh được", "text", "", "(–)"),
    Entry("report.units.note", "Ghi chú bảng đơn vị", "text", "", ""),
    Entry(
        "report.units.missing",
        "Câu đơn vị chưa gửi",
        "text",
        "",
        "Các đơn vị chưa gửi báo cáo ({count:02}/{total:02} đơn vị): {names}.",
    ),
    Entry("report.units.rejected", "Câu đơn vị bị từ chối", "text", "", ""),
    Entry("report.units.all_sent", "Câu đã gửi đủ", "text", "", "Tất cả {total:02} đơn vị đã gửi báo cáo."),
    Entry("report.notes.new_field", "Câu chỉ tiêu mới", "text", "", "Chỉ tiêu “{label}” mới có từ năm {year:d}, …"),
    Entry("report.notes.not_in_previous", "Câu đơn vị mới", "text", "", ""),
    Entry("report.notes.not_sent_previous", "Câu đơn vị năm trước chưa gửi", "text", "", ""),
    Entry("report.notes.coverage", "Câu số đơn vị hai năm", "text", "", ""),
)

FIELD_COLUMNS = (
    Col("number", "Mục", 6, "text", 'Số của mục (I, 1, 2…), chỉ ghi ở dòng mục; tên mục ở cột "Tên".', "4"),
    Col(
        "code",
        "Mã chỉ tiêu",
        16,
        "code",
        "Mã của chỉ tiêu: chữ thường không dấu, số, dấu _. Là tên ô trong biểu mẫu và tên cột trong tổng hợp; không đổi mã giữa các năm.",
        "don_thu_tong",
    ),
    Col(
        "label",
        "Tên",
        46,
        "text",
        "Tên mục (ở dòng mục) hoặc tên chỉ tiêu, như in trên phụ lục.",
        "Tổng số đơn tiếp nhận",
    ),
    Col("label_en", "Tên tiếng Anh", 30, "text", "Dùng với --lang en.", "Petitions received"),
    Col("type", "Kiểu", 11, "enum:type", "Loại số liệu ô nhận.", "số nguyên"),
    Col("required", "Bắt buộc", 9, "enum:bool", "Có: để trống là lỗi.", "có"),
    Col("unit", "Đơn vị tính", 10, "text", "", "đơn"),
    Col("unit_en", "Đơn vị tính (tiếng Anh)", 10, "text", "", "petitions"),
    Col(
        "source",
        "Nguồn",
        9,
        "enum:source",
        "Nhập: đơn vị gõ vào; cố định: biểu mẫu ghi sẵn; tính: biểu mẫu tự tính bằng công thức.",
        "nhập",
    ),
    Col(
        "expr",
        "Công thức / giá trị",
        28,
        "text",
        "Nguồn tính: công thức (ví dụ a + b, countif(hoi_nghi.hinh_thuc, 'Trực tiếp')); nguồn cố định: giá trị ({year} là năm).",
        "{year}",
    ),
    Col(
        "total",
        "Tổng toàn tỉnh",
        24,
        "text",
        "Để trống: cộng các đơn vị. Tỷ lệ: công thức tính lại từ các tổng, không lấy trung bình.",
        "da_giam / (hien_co + da_giam)",
    ),
    Col("min", "Nhỏ nhất", 8, "number", "Số nhỏ nhất được nhập (số nguyên, tỷ lệ); để trống: 0.", ""),
    Col("max", "Lớn nhất", 8, "number", "Số lớn nhất được nhập; tỷ lệ ghi dạng 100% hoặc 1.", ""),
    Col(
        "choices",
        "Danh mục",
        12,
        "code",
        "Chỉ tiêu kiểu danh mục: tên danh mục các giá trị được chọn (trang Danh mục).",
        "",
    ),
    Col("help", "Hướng dẫn nhập", 30, "text", "Lời nhắc hiện khi chọn ô (tối đa 255 ký tự).", "Ví dụ: 15"),
    # How a lower level's merged round fills this field when it becomes its submission to this
    # form (docs/spec.md §9): the form being filled declares it, for every one of its input fields.
    Col(
        "rollup",
        "Cộng lên cấp trên",
        14,
        "enum:rollup",
        "Khi cấp dưới tổng hợp số liệu của mình thành báo cáo gửi theo biểu mẫu này (dv roll-up): cộng (số "
        "nguyên: cộng các đơn vị), tính lại (tỷ lệ: tính lại từ các tổng bằng công thức ở cột Tổng toàn tỉnh, "
        "không lấy trung bình), người nhập (số, ngày báo cáo, người ký: cán bộ gõ). Để trống cả cột: biểu mẫu "
        "không nhận báo cáo tổng hợp.",
        "cộng",
    ),
    Col(
        "rollup_from",
        "Lấy từ chỉ tiêu cấp dưới",
        18,
        "codes",
        "Chỉ tiêu cộng: mã các chỉ tiêu của biểu mẫu cấp dưới được cộng vào, cách nhau dấu phẩy (gộp nhiều chỉ "
        "tiêu, hay đổi mã); để trống: chỉ tiêu cùng mã.",
        "hien_co_cc, hien_co_vc",
    ),
)
RULE_COLUMNS = (
    Col("id", "Mã quy tắc", 20, "code", "Mã của quy tắc, cũng là mã lỗi dv báo.", "don_thu_cong"),
    Col(
        "expr",
        "Biểu thức",
        60,
        "text",
        "Điều phải đúng, viết bằng mã chỉ tiêu: + - * /, == != < <= > >=, and, or, not, abs, min, max, round, year, month, countif.",
        "don_thu_tong == don_khieu_nai + don_to_cao + don_phan_anh",
    ),
    Col("severity", "Mức độ", 9, "enum:severity", "Lỗi: tệp bị trả lại; lưu ý: tệp vẫn được nhận.", "lỗi"),
    Col(
        "anchor",
        "Chỉ tiêu gắn",
        16,
        "code",
        "Chỉ tiêu nhập có ô kiểm tra hiện kết quả của quy tắc (quy tắc của bảng: để trống).",
        "don_thu_tong",
    ),
    Col(
        "table",
        "Bảng",
        10,
        "code",
        "Quy tắc kiểm tra từng dòng của một bảng: mã bảng; quy tắc của các chỉ tiêu: để trống.",
        "",
    ),
    Col(
        "description",
        "Mô tả",
        40,
        "text",
        "Quy tắc bằng lời, in ở trang Hướng dẫn của biểu mẫu.",
        "Tổng số đơn bằng đơn khiếu nại + tố cáo + phản ánh, kiến nghị.",
    ),
    Col("description_en", "Mô tả (tiếng Anh)", 30, "text", "", ""),
    Col(
        "live",
        "Ô kiểm tra",
        34,
        "text",
        'Chữ hiện ở ô kiểm tra khi sai, bắt đầu bằng "Sai:" (lỗi) hay "Lưu ý:"; {biểu thức} là một số tính được.',
        "Sai: tổng phải bằng {don_khieu_nai + don_to_cao + don_phan_anh}",
    ),
    Col("live_en", "Ô kiểm tra (tiếng Anh)", 24, "text", "", ""),
    Col(
        "message",
        "Thông báo",
        50,
        "text",
        "Thông báo dv check đưa ra: nói ô nào, sai gì, sửa thế nào; {ma.cell} là địa chỉ ô, {ma.label} là tên chỉ tiêu.",
        "{don_thu_tong.label} ({don_thu_tong.cell}) là {don_thu_tong}, …",
    ),
    Col("message_en", "Thông báo (tiếng Anh)", 30, "text", "", ""),
)
CHOICE_COLUMNS = (
    Col(
        "list",
        "Danh mục",
        14,
        "code",
        "Tên danh mục; mỗi giá trị một dòng, các dòng cùng tên là một danh mục.",
        "hinh_thuc",
    ),
    Col("value", "Giá trị", 26, "text", "Giá trị hiện trong danh sách thả xuống.", "Đảng ủy"),
    Col("en", "Tiếng Anh", 20, "text", "", "Party committee"),
    Col("abbr", "Ký hiệu", 9, "text", "Loại văn bản: ký hiệu trong số văn bản (KH trong 545/KH-…).", "KH"),
    Col(
        "style",
        "Kiểu số hiệu",
        12,
        "enum:style",
        "Cơ quan ban hành: số văn bản kiểu Đảng (18-KH/ĐU) hay chính quyền (545/KH-…).",
        "Đảng",
    ),
)
TABLE_COLUMNS = (
    Col("table", "Bảng", 10, "code", "Mã bảng (các thông tin khác của bảng ở trang Bố cục).", "hoi_nghi"),
    Col("code", "Mã cột", 12, "code", "", "hinh_thuc"),
    Col("column", "Cột", 6, "code", "Chữ cái của cột trong trang bảng; các cột liền nhau.", "B"),
    Col("label", "Tên cột", 24, "text", "", "Cơ quan ban hành"),
    Col("label_en", "Tên tiếng Anh", 18, "text", "", "Issued by"),
    Col("type", "Kiểu", 11, "enum:type", "", "danh mục"),
    Col("choices", "Danh mục", 12, "code", "Cột kiểu danh mục: tên danh mục.", "hinh_thuc"),
    Col(
        "role",
        "Vai trò",
        16,
        "enum:role",
        "Để kiểm tra số văn bản: cột số ký hiệu, cột cơ quan ban hành, cột loại văn bản.",
        "cơ quan ban hành",
    ),
    Col("help", "Hướng dẫn nhập", 30, "text", "", ""),
)
CHART_COLUMNS = (
    Col("title", "Tiêu đề", 40, "text", "Tiêu đề biểu đồ trong tổng hợp.", "Dịch vụ công trực tuyến theo đơn vị"),
    Col("title_en", "Tiêu đề (tiếng Anh)", 30, "text", "", ""),
    Col("fields", "Chỉ tiêu", 30, "codes", "Mã các chỉ tiêu số, cách nhau dấu phẩy.", "don_thu_tong, don_khieu_nai"),
    Col("target", "Mục tiêu", 9, "number", "Một đường mục tiêu (tỷ lệ: 10%).", "10%"),
    Col("target_label", "Tên mục tiêu", 16, "text", "", "Mục tiêu 10%"),
)
REPORT_TEXT_COLUMNS = (
    Col(
        "kind",
        "Loại",
        11,
        "enum:kind",
        "Mục: một phần của phụ lục; câu, so sánh: của mục ở trên; cột đơn vị: một cột của bảng số liệu từng đơn vị.",
        "mục",
    ),
    Col("field", "Chỉ tiêu", 14, "code", "So sánh, cột đơn vị: mã chỉ tiêu số.", "don_thu_tong"),
    Col(
        "text",
        "Nội dung",
        50,
        "text",
        "Mục: tiêu đề; câu: câu với {ma} là tổng toàn tỉnh; so sánh: câu khi tăng ({change}); cột đơn vị: tiêu đề cột.",
        "Tổng số đơn tiếp nhận: {don_thu_tong:02}.",
    ),
    Col("down", "Khi giảm", 30, "text", "So sánh: câu khi giảm.", ""),
    Col("same", "Khi không đổi", 30, "text", "So sánh: câu khi không đổi.", ""),
    Col("documents", "Kèm bảng văn bản", 10, "enum:bool", "Mục: có bảng văn bản của từng đơn vị sau các câu.", "không"),
)
GUIDE_COLUMNS = (
    Col(
        "line",
        "Dòng",
        110,
        "text",
        "Mỗi dòng hướng dẫn đơn vị điền một ô, theo thứ tự.",
        "1. Điền số liệu vào các ô nền vàng …",
    ),
)


@dataclass(frozen=True)
class Sheet:
    name: str
    purpose: str
    columns: tuple[Col, ...] = ()
    entries: tuple[Entry, ...] = ()
    required: bool = False

    @property
    def is_list(self) -> bool:
        return bool(self.columns)


SHEETS = (
    Sheet(INFO, "Thông tin chung của biểu mẫu: mã, năm, phiên bản, tiêu đề.", entries=INFO_ENTRIES, required=True),
    Sheet(
        FIELDS,
        "Các mục và chỉ tiêu, theo thứ tự in trên phụ lục: một dòng mục (số mục ở cột Mục), rồi các dòng chỉ tiêu của mục.",
        FIELD_COLUMNS,
        required=True,
    ),
    Sheet(RULES, "Các quy tắc kiểm tra: ô kiểm tra của biểu mẫu và dv check dùng cùng một biểu thức.", RULE_COLUMNS),
    Sheet(CHOICES, "Các danh mục giá trị cho danh sách thả xuống.", CHOICE_COLUMNS),
    Sheet(
        ROSTER,
        "Các chỉ tiêu nhận mã, tên đơn vị từ danh sách đơn vị, và số, ngày của báo cáo.",
        entries=ROSTER_ENTRIES,
        required=True,
    ),
    Sheet(
        TABLES, "Các cột của bảng kê (mỗi dòng một văn bản…); thông tin khác của bảng ở trang Bố cục.", TABLE_COLUMNS
    ),
    Sheet(CHARTS, "Biểu đồ trong bảng tổng hợp.", CHART_COLUMNS),
    Sheet(
        REPORT, "Phụ lục Word (dv merge --docx): phần đầu, bảng văn bản, bảng đơn vị, ghi chú.", entries=REPORT_ENTRIES
    ),
    Sheet(
        REPORT_TEXT,
        "Lời văn phụ lục Word: các mục, câu, câu so sánh với năm trước, cột bảng đơn vị.",
        REPORT_TEXT_COLUMNS,
    ),
    Sheet(GUIDE, "Các dòng của trang Hướng dẫn trong biểu mẫu đơn vị điền.", GUIDE_COLUMNS),
    Sheet(
        LAYOUT,
        "Vị trí các phần trong biểu mẫu đơn vị điền, và thông tin các bảng kê. Ít khi cần sửa.",
        entries=LAYOUT_ENTRIES,
        required=True,
    ),
)
BY_NAME = {s.name: s for s in SHEETS}
LIST_KEYS = frozenset(e.key for s in SHEETS for e in s.entries if e.kind == "list")


def entry_of(key: str) -> tuple[str, Entry] | None:
    """(sheet, entry) of a setting's key, the tables' and the letter mappings' included."""
    for sheet in SHEETS:
        for entry in sheet.entries:
            if entry.key == key:
                return sheet.name, entry
    parts = key.split(".")
    if parts[0] == "tables" and len(parts) >= 3:
        if parts[2] == "widths" and len(parts) == 4:
            return LAYOUT, Entry(key, f"Bảng {parts[1]}: độ rộng cột {parts[3]}", "number")
        entry = next((e for e in TABLE_ENTRIES if e.key == parts[2]), None)
        if entry is not None and len(parts) == 3:
            return LAYOUT, Entry(key, f"Bảng {parts[1]}: {entry.label}", entry.kind, entry.explain, entry.example)
    head = ".".join(parts[:2])
    if head in LAYOUT_MAPS and len(parts) == 3:
        label, kind = LAYOUT_MAPS[head]
        return LAYOUT, Entry(key, f"{label} {parts[2]}", kind)
    return None


# Where the entries of each list sheet live: (sheet, generic path of a row, the keys' columns).
LIST_PATHS: tuple[tuple[str, tuple[Any, ...], Mapping[str, str]], ...] = (
    (FIELDS, ("sections", "*", "fields", "*"), {"value": "expr"}),
    (FIELDS, ("sections", "*"), {"title": "label", "title_en": "label_en"}),
    (RULES, ("rules", "*"), {}),
    (RULES, ("tables", "*", "rules", "*"), {}),
    (TABLES, ("tables", "*", "columns", "*"), {}),
    (CHOICES, ("choices", "*", "*"), {}),
    (CHARTS, ("summary", "charts", "*"), {}),
    (REPORT_TEXT, ("report", "sections", "*"), {"title": "text"}),
    (REPORT_TEXT, ("report", "sections", "*", "compare", "*"), {"up": "text"}),
    (REPORT_TEXT, ("report", "units", "columns", "*"), {"header": "text"}),
)
