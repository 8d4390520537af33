import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from marketplace.text import fold, nfc, problem_in_text, slugify


def test_fold_vietnamese():
    assert fold("Đà Nẵng") == "da nang"
    assert fold("Công nghệ sấy nhãn") == "cong nghe say nhan"
    assert fold("ĐỒNG THÁP") == "dong thap"
    assert fold("Hưng Yên") == "hung yen"


def test_fold_treats_nfd_like_nfc():
    assert fold(unicodedata.normalize("NFD", "Sở Khoa học")) == fold("Sở Khoa học") == "so khoa hoc"


def test_slugify_vietnamese():
    assert slugify("Viện Nghiên cứu Rau quả Phố Hiến") == "vien-nghien-cuu-rau-qua-pho-hien"
    assert slugify("???") == "x"


def test_problem_in_text():
    assert problem_in_text("bình thường") is None
    assert problem_in_text("a\x00b") == "nul"
    assert problem_in_text("a\ud800b") == "surrogate"


@given(st.text())
def test_fold_is_idempotent_and_drops_d_stroke(value):
    folded = fold(value)
    assert fold(folded) == folded
    assert "đ" not in folded and "Đ" not in folded


@given(st.text(alphabet="aăâeêioôơuưyAĂÂEÊIOÔƠUƯYdđĐ ̣̀́̃̉bcghklmnpqrstvx"))
def test_fold_of_vietnamese_alphabet_is_ascii(value):
    assert fold(nfc(value)).isascii()


@given(st.text())
def test_nfc_is_stable(value):
    assert nfc(nfc(value)) == nfc(value)
