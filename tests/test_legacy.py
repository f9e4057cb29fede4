"""Text typed in the legacy TCVN3 (ABC) and VNI encodings: detected and converted; genuine
Unicode Vietnamese is never touched."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.legacy import _TCVN3, detect_legacy, to_unicode

LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"


@pytest.mark.parametrize(
    ("typed", "encoding", "unicode"),
    [
        ("Së Th«ng tin vµ TruyÒn th«ng", "TCVN3", "Sở Thông tin và Truyền thông"),
        ("Tæng sè biªn chÕ ®· gi¶m", "TCVN3", "Tổng số biên chế đã giảm"),
        ("Sôû Thoâng tin vaø Truyeàn thoâng", "VNI", "Sở Thông tin và Truyền thông"),
        ("Toång soá bieân cheá ñaõ giaûm", "VNI", "Tổng số biên chế đã giảm"),
    ],
)
def test_legacy_text_is_detected_and_converted(typed, encoding, unicode):
    assert detect_legacy(typed) == encoding
    assert to_unicode(typed, encoding) == unicode


@pytest.mark.parametrize(
    "genuine",
    [
        "hoàn toàn",
        "Hoàng Hoàng Khoa",
        "NGUYỄN THỊ LÝ",
        "khoá học, thuý",
        "Café crème",
        "Hello",
        "18-KH/ĐU",
        "Thạch Sô Phol",
        "Kim Thị Sa Rết",
    ],
)
def test_genuine_text_is_left_alone(genuine):
    assert detect_legacy(genuine) is None


# Real words (from the seed report and the roster): random letters could make "oâ", which no
# Vietnamese word has but which is VNI's mark for "ô".
_TEXT = (
    "Sở Thông tin và Truyền thông Trà Vinh báo cáo kết quả thực hiện công tác dân vận của chính quyền năm "
    "Đảng ủy ban hành kế hoạch hướng dẫn quyết định về kiện toàn Ban Chỉ đạo quy chế dân chủ ở cơ sở phong trào "
    "thi đua khéo phân công đồng chí Phó Bí thư phụ trách hoạt động giai đoạn tổng số dịch vụ công trực tuyến "
    "mức độ trong đó biên chế đã giảm công chức viên chức đạt tỷ lệ tinh giản Huyện Càng Long Cầu Kè Tiểu Cần "
    "Châu Thành Ngang Cú Duyên Hải thị xã thành phố Nguyễn Văn Nây giám đốc hoàn toàn khoá thuý quyền tuân huế "
    "chuyên tiên yên người được nước ưu tiên đặc biệt hoặc khuyến khích"
)
WORDS = tuple(_TEXT.split())


@given(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_no_unicode_vietnamese_is_mistaken_for_a_legacy_encoding(text):
    assert detect_legacy(unicodedata.normalize("NFC", text)) is None
    assert detect_legacy(unicodedata.normalize("NFC", text.upper())) is None


_TO_TCVN3 = {uni: code for code, uni in _TCVN3.items() if uni.islower()}


@given(st.text(alphabet=LOWER + " ", min_size=1, max_size=60))
def test_tcvn3_round_trip(text):
    encoded = "".join(_TO_TCVN3.get(ch, ch) for ch in text)
    if detect_legacy(encoded) == "TCVN3":
        assert to_unicode(encoded, "TCVN3") == text
